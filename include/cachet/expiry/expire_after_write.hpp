// cachet/expiry/expire_after_write.hpp: a fixed time to live from each write.
#pragma once

#include <chrono>

#include <cachet/expiry.hpp>

namespace cachet {

//! An entry expires `ttl` after it was last written (call, update, set) or
//! touched. Reads do not extend it.
struct expire_after_write {
  using cachet_family = family::expiry;
  static constexpr bool expires = true;
  static constexpr bool renews_on_access = false;

  duration ttl;

  //! `t` is any std::chrono::duration, rounded up to `duration`; one too
  //! large for it saturates (the entries never expire). A zero or negative
  //! `t` means values are returned but never stored.
  //! PRECONDITION: `t` is finite; throws std::invalid_argument if it is NaN
  //! or infinite.
  template <class Rep, class Period>
  constexpr explicit expire_after_write(std::chrono::duration<Rep, Period> t)
      : ttl(detail::checked_ttl("cachet::expire_after_write", t)) {}

  template <class... Value>
  time_point deadline(time_point now, const Value&...) const noexcept {
    return add_saturating(now, ttl);
  }
};

}  // namespace cachet
