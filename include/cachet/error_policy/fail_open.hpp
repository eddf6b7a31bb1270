// cachet/error_policy/fail_open.hpp: a failing cache behaves as an empty one.
#pragma once

#include <chrono>
#include <functional>

#include <cachet/error_policy.hpp>

namespace cachet {

//! A storage failure (backend_error) or undecodable entry (invalid_data) is
//! treated as a miss: f(...) calls the function and returns its result (and
//! tries to store it, which replaces an undecodable entry), get returns
//! nothing, a failed write is skipped, erase/contains/touch return false, and
//! a failed *_many batch counts as all misses. Each failure is passed to
//! `on_error`, if set:
//!
//!     cachet::fail_open{.on_error = [](const cachet::error& e) { log(e.what()); }}
//!
//! A store that cannot be opened (a database file that is not one, a root
//! that cannot be made) does not make memoize throw either: the failure is
//! reported, calls fail open, and opening is tried again `reopen_after` the
//! last attempt (on the cache's clock).
//!
//! A store call that would wait for a lock another process holds (a SQLite
//! write lock) waits at most `lock_wait` in all (the store's own write
//! queue included), then fails open like any other failure: a blocked write
//! is skipped and reported, not waited out.
struct fail_open {
  using cachet_family = family::error_policy;
  static constexpr bool fails_open = true;

  std::function<void(const error&)> on_error = nullptr;
  //! How long after a failed open the store is tried again.
  std::chrono::milliseconds reopen_after{1000};
  //! How long a store call waits for another process's lock before failing open.
  std::chrono::milliseconds lock_wait{100};

  void report(const error& e) const {
    if (on_error) on_error(e);
  }
};

}  // namespace cachet
