// cachet/clock/manual_clock.hpp: a clock that moves only when told, for tests.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

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

  //! Moves the clock by `by`, of any duration type and size, rounded up to
  //! the clock's tick like a ttl (detail::ceil_saturating). Time saturates:
  //! the clock stops at time_point::max() (no_deadline, which every
  //! deadline has then reached) instead of wrapping to the past; an infinite
  //! `by` goes straight there. A negative `by` moves the clock back, as set()
  //! and a real wall clock can, and stops at time_point::min().
  //! PRECONDITION: `by` is not a NaN; throws std::invalid_argument if it is.
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> by) noexcept(!std::chrono::treat_as_floating_point_v<Rep>) {
    if constexpr (std::chrono::treat_as_floating_point_v<Rep>) {
      if (detail::is_nan(by)) throw std::invalid_argument("cachet::manual_clock::advance: the duration is NaN");
    }
    const duration step = detail::ceil_saturating(by);
    duration::rep ticks = now_->load();
    // A loop rather than fetch_add, which would wrap.
    while (!now_->compare_exchange_weak(ticks,
                                        add_saturating(time_point{duration{ticks}}, step).time_since_epoch().count())) {
    }
  }

  //! Moves the clock to `to`, any time_point (max and min included).
  void set(time_point to) noexcept { now_->store(to.time_since_epoch().count()); }

 private:
  std::shared_ptr<std::atomic<duration::rep>> now_;
};

}  // namespace cachet
