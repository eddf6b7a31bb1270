// cachet/storage/lru.hpp: a bounded in-memory storage that evicts the least
// recently used entry.
#pragma once

#include <cstddef>

#include <cachet/storage.hpp>
#include <cachet/storage/common/shard_split.hpp>

namespace cachet {

struct no_weigher;

namespace detail {
template <class Spec, class Weigher = no_weigher>
class lru_store;
}

//! Keeps at most `capacity` entries; when full, a new entry replaces the one
//! used least recently. A use is a hit (f(...), get) or a write or touch;
//! contains() is not a use. get, set and erase are O(1) and a hit allocates
//! nothing. An expired entry is a miss and is reclaimed when it is met.
//!
//! Layout: entries live in one dense array with 32-bit recency links, and
//! a Boost open-addressing set of 32-bit indices (hashed through the
//! entries' keys) finds them; no node is allocated per entry.
//! PRECONDITION: 1 <= capacity < 2^32 - 1 (else std::invalid_argument).
//!
//! Weighted: with a cachet::weigher policy, entries are kept while their
//! total weight is at most `max_weight` (capacity is then not used); the
//! least recently used go first, and an entry heavier than max_weight is
//! returned but not stored.
struct lru {
  using cachet_family = family::storage;
  static constexpr bool typed = true;

  std::size_t capacity = 1024;
  //! The most the entries may weigh together, under a cachet::weigher;
  //! 0 (the default): entries are counted (capacity).
  std::size_t max_weight = 0;

  template <class Spec>
  using store_type = detail::lru_store<Spec>;
  template <class Spec, class Weigher>
  using weighted_store_type = detail::lru_store<Spec, Weigher>;

  //! The lru of part `index` of `count` (cachet::sharded<count>): the parts'
  //! capacities sum to `capacity`, the first `capacity % count` parts
  //! holding one more (and so do their max_weight). Each part evicts on its
  //! own.
  //! PRECONDITION: index < count <= capacity (else std::invalid_argument).
  lru shard(std::size_t index, std::size_t count) const {
    detail::check_shard("lru", capacity, index, count);
    return lru{.capacity = detail::shard_part(capacity, index, count),
               .max_weight = detail::shard_part(max_weight, index, count)};
  }
};

}  // namespace cachet

#include <cachet/storage/lru/lru_store.hpp>
