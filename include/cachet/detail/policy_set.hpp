// cachet/detail/policy_set.hpp: sorting the policies given to memoize() by
// family (plain fold expressions: cheaper to compile than a Hana set, which
// this once was): find each family's policy, fill defaults, and reject
// non-policies, a family named twice and a policy labelled with the wrong
// family, each with one static_assert whose instantiation names the types.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cachet/clock.hpp>
#include <cachet/policy.hpp>
#include <cachet/storage.hpp>

namespace cachet::detail {

//! How many of Policies belong to Family.
template <class Family, class... Policies>
inline constexpr std::size_t family_count = (std::size_t{0} + ... + std::size_t{policy_of<Policies, Family>});

template <class Family, class Default, class... Policies>
struct find_family_policy : std::type_identity<Default> {};
template <class Family, class Default, class First, class... Rest>
struct find_family_policy<Family, Default, First, Rest...>
    : std::conditional_t<policy_of<First, Family>, std::type_identity<First>,
                         find_family_policy<Family, Default, Rest...>> {};

//! The (first) policy of Family among Policies, else Default.
template <class Family, class Default, class... Policies>
using family_policy_t = typename find_family_policy<Family, Default, Policies...>::type;

//! The value of the policy of Family among `policies`, else a Default{}.
template <class Family, class Default, class... Policies>
family_policy_t<Family, Default, Policies...> pick(const Policies&... policies) {
  using Picked = family_policy_t<Family, Default, Policies...>;
  if constexpr (family_count<Family, Policies...> == 0) {
    return Default{};
  } else {
    const Picked* found = nullptr;
    const auto consider = [&found]<class P>(const P& policy) {
      if constexpr (std::is_same_v<P, Picked>)
        if (found == nullptr) found = &policy;
    };
    (consider(policies), ...);
    return *found;
  }
}

//! pick<Family, Type>, or a Type{} where the policy of Family is not Type
//! (a broken policy the wrapper replaced by a stand-in).
template <class Family, class Type, class... Policies>
Type pick_as(const Policies&... policies) {
  if constexpr (std::same_as<family_policy_t<Family, Type, Policies...>, Type>)
    return pick<Family, Type>(policies...);
  else
    return Type{};
}

// ---- the members that give a family away, to catch a wrong cachet_family ----

// Key and value types a probe store is asked for.
using probe_spec = entry_spec<std::string, std::string, std::hash<std::string>, std::equal_to<>, true>;

template <class P, class Family>
constexpr bool has_members_of() {
  if constexpr (std::same_as<Family, family::storage>)
    return requires { typename P::template store_type<probe_spec>; };
  else if constexpr (std::same_as<Family, family::key>)
    return requires { typename P::template bind<>; };
  else if constexpr (std::same_as<Family, family::expiry>)
    return requires { P::renews_on_access; } || requires(const P& p, time_point t) { p.deadline(t); };
  else if constexpr (std::same_as<Family, family::clock>)
    return requires(const P& p) { { p.now() } -> std::same_as<time_point>; };
  else if constexpr (std::same_as<Family, family::sync>)
    return requires { typename P::lock_type; };
  else if constexpr (std::same_as<Family, family::bulk>)
    return requires { P::batches; };
  else if constexpr (std::same_as<Family, family::error_policy>)
    return requires { P::fails_open; };
  else if constexpr (std::same_as<Family, family::stats>)
    return requires { P::records; };
  else if constexpr (std::same_as<Family, family::removal_listener>)
    return true;  // any callable: nothing to tell it by
  else if constexpr (std::same_as<Family, family::weigher>)
    return true;  // any callable
  else if constexpr (std::same_as<Family, family::expiry_options>)
    return requires(const P& p) { p.negative_ttl; p.jitter; };
  else
    return false;  // coders have no member a check can name without a value type
}

template <class P, class Family>
inline constexpr bool lacks_own_family_members = [] {
  if constexpr (std::same_as<Family, family::coder>)
    return false;
  else
    return !has_members_of<P, Family>();
}();

// The family whose members P has although it declares another, else void.
template <class P>
using family_by_members = std::conditional_t<
    has_members_of<P, family::storage>(), family::storage,
    std::conditional_t<
        has_members_of<P, family::key>(), family::key,
        std::conditional_t<
            has_members_of<P, family::clock>(), family::clock,
            std::conditional_t<
                has_members_of<P, family::sync>(), family::sync,
                std::conditional_t<has_members_of<P, family::bulk>(), family::bulk,
                                   std::conditional_t<has_members_of<P, family::error_policy>(),
                                                      family::error_policy,
                                                      std::conditional_t<has_members_of<P, family::expiry>(),
                                                                         family::expiry, void>>>>>>>;

// ---- one check per policy argument, one per family ----
// The values (policy_set_valid) come from traits alone; the checks' static
// assertions only report, so that a failed one (which makes its class
// unusable for clang) never turns into a second error.

template <class P>
constexpr bool mislabelled() {
  if constexpr (!policy<P>)
    return false;
  else
    return lacks_own_family_members<P, typename P::cachet_family> && !std::is_void_v<family_by_members<P>>;
}

template <std::size_t Position, class Policy, class Declared = void, class LooksLike = void>
struct policy_argument_check {
  static_assert(policy<Policy>,
                "cachet::memoize: an argument after the function is not a cachet policy (see Policy, at "
                "Position counted from 0 after the function). A policy names its family with "
                "`using cachet_family = cachet::family::storage;` (or key, coder, expiry, clock, bulk, sync, "
                "error_policy, stats, removal_listener, expiry_options, weigher).");
  static constexpr bool reported = true;
};

template <std::size_t Position, class Policy, class Declared, class LooksLike>
  requires(!std::is_void_v<LooksLike>)
struct policy_argument_check<Position, Policy, Declared, LooksLike> {
  static_assert(std::is_void_v<LooksLike>,
                "cachet::memoize: this policy (see Policy, at Position counted from 0 after the function) "
                "declares the family Declared in its cachet_family, but has the members of a LooksLike "
                "policy: correct its `using cachet_family = ...;`");
  static constexpr bool reported = true;
};

template <std::size_t Position, class Policy>
struct policy_argument_diagnosis {
  using type = policy_argument_check<Position, Policy>;
};
template <std::size_t Position, class Policy>
  requires policy<Policy>
struct policy_argument_diagnosis<Position, Policy> {
  using type = policy_argument_check<Position, Policy, typename Policy::cachet_family,
                                     std::conditional_t<mislabelled<Policy>(), family_by_members<Policy>, void>>;
};

template <class Family, class... Policies>
using policies_of_family =
    decltype(std::tuple_cat(std::declval<std::conditional_t<policy_of<Policies, Family>, std::tuple<Policies>,
                                                            std::tuple<>>>()...));

template <class Family, class PoliciesOfFamily>
struct one_policy_per_family_check {
  static_assert(std::tuple_size_v<PoliciesOfFamily> <= 1,
                "cachet::memoize: several policies of one family were given (see Family, and the policy "
                "types in PoliciesOfFamily); name at most one per family");
  static constexpr bool reported = true;
};

using all_families = std::tuple<family::storage, family::key, family::coder, family::expiry, family::clock,
                                family::bulk, family::sync, family::error_policy, family::stats,
                                family::removal_listener, family::expiry_options, family::weigher>;

template <class Families, class Indices, class... Policies>
struct policy_set_check;

//! Reports each wrong policy argument and each family named twice.
template <class... Family, std::size_t... I, class... Policies>
struct policy_set_check<std::tuple<Family...>, std::index_sequence<I...>, Policies...> {
  static_assert((policy_argument_diagnosis<I, Policies>::type::reported && ...));
  static_assert((one_policy_per_family_check<Family, policies_of_family<Family, Policies...>>::reported && ...));
  static constexpr bool reported = true;
};

template <class... Policies>
using policy_set_diagnosis = policy_set_check<all_families, std::index_sequence_for<Policies...>, Policies...>;

template <class Families, class... Policies>
inline constexpr bool policy_set_valid_in = false;
template <class... Family, class... Policies>
inline constexpr bool policy_set_valid_in<std::tuple<Family...>, Policies...> =
    ((policy<Policies> && !mislabelled<Policies>()) && ...) && ((family_count<Family, Policies...> <= 1) && ...);

//! Whether Policies are policies of the families they declare, at most one
//! per family; policy_set_diagnosis says what is wrong when they are not.
template <class... Policies>
inline constexpr bool policy_set_valid = policy_set_valid_in<all_families, Policies...>;

}  // namespace cachet::detail
