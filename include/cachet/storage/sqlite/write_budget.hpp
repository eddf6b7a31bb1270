// cachet/storage/sqlite/write_budget.hpp: the bound on one write's waits
// under a fail-open error policy (store_options::lock_wait).
//
// A write of a cachet::sqlite store first waits for the store's write mutex
// (this process's other writes, which may themselves be waiting for another
// process's lock), then in SQLite's busy handler for the database's write
// lock. With a lock_wait, both waits together are bounded by it: the mutex
// is waited for until the deadline, and SQLite's busy timeout is what is
// left; a write out of time fails as SQLITE_BUSY past busy_timeout does, with
// a backend_error ("database is locked") that fail_open reports and skips.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <sqlite3.h>

#include <cachet/storage/sqlite/handle.hpp>

namespace cachet::detail {

//! The store's write mutex: a mutex whose lock can wait until a deadline.
//! Not std::timed_mutex: libstdc++ waits for one with
//! pthread_mutex_clocklock, which ThreadSanitizer (GCC 12) does not
//! intercept, so it reports the unlock as one of an unlocked mutex. A flag
//! under a plain mutex and a condition variable waits the same way, seen.
class sqlite_write_mutex {
 public:
  void lock() {
    std::unique_lock<std::mutex> g(state_);
    freed_.wait(g, [&] { return !held_; });
    held_ = true;
  }
  bool try_lock() {
    std::lock_guard<std::mutex> g(state_);
    if (held_) return false;
    held_ = true;
    return true;
  }
  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    std::unique_lock<std::mutex> g(state_);
    if (!freed_.wait_until(g, deadline, [&] { return !held_; })) return false;
    held_ = true;
    return true;
  }
  void unlock() {
    {
      std::lock_guard<std::mutex> g(state_);
      held_ = false;
    }
    freed_.notify_one();
  }

 private:
  std::mutex state_;
  std::condition_variable freed_;
  bool held_ = false;
};

class sqlite_write_budget {
 public:
  using clock = std::chrono::steady_clock;

  //! From now, `wait` at most in all; none: no bound (the connection's own
  //! busy timeout, busy_timeout, applies).
  explicit sqlite_write_budget(std::optional<std::chrono::nanoseconds> wait) {
    if (!wait) return;
    const auto now = clock::now();
    const auto w = std::chrono::duration_cast<clock::duration>(*wait);
    deadline_ = w >= clock::time_point::max() - now ? clock::time_point::max() : now + w;
  }

  //! Locks `m`, waiting at most until the deadline. Throws backend_error
  //! (SQLITE_BUSY) when out of time.
  std::unique_lock<sqlite_write_mutex> lock(sqlite_write_mutex& m, const std::string& where) const {
    if (!deadline_) return std::unique_lock<sqlite_write_mutex>(m);
    std::unique_lock<sqlite_write_mutex> out(m, *deadline_);
    if (!out.owns_lock())
      sqlite_fail(nullptr, SQLITE_BUSY, "gave up waiting for this process's other writes (lock_wait)", where);
    return out;
  }

  //! Sets the busy timeout of `db` (the writer connection, under the write
  //! mutex) to what is left, rounded up to a millisecond.
  void bound(sqlite3* db) const {
    if (!deadline_) return;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - clock::now()).count();
    sqlite3_busy_timeout(db, static_cast<int>(std::clamp<std::int64_t>(left, 0, INT32_MAX)));
  }

 private:
  std::optional<clock::time_point> deadline_;
};

}  // namespace cachet::detail
