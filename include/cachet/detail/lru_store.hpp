// cachet/detail/lru_store.hpp: the store behind cachet::lru.
//
// Entries sit in a dense std::vector<node>. The index is a
// boost::unordered_flat_set of slots (a 32-bit node index) whose hash and
// equality look through to the node's key, so each key is stored once and a
// lookup is one probe plus one node read.
//
// Recency is an append-only *use log* of node indices rather than a linked
// list: a use appends the node's index to log_ and records that position in
// the node (node.use). An entry of the log is live when it is its node's
// latest use (nodes_[log_[p]].use == p); the least recently used entry is the
// first live one from front_. A hit thus writes one node it has already read
// and appends to a sequential buffer, where a list would also write both
// neighbours, at random places in memory. Stale log entries are skipped when
// evicting and dropped by compact(), which runs once the log holds twice as
// many entries as the store (plus slack): amortised O(1) per use.
//
// Erasing moves the last node into the hole, keeping the array dense.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

#include <cachet/detail/deadline_slot.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/lru.hpp>

namespace cachet::detail {

template <class Spec>
class lru_store {
 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;

 private:
  using index_t = std::uint32_t;
  static constexpr index_t nil = ~index_t{0};

  struct node {
    key_type key;
    value_type value;
    [[no_unique_address]] deadline_slot<Spec::expiring> deadline;
    index_t use;  // position of this node's latest use in log_
  };

  struct slot {
    index_t index;
  };

  struct slot_hash {
    using is_transparent = void;
    const std::vector<node>* nodes;
    [[no_unique_address]] typename Spec::hasher hash;
    std::size_t operator()(slot s) const { return hash((*nodes)[s.index].key); }
    template <class K>
      requires(!std::same_as<K, slot>)
    std::size_t operator()(const K& key) const {
      return hash(key);
    }
  };

  struct slot_equal {
    using is_transparent = void;
    const std::vector<node>* nodes;
    [[no_unique_address]] typename Spec::key_equal equal;
    // Each key has one slot, so slots are equal exactly when indices are.
    bool operator()(slot a, slot b) const { return a.index == b.index; }
    template <class K>
      requires(!std::same_as<K, slot>)
    bool operator()(const K& key, slot s) const {
      return equal((*nodes)[s.index].key, key);
    }
    template <class K>
      requires(!std::same_as<K, slot>)
    bool operator()(slot s, const K& key) const {
      return equal((*nodes)[s.index].key, key);
    }
  };

  using index_set = boost::unordered_flat_set<slot, slot_hash, slot_equal>;

 public:
  explicit lru_store(const lru& policy) : capacity_(policy.capacity), index_(make_index()) {
    if (policy.capacity == 0) throw std::invalid_argument("cachet::lru: capacity must be at least 1");
    // Log positions are 32-bit and the log may hold twice the entries.
    if (policy.capacity >= (std::size_t{1} << 31) - 64)
      throw std::invalid_argument("cachet::lru: capacity must be below 2^31 - 64");
  }

  // The index's hasher points at this object's nodes_, so copies and moves
  // rebuild it (O(size)); caches are rarely moved once filled.
  lru_store(const lru_store& other)
      : capacity_(other.capacity_), nodes_(other.nodes_), log_(other.log_), front_(other.front_), index_(make_index()) {
    nodes_.reserve(other.nodes_.capacity());
    reserve_log();
    rebuild_index();
  }
  lru_store(lru_store&& other) noexcept(false)
      : capacity_(other.capacity_),
        nodes_(std::move(other.nodes_)),
        log_(std::move(other.log_)),
        front_(other.front_),
        index_(make_index()) {
    other.clear();
    rebuild_index();
  }
  lru_store& operator=(lru_store other) {
    capacity_ = other.capacity_;
    nodes_ = std::move(other.nodes_);
    log_ = std::move(other.log_);
    front_ = other.front_;
    index_.clear();
    rebuild_index();
    return *this;
  }
  ~lru_store() = default;

  template <class K>
  const value_type* get(const K& key, time_point now) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    const index_t i = it->index;
    if (nodes_[i].deadline.expired(now)) {
      remove(it);
      return nullptr;
    }
    use(i);
    return &nodes_[i].value;
  }

  void set(key_type&& key, value_type&& value, time_point deadline) {
    if (const auto it = index_.find(key); it != index_.end()) {
      node& n = nodes_[it->index];
      n.value = std::move(value);
      n.deadline.set(deadline);
      use(it->index);
      return;
    }
    if (nodes_.size() < capacity_) {
      append(std::move(key), std::move(value), deadline);
    } else {
      replace_oldest(std::move(key), std::move(value), deadline);
    }
  }

  template <class K>
  bool erase(const K& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    remove(it);
    return true;
  }

