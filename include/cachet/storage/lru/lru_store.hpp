// cachet/storage/lru/lru_store.hpp: the store behind cachet::lru.
//
// Entries sit in a dense std::vector<node>; node i links to its neighbours
// in recency order by index (head_ = most recent, tail_ = least). The index
// is a boost::unordered_flat_set of slots (a 32-bit node index) whose hash
// and equality look through to the node's key, so each key is stored once
// and a lookup is one probe plus one node read (common/indexed_nodes.hpp
// keeps the two together). Erasing moves the last node into the hole,
// keeping the array dense.
//
// Lazy promotion (off unless asked for, by cachet::sharded<N>'s shards; not
// with a weigher): a hit marks its entry instead of moving it, and the
// entry moves to the front only when it reaches the tail marked, as the
// next victim (its mark is then cleared: a second chance, as in CLOCK).
// The eviction order is then an approximation of LRU: an entry is evicted
// when it reaches the tail unused since it last moved, but entries used
// since are not reordered among themselves until then. What it buys: a hit
// writes nothing once its entry is marked, so hits on a hot set can be
// served under a shared lock (peek), from several threads at once. The
// marks sit in an array of their own, so a strict lru's nodes do not grow.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/storage.hpp>
#include <cachet/storage/common/deadline_slot.hpp>
#include <cachet/storage/common/indexed_nodes.hpp>
#include <cachet/storage/common/peeked.hpp>
#include <cachet/storage/common/removal_log.hpp>
#include <cachet/storage/common/timed_entry.hpp>
#include <cachet/storage/lru.hpp>
#include <cachet/weigher.hpp>

namespace cachet::detail {

//! An entry of an lru_store.
template <class Spec, bool Weighted>
struct lru_node {
  struct unweighed {};
  typename Spec::key_type key;
  typename Spec::value_type value;
  [[no_unique_address]] deadline_slot<Spec::expiring> deadline;
  std::uint32_t prev;
  std::uint32_t next;
  [[no_unique_address]] std::conditional_t<Weighted, std::size_t, unweighed> weight{};
};

template <class Spec, class Weigher>
class lru_store
    : indexed_nodes<lru_node<Spec, !std::same_as<Weigher, no_weigher>>, typename Spec::hasher,
                    typename Spec::key_equal> {
 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  //! Whether entries are weighed (cachet::weigher) and evicted by total weight.
  static constexpr bool weighted = !std::same_as<Weigher, no_weigher>;

 private:
  using node = lru_node<Spec, weighted>;
  using base = indexed_nodes<node, typename Spec::hasher, typename Spec::key_equal>;
  using typename base::index_t;
  using typename base::slot;
  using typename base::index_set;
  using base::nodes_;
  using base::index_;
  static constexpr index_t nil = ~index_t{0};
  struct unweighed {};
  using weight_type = std::conditional_t<weighted, std::size_t, unweighed>;

 public:
  explicit lru_store(const lru& policy)
    requires(!weighted)
      : capacity_(policy.capacity) {
    if (policy.capacity == 0) throw std::invalid_argument("cachet::lru: capacity must be at least 1");
    if (policy.capacity >= nil) throw std::invalid_argument("cachet::lru: capacity must be below 2^32 - 1");
    if (policy.max_weight != 0)
      throw std::invalid_argument("cachet::lru: max_weight is set but no cachet::weigher was named");
  }

  //! Evicts by total weight: `capacity` is not used.
  explicit lru_store(const weighted_storage<lru, Weigher>& policy)
    requires weighted
      : capacity_(nil - 1), max_weight_(policy.max_weight), weigher_(policy.weigher) {
    if (policy.max_weight == 0)
      throw std::invalid_argument("cachet::lru: a cachet::weigher needs max_weight >= 1 (the total weight kept)");
  }

  // Copies and moves rebuild the index (indexed_nodes), O(size): caches
  // are rarely moved once filled. A moved-from store is usable again once
  // cleared.
  lru_store(const lru_store&) = default;
  lru_store(lru_store&&) = default;
  lru_store& operator=(const lru_store&) = default;
  lru_store& operator=(lru_store&&) = default;
  ~lru_store() = default;

  template <class K>
  const value_type* get(const K& key, time_point now) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    const index_t i = it->index;
    if (nodes_[i].deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return nullptr;
    }
    // Laid out for the strict lru (a lone one, under cachet::mutex).
    if (lazy_) [[unlikely]]
      mark_hit(i);
    else
      move_to_front(i);
    return &nodes_[i].value;
  }

