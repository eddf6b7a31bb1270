// cachet/storage/s3fifo.hpp: a bounded in-memory storage that evicts by
// S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction",
// SOSP 2023): three FIFO queues instead of a recency list.
#pragma once

#include <cstddef>

#include <cachet/storage.hpp>
#include <cachet/storage/common/shard_split.hpp>

namespace cachet {

struct no_weigher;

namespace detail {
template <class Spec, class Weigher = no_weigher>
class s3fifo_store;
}

//! Keeps at most `capacity` entries in two FIFO queues: a small one (S,
//! `small_ratio` of the capacity) that every new key enters, and a main one
//! (M, the rest). A ghost queue remembers the hashes of the keys S dropped
//! unused, so that a key requested again soon after enters M directly.
//! A use (a hit, a write of an existing key, a touch) only raises the
//! entry's 2-bit frequency; entries move only when they reach a queue's
//! tail: from S to M if used at least twice in S (else out, and into the
//! ghost), from M's tail back to its head while their frequency (decreased
//! on each pass) is above 0. A key used once, as in a scan, passes through S
//! and leaves without disturbing M. contains() is not a use.
//!
//! get, set and erase are O(1) amortised; a hit writes only the frequency
//! and allocates nothing, so that cachet::sharded<N> serves hits under a
//! shared lock (peek). An expired entry is a miss and is reclaimed when it
//! is met, by a lookup or by an eviction.
//! PRECONDITION: 1 <= capacity < 2^32 - 1 and 0 < small_ratio < 1 (else
//! std::invalid_argument).
//!
//! Weighted: with a cachet::weigher policy, entries are kept while their
//! total weight is at most `max_weight` (capacity is then not used), S's
//! share being `small_ratio` of it; an entry heavier than max_weight is
//! returned but not stored.
struct s3fifo {
  using cachet_family = family::storage;
  static constexpr bool typed = true;

  std::size_t capacity = 1024;
  //! The most the entries may weigh together, under a cachet::weigher;
  //! 0 (the default): entries are counted (capacity).
  std::size_t max_weight = 0;
  //! The share of the capacity (or of max_weight) kept for S, at least one
  //! entry; the paper's 10% by default.
  double small_ratio = 0.1;

  template <class Spec>
  using store_type = detail::s3fifo_store<Spec>;
  template <class Spec, class Weigher>
  using weighted_store_type = detail::s3fifo_store<Spec, Weigher>;

  //! The s3fifo of part `index` of `count` (cachet::sharded<count>): the
  //! parts' capacities sum to `capacity`, the first `capacity % count` parts
  //! holding one more (and so do their max_weight). Each part evicts on its
  //! own, with its own queues.
  //! PRECONDITION: index < count <= capacity (else std::invalid_argument).
  s3fifo shard(std::size_t index, std::size_t count) const {
    detail::check_shard("s3fifo", capacity, index, count);
    return s3fifo{.capacity = detail::shard_part(capacity, index, count),
                  .max_weight = detail::shard_part(max_weight, index, count),
                  .small_ratio = small_ratio};
  }
};

}  // namespace cachet

#include <cachet/storage/s3fifo/s3fifo_store.hpp>