  template <class K>
  bool contains(const K& key, time_point now) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    if (nodes_[it->index].deadline.expired(now)) {
      remove(it);
      return false;
    }
    return true;
  }

  template <class K>
  bool touch(const K& key, time_point now, time_point deadline) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    const index_t i = it->index;
    if (nodes_[i].deadline.expired(now)) {
      remove(it);
      return false;
    }
    nodes_[i].deadline.set(deadline);
    use(i);
    return true;
  }

  //! Reclaims every entry expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    std::size_t erased = 0;
    for (std::size_t i = nodes_.size(); i-- > 0;) {
      if (!nodes_[i].deadline.expired(now)) continue;
      remove(index_.find(slot{static_cast<index_t>(i)}));
      ++erased;
    }
    return erased;
  }

  //! Calls fn(key, value, deadline) from the least to the most recently
  //! used entry, so that replaying the calls as writes restores the order.
  template <class Fn>
  void for_each_oldest_first(Fn&& fn) const {
    for (std::size_t p = front_; p < log_.size(); ++p) {
      if (!live_use(p)) continue;
      const node& n = nodes_[log_[p]];
      if constexpr (Spec::expiring)
        fn(n.key, n.value, n.deadline.at);
      else
        fn(n.key, n.value, no_deadline);
    }
  }

  std::size_t size() const noexcept { return nodes_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }
  std::string name() const { return "lru"; }

  void clear() noexcept {
    index_.clear();
    nodes_.clear();
    log_.clear();
    front_ = 0;
  }

 private:
  index_set make_index() { return index_set(0, slot_hash{&nodes_, {}}, slot_equal{&nodes_, {}}); }

  void rebuild_index() {
    index_.reserve(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) index_.insert(slot{static_cast<index_t>(i)});
  }

  void append(key_type&& key, value_type&& value, time_point deadline) {
    if (nodes_.size() == nodes_.capacity()) {  // grow by doubling, but never past capacity_
      nodes_.reserve(std::min(capacity_, std::max<std::size_t>(16, nodes_.capacity() * 2)));
      reserve_log();
    }
    nodes_.push_back(node{std::move(key), std::move(value), {}, nil});
    const auto i = static_cast<index_t>(nodes_.size() - 1);
    nodes_[i].deadline.set(deadline);
    try {
      index_.insert(slot{i});
      use(i);
    } catch (...) {
      index_.erase(slot{i});
      nodes_.pop_back();
      throw;
    }
  }

  // Reuses the least recently used node for a new entry.
  void replace_oldest(key_type&& key, value_type&& value, time_point deadline) {
    while (!live_use(front_)) ++front_;
    const index_t i = log_[front_];
    index_.erase(index_.find(slot{i}));
    node& n = nodes_[i];
    n.key = std::move(key);
    n.value = std::move(value);
    n.deadline.set(deadline);
    try {
      index_.insert(slot{i});
      use(i);
    } catch (...) {
      index_.erase(slot{i});
      drop_last_into(i);
      throw;
    }
  }

  void remove(typename index_set::iterator it) {
    const index_t i = it->index;
    index_.erase(it);
    drop_last_into(i);
  }

  // Node i is out of the index: fill its place with the last node. Log
  // entries naming i become stale, since node i's `use` is the moved node's.
  void drop_last_into(index_t i) {
    const auto last = static_cast<index_t>(nodes_.size() - 1);
    if (i != last) {
      // The moved node keeps its key, hence its hash: retarget its slot in place.
      const auto it = index_.find(slot{last});
      const_cast<slot&>(*it).index = i;
      nodes_[i] = std::move(nodes_[last]);
      if (nodes_[i].use != nil) log_[nodes_[i].use] = i;
    }
    nodes_.pop_back();
  }

  // The log never outgrows 2 * size + 64 (see use()), so reserving for the
  // node array's capacity keeps hits free of allocation.
  void reserve_log() { log_.reserve(2 * nodes_.capacity() + 65); }

  bool live_use(std::size_t position) const noexcept {
    const index_t i = log_[position];
    return i < nodes_.size() && nodes_[i].use == position;
  }

  // Records a use of node i: it becomes the most recently used.
  void use(index_t i) {
    node& n = nodes_[i];
    if (n.use != nil && n.use + 1 == log_.size()) return;  // already the latest use
    if (log_.size() >= 2 * nodes_.size() + 64) {
      compact();
      if (n.use != nil && n.use + 1 == log_.size()) return;
    }
    log_.push_back(i);
    n.use = static_cast<index_t>(log_.size() - 1);
  }

  // Keeps only the live log entries, in order.
  void compact() noexcept {
    std::size_t kept = 0;
    for (std::size_t p = front_; p < log_.size(); ++p) {
      if (!live_use(p)) continue;
      const index_t i = log_[p];
      log_[kept] = i;
      nodes_[i].use = static_cast<index_t>(kept);
      ++kept;
    }
    log_.resize(kept);
    front_ = 0;
  }

  std::size_t capacity_;
  std::vector<node> nodes_;
  std::vector<index_t> log_;  // node indices, oldest use first
  std::size_t front_ = 0;     // log_ before front_ is all stale
  index_set index_;
};

}  // namespace cachet::detail
