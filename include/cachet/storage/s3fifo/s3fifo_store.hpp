// cachet/storage/s3fifo/s3fifo_store.hpp: the store behind cachet::s3fifo.
//
// Entries sit in a dense std::vector<node>, each linked by 32-bit indices
// into one of two FIFO queues (fifo_links.hpp: small S, main M), so that a
// move between queues or back to M's head is a relink. A set of 32-bit node
// indices hashed through the nodes' keys finds them (common/node_index.hpp,
// shared with lru; the array and the index come together from
// common/indexed_nodes.hpp); erasing moves the last node into the hole. The ghost
// queue (ghost_fifo.hpp) keeps 64-bit key hashes only.
//
// Each queue has a budget: a count, or a total weight under a weigher.
// Eviction, following the paper's Algorithm 1:
//   evict:   from S if S holds at least its share (or M is empty), else M.
//   from S:  the tail, if used at least twice in S (frequency > 1, the
//            paper's threshold; libCacheSim's move-to-main-threshold=2),
//            moves to M's head with its frequency reset to 0, and if M is
//            then over its share one entry is evicted from M; else the tail
//            is evicted and its hash goes to the ghost. Repeat until
//            something left (the paper goes on evicting from S after making
//            room in M; one eviction is all an insert needs).
//   from M:  the tail, if its frequency is above 0, loses 1 and moves to
//            M's head; else it is evicted.
// A missing key whose hash the ghost holds enters M (and leaves the ghost),
// else S, with frequency 0; the ghost is asked before evicting, as an
// eviction may push the hash out. The ghost's budget is M's share.
//
// An entry met at a tail during eviction that was expired at the latest
// `now` the store was told (by a get that missed, contains, touch or
// erase_expired; a hit writes nothing but the frequency) is reclaimed
// first, as expired.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
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
#include <cachet/storage/s3fifo.hpp>
#include <cachet/storage/s3fifo/fifo_links.hpp>
#include <cachet/storage/common/ghost_fifo.hpp>
#include <cachet/weigher.hpp>

