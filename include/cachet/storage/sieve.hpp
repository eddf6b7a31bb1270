// cachet/storage/sieve.hpp: a bounded in-memory storage that evicts by
// SIEVE (Zhang et al., "SIEVE is Simpler than LRU", NSDI'24).
#pragma once

#include <cstddef>

#include <cachet/storage.hpp>
#include <cachet/storage/common/shard_split.hpp>

namespace cachet {

struct no_weigher;

namespace detail {
template <class Spec, class Weigher = no_weigher>
class sieve_store;
}

//! Keeps at most `capacity` entries in one FIFO queue, each with a
//! `visited` bit. A use sets the bit and moves nothing; when full, a hand
//! walks from the oldest entry toward the newest (wrapping), clearing set
//! bits, and evicts the first entry whose bit is clear; the hand stays
//! where it stopped for the next eviction. A use is a hit (f(...), get), a
//! write of an existing key or a touch; contains() is not a use. Expired
//! entries are misses, reclaimed when met (the hand reclaims those it
//! passes first). get, set and erase are O(1) amortised; a hit allocates
//! nothing and writes at most the one bit, so hits under cachet::sharded<N>
//! share each shard's lock.
//!
//! Layout: as lru: one dense array of entries with 32-bit queue links, and
//! a Boost open-addressing set of 32-bit indices finds them.
//! PRECONDITION: 1 <= capacity < 2^32 - 1 (else std::invalid_argument).
//!
//! Weighted: with a cachet::weigher policy, entries are kept while their
//! total weight is at most `max_weight` (capacity is then not used); the
//! hand evicts until a new entry fits, and an entry heavier than
//! max_weight is returned but not stored.
struct sieve {
  using cachet_family = family::storage;
  static constexpr bool typed = true;

  std::size_t capacity = 1024;
  //! The most the entries may weigh together, under a cachet::weigher;
  //! 0 (the default): entries are counted (capacity).
  std::size_t max_weight = 0;

  template <class Spec>
  using store_type = detail::sieve_store<Spec>;
  template <class Spec, class Weigher>
  using weighted_store_type = detail::sieve_store<Spec, Weigher>;

  //! The sieve of part `index` of `count` (cachet::sharded<count>): the
  //! parts' capacities sum to `capacity`, the first `capacity % count`
  //! parts holding one more (and so do their max_weight). Each part has its
  //! own queue and hand.
  //! PRECONDITION: index < count <= capacity (else std::invalid_argument).
  sieve shard(std::size_t index, std::size_t count) const {
    detail::check_shard("sieve", capacity, index, count);
    return sieve{.capacity = detail::shard_part(capacity, index, count),
                 .max_weight = detail::shard_part(max_weight, index, count)};
  }

};

}  // namespace cachet

#include <cachet/storage/sieve/sieve_store.hpp>
