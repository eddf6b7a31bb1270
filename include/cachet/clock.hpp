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

//! `std::chrono::ceil<duration>(d)`, clamped to duration's range: a ttl such
//! as std::chrono::hours::max() does not fit in nanoseconds, and converting
//! it with ceil or duration_cast overflows. The bounds are compared in
//! long double, which holds them in any unit without overflowing.
template <class Rep, class Period>
constexpr duration ceil_saturating(std::chrono::duration<Rep, Period> d) {
  using wide = std::chrono::duration<long double, Period>;
  constexpr wide high = std::chrono::duration_cast<wide>(duration::max());
  constexpr wide low = std::chrono::duration_cast<wide>(duration::min());
  const wide w(d);
  if (w >= high) return duration::max();
  if (w <= low) return duration::min();
  return std::chrono::ceil<duration>(d);
}

}  // namespace detail

//! `now + ttl`, saturating at no_deadline (and time_point::min()) instead of
//! overflowing, whatever the ttl's unit and size.
template <class Rep, class Period>
constexpr time_point add_saturating(time_point now, std::chrono::duration<Rep, Period> ttl) {
  const duration step = detail::ceil_saturating(ttl);
  if (step > duration::zero() && now > no_deadline - step) return no_deadline;
  if (step < duration::zero() && now < time_point::min() - step) return time_point::min();
  return now + step;
}

}  // namespace cachet
