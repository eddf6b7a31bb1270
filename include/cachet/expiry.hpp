// cachet/expiry.hpp: the expiry family.
//
// Minimal definition of an expiry policy E for values of type V:
//   using cachet_family = cachet::family::expiry;
//   static constexpr bool expires;            false: no deadline is ever kept,
//                                             and no clock is read
//   static constexpr bool renews_on_access;   true: hits and touch push the
//                                             deadline (sliding expiry)
//   time_point deadline(time_point now, const V& value) const;
//                                             when an entry written (or, if
//                                             renews_on_access, used) at `now`
//                                             expires; <= now: do not store
//   time_point deadline(time_point now) const;   optional: the same for
//                                             policies that ignore the value;
//                                             required if renews_on_access
//
// Models: never (default), expire_after_write, expire_after_access,
// expire_per_entry.
#pragma once

#include <concepts>

#include <cachet/clock.hpp>
#include <cachet/policy.hpp>

namespace cachet {

template <class E, class Value>
concept expiry_policy_for = policy_of<E, family::expiry> && std::copy_constructible<E> &&
                            requires(const E& e, time_point now, const Value& v) {
                              { E::expires } -> std::convertible_to<bool>;
                              { E::renews_on_access } -> std::convertible_to<bool>;
                              { e.deadline(now, v) } -> std::same_as<time_point>;
                            };

}  // namespace cachet
