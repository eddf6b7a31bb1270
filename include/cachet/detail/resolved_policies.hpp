// cachet/detail/resolved_policies.hpp: from the types given to memoize() to
// the types a cachet::cached is made of, all at compile time: each family's
// policy (or its default), checked member by member (policy_checks.hpp),
// the key and stored types, and the store. A policy that fails a check is
// replaced by a quiet stand-in, so that the check's message is the only
// error the user reads.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <cachet/bulk.hpp>
#include <cachet/bulk/batched.hpp>
#include <cachet/clock.hpp>
#include <cachet/clock/system_clock.hpp>
#include <cachet/coder.hpp>
#include <cachet/detail/policy_checks.hpp>
#include <cachet/detail/policy_set.hpp>
#include <cachet/error_policy.hpp>
#include <cachet/error_policy/propagate_errors.hpp>
#include <cachet/expiry.hpp>
#include <cachet/expiry/never.hpp>
#include <cachet/expiry_options.hpp>
#include <cachet/key.hpp>
#include <cachet/key/text_key.hpp>
#include <cachet/key/tuple_key.hpp>
#include <cachet/removal_listener.hpp>
#include <cachet/stats.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/common/timed_entry.hpp>
#include <cachet/sync.hpp>
#include <cachet/sync/mutex.hpp>
#include <cachet/weigher.hpp>

namespace cachet {
struct cereal_binary;  // the byte storages' default coder; <cachet/coder/cereal_binary.hpp>
}

namespace cachet::detail {

// ---- quiet stand-ins for what is missing or broken ----

struct no_storage_named {
  using cachet_family = family::storage;
};
struct no_value {};  // the value type of a function returning void

template <class Spec>
struct null_store {
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  template <class P>
  explicit null_store(const P&) {}
  template <class K>
  const value_type* get(const K&, time_point) { return nullptr; }
  void set(key_type&&, value_type&&, time_point) {}
  template <class K>
  bool erase(const K&) { return false; }
  template <class K>
  bool contains(const K&, time_point) { return false; }
  template <class K>
  bool touch(const K&, time_point, time_point) { return false; }
  std::size_t size() const { return 0; }
  void clear() {}
  std::string name() const { return "none"; }
};

struct null_coder {
  using cachet_family = family::coder;
  template <class T>
  std::string encode(const T&) const { return {}; }
  template <class T>
  T decode(std::string_view) const { return T{}; }
};

struct null_key {
  using cachet_family = family::key;
  template <class... Params>
  struct bind {
    using key_type = std::string;
    using hasher = string_hash;
    using key_equal = std::equal_to<>;
    template <class K>
    explicit bind(const K&) {}
    template <class... A>
    std::string make(const A&...) const { return {}; }
    template <class... A>
    std::string lookup(const A&...) const { return {}; }
  };
};

template <class T>
concept complete = requires { sizeof(T); };

// store_for<P, Spec>, named only when chosen (P may have no store_type).
template <class P, class Spec>
struct lazy_store_for {
  using type = store_for<P, Spec>;
};

// Defined in <cachet/detail/sharded_store.hpp>, which <cachet/sync/sharded.hpp>
// includes: only a cache that shards pays for it.
template <class Storage, class Spec, std::size_t N, class Lock>
class sharded_store;

//! A sync policy that asks for the store in parts (cachet::sharded<N>).
template <class Sync>
concept sharding_sync = requires {
  { Sync::shards } -> std::convertible_to<std::size_t>;
};

// The sharded store, named only when chosen.
template <class P, class Spec, class Sync>
struct lazy_sharded_store {
  using type = sharded_store<P, Spec, static_cast<std::size_t>(Sync::shards), typename Sync::lock_type>;
};

// ---- checks that span families (each in its own class: see policy_checks.hpp) ----

template <class R>
struct result_check {
  static_assert(!std::is_void_v<R>, "cachet::memoize: the function returns void; there is nothing to cache");
  static_assert(std::is_void_v<R> || std::copy_constructible<std::remove_cvref_t<R>>,
                "cachet::memoize: the function's result type must be copyable");
  static constexpr bool reported = true;
};

template <bool Named>
struct storage_named_check {
  static_assert(Named, "cachet::memoize: name a storage policy, e.g. cachet::lru{.capacity = 1024} or cachet::dict{}");
  static constexpr bool reported = true;
};

template <bool IdentityOnBytes, bool CoderComplete>
struct byte_coder_check {
  static_assert(!IdentityOnBytes,
                "cachet::memoize: this storage keeps bytes, so it needs a byte coder (cereal_binary, "
                "cereal_portable, cereal_json or your own), not cachet::identity");
  static_assert(CoderComplete,
                "cachet::memoize: this byte storage defaults to cachet::cereal_binary: include "
                "<cachet/coder/cereal_binary.hpp> (CMake target cachet::cereal) or name a coder");
  static constexpr bool reported = true;
};

// coder_check, instantiated only for a coder that is complete and unusable.
template <class Coder, class Value>
struct coder_diagnosis {
  static_assert(std::conditional_t<usable_coder<Coder, Value>, nothing_to_report, coder_check<Coder, Value>>::reported);
  static constexpr bool reported = true;
};

template <bool StringKeys>
struct byte_key_check {
  static_assert(StringKeys,
                "cachet::memoize: this storage keeps bytes, so its key policy must make std::string keys "
                "(text_key, hashed_key, or custom_key returning std::string)");
  static constexpr bool reported = true;
};

//! The types of a cached function R(Params...) that come before any policy.
template <class R, class... Params>
struct function_types {
  static_assert(result_check<R>::reported);
  //! Whether the result can be cached (else a static_assert said why).
  static constexpr bool result_ok = [] {
    if constexpr (std::is_void_v<R>)
      return false;
    else
      return std::copy_constructible<std::remove_cvref_t<R>>;
  }();
  using value_type = std::conditional_t<result_ok, std::remove_cvref_t<R>, no_value>;
};

template <bool PoliciesOk, class R, class Params, class... Policies>
struct resolved_policies;

// Resolved only from a valid policy set; policy_set_diagnosis reports the rest.
template <class R, class Params, class... Policies>
struct resolve : resolved_policies<policy_set_valid<Policies...>, R, Params, Policies...> {
  static_assert(policy_set_diagnosis<Policies...>::reported);
};

template <bool PoliciesOk, class R, class... Params, class... Policies>
struct resolved_policies<PoliciesOk, R, void(Params...), Policies...> : function_types<R, Params...> {
  using typename function_types<R, Params...>::value_type;

