// cachet/storage.hpp: the storage family: its concepts and
// cachet::storage_traits, the one place that says what a storage may offer
// beyond the required members.
//
// A storage *policy* is a small value holding settings (lru{.capacity = 64});
// the wrapper turns it into a *store* for the key and value types of one
// memoized function:
//
//     typename P::template store_type<Spec>   constructed from `const P&`
//
// where Spec is an entry_spec naming the key type, the stored value type, the
// key's hasher and equality, and whether entries carry deadlines.
//
// Minimal definition of a storage policy P:
//   using cachet_family = cachet::family::storage;
//   template <class Spec> using store_type = ...;   a model of `store`
// and, for a storage that keeps bytes (disk, servers):
//   static constexpr bool typed = false;   (see storage_traits)
// A store that also has a constructor from (const P&, const
// cachet::store_options&) is made with it: the options carry what the
// cache's other policies ask of the store (a bound on lock waits).
// Optional on the policy (see storage_traits):
//   P shard(std::size_t index, std::size_t count) const
//                                        -> the policy of part `index` of
//                                           `count` (lru: capacity/count
//                                           each; dict: a copy), so that
//                                           cachet::sharded<N> keeps N
//                                           stores; may throw
//                                           std::invalid_argument
//
// Minimal definition of a store S (K = S::key_type, V = S::value_type):
//   get(const K&, time_point now)        -> optional-like: tests as bool,
//                                           `*r` is the V; live entries only;
//                                           counts as a use (recency)
//   set(K&&, V&&, time_point deadline)   inserts or replaces
//   erase(const K&)                      -> bool: something was removed
//   contains(const K&, time_point now)   -> bool: a live entry exists
//   touch(const K&, time_point now, time_point deadline)
//                                        -> bool: a live entry was renewed
//   size() const                         -> entries held (expired ones not
//                                           yet reclaimed included)
//   clear()
//   name() const                         -> text for error messages
// Optional (see storage_traits): lookups by any type the hasher and
// key_equal accept in place of `const K&` (heterogeneous lookup), bulk
// members (see bulk_store): get_many, set_many, erase_many, and
//   get_and_touch(const K&, time_point now, time_point deadline)
//                                        -> optional-like: get, renewing a
//                                           live entry to `deadline`
//   contains_many(span<const K>, time_point now)        -> std::vector<bool>
//   touch_many(span<const K>, time_point now, time_point deadline)
//                                        -> std::vector<bool>
//   peek(const K&, time_point now) const -> cachet::peeked<V>
//                                           (storage/common/peeked.hpp): a
//                                           lookup that writes nothing, run
//                                           by sharded<N> under a shared lock
//
// Laws: after set(k, v, d), get(k, t) yields v for every t < d until erase(k),
// clear(), a later set(k, ...) or eviction; for t >= d it yields nothing.
// erase, contains and touch answer whether a live entry was there; contains
// is not a use. If Spec::expiring is false every deadline is no_deadline and
// a store may keep none. <cachet/testing/storage_conformance.hpp> checks
// these laws on any storage.
//
// Models: lru, s3fifo, sieve, w_tinylfu, dict (memory); sqlite, files (disk);
// redis, redis_hash, memcached (servers).
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <type_traits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <cachet/clock.hpp>
#include <cachet/policy.hpp>

