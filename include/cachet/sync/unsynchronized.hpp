// cachet/sync/unsynchronized.hpp: no locking at all.
#pragma once

#include <cachet/sync.hpp>

namespace cachet {

namespace detail {
struct null_lock {
  constexpr void lock() noexcept {}
  constexpr void unlock() noexcept {}
};
}  // namespace detail

//! For a cache used by one thread at a time: costs nothing. Calling it from
//! two threads at once is a data race.
struct unsynchronized {
  using cachet_family = family::sync;
  using lock_type = detail::null_lock;
};

}  // namespace cachet
