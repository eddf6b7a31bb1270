// cachet/expiry.hpp: the expiry family.
//
// Minimal definition of an expiry policy E for values of type V:
//   using cachet_family = cachet::family::expiry;
//   time_point deadline(time_point now, const V& value) const;
//                                             when an entry written (or, if
//                                             renews_on_access, used) at `now`
//                                             expires; <= now: do not store
// Optional members, read through cachet::expiry_traits<E>:
//   static constexpr bool expires;            default true; false: no
//                                             deadline is ever kept, and no
//                                             clock is read
//   static constexpr bool renews_on_access;   default false; true: hits and
//                                             touch push the deadline
//                                             (sliding expiry)
//   time_point deadline(time_point now) const;   the same for policies that
//                                             ignore the value: touch then
//                                             renews without reading the
//                                             value; required if
//                                             renews_on_access
//
// Laws: deadline(now, v) > now, or the value is returned but not stored; a policy whose
// `expires` is false returns no_deadline.
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
                              { e.deadline(now, v) } -> std::same_as<time_point>;
                            };

//! What the wrapper reads of an expiry policy beyond deadline(now, value);
//! each value comes from the policy's static member of the same name, else
//! the default given. Specialise it (deriving from
//! default_expiry_traits<Expiry>) for a policy you cannot change.
template <class Expiry>
struct default_expiry_traits {
  //! false: no entry ever expires; no deadline is kept, no clock read.
  //! Defaults to true.
  static constexpr bool expires = [] {
    if constexpr (requires { { Expiry::expires } -> std::convertible_to<bool>; })
      return static_cast<bool>(Expiry::expires);
    else
      return true;
  }();
  //! true: a hit or touch renews the deadline (sliding). Defaults to false.
  static constexpr bool renews_on_access = [] {
    if constexpr (requires { { Expiry::renews_on_access } -> std::convertible_to<bool>; })
      return static_cast<bool>(Expiry::renews_on_access);
    else
      return false;
  }();
  //! Whether the deadline can be had without the value, from
  //! `time_point deadline(time_point now) const`: touch then renews an entry
  //! without reading it. Defaults to: detected.
  static constexpr bool value_independent = requires(const Expiry& e, time_point now) {
    { e.deadline(now) } -> std::same_as<time_point>;
  };
};

//! See default_expiry_traits; specialise this one.
template <class Expiry>
struct expiry_traits : default_expiry_traits<Expiry> {};

}  // namespace cachet