namespace cachet {

//! What a store is asked to hold.
template <class Key, class Value, class Hash, class KeyEqual, bool Expiring>
struct entry_spec {
  using key_type = Key;
  using value_type = Value;
  using hasher = Hash;
  using key_equal = KeyEqual;
  static constexpr bool expiring = Expiring;
};

//! One entry of a bulk write.
template <class Key, class Value>
struct entry {
  Key key;
  Value value;
  time_point deadline = no_deadline;
};

template <class S>
concept store = requires(S& s, const S& cs, const typename S::key_type& k, typename S::key_type&& kk,
                         typename S::value_type&& v, time_point t) {
  typename S::key_type;
  typename S::value_type;
  { static_cast<bool>(s.get(k, t)) };
  { *s.get(k, t) } -> std::convertible_to<const typename S::value_type&>;
  s.set(std::move(kk), std::move(v), t);
  { s.erase(k) } -> std::same_as<bool>;
  { s.contains(k, t) } -> std::same_as<bool>;
  { s.touch(k, t, t) } -> std::same_as<bool>;
  { cs.size() } -> std::convertible_to<std::size_t>;
  s.clear();
  { cs.name() } -> std::convertible_to<std::string>;
};

//! A store that serves many keys in one call (one round trip, one transaction).
template <class S>
concept bulk_store =
    store<S> && requires(S& s, std::span<const typename S::key_type> keys,
                         std::span<entry<typename S::key_type, typename S::value_type>> entries,
                         time_point t) {
      { s.get_many(keys, t) } -> std::same_as<std::vector<std::optional<typename S::value_type>>>;
      s.set_many(entries);
      { s.erase_many(keys) } -> std::same_as<std::vector<bool>>;
    };

//! The store a storage policy makes for Spec.
template <class P, class Spec>
using store_for = typename P::template store_type<Spec>;

//! What the cache asks of a store beyond its storage policy, given to
//! stores constructible from (const Policy&, const store_options&).
struct store_options {
  //! The longest one call may wait for a lock held by another process (a
  //! SQLite write lock) before it fails with backend_error instead; empty:
  //! as long as the storage policy says. Set from the error policy's
  //! `lock_wait` (cachet::fail_open: 100 ms), so that a failing-open cache
  //! skips a blocked write rather than waiting it out.
  std::optional<std::chrono::nanoseconds> lock_wait;
};

namespace detail {
//! Makes the store of `policy`, with `options` where the store takes them.
template <class Store, class Policy>
Store* new_store(const Policy& policy, const store_options& options) {
  if constexpr (std::is_constructible_v<Store, const Policy&, const store_options&>)
    return new Store(policy, options);
  else
    return new Store(policy);
}
}  // namespace detail

namespace detail {

template <class S, class Lookup>
concept store_accepts_lookup = requires(S& s, const Lookup& lookup, time_point t) {
  { static_cast<bool>(s.get(lookup, t)) };
  { s.erase(lookup) } -> std::same_as<bool>;
  { s.contains(lookup, t) } -> std::same_as<bool>;
  { s.touch(lookup, t, t) } -> std::same_as<bool>;
};

template <class S, class Lookup>
concept store_gets_and_touches = requires(S& s, const Lookup& lookup, time_point t) {
  { static_cast<bool>(s.get_and_touch(lookup, t, t)) };
};

template <class S>
concept store_contains_many = requires(S& s, std::span<const typename S::key_type> keys, time_point t) {
  { s.contains_many(keys, t) } -> std::same_as<std::vector<bool>>;
};

template <class S>
concept store_touches_many = requires(S& s, std::span<const typename S::key_type> keys, time_point t) {
  { s.touch_many(keys, t, t) } -> std::same_as<std::vector<bool>>;
};

template <class P>
concept shardable_storage = requires(const P& policy, std::size_t index) {
  { policy.shard(index, index) } -> std::same_as<P>;
};

template <class P>
constexpr bool typed_storage() {
  if constexpr (requires { { P::typed } -> std::convertible_to<bool>; })
    return static_cast<bool>(P::typed);
  else
    return true;
}
template <class P>
constexpr bool thread_safe_storage() {
  if constexpr (requires { { P::thread_safe } -> std::convertible_to<bool>; })
    return static_cast<bool>(P::thread_safe);
  else
    return false;
}
template <class P>
constexpr bool own_expiry_storage() {
  if constexpr (requires { { P::own_expiry } -> std::convertible_to<bool>; })
    return static_cast<bool>(P::own_expiry);
  else
    return false;
}

}  // namespace detail

//! The capabilities of storage policy Storage that the wrapper uses beyond
//! the required members. Each one is read from a static member of the same
//! name on the policy where it declares one, else takes the default given
//! here; the wrapper asks only this class. To state them for a policy you
//! cannot change, specialise storage_traits<YourPolicy> deriving from
//! default_storage_traits<YourPolicy> and override what differs.
template <class Storage>
struct default_storage_traits {
  //! true: the store keeps any Key -> Value objects (lru, dict), keyed by
  //! tuple_key and stored as is by default; false: it keeps std::string ->
  //! bytes (disk, servers), keyed by text_key and encoded by cereal_binary
  //! by default. Defaults to true.
  static constexpr bool typed = detail::typed_storage<Storage>();

  //! true: one store may be called from several threads at once (a remote
  //! store with its own connection pool); the wrapper then calls it without
  //! taking its lock, so calls overlap on the wire. Defaults to false: the
  //! sync policy's lock is held around every store call.
  static constexpr bool thread_safe = detail::thread_safe_storage<Storage>();

  //! true: the backend expires entries itself on real time (a server TTL):
  //! the store turns `deadline - now` into a time to live, so a manual clock
  //! changes how long an entry lives but not when the backend drops it. The
  //! conformance kit then skips the laws that move time by hand. Defaults to
  //! false: the store compares deadlines with the `now` it is given.
  static constexpr bool own_expiry = detail::own_expiry_storage<Storage>();

  //! true: the policy can be split into parts that together hold what it
  //! holds (a member `P shard(index, count) const`), so cachet::sharded<N>
  //! makes N stores, each behind its own lock. Defaults to: detected.
  static constexpr bool shardable = detail::shardable_storage<Storage>;

  //! Whether Store (made by this policy) takes lookups of type Lookup in
  //! get/erase/contains/touch, not only `const key_type&`, so that a hit
  //! builds no owning key. Defaults to: detected on the store.
  template <class Store, class Lookup>
  static constexpr bool heterogeneous_lookup = detail::store_accepts_lookup<Store, Lookup>;

  //! Whether Store serves a batch in one call (get_many, set_many,
  //! erase_many: one round trip, one transaction); the `batched` bulk
  //! policy then uses them. Defaults to: Store models bulk_store.
  template <class Store>
  static constexpr bool native_bulk = bulk_store<Store>;

  //! Whether Store has `get_and_touch(lookup, now, deadline)`: a get that
  //! renews the entry's deadline in the same call (Redis GETEX), used by a
  //! sliding expiry instead of get then touch. Defaults to: detected.
  template <class Store, class Lookup>
  static constexpr bool get_and_touch = detail::store_gets_and_touches<Store, Lookup>;

  //! Whether Store answers `contains_many(keys, now)` and `touch_many(keys,
  //! now, deadline)` for a batch in one call (one round trip); the `batched`
  //! bulk policy then uses them. Defaults to: detected.
  template <class Store>
  static constexpr bool native_contains_many = detail::store_contains_many<Store>;
  template <class Store>
  static constexpr bool native_touch_many = detail::store_touches_many<Store>;
};

//! See default_storage_traits; specialise this one.
template <class Storage>
struct storage_traits : default_storage_traits<Storage> {};

//! A storage policy that can hold entries described by Spec (the members
//! checked one by one, each with its own message, by cachet::memoize).
template <class P, class Spec>
concept storage_policy_for =
    policy_of<P, family::storage> && requires { typename store_for<P, Spec>; } &&
    std::constructible_from<store_for<P, Spec>, const P&> && store<store_for<P, Spec>>;

}  // namespace cachet