namespace cachet::detail {

//! The queue an entry of an s3fifo_store is in.
enum class s3fifo_queue : std::uint8_t { small, main };

//! An entry of an s3fifo_store.
template <class Spec, bool Weighted>
struct s3fifo_node {
  struct unweighed {};
  typename Spec::key_type key;
  typename Spec::value_type value;
  [[no_unique_address]] deadline_slot<Spec::expiring> deadline;
  std::uint32_t prev;  // toward the head (newer)
  std::uint32_t next;  // toward the tail (older)
  [[no_unique_address]] std::conditional_t<Weighted, std::size_t, unweighed> weight{};
  // Hits under a shared lock raise it at once: written there only
  // through std::atomic_ref (peek).
  mutable std::uint8_t freq = 0;
  s3fifo_queue in = s3fifo_queue::small;
};

template <class Spec, class Weigher>
class s3fifo_store
    : indexed_nodes<s3fifo_node<Spec, !std::same_as<Weigher, no_weigher>>, typename Spec::hasher,
                    typename Spec::key_equal> {
 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  //! Whether entries are weighed (cachet::weigher) and evicted by total weight.
  static constexpr bool weighted = !std::same_as<Weigher, no_weigher>;

 private:
  using node = s3fifo_node<Spec, weighted>;
  using base = indexed_nodes<node, typename Spec::hasher, typename Spec::key_equal>;
  using typename base::index_t;
  using typename base::slot;
  using typename base::index_set;
  using base::nodes_;
  using base::index_;
  static constexpr index_t nil = no_link;
  static constexpr std::uint8_t max_freq = 3;
  static constexpr std::uint8_t move_to_main_above = 1;
  struct unweighed {};
  using weight_type = std::conditional_t<weighted, std::size_t, unweighed>;
  using queue = s3fifo_queue;
  using fifo = fifo_links;

 public:
  explicit s3fifo_store(const s3fifo& policy)
    requires(!weighted)
  {
    if (policy.capacity == 0) throw std::invalid_argument("cachet::s3fifo: capacity must be at least 1");
    if (policy.capacity >= nil) throw std::invalid_argument("cachet::s3fifo: capacity must be below 2^32 - 1");
    if (policy.max_weight != 0)
      throw std::invalid_argument("cachet::s3fifo: max_weight is set but no cachet::weigher was named");
    budgets_ = queue_budgets::split(policy.capacity, policy.small_ratio);
  }

  //! Evicts by total weight: `capacity` is not used.
  explicit s3fifo_store(const weighted_storage<s3fifo, Weigher>& policy)
    requires weighted
      : weigher_(policy.weigher) {
    if (policy.max_weight == 0)
      throw std::invalid_argument("cachet::s3fifo: a cachet::weigher needs max_weight >= 1 (the total weight kept)");
    budgets_ = queue_budgets::split(policy.max_weight, policy.small_ratio);
  }

  // Copies and moves rebuild the index (indexed_nodes); a moved-from store
  // is usable again once cleared.
  s3fifo_store(const s3fifo_store&) = default;
  s3fifo_store(s3fifo_store&&) = default;
  s3fifo_store& operator=(const s3fifo_store&) = default;
  s3fifo_store& operator=(s3fifo_store&&) = default;
  ~s3fifo_store() = default;

  //! The live entry of `key`, or null; a hit raises its frequency (a use).
  template <class K>
  const value_type* get(const K& key, time_point now) {
    const auto it = index_.find(key);
    if (it == index_.end()) {
      saw(now);
      return nullptr;
    }
    node& n = nodes_[it->index];
    if (n.deadline.expired(now)) {
      saw(now);
      remove(it, removal_cause::expired);
      return nullptr;
    }
    if (n.freq < max_freq) ++n.freq;
    return &n.value;
  }

  //! Looks `key` up under a shared lock: several threads may call it at
  //! once (and no other member meanwhile). A hit writes only the entry's
  //! frequency, atomically, and not once it is 3; see peeked.
  template <class K>
  peeked<value_type> peek(const K& key, time_point now) const {
    const auto it = index_.find(key);
    if (it == index_.end()) return {nullptr, false};
    const node& n = nodes_[it->index];
    if (n.deadline.expired(now)) return {nullptr, true};
    // Relaxed: the count orders nothing, and a raise lost to a race is a
    // use not counted, which the policy tolerates.
    std::atomic_ref<std::uint8_t> freq(n.freq);
    if (const std::uint8_t f = freq.load(std::memory_order_relaxed); f < max_freq)
      freq.store(static_cast<std::uint8_t>(f + 1), std::memory_order_relaxed);
    return {&n.value, false};
  }

  //! Inserts or replaces; a replacement is a use and keeps the entry's place.
  void set(key_type&& key, value_type&& value, time_point deadline) {
    const std::size_t cost = cost_of(key, value);
    const auto it = index_.find(key);
    if (it != index_.end()) {
      if (cost > budgets_.total) {  // weighted only: not kept, nor is the older value
        remove(it, removal_cause::replaced);
        return;
      }
      replace(it->index, std::move(value), deadline, cost);
      return;
    }
    if (cost > budgets_.total) return;
    const bool seen_recently = ghost_.take(hash_of(key));
    while (small_.used + main_.used + cost > budgets_.total && !nodes_.empty()) evict_one();
    append(std::move(key), std::move(value), deadline, cost, seen_recently ? queue::main : queue::small);
  }

  template <class K>
  bool erase(const K& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    remove(it, removal_cause::erased);
    return true;
  }

  //! Whether a live entry exists; not a use.
  template <class K>
  bool contains(const K& key, time_point now) {
    saw(now);
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    if (nodes_[it->index].deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return false;
    }
    return true;
  }

  //! Renews a live entry to `deadline`; a use.
  template <class K>
  bool touch(const K& key, time_point now, time_point deadline) {
    saw(now);
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    node& n = nodes_[it->index];
    if (n.deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return false;
    }
    n.deadline.set(deadline);
    if (n.freq < max_freq) ++n.freq;
    return true;
  }

  //! Reclaims every entry expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    saw(now);
    std::size_t erased = 0;
    for (std::size_t i = nodes_.size(); i-- > 0;) {
      if (!nodes_[i].deadline.expired(now)) continue;
      remove(index_.find(slot{static_cast<index_t>(i)}), removal_cause::expired);
      ++erased;
    }
    return erased;
  }

  //! Calls fn(key, value, deadline) for M's entries from its tail to its
  //! head, then S's: the entries that have been held longest first.
  template <class Fn>
  void for_each_oldest_first(Fn&& fn) const {
    for (const fifo* q : {&main_, &small_})
      for (index_t i = q->tail; i != nil; i = nodes_[i].prev) {
        const node& n = nodes_[i];
        fn(n.key, n.value, n.deadline.when());
      }
  }

  std::size_t size() const noexcept { return nodes_.size(); }
  //! The most entries held (weighted: the most there can be, 2^32 - 2).
  std::size_t capacity() const noexcept { return weighted ? nil - 1 : budgets_.total; }
  //! The weight of the entries held, and the most it may reach (weighted only).
  std::size_t total_weight() const noexcept
    requires weighted
  {
    return small_.used + main_.used;
  }
  std::size_t max_weight() const noexcept
    requires weighted
  {
    return budgets_.total;
  }
  //! Entries (or weight) in S and in M, and hashes in the ghost.
  std::size_t small_size() const noexcept { return small_.used; }
  std::size_t main_size() const noexcept { return main_.used; }
  std::size_t ghost_size() const noexcept { return ghost_.size(); }
  std::string name() const { return "s3fifo"; }

  void clear() {
    if (removals_.on())
      for (const node& n : nodes_) removals_.add(n.key, n.value, removal_cause::erased);
    forget_all();
  }

