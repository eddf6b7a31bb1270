// cachet/sync/mutex.hpp: one std::mutex around the storage (the default),
// and one computation per key at a time.
#pragma once

#include <mutex>

#include <cachet/sync.hpp>

namespace cachet {

//! Safe to call from many threads: every storage access holds one
//! std::mutex, and the memoized function runs unlocked. Single flight:
//! concurrent misses of one key wait for the one computation in flight and
//! all get its value (or its exception; nothing is then stored, and the
//! next call computes again); different keys never wait for each other. A
//! function that calls itself with the same arguments through its wrapper
//! gets cachet::reentrant_call at once; recursion on other arguments works.
struct mutex {
  using cachet_family = family::sync;
  using lock_type = std::mutex;
  static constexpr bool single_flight = true;
};

}  // namespace cachet
