// cachet/storage/sieve/sieve_store.hpp: the store behind cachet::sieve.
//
// Entries sit in a dense std::vector<node>, linked by index into one FIFO
// queue: head_ is the newest entry, tail_ the oldest; `prev` points toward
// the head. The index (common/node_index.hpp, shared with lru) is a set of
// 32-bit node indices hashed through the nodes' keys; the array and the
// index come together from common/indexed_nodes.hpp. Erasing moves the
// last node into the hole, keeping the array dense.
//
// SIEVE: a new entry goes in at the head with its visited bit clear; a use
// only sets the bit. To evict, the hand (hand_; nil: start at the tail)
// walks toward the head, wrapping to the tail, clearing the bits it finds
// set; the first entry found clear is evicted and the hand stays on its
// newer neighbour. An entry used since the hand last passed thus survives
// one more pass, and entries never used go in FIFO order. The hand also
// reclaims, as expired, the expired entries it meets (it knows the time of
// the latest call that carried one: set carries none).
//
// A hit writes at most the visited bit, so `peek` can serve hits under a
// shared lock (cachet::sharded<N>): readers set the bit through
// std::atomic_ref, and only when it is clear, so hot entries cost no write.
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
#include <cachet/storage/sieve.hpp>
#include <cachet/weigher.hpp>

namespace cachet::detail {

//! An entry of a sieve_store.
template <class Spec, bool Weighted>
struct sieve_node {
  struct unweighed {};
  typename Spec::key_type key;
  typename Spec::value_type value;
  [[no_unique_address]] deadline_slot<Spec::expiring> deadline;
  [[no_unique_address]] std::conditional_t<Weighted, std::size_t, unweighed> weight{};
  std::uint32_t prev;  // toward the head (newer)
  std::uint32_t next;  // toward the tail (older)
  // Set by readers at once (peek), so only through std::atomic_ref there.
  mutable std::uint8_t visited = 0;
};

template <class Spec, class Weigher>
class sieve_store
    : indexed_nodes<sieve_node<Spec, !std::same_as<Weigher, no_weigher>>, typename Spec::hasher,
                    typename Spec::key_equal> {
 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  //! Whether entries are weighed (cachet::weigher) and evicted by total weight.
  static constexpr bool weighted = !std::same_as<Weigher, no_weigher>;

 private:
  using node = sieve_node<Spec, weighted>;
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
  explicit sieve_store(const sieve& policy)
    requires(!weighted)
      : capacity_(policy.capacity) {
    if (policy.capacity == 0) throw std::invalid_argument("cachet::sieve: capacity must be at least 1");
    if (policy.capacity >= nil) throw std::invalid_argument("cachet::sieve: capacity must be below 2^32 - 1");
    if (policy.max_weight != 0)
      throw std::invalid_argument("cachet::sieve: max_weight is set but no cachet::weigher was named");
  }

  //! Evicts by total weight: `capacity` is not used.
  explicit sieve_store(const weighted_storage<sieve, Weigher>& policy)
    requires weighted
      : capacity_(nil - 1), max_weight_(policy.max_weight), weigher_(policy.weigher) {
    if (policy.max_weight == 0)
      throw std::invalid_argument("cachet::sieve: a cachet::weigher needs max_weight >= 1 (the total weight kept)");
  }

  // Copies and moves rebuild the index (indexed_nodes); a moved-from store
  // is usable again once cleared.
  sieve_store(const sieve_store&) = default;
  sieve_store(sieve_store&&) = default;
  sieve_store& operator=(const sieve_store&) = default;
  sieve_store& operator=(sieve_store&&) = default;
  ~sieve_store() = default;

  //! The live value of `key`, marking the entry visited; an expired entry
  //! is reclaimed and missed.
  template <class K>
  const value_type* get(const K& key, time_point now) {
    learn_time(now);
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    node& n = nodes_[it->index];
    if (n.deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return nullptr;
    }
    n.visited = 1;
    return &n.value;
  }

  //! Looks `key` up under a shared lock: several threads may call it at
  //! once (and no other member meanwhile). A hit writes only the entry's
  //! visited bit, atomically, and only if it is clear; an expired entry
  //! answers needs_write, for get() to reclaim it.
  template <class K>
  peeked<value_type> peek(const K& key, time_point now) const {
    const auto it = index_.find(key);
    if (it == index_.end()) return {nullptr, false};
    const node& n = nodes_[it->index];
    if (n.deadline.expired(now)) return {nullptr, true};
    // Relaxed: the bit orders nothing; the shard's lock orders the rest.
    std::atomic_ref<std::uint8_t> visited(n.visited);
    if (visited.load(std::memory_order_relaxed) == 0) visited.store(1, std::memory_order_relaxed);
    return {&n.value, false};
  }

  //! Stores `value` under `key` until `deadline`. A new key goes in at the
  //! head unvisited, evicting one entry when full; an existing key keeps
  //! its place, takes the value and deadline (the old value is recorded as
  //! replaced) and counts as a use.
  void set(key_type&& key, value_type&& value, time_point deadline) {
    if constexpr (weighted) {
      set_weighed(std::move(key), std::move(value), deadline);
      return;
    }
    if (const auto it = index_.find(key); it != index_.end()) {
      replace(it->index, std::move(value), deadline);
      return;
    }
    if (nodes_.size() >= capacity_) evict_one();
    append(std::move(key), std::move(value), deadline);
  }

  //! Removes `key` (recorded as erased); false if it was not there.
  template <class K>
  bool erase(const K& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    remove(it, removal_cause::erased);
    return true;
  }

  //! Whether a live entry of `key` is held; not a use. An expired one is
  //! reclaimed.
  template <class K>
  bool contains(const K& key, time_point now) {
    learn_time(now);
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    if (nodes_[it->index].deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return false;
    }
    return true;
  }

  //! Renews a live entry of `key` to `deadline`, a use; false if none.
  template <class K>
  bool touch(const K& key, time_point now, time_point deadline) {
    learn_time(now);
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    node& n = nodes_[it->index];
    if (n.deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return false;
    }
    n.deadline.set(deadline);
    n.visited = 1;
    return true;
  }

  //! Reclaims every entry expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    learn_time(now);
    std::size_t erased = 0;
    for (std::size_t i = nodes_.size(); i-- > 0;) {
      if (!nodes_[i].deadline.expired(now)) continue;
      remove(index_.find(slot{static_cast<index_t>(i)}), removal_cause::expired);
      ++erased;
    }
    return erased;
  }

