// cachet/storage/w_tinylfu/w_tinylfu_store.hpp: the store behind
// cachet::w_tinylfu: what is admitted and what leaves. The entries and
// their lists are kept by lfu_regions (regions.hpp), found through a
// boost::unordered_flat_set of their 32-bit indices that lfu_regions keeps
// with them (common/indexed_nodes.hpp), and judged by a frequency_sketch
// (frequency_sketch.hpp).
//
// A use (a hit, a touch, a rewrite) only counts itself in the entry's node
// (its links' uses, up to 15): it neither relinks the entry nor reaches the
// sketch then, so a hit costs what a look-up does. The uses are settled when the
// entry comes up for judgment at the old end of its list (lazy promotion,
// as in SIEVE and S3-FIFO; second chance): they go into the sketch at once,
// and the entry moves as its uses would have moved it in Caffeine's eager
// lists, a window entry to the window's newest end, a probation one to
// protected, a protected one to protected's newest end; only an entry
// unused since it was placed is taken. When the sketch ages, every node's
// unsettled uses are halved as its counters were (one pass over the nodes,
// as the sketch's own halving is one pass over its counters).
//
// Eviction: while the window is over its size, its oldest settled entry
// (the candidate) moves to probation's newest end; while the cache is then
// over its size, the candidate duels the main region's next settled victim
// (probation's oldest, else protected's): an expired one leaves first, as
// expired; else admission.hpp decides from the sketch's estimates (the one
// used less leaves, a tie going against the candidate, and a warm
// candidate now and then gets in at random). Protected over its size sends
// its oldest settled entries to probation. The store knows the time from
// the latest `now` it was given.
//
// Measured with bench/hitratio against the eager lists (each use relinked
// and counted at once): the same hit ratios within about a point on every
// trace, ahead on the synthetic streams, up to 2 points behind on cache2k
// orm-busy's small sizes; and a hit 2-4x cheaper (bench_hit).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/storage.hpp>
#include <cachet/storage/common/deadline_slot.hpp>
#include <cachet/storage/common/node_index.hpp>  // prehashed
#include <cachet/storage/common/peeked.hpp>
#include <cachet/storage/common/removal_log.hpp>
#include <cachet/storage/common/timed_entry.hpp>
#include <cachet/storage/w_tinylfu.hpp>
#include <cachet/storage/w_tinylfu/admission.hpp>
#include <cachet/storage/w_tinylfu/frequency_sketch.hpp>
#include <cachet/storage/w_tinylfu/hill_climber.hpp>
#include <cachet/storage/w_tinylfu/regions.hpp>
#include <cachet/storage/w_tinylfu/window_sizer.hpp>
#include <cachet/weigher.hpp>

namespace cachet::detail {

template <class Spec, class Weigher>
class w_tinylfu_store {
 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  //! Whether entries are weighed (cachet::weigher) and regions sized by weight.
  static constexpr bool weighted = !std::same_as<Weigher, no_weigher>;

 private:
  using index_t = std::uint32_t;
  static constexpr index_t nil = lfu_links::nil;
  struct unweighed {};

  struct node {
    key_type key;
    value_type value;
    [[no_unique_address]] deadline_slot<Spec::expiring> deadline;
    lfu_links links;  // its lists, region and uses not yet in the sketch (settle)
    [[no_unique_address]] std::conditional_t<weighted, std::size_t, unweighed> weight{};
  };

  using regions = lfu_regions<node, weighted, typename Spec::hasher, typename Spec::key_equal>;
  using slot = typename regions::slot;
  using index_set = typename regions::index_set;

  // Above this many entries the sketch of a weighted store stops growing.
  static constexpr std::size_t largest_weighted_sketch = std::size_t{1} << 20;
  // Requests in one sample of the hill climber (w_tinylfu::hill_climbing),
  // per unit of size: twice the sketch's aging period (measured with
  // bench/hitratio: samples of 10 x, the sketch's, lost 2.3 to 3.9 points at
  // the smallest sizes of cache2k web07 and web12 and of the scans, for at
  // most 1.4 gained elsewhere).
  static constexpr std::size_t climber_samples_per_unit = 20;

 public:
  explicit w_tinylfu_store(const w_tinylfu& policy)
    requires(!weighted)
      : regions_(checked_capacity(policy)),
        ghosts_(policy.adaptive_window && policy.sizing == w_tinylfu::ghosts),
        climbing_(policy.adaptive_window && policy.sizing == w_tinylfu::hill_climbing),
        sketch_(policy.capacity),
        sizer_(policy.capacity),
        climber_(policy.capacity, climber_samples_per_unit * policy.capacity) {}

