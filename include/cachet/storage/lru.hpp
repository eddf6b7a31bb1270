// cachet/storage/lru.hpp: a bounded in-memory storage that evicts the least
// recently used entry.
#pragma once

#include <cstddef>

#include <cachet/storage.hpp>

namespace cachet {

namespace detail {
template <class Spec>
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
struct lru {
  using cachet_family = family::storage;
  static constexpr bool typed = true;

  std::size_t capacity = 1024;

  template <class Spec>
  using store_type = detail::lru_store<Spec>;
};

}  // namespace cachet

#include <cachet/storage/lru/lru_store.hpp>