  // ---- storage: which kind of store, hence which defaults ----
  using named_storage = family_policy_t<family::storage, no_storage_named, Policies...>;
  static constexpr bool storage_named = !std::same_as<named_storage, no_storage_named>;
  static_assert(storage_named_check<storage_named>::reported);
  using storage_traits_type = storage_traits<named_storage>;
  static constexpr bool typed_store = storage_traits_type::typed;

  // ---- coder ----
  using default_coder = std::conditional_t<typed_store, identity, cereal_binary>;
  using named_coder = family_policy_t<family::coder, default_coder, Policies...>;
  static constexpr bool identity_on_bytes = !typed_store && std::same_as<named_coder, identity>;
  static constexpr bool coder_complete = complete<named_coder>;
  static_assert(byte_coder_check<identity_on_bytes, coder_complete>::reported);
  static constexpr bool checks_coder = !identity_on_bytes && coder_complete && !std::same_as<named_coder, identity>;
  static_assert(std::conditional_t<checks_coder, coder_diagnosis<named_coder, value_type>, nothing_to_report>::reported);
  static constexpr bool coder_ok = [] {
    if constexpr (identity_on_bytes || !coder_complete)
      return false;
    else if constexpr (std::same_as<named_coder, identity>)
      return true;
    else
      return usable_coder<named_coder, value_type>;
  }();
  using coder_type = std::conditional_t<coder_ok, named_coder, null_coder>;
  //! Whether the store keeps values themselves (identity) or their bytes.
  static constexpr bool keeps_objects = std::same_as<coder_type, identity>;

  // ---- key ----
  using default_key = std::conditional_t<keeps_objects, tuple_key, text_key>;
  using named_key = with_default_key_t<family_policy_t<family::key, default_key, Policies...>, default_key>;
  static constexpr bool key_ok = usable_key<named_key, Params...>;
  static_assert(std::conditional_t<key_ok, nothing_to_report, key_check<named_key, Params...>>::reported);
  using key_policy_type = std::conditional_t<key_ok, named_key, null_key>;
  using bound_key = typename key_policy_type::template bind<Params...>;
  using key_type = typename bound_key::key_type;
  static_assert(byte_key_check<typed_store || !key_ok || std::same_as<key_type, std::string>>::reported);