  //! Sizes the regions by weight: `capacity` is not used.
  explicit w_tinylfu_store(const weighted_storage<w_tinylfu, Weigher>& policy)
    requires weighted
      : regions_(checked_max_weight(policy)),
        ghosts_(policy.adaptive_window && policy.sizing == w_tinylfu::ghosts),
        climbing_(policy.adaptive_window && policy.sizing == w_tinylfu::hill_climbing),
        sketch_(std::min(policy.max_weight, largest_weighted_sketch)),
        sizer_(policy.max_weight),
        climber_(policy.max_weight,
                 climber_samples_per_unit * std::min(policy.max_weight, largest_weighted_sketch)),
        weigher_(policy.weigher) {}

  // Copies and moves rebuild the index (lfu_regions, indexed_nodes); a
  // moved-from store is usable again once cleared.
  w_tinylfu_store(const w_tinylfu_store&) = default;
  w_tinylfu_store(w_tinylfu_store&&) = default;
  w_tinylfu_store& operator=(const w_tinylfu_store&) = default;
  w_tinylfu_store& operator=(w_tinylfu_store&&) = default;
  ~w_tinylfu_store() = default;

  //! The live value of `key`: a use, noted in its node (the sketch and the
  //! regions learn of it when the entry is judged; see the banner); an
  //! expired entry is reclaimed and missed. A miss is counted when its
  //! value is written (set).
  template <class K>
  const value_type* get(const K& key, time_point now) {
    learn_time(now);
    const auto it = index().find(key);
    if (it == index().end()) return nullptr;
    const index_t i = it->index;
    if (regions_[i].deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return nullptr;
    }
    note_use(i);
    if (climbing_) {
      climber_.record_hit();
      climb();
    }
    return &regions_[i].value;
  }

  //! A lookup under a shared lock that writes nothing: a hit counts itself
  //! in its node, so any entry found needs get(); `{nullptr, false}` says
  //! no entry.
  template <class K>
  peeked<value_type> peek(const K& key, time_point) const {
    return {nullptr, index().contains(key)};
  }

  //! Inserts or replaces. A new entry enters the window (and the sketch
  //! counts it, as the miss it follows); a replaced one is a use (noted).
  void set(key_type&& key, value_type&& value, time_point deadline) {
    std::size_t weight = 1;
    if constexpr (weighted) weight = weigher_(key, entry_value(value));  // a timed entry weighs its value
    const std::uint64_t hash = hash_(key);  // once: for the index and the sketch
    const auto it = index().find(prehashed<key_type>{key, hash});
    if (weight > regions_.maximum()) {  // no eviction makes room; nor is an older value of its key kept
      if (it != index().end()) remove(it, removal_cause::replaced);
      return;
    }
    if (it != index().end()) {
      const index_t i = it->index;
      node& n = regions_[i];
      removals_.add(n.key, n.value, removal_cause::replaced);
      n.value = std::move(value);
      n.deadline.set(deadline);
      if constexpr (weighted) regions_.reweigh(i, weight);
      note_use(i);
      if constexpr (weighted) evict(i);  // a heavier value may not fit
      return;
    }
    count_in_sketch(hash);
    if (ghosts_) resize_window(sizer_.on_miss(hash, weight, regions_.window_max()));
    if (climbing_) climber_.record_miss();
    if constexpr (weighted) {
      if (regions_.size() >= nil - 1) remove_node(any_victim(nil), removal_cause::evicted);  // 32-bit links
    }
    append(std::move(key), std::move(value), deadline, weight);
    evict(nil);
    if (climbing_) climb();
  }

  template <class K>
  bool erase(const K& key) {
    const auto it = index().find(key);
    if (it == index().end()) return false;
    remove(it, removal_cause::erased);
    return true;
  }

  //! Whether a live entry is there; not a use (the sketch is not told).
  template <class K>
  bool contains(const K& key, time_point now) {
    learn_time(now);
    const auto it = index().find(key);
    if (it == index().end()) return false;
    if (regions_[it->index].deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return false;
    }
    return true;
  }

  //! Renews a live entry to `deadline`: a use (noted).
  template <class K>
  bool touch(const K& key, time_point now, time_point deadline) {
    learn_time(now);
    const auto it = index().find(key);
    if (it == index().end()) return false;
    const index_t i = it->index;
    if (regions_[i].deadline.expired(now)) {
      remove(it, removal_cause::expired);
      return false;
    }
    regions_[i].deadline.set(deadline);
    note_use(i);
    return true;
  }

  //! Reclaims every entry expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    learn_time(now);
    std::size_t erased = 0;
    for (std::size_t i = regions_.size(); i-- > 0;) {
      if (!regions_[static_cast<index_t>(i)].deadline.expired(now)) continue;
      remove_node(static_cast<index_t>(i), removal_cause::expired);
      ++erased;
    }
    return erased;
  }

