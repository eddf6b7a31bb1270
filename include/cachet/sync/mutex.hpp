// cachet/sync/mutex.hpp: one std::mutex around the storage (the default).
#pragma once

#include <mutex>

#include <cachet/sync.hpp>

namespace cachet {

//! Safe to call from many threads: every storage access holds one
//! std::mutex. The memoized function runs unlocked, so two threads that miss
//! the same key at once may both compute it (the last write wins).
struct mutex {
  using cachet_family = family::sync;
  using lock_type = std::mutex;
};

}  // namespace cachet