  // ---- expiry, clock, sync, bulk, error policy ----
  using named_expiry = family_policy_t<family::expiry, never, Policies...>;
  static_assert(std::conditional_t<usable_expiry<named_expiry, value_type>, nothing_to_report,
                                   expiry_check<named_expiry, value_type>>::reported);
  using expiry_type = std::conditional_t<usable_expiry<named_expiry, value_type>, named_expiry, never>;
  using expiry_traits_type = expiry_traits<expiry_type>;
  using named_expiry_options = family_policy_t<family::expiry_options, no_expiry_options, Policies...>;
  static_assert(std::conditional_t<usable_expiry_options<named_expiry_options>, nothing_to_report,
                                   expiry_options_check<named_expiry_options>>::reported);
  using expiry_options_type =
      std::conditional_t<usable_expiry_options<named_expiry_options>, named_expiry_options, no_expiry_options>;
  //! Entries carry deadlines: the expiry policy expires them, or expiry
  //! options were named (a negative entry expires under cachet::never too).
  static constexpr bool keeps_deadlines =
      expiry_traits_type::expires || !std::same_as<expiry_options_type, no_expiry_options>;
  using named_clock = family_policy_t<family::clock, system_clock, Policies...>;
  static_assert(std::conditional_t<usable_clock<named_clock>, nothing_to_report, clock_check<named_clock>>::reported);
  using clock_type = std::conditional_t<usable_clock<named_clock>, named_clock, system_clock>;
  using named_sync = family_policy_t<family::sync, mutex, Policies...>;
  static_assert(std::conditional_t<usable_sync<named_sync>, nothing_to_report, sync_check<named_sync>>::reported);
  using sync_type = std::conditional_t<usable_sync<named_sync>, named_sync, mutex>;
  using named_bulk = family_policy_t<family::bulk, batched, Policies...>;
  static_assert(std::conditional_t<usable_bulk<named_bulk>, nothing_to_report, bulk_check<named_bulk>>::reported);
  using bulk_type = std::conditional_t<usable_bulk<named_bulk>, named_bulk, batched>;
  using named_error_policy = family_policy_t<family::error_policy, propagate_errors, Policies...>;
  static_assert(std::conditional_t<usable_error_policy<named_error_policy>, nothing_to_report,
                                   error_policy_check<named_error_policy>>::reported);
  using error_policy_type =
      std::conditional_t<usable_error_policy<named_error_policy>, named_error_policy, propagate_errors>;
  using named_stats = family_policy_t<family::stats, no_stats, Policies...>;
  static_assert(std::conditional_t<stats_policy<named_stats>, nothing_to_report, stats_check<named_stats>>::reported);
  using stats_type = std::conditional_t<stats_policy<named_stats>, named_stats, no_stats>;
  using named_listener = family_policy_t<family::removal_listener, no_removal_listener, Policies...>;
  static_assert(std::conditional_t<removal_listener_for<named_listener, key_type, value_type>, nothing_to_report,
                                   listener_check<named_listener, key_type, value_type>>::reported);
  using listener_type = std::conditional_t<removal_listener_for<named_listener, key_type, value_type>,
                                           named_listener, no_removal_listener>;