  //! Calls fn(key, value, deadline) for probation's entries, then
  //! protected's, then the window's, each oldest first: replayed as writes
  //! into an empty w_tinylfu of the same size, the main region's entries go
  //! in first and all are kept.
  template <class Fn>
  void for_each_oldest_first(Fn&& fn) const {
    for (lfu_region r : {lfu_region::probation, lfu_region::protected_, lfu_region::window}) for_each_in(r, fn);
  }

  //! Calls fn(key, value, deadline) for the entries of region `r`, oldest first.
  template <class Fn>
  void for_each_in(lfu_region r, Fn&& fn) const {
    regions_.for_each_in(r, [&fn](const node& n) {
      fn(n.key, n.value, n.deadline.when());
    });
  }

  std::size_t size() const noexcept { return regions_.size(); }
  //! The most entries held (unweighted; weighted: 2^28 - 2).
  std::size_t capacity() const noexcept { return weighted ? nil - 1 : regions_.maximum(); }
  //! The weight of the entries held, and the most it may reach (weighted only).
  std::size_t total_weight() const noexcept
    requires weighted
  {
    return regions_.total();
  }
  std::size_t max_weight() const noexcept
    requires weighted
  {
    return regions_.maximum();
  }
  //! The admission window's size now, and the protected segment's (in
  //! entries, or weight); the rest of the cache is probation's.
  std::size_t window_capacity() const noexcept { return regions_.window_max(); }
  std::size_t protected_capacity() const noexcept { return regions_.protected_max(); }
  //! The weight (unweighted: the entries) region `r` holds.
  std::size_t region_weight(lfu_region r) const noexcept { return regions_.weight(r); }
  const frequency_sketch& sketch() const noexcept { return sketch_; }
  std::string name() const { return "w_tinylfu"; }

  //! Removes every entry; what the sketch learnt, and the window's size, stay.
  void clear() {
    if (removals_.on())
      for (const node& n : regions_.nodes()) removals_.add(n.key, n.value, removal_cause::erased);
    forget_all();
  }

  //! What the store records of the entries it removes (removal_log.hpp).
  void record_removals(removal_recording mode) noexcept { removals_.record(mode); }
  removal_batch<key_type, value_type> take_removals() noexcept { return removals_.take(); }

 private:
  static std::size_t checked_capacity(const w_tinylfu& policy) {
    if (policy.capacity == 0) throw std::invalid_argument("cachet::w_tinylfu: capacity must be at least 1");
    if (policy.capacity >= nil - 1) throw std::invalid_argument("cachet::w_tinylfu: capacity must be below 2^28 - 2");
    if (policy.max_weight != 0)
      throw std::invalid_argument("cachet::w_tinylfu: max_weight is set but no cachet::weigher was named");
    check_sizing(policy);
    return policy.capacity;
  }
  static std::size_t checked_max_weight(const w_tinylfu& policy) {
    if (policy.max_weight == 0)
      throw std::invalid_argument("cachet::w_tinylfu: a cachet::weigher needs max_weight >= 1 (the total weight kept)");
    check_sizing(policy);
    return policy.max_weight;
  }
  static void check_sizing(const w_tinylfu& policy) {
    if (policy.sizing != w_tinylfu::ghosts && policy.sizing != w_tinylfu::hill_climbing)
      throw std::invalid_argument("cachet::w_tinylfu: sizing must be w_tinylfu::ghosts or w_tinylfu::hill_climbing");
  }

  // Entries carry no time of their own: expired at the latest `now` seen
  // means expired now, as time goes forward.
  void learn_time(time_point now) noexcept {
    if constexpr (Spec::expiring) latest_now_ = std::max(latest_now_, now);
  }
  bool expired(index_t i) const noexcept { return regions_[i].deadline.expired(latest_now_); }

  static_assert(lfu_links::max_uses == frequency_sketch::max_count);

  // A use, counted in the node only (see the file's banner).
  void note_use(index_t i) noexcept { regions_[i].links.add_use(); }
  // Puts node i's uses into the sketch; returns whether it had any (the
  // regions then move it as its uses would have).
  bool settle_uses(index_t i) {
    node& n = regions_[i];
    if (!n.links.used()) return false;
    const unsigned uses = n.links.uses();  // 0 if agings halved them away
    n.links.clear_uses();
    count_in_sketch(hash_(n.key), uses);
    return true;
  }
  // sketch_.increment(hash[, times]); if that aged the sketch, the nodes'
  // unsettled uses are halved too.
  template <class... Times>
  void count_in_sketch(std::uint64_t hash, Times... times) {
    const std::uint8_t era = sketch_.era();
    sketch_.increment(hash, times...);
    if (sketch_.era() != era) [[unlikely]]
      regions_.halve_uses();
  }
  auto settler() {
    return [this](index_t i) { return settle_uses(i); };
  }