  //! Looks `key` up under a shared lock: several threads may call it at
  //! once (and no other member meanwhile). It writes at most the entry's
  //! hit mark, atomically, once per move of the entry; see peeked.
  template <class K>
  peeked<value_type> peek(const K& key, time_point now) const {
    const auto it = index_.find(key);
    if (it == index_.end()) return {nullptr, false};
    const index_t i = it->index;
    const node& n = nodes_[i];
    if (n.deadline.expired(now)) return {nullptr, true};
    if (lazy_)
      mark_hit(i);
    else if (i != head_)
      return {nullptr, true};
    return {&n.value, false};
  }

  //! Turns on lazy promotion (see the file's banner): from now on a hit
  //! marks its entry and the move to the front waits for the entry to reach
  //! the tail. Off by default (strict LRU).
  void promote_lazily()
    requires(!weighted)
  {
    marks_.assign(nodes_.size(), 0);
    lazy_ = true;
  }

  void set(key_type&& key, value_type&& value, time_point deadline) {
    if constexpr (weighted) {
      set_weighed(std::move(key), std::move(value), deadline);
      return;
    }
    if (const auto it = index_.find(key); it != index_.end()) {
      node& n = nodes_[it->index];
      removals_.add(n.key, n.value, removal_cause::replaced);
      n.value = std::move(value);
      n.deadline.set(deadline);
      move_to_front(it->index);
      return;
    }
    if (nodes_.size() < capacity_) {
      append(std::move(key), std::move(value), deadline);
    } else {
      replace_tail(std::move(key), std::move(value), deadline);
    }
  }

  template <class K>
  bool erase(const K& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    remove(it, removal_cause::erased);
    return true;
  }

