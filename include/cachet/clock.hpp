// cachet/clock.hpp: the clock family, and the time type every storage uses.
//
// Minimal definition of a clock policy C:
//   using cachet_family = cachet::family::clock;
//   cachet::time_point now() const;
//
// Deadlines are wall-clock time points so that storages that outlive the
// process (disk, servers) can keep them. Tests inject manual_clock and never
// sleep. Models: system_clock (default), manual_clock.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <cachet/policy.hpp>

namespace cachet {

//! The time type of deadlines and "now" throughout cachet.
using time_point = std::chrono::system_clock::time_point;
//! The duration type matching time_point.
using duration = time_point::duration;

//! The deadline of an entry that never expires.
inline constexpr time_point no_deadline = time_point::max();

template <class C>
concept clock_policy = policy_of<C, family::clock> && std::copy_constructible<C> &&
                       requires(const C& c) {
                         { c.now() } -> std::same_as<time_point>;
                       };

namespace detail {

//! Whether `d` is a NaN (only a floating-point count can be).
template <class Rep, class Period>
constexpr bool is_nan(std::chrono::duration<Rep, Period> d) {
  if constexpr (std::chrono::treat_as_floating_point_v<Rep>)
    return d.count() != d.count();  // only a NaN differs from itself
  else
    return false;
}

//! Whether `d` is +infinity or -infinity (only a floating-point count can be).
template <class Rep, class Period>
constexpr bool is_infinite(std::chrono::duration<Rep, Period> d) {
  if constexpr (std::numeric_limits<Rep>::has_infinity)
    return d.count() == std::numeric_limits<Rep>::infinity() || d.count() == -std::numeric_limits<Rep>::infinity();
  else
    return false;
}

//! `std::chrono::ceil<duration>(d)`, clamped to duration's range: a ttl such
//! as std::chrono::hours::max() does not fit in nanoseconds, and converting
//! it with ceil or duration_cast overflows. +infinity gives duration::max(),
//! -infinity duration::min(), and a NaN, which has no sensible value,
//! duration::zero(): never undefined behaviour. Callers that must not take a
//! NaN for zero reject it first (expire_after_write, expire_after_access,
//! manual_clock::advance).
template <class Rep, class Period>
constexpr duration ceil_saturating(std::chrono::duration<Rep, Period> d) {
  if constexpr (std::chrono::treat_as_floating_point_v<Rep>) {
    // NaN and infinities are tested before scaling (scaling a NaN is no
    // constant expression for clang). The rest is scaled in the type
    // duration_cast itself computes in, so that the result is chrono's own
    // ceil wherever that is defined; the conversion to an integer, undefined
    // out of range, is done here, after the bounds are checked.
    if (is_nan(d)) return duration::zero();
    if (is_infinite(d)) return d.count() > 0 ? duration::max() : duration::min();
    using common = std::common_type_t<duration::rep, Rep, std::intmax_t>;
    const common x = std::chrono::duration_cast<std::chrono::duration<common, duration::period>>(d).count();
    if (x >= static_cast<common>(duration::max().count())) return duration::max();
    if (x <= static_cast<common>(duration::min().count())) return duration::min();
    auto ticks = static_cast<duration::rep>(x);  // in range: truncates toward zero
    if (static_cast<common>(ticks) < x) ++ticks;
    return duration{ticks};
  } else {
    // The bounds are compared in long double, which holds them in any unit
    // without overflowing.
    using wide = std::chrono::duration<long double, Period>;
    constexpr wide high = std::chrono::duration_cast<wide>(duration::max());
    constexpr wide low = std::chrono::duration_cast<wide>(duration::min());
    const wide w(d);
    if (w >= high) return duration::max();
    if (w <= low) return duration::min();
    return std::chrono::ceil<duration>(d);
  }
}

//! The ttl `t` of the policy named `policy`, as by ceil_saturating, for
//! policies that take a fixed ttl at construction. A NaN or infinite ttl is
//! a mistake, not a request: throws std::invalid_argument naming the policy.
template <class Rep, class Period>
constexpr duration checked_ttl(const char* policy, std::chrono::duration<Rep, Period> t) {
  if (is_nan(t))
    throw std::invalid_argument(std::string(policy) + ": the time to live is NaN");
  if (is_infinite(t))
    throw std::invalid_argument(std::string(policy) +
                                ": the time to live is infinite; for entries that never expire, use cachet::never, "
                                "or a huge finite ttl such as std::chrono::hours::max(), which saturates");
  return ceil_saturating(t);
}

}  // namespace detail

//! `now + ttl`, saturating at no_deadline (and time_point::min()) instead of
//! overflowing, whatever the ttl's unit and size. The ttl is rounded up to
//! duration as by detail::ceil_saturating; one that saturates there
//! (duration::max() or more, +infinity) gives no_deadline from any `now`,
//! before 1970 too, and duration::min() or less gives time_point::min(). A
//! NaN adds nothing: the result is `now`, which as a deadline means "do not
//! store".
template <class Rep, class Period>
constexpr time_point add_saturating(time_point now, std::chrono::duration<Rep, Period> ttl) {
  const duration step = detail::ceil_saturating(ttl);
  if (step == duration::max()) return no_deadline;
  if (step == duration::min()) return time_point::min();
  if (step > duration::zero() && now > no_deadline - step) return no_deadline;
  if (step < duration::zero() && now < time_point::min() - step) return time_point::min();
  return now + step;
}

}  // namespace cachet