  // See the file's banner. `keep`: an entry just rewritten, which its own
  // write does not evict (nil for a new entry, which competes).
  void evict(index_t keep) {
    while (regions_.weight(lfu_region::window) > regions_.window_max()) {
      const index_t candidate = regions_.settled_oldest(lfu_region::window, settler(), keep);
      if (candidate == nil) break;
      regions_.relink_front(candidate, lfu_region::probation);
      while (regions_.total() > regions_.maximum()) {
        const index_t victim = regions_.settled_main_victim(settler(), candidate, keep);
        const index_t loser = victim == nil ? candidate : duel(candidate, victim);
        if (ghosts_ && !expired(loser)) remember_loser(loser, loser == candidate);
        remove_node(loser, cause_for(loser));
        if (loser == candidate) break;
      }
    }
    // Over without a window overflow: the window had room, or a value grew.
    while (regions_.total() > regions_.maximum()) {
      const index_t loser = any_victim(keep);
      if (loser == nil) break;
      remove_node(loser, cause_for(loser));
    }
  }

  // The window's oldest duels the main region's next victim; either may be missing.
  index_t any_victim(index_t keep) {
    const index_t candidate = regions_.settled_oldest(lfu_region::window, settler(), keep);
    const index_t victim = regions_.settled_main_victim(settler(), keep);
    if (candidate == nil || victim == nil) return candidate == nil ? victim : candidate;
    return duel(candidate, victim);
  }
  // Which of the two (both settled) leaves.
  index_t duel(index_t candidate, index_t victim) {
    if (expired(candidate)) return candidate;
    if (expired(victim)) return victim;
    return admission_.admit(frequency(candidate), frequency(victim)) ? victim : candidate;
  }
  unsigned frequency(index_t i) const { return sketch_.estimate(hash_(regions_[i].key)); }
  removal_cause cause_for(index_t i) const noexcept {
    return expired(i) ? removal_cause::expired : removal_cause::evicted;
  }

  // The window's sizing (window_sizer.hpp): a duel's loser is remembered,
  // a miss on a remembered key resizes the window.
  // A ghost is advice: one that cannot be stored (no memory) is skipped.
  void remember_loser(index_t loser, bool from_window) noexcept {
    try {
      const std::uint64_t hash = hash_(regions_[loser].key);
      if (from_window)
        sizer_.window_let_go(hash, regions_.weight_of(loser));
      else
        sizer_.main_evicted(hash, regions_.weight_of(loser));
    } catch (...) {
    }
  }
  // Hill climbing (hill_climber.hpp) at the end of each sample.
  void climb() noexcept {
    if (climber_.sample_done()) [[unlikely]]
      resize_window(climber_.adjustment(regions_.window_max()));
  }
  void resize_window(std::int64_t change) noexcept {
    if (change > 0) regions_.grow_window(static_cast<std::size_t>(change));
    if (change < 0) regions_.shrink_window(static_cast<std::size_t>(-change));
  }

  void forget_all() noexcept { regions_.clear(); }

  index_set& index() noexcept { return regions_.index(); }
  const index_set& index() const noexcept { return regions_.index(); }

  void append(key_type&& key, value_type&& value, time_point deadline, std::size_t weight) {
    const index_t i =
        regions_.push(node{std::move(key), std::move(value), {}, {}}, weighted ? nil - 1 : regions_.maximum() + 1);
    regions_[i].deadline.set(deadline);
    if constexpr (weighted) regions_[i].weight = weight;
    try {
      index().insert(slot{i});
    } catch (...) {
      regions_.pop();
      throw;
    }
    regions_.link_front(i, lfu_region::window);
  }

  void remove_node(index_t i, removal_cause cause) { remove(index().find(slot{i}), cause); }

  void remove(typename index_set::iterator it, removal_cause cause) {
    const index_t i = it->index;
    removals_.add(regions_[i].key, regions_[i].value, cause);
    index().erase(it);
    regions_.unlink(i);
    regions_.fill_hole(i);
  }

  regions regions_;
  bool ghosts_;    // the window sized by window_sizer
  bool climbing_;  // the window sized by hill_climber
  time_point latest_now_{};  // see learn_time
  frequency_sketch sketch_;
  window_sizer<weighted> sizer_;
  hill_climber climber_;
  admission admission_;
  removal_log<key_type, value_type> removals_;
  [[no_unique_address]] typename Spec::hasher hash_;
  [[no_unique_address]] std::conditional_t<weighted, Weigher, unweighed> weigher_;
};

}  // namespace cachet::detail
