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

//! `now + ttl`, saturating at no_deadline instead of overflowing.
template <class Rep, class Period>
constexpr time_point add_saturating(time_point now, std::chrono::duration<Rep, Period> ttl) {
  const auto step = std::chrono::ceil<duration>(ttl);
  if (step > duration::zero() && now > no_deadline - step) return no_deadline;
  return now + step;
}

}  // namespace cachet