  //! Calls fn(key, value, deadline) from the oldest entry to the newest
  //! (queue order), so that replaying the calls as writes restores the
  //! queue (not the visited bits nor the hand).
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
  std::string name() const { return "sieve"; }

  void clear() {
    if (removals_.on())
      for (const node& n : nodes_) removals_.add(n.key, n.value, removal_cause::erased);
    forget_all();
  }

  //! What the store records of the entries it removes (removal_log.hpp).
  void record_removals(removal_recording mode) noexcept { removals_.record(mode); }
  removal_batch<key_type, value_type> take_removals() noexcept { return removals_.take(); }

 private:
  // The hand needs a time to tell expired entries from live ones, and set
  // carries none: it uses the latest `now` it was given (time goes forward,
  // so an entry expired then is expired now).
  void learn_time(time_point now) noexcept {
    if constexpr (Spec::expiring) latest_now_ = std::max(latest_now_, now);
  }

  // One SIEVE eviction (see the banner). Skips node `keep` (the entry being
  // written, under a weigher) and returns where it is afterwards, since
  // removing a node moves the last one into its place. Ends: one pass
  // clears every bit. PRECONDITION: some node other than `keep` exists.
  index_t evict_one(index_t keep = nil) {
    index_t i = hand_ != nil ? hand_ : tail_;
    for (;;) {
      node& n = nodes_[i];
      if (i != keep) {
        const bool expired = n.deadline.expired(latest_now_);
        if (expired || n.visited == 0) {
          const auto last = static_cast<index_t>(nodes_.size() - 1);
          hand_ = i;  // remove() moves it on to i's newer neighbour
          remove(index_.find(slot{i}), expired ? removal_cause::expired : removal_cause::evicted);
          return keep == last ? i : keep;
        }
        n.visited = 0;
      }
      i = n.prev != nil ? n.prev : tail_;
    }
  }

