// cachet/expiry/expire_per_entry.hpp: a time to live computed from each value.
#pragma once

#include <chrono>
#include <concepts>
#include <type_traits>
#include <utility>

#include <cachet/expiry.hpp>

namespace cachet {

//! The time to live of each entry is `ttl_of(value)`, a std::chrono duration,
//! counted from the write (or touch). A zero or negative duration means the
//! value is returned but not stored: handy for not caching failures. A
//! floating-point duration is taken as it comes, since the function has
//! already run and its result must not be lost: NaN (and -infinity) means
//! "returned but not stored", +infinity "never expires".
//!
//!     cachet::expire_per_entry{[](const response& r) {
//!       return r.ok ? std::chrono::minutes{5} : std::chrono::minutes{0};
//!     }}
template <class TtlOf>
struct expire_per_entry {
  using cachet_family = family::expiry;
  static constexpr bool expires = true;
  static constexpr bool renews_on_access = false;

  TtlOf ttl_of;

  template <class Value>
    requires std::invocable<const TtlOf&, const Value&>
  time_point deadline(time_point now, const Value& value) const {
    const auto ttl = ttl_of(value);
    // A NaN is not <= zero, but it is no ttl either: not stored.
    if (detail::is_nan(ttl) || ttl <= decltype(ttl)::zero()) return now;
    return add_saturating(now, ttl);
  }
};

template <class TtlOf>
expire_per_entry(TtlOf) -> expire_per_entry<TtlOf>;

}  // namespace cachet