  template <class K>
  bool contains(const K& key, time_point now) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    if (nodes_[it->index].deadline.expired(now)) {
      remove(it, removal_cause::expired);
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
      remove(it, removal_cause::expired);
      return false;
    }
    nodes_[i].deadline.set(deadline);
    move_to_front(i);
    return true;
  }

  //! Reclaims every entry expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    std::size_t erased = 0;
    for (std::size_t i = nodes_.size(); i-- > 0;) {
      if (!nodes_[i].deadline.expired(now)) continue;
      remove(index_.find(slot{static_cast<index_t>(i)}), removal_cause::expired);
      ++erased;
    }
    return erased;
  }

  //! Calls fn(key, value, deadline) from the least to the most recently
  //! used entry, so that replaying the calls as writes restores the order.
  template <class Fn>
  void for_each_oldest_first(Fn&& fn) const {
    for (index_t i = tail_; i != nil; i = nodes_[i].prev) {
      const node& n = nodes_[i];
      fn(n.key, n.value, n.deadline.when());
    }
  }

  std::size_t size() const noexcept { return nodes_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }
  //! The weight of the entries held, and the most it may reach (weighted only).
  std::size_t total_weight() const noexcept
    requires weighted
  {
    return total_weight_;
  }
  std::size_t max_weight() const noexcept
    requires weighted
  {
    return max_weight_;
  }
  std::string name() const { return "lru"; }

  void clear() {
    if (removals_.on())
      for (const node& n : nodes_) removals_.add(n.key, n.value, removal_cause::erased);
    forget_all();
  }

  //! What the store records of the entries it removes (removal_log.hpp).
  void record_removals(removal_recording mode) noexcept { removals_.record(mode); }
  removal_batch<key_type, value_type> take_removals() noexcept { return removals_.take(); }

 private:
  // Relaxed: the mark orders nothing; the shard's lock orders the rest.
  void mark_hit(index_t i) const noexcept {
    std::atomic_ref<std::uint8_t> mark(marks_[i]);
    if (mark.load(std::memory_order_relaxed) == 0) mark.store(1, std::memory_order_relaxed);
  }

  // Lazy promotion, before an eviction: a marked tail moves to the front,
  // unmarked, until the tail is unmarked. Ends: each pass clears a mark.
  void give_second_chances() noexcept {
    if (!lazy_) return;
    while (marks_[tail_] != 0) {
      marks_[tail_] = 0;
      move_to_front(tail_);
    }
  }

  void forget_all() noexcept {
    this->forget_nodes();
    marks_.clear();
    head_ = tail_ = nil;
    total_weight_ = {};
  }

  // A write when entries are weighed: an entry heavier than max_weight_ is
  // not kept (nor is an older value of its key); then the least recently
  // used entries go until the total fits.
  void set_weighed(key_type&& key, value_type&& value, time_point deadline) {
    const std::size_t weight = weigher_(key, entry_value(value));  // a timed entry weighs its value
    const auto it = index_.find(key);
    if (weight > max_weight_) {
      if (it != index_.end()) remove(it, removal_cause::replaced);
      return;
    }
    if (it != index_.end()) {
      node& n = nodes_[it->index];
      removals_.add(n.key, n.value, removal_cause::replaced);
      n.value = std::move(value);
      n.deadline.set(deadline);
      total_weight_ = total_weight_ - n.weight + weight;
      n.weight = weight;
      move_to_front(it->index);
    } else {
      if (nodes_.size() >= capacity_) remove(index_.find(slot{tail_}), removal_cause::evicted);
      append(std::move(key), std::move(value), deadline);
      nodes_[head_].weight = weight;
      total_weight_ += weight;
    }
    while (total_weight_ > max_weight_ && tail_ != head_) remove(index_.find(slot{tail_}), removal_cause::evicted);
  }

  void append(key_type&& key, value_type&& value, time_point deadline) {
    if (nodes_.size() == nodes_.capacity())  // grow by doubling, but never past capacity_
      nodes_.reserve(std::min(capacity_, std::max<std::size_t>(16, nodes_.capacity() * 2)));
    if (lazy_ && marks_.size() == marks_.capacity())
      marks_.reserve(nodes_.capacity());  // now: its push_back below must not throw
    nodes_.push_back(node{std::move(key), std::move(value), {}, nil, nil});
    const auto i = static_cast<index_t>(nodes_.size() - 1);
    nodes_[i].deadline.set(deadline);
    try {
      index_.insert(slot{i});
    } catch (...) {
      nodes_.pop_back();
      throw;
    }
    if (lazy_) marks_.push_back(0);
    link_front(i);
  }

  void replace_tail(key_type&& key, value_type&& value, time_point deadline) {
    give_second_chances();
    const index_t i = tail_;
    removals_.add(nodes_[i].key, nodes_[i].value, removal_cause::evicted);
    index_.erase(index_.find(slot{i}));
    node& n = nodes_[i];
    n.key = std::move(key);
    n.value = std::move(value);
    n.deadline.set(deadline);
    try {
      index_.insert(slot{i});
    } catch (...) {
      unlink(i);
      drop_last_into(i);
      throw;
    }
    move_to_front(i);
  }

  void remove(typename index_set::iterator it, removal_cause cause) {
    const index_t i = it->index;
    removals_.add(nodes_[i].key, nodes_[i].value, cause);
    if constexpr (weighted) total_weight_ -= nodes_[i].weight;
    index_.erase(it);
    unlink(i);
    drop_last_into(i);
  }

  // Node i is unlinked and out of the index: fill its place with the last node.
  void drop_last_into(index_t i) {
    const auto last = static_cast<index_t>(nodes_.size() - 1);
    if (this->fill_hole(i)) {
      node& n = nodes_[i];
      if (n.prev != nil) nodes_[n.prev].next = i; else head_ = i;
      if (n.next != nil) nodes_[n.next].prev = i; else tail_ = i;
      if (lazy_) marks_[i] = marks_[last];
    }
    if (lazy_) marks_.pop_back();
  }

  void unlink(index_t i) noexcept {
    node& n = nodes_[i];
    if (n.prev != nil) nodes_[n.prev].next = n.next; else head_ = n.next;
    if (n.next != nil) nodes_[n.next].prev = n.prev; else tail_ = n.prev;
  }

  void link_front(index_t i) noexcept {
    node& n = nodes_[i];
    n.prev = nil;
    n.next = head_;
    if (head_ != nil) nodes_[head_].prev = i; else tail_ = i;
    head_ = i;
    if (lazy_) [[unlikely]]
      marks_[i] = 0;  // a move to the front is the promotion a mark waits for
  }

  void move_to_front(index_t i) noexcept {
    if (i == head_) return;
    unlink(i);
    link_front(i);
  }

  std::size_t capacity_;
  index_t head_ = nil;
  index_t tail_ = nil;
  bool lazy_ = false;  // see promote_lazily
  // Lazy promotion: marks_[i] is 1 when node i was hit since it last moved.
  // Readers set marks at once (peek), so only through std::atomic_ref.
  mutable std::vector<std::uint8_t> marks_;
  removal_log<key_type, value_type> removals_;
  [[no_unique_address]] weight_type max_weight_{};
  [[no_unique_address]] weight_type total_weight_{};
  [[no_unique_address]] std::conditional_t<weighted, Weigher, unweighed> weigher_;
};

}  // namespace cachet::detail