  // ---- the store ----
  //! Whether entries are stored with the times expiry_options judges them
  //! by (cachet::timed_entry; a 16-byte header on byte stores).
  static constexpr bool timed_entries = !std::same_as<expiry_options_type, no_expiry_options>;
  //! What the storage keeps per entry: the value itself (timed), or its bytes.
  using stored_type = std::conditional_t<keeps_objects,
                                         std::conditional_t<timed_entries, timed_entry<value_type>, value_type>,
                                         std::string>;
  using spec = entry_spec<key_type, stored_type, typename bound_key::hasher, typename bound_key::key_equal,
                          keeps_deadlines>;
  static constexpr bool storage_ok = storage_named && usable_storage<named_storage, spec>;
  static_assert(std::conditional_t<storage_named && !storage_ok, storage_check<named_storage, spec>,
                                   nothing_to_report>::reported);
  // ---- weigher: the storage evicts by weight ----
  using named_weigher = family_policy_t<family::weigher, no_weigher, Policies...>;
  static constexpr bool weigher_named = !std::same_as<named_weigher, no_weigher>;
  static constexpr bool weigher_ok = [] {
    if constexpr (weigher_named && storage_ok)
      return weighable_storage<named_storage, named_weigher, spec> &&
             weigher_for<named_weigher, key_type, value_type>;
    else
      return false;
  }();
  static_assert(std::conditional_t<weigher_named && storage_ok && !weigher_ok,
                                   weigher_check<named_storage, named_weigher, spec, key_type, value_type>,
                                   nothing_to_report>::reported);
  //! The storage policy the store is made from: the one named, or it and
  //! the weigher together.
  using storage_type =
      std::conditional_t<weigher_ok, weighted_storage<named_storage, named_weigher>, named_storage>;
  //! Under a sharding sync policy (sharded<N>), a storage that can be split
  //! and is not thread safe by itself becomes N stores, each with its own
  //! lock; any other keeps one store, under the sync policy's one lock
  //! (unless thread safe), as under cachet::mutex.
  static constexpr bool store_in_shards = [] {
    if constexpr (storage_ok && sharding_sync<sync_type>)
      return storage_traits_type::shardable && !storage_traits_type::thread_safe;
    else
      return false;
  }();
  using store_type = typename std::conditional_t<
      storage_ok,
      std::conditional_t<store_in_shards, lazy_sharded_store<storage_type, spec, sync_type>,
                         lazy_store_for<storage_type, spec>>,
      std::type_identity<null_store<spec>>>::type;
  using store_traits = storage_traits<storage_type>;
  //! The store is safe to call from several threads (by itself, or as
  //! shards with their own locks): no lock around it.
  static constexpr bool lock_free_store = store_traits::thread_safe || store_in_shards;
  //! The store's bulk members serve the *_many operations.
  static constexpr bool use_store_bulk = bulk_type::batches && store_traits::template native_bulk<store_type>;
  static constexpr bool use_store_contains_many =
      bulk_type::batches && store_traits::template native_contains_many<store_type>;
  static constexpr bool use_store_touch_many = bulk_type::batches && store_traits::template native_touch_many<store_type>;

  //! The storage policy among `policies` (with the weigher, if one is named).
  template <class... P>
  static storage_type make_storage(const P&... policies) {
    if constexpr (weigher_ok)
      return storage_type(pick<family::storage, named_storage>(policies...), pick<family::weigher, no_weigher>(policies...));
    else
      return pick_as<family::storage, storage_type>(policies...);
  }
};

// After a policy-set error (not a policy, a family twice, a wrong family):
// everything is a stand-in, and nothing else is checked.
template <class R, class... Params, class... Policies>
struct resolved_policies<false, R, void(Params...), Policies...> : function_types<R, Params...> {
  using typename function_types<R, Params...>::value_type;
  using storage_type = no_storage_named;
  static constexpr bool keeps_objects = false;
  using coder_type = null_coder;
  using key_policy_type = null_key;
  using bound_key = null_key::bind<Params...>;
  using key_type = std::string;
  using expiry_type = never;
  using expiry_traits_type = expiry_traits<never>;
  using expiry_options_type = no_expiry_options;
  using clock_type = system_clock;
  using sync_type = mutex;
  using bulk_type = batched;
  using error_policy_type = propagate_errors;
  using stats_type = no_stats;
  using listener_type = no_removal_listener;
  static constexpr bool timed_entries = false;
  using stored_type = std::string;
  using spec = entry_spec<key_type, stored_type, string_hash, std::equal_to<>, false>;
  using store_type = null_store<spec>;
  using store_traits = storage_traits<no_storage_named>;
  static constexpr bool store_in_shards = false;
  static constexpr bool lock_free_store = false;
  static constexpr bool use_store_bulk = false;
  static constexpr bool use_store_contains_many = false;
  static constexpr bool use_store_touch_many = false;
  template <class... P>
  static storage_type make_storage(const P&...) {
    return {};
  }
};

}  // namespace cachet::detail
