// cachet/detail/policy_set.hpp: sorting the policies given to memoize() by
// family (Boost.Hana): find each family's policy, fill defaults, reject
// duplicates and non-policies.
#pragma once

#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>

#include <boost/hana/count_if.hpp>
#include <boost/hana/find_if.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cachet/policy.hpp>

namespace cachet::detail {

namespace hana = boost::hana;

template <class Family>
struct is_of_family {
  template <class T>
  constexpr auto operator()(T&&) const {
    return hana::bool_c<policy_of<typename std::remove_cvref_t<T>::type, Family>>;
  }
};

template <std::size_t Position, class Policy>
struct policy_argument_check {
  static_assert(policy<Policy>,
                "cachet::memoize: an argument after the function is not a cachet policy (see Policy, at "
                "Position counted from 0 after the function). A policy names its family with "
                "`using cachet_family = cachet::family::storage;` (or key, coder, expiry, clock, bulk, sync, errors).");
  static constexpr bool ok = true;
};

//! How many of Policies belong to Family.
template <class Family, class... Policies>
inline constexpr std::size_t family_count =
    hana::count_if(hana::tuple_t<Policies...>, is_of_family<Family>{});

//! The policy of Family among Policies, else Default.
template <class Family, class Default, class... Policies>
using family_policy_t = typename std::remove_cvref_t<decltype(hana::find_if(
    hana::tuple_t<Policies...>, is_of_family<Family>{})
                                                                     .value_or(hana::type_c<Default>))>::type;

//! The value of the policy of Family among `policies`, else a Default{}.
template <class Family, class Default, class... Policies>
family_policy_t<Family, Default, Policies...> pick(const Policies&... policies) {
  using Picked = family_policy_t<Family, Default, Policies...>;
  if constexpr (family_count<Family, Policies...> == 0) {
    return Default{};
  } else {
    const auto values = hana::make_tuple(std::cref(policies)...);
    return hana::find_if(values, [](auto ref) {
             return hana::bool_c<std::is_same_v<std::remove_cvref_t<typename decltype(ref)::type>, Picked>>;
           })
        .value()
        .get();
  }
}

//! The policy types, checked: each is a policy and no family appears twice.
template <class... Policies>
constexpr bool check_policies() {
  constexpr bool all_policies = []<std::size_t... I>(std::index_sequence<I...>) {
    return (policy_argument_check<I, Policies>::ok && ...);
  }(std::index_sequence_for<Policies...>{});
  static_assert(family_count<family::storage, Policies...> <= 1,
                "cachet::memoize: two storage policies were given; name at most one");
  static_assert(family_count<family::key, Policies...> <= 1,
                "cachet::memoize: two key policies were given; name at most one");
  static_assert(family_count<family::coder, Policies...> <= 1,
                "cachet::memoize: two coder policies were given; name at most one");
  static_assert(family_count<family::expiry, Policies...> <= 1,
                "cachet::memoize: two expiry policies were given; name at most one");
  static_assert(family_count<family::clock, Policies...> <= 1,
                "cachet::memoize: two clock policies were given; name at most one");
  static_assert(family_count<family::bulk, Policies...> <= 1,
                "cachet::memoize: two bulk policies were given; name at most one");
  static_assert(family_count<family::sync, Policies...> <= 1,
                "cachet::memoize: two sync policies were given; name at most one");
  static_assert(family_count<family::errors, Policies...> <= 1,
                "cachet::memoize: two error policies were given; name at most one");
  return all_policies;
}

}  // namespace cachet::detail
