// cachet/storage/w_tinylfu.hpp: a bounded in-memory storage that admits
// entries by their popularity: Window TinyLFU, after Caffeine.
#pragma once

#include <cstddef>

#include <cachet/storage.hpp>
#include <cachet/storage/common/shard_split.hpp>

namespace cachet {

struct no_weigher;

namespace detail {
template <class Spec, class Weigher = no_weigher>
class w_tinylfu_store;
}

//! Keeps at most `capacity` entries, chosen by how often and how recently
//! they are used (Einziger, Friedman, Manes: "TinyLFU: A Highly Efficient
//! Cache Admission Policy", ACM ToS 2017), with a window sized by ARC's
//! rule (Megiddo, Modha, FAST 2003).
//!
//! New entries enter an LRU admission window (1% of the cache at first).
//! The window's oldest entry then asks to join the main region, a segmented
//! LRU (probation 20%, protected 80%); when the main region is full it gets
//! in only if a frequency sketch says it is used more often than the entry
//! probation would evict, and the loser leaves. So a burst of one-time keys
//! (a scan) passes through the window without pushing out the popular ones,
//! while the window still gives new keys time to prove themselves. A hit in
//! probation promotes to protected. With `adaptive_window` (the default),
//! the window grows when keys it let go come back, and shrinks (to 1% at
//! least) when keys the main region evicted come back (window_sizer.hpp);
//! `.sizing = w_tinylfu::hill_climbing` sizes it by hill climbing on the
//! hit rate instead, as Caffeine does (hill_climber.hpp).
//!
//! Tuned against Caffeine 2.6.2 (fixed 1% window) with bench/hitratio; mean
//! hit ratios over each trace's capacities, first version -> now (Caffeine):
//! Zipf 0.6 32.1 -> 33.8 (33.4), 0.8 50.5 -> 51.9 (51.5), 1.0 71.8 -> 73.1
//! (72.8), 1.2 87.1 -> 88.0 (87.8), Zipf 0.9 + scans 48.1 -> 50.6 (50.1),
//! loop 9.7 -> 12.9 (11.9), cache2k web07 53.8 -> 55.3 (53.7), web12 62.9
//! -> 64.5 (61.5), orm-busy 85.0 -> 86.0 (79.8). What changed: the sketch
//! takes Caffeine's FrequencySketch rules (16 counters an entry, aging every
//! 10 x the size, only the increments that add count toward it, the
//! odd-count correction at aging), keeps a doorkeeper of 8 bits a column
//! but leaves its bit out of the estimate (frequency_sketch.hpp); the duel
//! takes Caffeine's random admission of warm candidates (admission.hpp);
//! and the window is sized by ghosts of the keys that left (ARC's rule)
//! rather than by hill climbing on the hit rate, which walked at random on
//! orm-busy (window_sizer.hpp: web07 +1.4 points, web12 +1.8, orm-busy
//! +1.5, the synthetic streams within 0.2).
//!
//! A use is a hit, a write or a touch; contains() is not. The sketch counts
//! each request once: a hit at get, a miss when its computed value is
//! written (set of a new key), as cachet::memoize does after every miss.
//! get, set and erase are O(1) amortised and a hit allocates nothing. An
//! expired entry is a miss and is reclaimed when met; eviction reclaims, as
//! expired, the expired entries it meets.
//!
//! Memory: the lru's per-entry layout (dense array, two link words, an
//! index of 32-bit slots; the region and use count in the links' top bits),
//! a sketch of 12 bytes per
//! bit_ceil(capacity) (8 of counters, 4 of doorkeeper), and two ghost
//! queues of key hashes, each up to 5% of the capacity (about 5 bytes per
//! entry in all).
//! PRECONDITION: 1 <= capacity < 2^28 - 2 (else std::invalid_argument).
//!
//! Weighted: with a cachet::weigher policy, the regions are sized in weight
//! (their total at most `max_weight`; capacity is then not used), and an
//! entry heavier than max_weight is returned but not stored.
struct w_tinylfu {
  using cachet_family = family::storage;
  static constexpr bool typed = true;

  std::size_t capacity = 1024;
  //! The most the entries may weigh together, under a cachet::weigher;
  //! 0 (the default): entries are counted (capacity).
  std::size_t max_weight = 0;
  //! Whether the window is resized (see `sizing`); false: it stays at 1%
  //! of the cache (at least one entry).
  bool adaptive_window = true;
  //! How an adaptive window is sized.
  enum window_sizing : unsigned char {
    //! By what comes back of the keys that left, ARC's rule (the default;
    //! window_sizer.hpp).
    ghosts,
    //! By hill climbing on the hit rate of successive samples, Caffeine's
    //! rule (hill_climber.hpp): within 0.01 of max(LRU, Caffeine) at 59
    //! of bench/hitratio's 63 cells, against 63 for `ghosts`.
    hill_climbing,
  };
  window_sizing sizing = ghosts;

  template <class Spec>
  using store_type = detail::w_tinylfu_store<Spec>;
  template <class Spec, class Weigher>
  using weighted_store_type = detail::w_tinylfu_store<Spec, Weigher>;

  //! The w_tinylfu of part `index` of `count` (cachet::sharded<count>):
  //! the parts' capacities sum to `capacity`, the first `capacity % count`
  //! parts holding one more (and so do their max_weight). Each part has its
  //! own window, sketch and ghosts (or climber).
  //! PRECONDITION: index < count <= capacity (else std::invalid_argument).
  w_tinylfu shard(std::size_t index, std::size_t count) const {
    detail::check_shard("w_tinylfu", capacity, index, count);
    return w_tinylfu{.capacity = detail::shard_part(capacity, index, count),
                     .max_weight = detail::shard_part(max_weight, index, count),
                     .adaptive_window = adaptive_window,
                     .sizing = sizing};
  }

};

}  // namespace cachet

#include <cachet/storage/w_tinylfu/w_tinylfu_store.hpp>
