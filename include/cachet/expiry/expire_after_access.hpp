// cachet/expiry/expire_after_access.hpp: sliding expiry.
#pragma once

#include <chrono>

#include <cachet/expiry.hpp>

namespace cachet {

//! An entry expires `ttl` after it was last written, read or touched: every
//! hit (f(...), get) and every touch renews it.
struct expire_after_access {
  using cachet_family = family::expiry;
  static constexpr bool expires = true;
  static constexpr bool renews_on_access = true;

  duration ttl;

  //! `t` is any std::chrono::duration, rounded up to `duration`; one too
  //! large for it saturates (the entries never expire). A zero or negative
  //! `t` means values are returned but never stored.
  //! PRECONDITION: `t` is finite; throws std::invalid_argument if it is NaN
  //! or infinite.
  template <class Rep, class Period>
  constexpr explicit expire_after_access(std::chrono::duration<Rep, Period> t)
      : ttl(detail::checked_ttl("cachet::expire_after_access", t)) {}

  template <class... Value>
  time_point deadline(time_point now, const Value&...) const noexcept {
    return add_saturating(now, ttl);
  }
};

}  // namespace cachet