  void replace(index_t i, value_type&& value, time_point deadline) {
    node& n = nodes_[i];
    removals_.add(n.key, n.value, removal_cause::replaced);
    n.value = std::move(value);
    n.deadline.set(deadline);
    n.visited = 1;  // a write is a use
  }

  // A write when entries are weighed: an entry heavier than max_weight_ is
  // not kept (nor is an older value of its key); else the hand evicts
  // until the total fits, never the entry being written.
  void set_weighed(key_type&& key, value_type&& value, time_point deadline) {
    const std::size_t weight = weigher_(key, entry_value(value));  // a timed entry weighs its value
    const auto it = index_.find(key);
    if (weight > max_weight_) {
      if (it != index_.end()) remove(it, removal_cause::replaced);
      return;
    }
    if (it != index_.end()) {
      index_t i = it->index;
      replace(i, std::move(value), deadline);
      total_weight_ = total_weight_ - nodes_[i].weight + weight;
      nodes_[i].weight = weight;
      while (total_weight_ > max_weight_) i = evict_one(i);
      return;
    }
    while (!nodes_.empty() && (total_weight_ + weight > max_weight_ || nodes_.size() >= capacity_)) evict_one();
    append(std::move(key), std::move(value), deadline);
    nodes_[head_].weight = weight;
    total_weight_ += weight;
  }

  void forget_all() noexcept {
    this->forget_nodes();
    head_ = tail_ = hand_ = nil;
    total_weight_ = {};
  }

  void append(key_type&& key, value_type&& value, time_point deadline) {
    if (nodes_.size() == nodes_.capacity())  // grow by doubling, but never past capacity_
      nodes_.reserve(std::min(capacity_, std::max<std::size_t>(16, nodes_.capacity() * 2)));
    nodes_.push_back(node{std::move(key), std::move(value), {}, {}, nil, nil});
    const auto i = static_cast<index_t>(nodes_.size() - 1);
    nodes_[i].deadline.set(deadline);
    try {
      index_.insert(slot{i});
    } catch (...) {
      nodes_.pop_back();
      throw;
    }
    link_head(i);
  }

  void remove(typename index_set::iterator it, removal_cause cause) {
    const index_t i = it->index;
    removals_.add(nodes_[i].key, nodes_[i].value, cause);
    if constexpr (weighted) total_weight_ -= nodes_[i].weight;
    if (hand_ == i) hand_ = nodes_[i].prev;  // nil: the next walk starts at the tail
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
      if (hand_ == last) hand_ = i;
    }
  }

  void unlink(index_t i) noexcept {
    node& n = nodes_[i];
    if (n.prev != nil) nodes_[n.prev].next = n.next; else head_ = n.next;
    if (n.next != nil) nodes_[n.next].prev = n.prev; else tail_ = n.prev;
  }

  void link_head(index_t i) noexcept {
    node& n = nodes_[i];
    n.prev = nil;
    n.next = head_;
    if (head_ != nil) nodes_[head_].prev = i; else tail_ = i;
    head_ = i;
  }

  std::size_t capacity_;
  index_t head_ = nil;
  index_t tail_ = nil;
  index_t hand_ = nil;  // the next eviction starts here; nil: at the tail
  time_point latest_now_{};  // see learn_time
  removal_log<key_type, value_type> removals_;
  [[no_unique_address]] weight_type max_weight_{};
  [[no_unique_address]] weight_type total_weight_{};
  [[no_unique_address]] std::conditional_t<weighted, Weigher, unweighed> weigher_;
};

}  // namespace cachet::detail
