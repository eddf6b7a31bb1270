// cachet/storage.hpp: the storage family.
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
//   static constexpr bool typed;    true: keeps any Key -> Value objects
//                                   (lru, dict); false: keeps only
//                                   std::string -> bytes (disk, servers)
//   template <class Spec> using store_type = ...;   a model of `store`
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
// A store may also accept any type its hasher and key_equal accept in
// place of `const K&` (heterogeneous lookup), and may offer bulk members
// (see bulk_store): get_many, set_many, erase_many.
//
// Laws: after set(k, v, d), get(k, t) yields v for every t < d until erase(k),
// clear(), a later set(k, ...) or eviction; for t >= d it yields nothing.
// If Spec::expiring is false every deadline is no_deadline and a store may
// keep none.
//
// Models: lru, dict.
#pragma once

#include <concepts>
#include <cstddef>
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

//! A storage policy that can hold entries described by Spec.
template <class P, class Spec>
concept storage_policy_for =
    policy_of<P, family::storage> && requires { { P::typed } -> std::convertible_to<bool>; } &&
    requires { typename store_for<P, Spec>; } &&
    std::constructible_from<store_for<P, Spec>, const P&> && store<store_for<P, Spec>>;

}  // namespace cachet
