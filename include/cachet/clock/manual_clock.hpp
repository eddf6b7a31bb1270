// cachet/clock/manual_clock.hpp: a clock that moves only when told, for tests.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <cachet/clock.hpp>

namespace cachet {

//! A clock that stands still until advance() or set() moves it. Copies
//! share one time, so a test keeps a copy and moves the cache's clock:
//!
//!     cachet::manual_clock clock;
//!     auto f = cachet::memoize(fn, cachet::lru{}, cachet::expire_after_write{10s}, clock);
//!     clock.advance(11s);   // f's entries are now expired
class manual_clock {
 public:
  using cachet_family = family::clock;

  //! Starts at `start` (by default, a fixed date: 2020-01-01T00:00:00Z).
  explicit manual_clock(time_point start = time_point{std::chrono::seconds{1577836800}})
      : now_(std::make_shared<std::atomic<duration::rep>>(start.time_since_epoch().count())) {}

  time_point now() const noexcept { return time_point{duration{now_->load()}}; }

  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> by) noexcept {
    now_->fetch_add(std::chrono::duration_cast<duration>(by).count());
  }

  void set(time_point to) noexcept { now_->store(to.time_since_epoch().count()); }

 private:
  std::shared_ptr<std::atomic<duration::rep>> now_;
};

}  // namespace cachet
