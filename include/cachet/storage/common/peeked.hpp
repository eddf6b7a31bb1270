// cachet/storage/common/peeked.hpp: what a store's optional const `peek`
// answers: a lookup that changes nothing, so that several readers may run
// it at once under a shared lock (cachet::sharded<N>'s shards).
#pragma once

namespace cachet {

//! `value` points at a live entry; `needs_write` says the lookup must go
//! through get() instead (the entry is expired and get reclaims it, or a
//! hit would reorder it). Null and false: no entry.
template <class V>
struct peeked {
  const V* value;
  bool needs_write;
};

}  // namespace cachet
