// cachet/policy.hpp: the policy families and the concept every policy meets.
//
// A policy is a type that names its family with a nested alias:
//
//     struct my_storage { using cachet_family = cachet::family::storage; ... };
//
// memoize() sorts the policies it is given by that alias: each family may be
// named at most once, and a family that is not named gets its default.
#pragma once

#include <concepts>

namespace cachet::family {

//! Where entries live (lru, dict, ...).
struct storage {};
//! How call arguments become a key (tuple_key, text_key, ...).
struct key {};
//! How a value becomes what the storage keeps (identity, cereal_binary, ...).
struct coder {};
//! When an entry stops counting (never, expire_after_write, ...).
struct expiry {};
//! Where "now" comes from (system_clock, manual_clock).
struct clock {};
//! How many keys are served (sequential, batched).
struct bulk {};
//! Who may call at once (unsynchronized, mutex).
struct sync {};
//! What a storage failure does (propagate_errors, fail_open); header
//! <cachet/error_policy.hpp>.
struct error_policy {};
//! What the wrapper adds to the expiry policy's deadlines (negative
//! caching, jitter); header <cachet/expiry_options.hpp>.
struct expiry_options {};
//! What an entry weighs, for storages that evict by total weight (no_weigher,
//! weigher{fn}); header <cachet/weigher.hpp>.
struct weigher {};
//! What a cached function counts (no_stats, record_stats); header
//! <cachet/stats.hpp>.
struct stats {};
//! Who hears of entries leaving the store (no_removal_listener,
//! removal_listener); header <cachet/removal_listener.hpp>.
struct removal_listener {};
//! The former name of family::error_policy.
using errors [[deprecated("cachet: the family is now cachet::family::error_policy")]] = error_policy;

}  // namespace cachet::family

namespace cachet {

//! A type that declares the family it belongs to.
template <class P>
concept policy = requires { typename P::cachet_family; };

//! A policy of the given family.
template <class P, class Family>
concept policy_of = policy<P> && std::same_as<typename P::cachet_family, Family>;

}  // namespace cachet
