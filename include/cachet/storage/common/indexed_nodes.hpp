// cachet/storage/common/indexed_nodes.hpp: the dense node array of a
// bounded store with its key index (node_index.hpp), as a base class. The
// index's hash and equality point at the array, so a copy or a move of the
// pair rebuilds the index over its own array (O(size)); the stores built on
// it (lru, sieve, s3fifo, and w_tinylfu through lfu_regions) keep the
// compiler's copies and moves.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <cachet/storage/common/node_index.hpp>

namespace cachet::detail {

//! Node: has a member `key`; Hash and KeyEqual: the key's.
template <class Node, class Hash, class KeyEqual>
class indexed_nodes {
 protected:
  using index_t = std::uint32_t;
  using index_of = node_index<Node, Hash, KeyEqual>;
  using slot = typename index_of::slot;
  using index_set = typename index_of::set;

  indexed_nodes() : index_(index_of::make(&nodes_)) {}
  indexed_nodes(const indexed_nodes& other) : nodes_(other.nodes_), index_(index_of::make(&nodes_)) {
    index_of::rebuild(index_, nodes_.size());
  }
  //! Leaves `other` without nodes; its store is usable again once cleared.
  indexed_nodes(indexed_nodes&& other) noexcept(false)
      : nodes_(std::move(other.nodes_)), index_(index_of::make(&nodes_)) {
    other.forget_nodes();
    index_of::rebuild(index_, nodes_.size());
  }
  indexed_nodes& operator=(const indexed_nodes& other) {
    if (this != &other) {
      std::vector<Node> copy(other.nodes_);
      index_.clear();
      nodes_ = std::move(copy);
      index_of::rebuild(index_, nodes_.size());
    }
    return *this;
  }
  indexed_nodes& operator=(indexed_nodes&& other) noexcept(false) {
    if (this != &other) {
      index_.clear();
      nodes_ = std::move(other.nodes_);
      other.forget_nodes();
      index_of::rebuild(index_, nodes_.size());
    }
    return *this;
  }
  ~indexed_nodes() = default;

  void forget_nodes() noexcept {
    index_.clear();
    nodes_.clear();
  }

  //! Node i has left the index: the last node moves into its place (its
  //! slot retargeted in place: the same key, so the same hash) and the
  //! array shrinks by one. Returns whether a node moved (from the old last
  //! index to i), for the store to mend the links that pointed at it.
  bool fill_hole(index_t i) {
    const auto last = static_cast<index_t>(nodes_.size() - 1);
    const bool moved = i != last;
    if (moved) {
      const_cast<slot&>(*index_.find(slot{last})).index = i;
      nodes_[i] = std::move(nodes_[last]);
    }
    nodes_.pop_back();
    return moved;
  }

  std::vector<Node> nodes_;
  index_set index_;
};

}  // namespace cachet::detail
