// cachet/weigher.hpp: the weigher family: what an entry weighs, for the
// storages that evict by total weight instead of by count (lru, sieve,
// s3fifo, w_tinylfu).
//
//   auto pages = cachet::memoize(render, cachet::lru{.max_weight = 64 << 20},
//                                cachet::weigher{[](const std::string& html) { return html.size(); }});
//
// A weigher is called as weigh(key, value) or weigh(value) and returns a
// std::size_t. `key` is the stored key, the key policy's key_type (a
// std::tuple of the arguments under the default tuple_key, a std::string
// under text_key), not the arguments themselves. It is called once per
// write, under the cache's lock, so it should be cheap and must not call
// the cache. An entry heavier than the storage's maximum is returned but
// not stored.
#pragma once

#include <concepts>
#include <cstddef>
#include <utility>

#include <cachet/policy.hpp>

namespace cachet {

template <class Weigh>
struct weigher {
  using cachet_family = family::weigher;

  Weigh weigh;

  explicit weigher(Weigh w) : weigh(std::move(w)) {}

  template <class K, class V>
    requires std::invocable<const Weigh&, const K&, const V&> || std::invocable<const Weigh&, const V&>
  std::size_t operator()(const K& key, const V& value) const {
    if constexpr (std::invocable<const Weigh&, const K&, const V&>)
      return static_cast<std::size_t>(weigh(key, value));
    else
      return static_cast<std::size_t>(weigh(value));
  }
};

//! The default: entries are counted, not weighed.
struct no_weigher {
  using cachet_family = family::weigher;
};

//! A weigher policy for keys K and values V.
template <class W, class K, class V>
concept weigher_for = policy_of<W, family::weigher> && std::copy_constructible<W> &&
                      requires(const W& w, const K& k, const V& v) {
                        { w(k, v) } -> std::convertible_to<std::size_t>;
                      };

namespace detail {

//! A storage policy whose store evicts by weight: the storage's own policy
//! and the weigher, made into one storage policy by the wrapper when a
//! weigher is named. The storage provides
//! `template <class Spec, class Weigher> using weighted_store_type = ...;`.
template <class Storage, class Weigher>
struct weighted_storage : Storage {
  Weigher weigher;

  weighted_storage(const Storage& storage, const Weigher& w) : Storage(storage), weigher(w) {}

  template <class Spec>
  using store_type = typename Storage::template weighted_store_type<Spec, Weigher>;

  //! The part `index` of `count` (cachet::sharded), with the same weigher.
  weighted_storage shard(std::size_t index, std::size_t count) const
    requires requires(const Storage& s) { s.shard(index, count); }
  {
    return weighted_storage(Storage::shard(index, count), weigher);
  }
};

//! Whether Storage can evict by weight.
template <class Storage, class Weigher, class Spec>
concept weighable_storage = requires { typename Storage::template weighted_store_type<Spec, Weigher>; };

}  // namespace detail
}  // namespace cachet
