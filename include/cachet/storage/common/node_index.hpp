// cachet/storage/common/node_index.hpp: the key index of a store whose
// entries sit in a dense std::vector of nodes: a boost::unordered_flat_set
// of 32-bit node indices whose hash and equality look through to the
// nodes' keys, so that each key is stored once (lru, s3fifo, sieve, w_tinylfu;
// indexed_nodes.hpp keeps the array and its index together).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

namespace cachet::detail {

//! A lookup key with its hash, computed by the index's Hash: a store that
//! needs the hash itself (w_tinylfu's sketch) looks up with this so the key
//! is hashed once.
template <class K>
struct prehashed {
  const K& key;
  std::size_t hash;
};

template <class K>
inline constexpr bool is_prehashed = false;
template <class K>
inline constexpr bool is_prehashed<prehashed<K>> = true;

//! Node: has a member `key`; Hash and KeyEqual: the key's (transparent
//! lookups pass through to them).
template <class Node, class Hash, class KeyEqual>
struct node_index {
  struct slot {
    std::uint32_t index;
  };

  struct slot_hash {
    using is_transparent = void;
    const std::vector<Node>* nodes;
    [[no_unique_address]] Hash hash;
    std::size_t operator()(slot s) const { return hash((*nodes)[s.index].key); }
    template <class K>
      requires(!std::same_as<K, slot> && !is_prehashed<K>)
    std::size_t operator()(const K& key) const {
      return hash(key);
    }
    template <class K>
    std::size_t operator()(const prehashed<K>& key) const {
      return key.hash;
    }
  };

  struct slot_equal {
    using is_transparent = void;
    const std::vector<Node>* nodes;
    [[no_unique_address]] KeyEqual equal;
    // Each key has one slot, so slots are equal exactly when indices are.
    bool operator()(slot a, slot b) const { return a.index == b.index; }
    template <class K>
      requires(!std::same_as<K, slot> && !is_prehashed<K>)
    bool operator()(const K& key, slot s) const {
      return equal((*nodes)[s.index].key, key);
    }
    template <class K>
      requires(!std::same_as<K, slot> && !is_prehashed<K>)
    bool operator()(slot s, const K& key) const {
      return equal((*nodes)[s.index].key, key);
    }
    template <class K>
    bool operator()(const prehashed<K>& key, slot s) const {
      return equal((*nodes)[s.index].key, key.key);
    }
    template <class K>
    bool operator()(slot s, const prehashed<K>& key) const {
      return equal((*nodes)[s.index].key, key.key);
    }
  };

  using set = boost::unordered_flat_set<slot, slot_hash, slot_equal>;

  //! An empty index over `nodes`, which must outlive it and stay put.
  static set make(const std::vector<Node>* nodes) { return set(0, slot_hash{nodes, {}}, slot_equal{nodes, {}}); }

  //! Indexes nodes[0, size) into `index` (emptied first).
  static void rebuild(set& index, std::size_t size) {
    index.clear();
    index.reserve(size);
    for (std::size_t i = 0; i < size; ++i) index.insert(slot{static_cast<std::uint32_t>(i)});
  }
};

}  // namespace cachet::detail
