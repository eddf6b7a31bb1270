// cachet/sync/sharded.hpp: N locks, each over its own part of the store, and
// one computation per key at a time.
#pragma once

#include <cstddef>
#include <mutex>

#include <cachet/sync.hpp>
#include <cachet/detail/sharded_store.hpp>

namespace cachet {

//! Like cachet::mutex, with the store split into N parts ("shards"), each
//! behind its own reader/writer lock (detail/reader_slots.hpp): a key's
//! shard is chosen by its hash, so calls on keys of different shards never
//! wait for each other, and hits on one shard share it (readers write only
//! a cache line of their own). For a cache hit from several threads at once.
//!
//! A storage that can be split (its policy has `shard(index, count)`: lru,
//! dict) becomes N stores: an lru of capacity C becomes N lrus of about C/N
//! entries each (the parts sum to C), and each evicts on its own, with lazy
//! promotion (a hit marks its entry, which gets a second chance at the
//! tail, as in CLOCK), so an entry can be evicted while an older one
//! survives in another shard. A storage that is thread safe by itself
//! (sqlite, redis, ...) or cannot be split (files, memcached) keeps one
//! store, and sharded<N> then behaves as cachet::mutex.
//! Single flight as under cachet::mutex.
//! PRECONDITION: for lru, capacity >= N (else std::invalid_argument).
template <std::size_t N>
struct sharded {
  static_assert(N >= 1, "cachet::sharded<N>: N is the number of shards and must be at least 1");
  using cachet_family = family::sync;
  //! The lock of what is not split: a store that keeps one part, with_storage.
  using lock_type = std::mutex;
  static constexpr bool single_flight = true;
  static constexpr std::size_t shards = N;
};

}  // namespace cachet