  //! What the store records of the entries it removes (removal_log.hpp).
  void record_removals(removal_recording mode) noexcept { removals_.record(mode); }
  removal_batch<key_type, value_type> take_removals() noexcept { return removals_.take(); }

 private:
  std::size_t cost_of([[maybe_unused]] const key_type& key, [[maybe_unused]] const value_type& value) const {
    if constexpr (weighted)
      return weigher_(key, entry_value(value));  // a timed entry weighs its value
    else
      return 1;
  }
  std::size_t cost_of([[maybe_unused]] const node& n) const noexcept {
    if constexpr (weighted)
      return n.weight;
    else
      return 1;
  }

  std::uint64_t hash_of(const key_type& key) const { return index_.hash_function().hash(key); }

  // The latest time the store was told of, for eviction to reclaim expired
  // entries; a hit does not record it (it writes only the frequency).
  void saw(time_point now) noexcept {
    if constexpr (Spec::expiring) seen_now_ = std::max(seen_now_, now);
  }
  bool expired_when_seen(index_t i) const noexcept { return nodes_[i].deadline.expired(seen_now_); }

  fifo& queue_of(index_t i) noexcept { return nodes_[i].in == queue::small ? small_ : main_; }

  void replace(index_t i, value_type&& value, time_point deadline, std::size_t cost) {
    node& n = nodes_[i];
    removals_.add(n.key, n.value, removal_cause::replaced);
    n.value = std::move(value);
    n.deadline.set(deadline);
    if (n.freq < max_freq) ++n.freq;
    if constexpr (weighted) {
      fifo& q = queue_of(i);
      q.used = q.used - n.weight + cost;
      n.weight = cost;
      // A heavier value may need room; the entry itself may then go.
      while (small_.used + main_.used > budgets_.total) evict_one();
    }
  }

  // Frees at least one entry, or moves S's entries into M.
  void evict_one() {
    if (small_.tail != nil && (small_.used >= budgets_.small || main_.tail == nil))
      evict_small();
    else
      evict_main();
  }

  void evict_small() {
    while (small_.tail != nil) {
      const index_t i = small_.tail;
      node& n = nodes_[i];
      if (expired_when_seen(i)) return remove(index_.find(slot{i}), removal_cause::expired);
      if (n.freq > move_to_main_above) {
        unlink(i);
        n.freq = 0;
        link_head(i, queue::main);
        if (main_.used > budgets_.main) return evict_main();
        continue;
      }
      ghost_.remember(hash_of(n.key), cost_of(n), budgets_.main);
      return remove(index_.find(slot{i}), removal_cause::evicted);
    }
  }

  void evict_main() {
    while (main_.tail != nil) {
      const index_t i = main_.tail;
      node& n = nodes_[i];
      if (expired_when_seen(i)) return remove(index_.find(slot{i}), removal_cause::expired);
      if (n.freq == 0) return remove(index_.find(slot{i}), removal_cause::evicted);
      --n.freq;
      unlink(i);
      link_head(i, queue::main);
    }
  }

  void forget_all() noexcept {
    this->forget_nodes();
    ghost_.clear();
    small_ = {};
    main_ = {};
  }

  void append(key_type&& key, value_type&& value, time_point deadline, [[maybe_unused]] std::size_t cost, queue in) {
    if (nodes_.size() == nodes_.capacity()) {  // grow by doubling, but never past a count budget
      const std::size_t doubled = std::max<std::size_t>(16, nodes_.capacity() * 2);
      nodes_.reserve(weighted ? doubled : std::min(budgets_.total, doubled));
    }
    nodes_.push_back(node{std::move(key), std::move(value), {}, nil, nil});
    const auto i = static_cast<index_t>(nodes_.size() - 1);
    node& n = nodes_[i];
    n.deadline.set(deadline);
    if constexpr (weighted) n.weight = cost;
    try {
      index_.insert(slot{i});
    } catch (...) {
      nodes_.pop_back();
      throw;
    }
    link_head(i, in);
  }

  void remove(typename index_set::iterator it, removal_cause cause) {
    const index_t i = it->index;
    removals_.add(nodes_[i].key, nodes_[i].value, cause);
    index_.erase(it);
    unlink(i);
    drop_last_into(i);
  }

  // Node i is unlinked and out of the index: fill its place with the last node.
  void drop_last_into(index_t i) {
    if (this->fill_hole(i)) queue_of(i).moved_to(nodes_, i);
  }

  void unlink(index_t i) noexcept { queue_of(i).unlink(nodes_, i, cost_of(nodes_[i])); }

  void link_head(index_t i, queue in) noexcept {
    nodes_[i].in = in;
    queue_of(i).push_head(nodes_, i, cost_of(nodes_[i]));
  }

  queue_budgets budgets_;  // of entries, or of weight
  fifo small_;
  fifo main_;
  ghost_fifo<weighted> ghost_;
  time_point seen_now_ = time_point::min();
  removal_log<key_type, value_type> removals_;
  [[no_unique_address]] std::conditional_t<weighted, Weigher, unweighed> weigher_;
};

}  // namespace cachet::detail
