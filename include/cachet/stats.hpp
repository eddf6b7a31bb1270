// cachet/stats.hpp: the stats family: whether a cached function counts what
// it does, read as a snapshot from f.stats().
//
// Policies: no_stats (the default: nothing counted, f.stats() does not
// exist, no cost) and record_stats. Counters are atomics (relaxed): safe
// under threads, each one exact, a snapshot not one instant.
//
// What is counted:
//   hits, misses     each lookup: f(...), get, at, get_many,
//                    get_or_update_many (per call); not contains or touch
//   loads            computations that returned (f(...) on a miss, update
//                    and the _many forms); a caller that waited for another
//                    caller's computation (single flight) counts a miss only
//   load_failures    computations that threw
//   total_load_time  time spent in the function, on the cache's clock
//   evictions, expirations   entries the store removed because it was full
//                    or because their deadline passed (stores that report
//                    removals: lru, dict and their sharded forms; remote
//                    and disk stores expire on their own and report none)
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>

#include <cachet/clock.hpp>
#include <cachet/policy.hpp>

namespace cachet {

//! A snapshot of a cached function's counters.
struct cache_stats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t loads = 0;
  std::uint64_t load_failures = 0;
  std::uint64_t evictions = 0;
  std::uint64_t expirations = 0;
  duration total_load_time{};

  std::uint64_t lookups() const noexcept { return hits + misses; }
  //! hits / lookups; 1 when there was no lookup (nothing was missed).
  double hit_rate() const noexcept {
    return lookups() == 0 ? 1.0 : static_cast<double>(hits) / static_cast<double>(lookups());
  }
  //! total_load_time / (loads + load_failures); zero when nothing loaded.
  duration average_load_time() const noexcept {
    const std::uint64_t n = loads + load_failures;
    return n == 0 ? duration::zero() : total_load_time / static_cast<duration::rep>(n);
  }
  friend bool operator==(const cache_stats&, const cache_stats&) = default;
};

//! Counts hits, misses, loads, load failures, evictions, expirations and
//! load time; read them with f.stats().
struct record_stats {
  using cachet_family = family::stats;
  static constexpr bool records = true;
};

//! The default: nothing is counted.
struct no_stats {
  using cachet_family = family::stats;
  static constexpr bool records = false;
};

//! A stats policy: record_stats or no_stats (the wrapper keeps the counters).
template <class S>
concept stats_policy = policy_of<S, family::stats> && requires {
  { S::records } -> std::convertible_to<bool>;
};

namespace detail {

// The counters behind f.stats().
class stats_counters {
 public:
  void hit(std::uint64_t n = 1) noexcept { hits_.fetch_add(n, std::memory_order_relaxed); }
  void miss(std::uint64_t n = 1) noexcept { misses_.fetch_add(n, std::memory_order_relaxed); }
  void loaded(duration took, bool failed) noexcept {
    (failed ? load_failures_ : loads_).fetch_add(1, std::memory_order_relaxed);
    load_time_.fetch_add(took.count(), std::memory_order_relaxed);
  }
  void removed(std::uint64_t evicted, std::uint64_t expired) noexcept {
    if (evicted != 0) evictions_.fetch_add(evicted, std::memory_order_relaxed);
    if (expired != 0) expirations_.fetch_add(expired, std::memory_order_relaxed);
  }
  cache_stats snapshot() const noexcept {
    return {hits_.load(std::memory_order_relaxed),        misses_.load(std::memory_order_relaxed),
            loads_.load(std::memory_order_relaxed),       load_failures_.load(std::memory_order_relaxed),
            evictions_.load(std::memory_order_relaxed),   expirations_.load(std::memory_order_relaxed),
            duration(load_time_.load(std::memory_order_relaxed))};
  }

  stats_counters() = default;
  // A copy of the cache starts from the counts of the original.
  stats_counters(const stats_counters& other) noexcept { *this = other; }
  stats_counters& operator=(const stats_counters& other) noexcept {
    const cache_stats s = other.snapshot();
    hits_ = s.hits, misses_ = s.misses, loads_ = s.loads, load_failures_ = s.load_failures;
    evictions_ = s.evictions, expirations_ = s.expirations, load_time_ = s.total_load_time.count();
    return *this;
  }

 private:
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, loads_{0}, load_failures_{0}, evictions_{0}, expirations_{0};
  std::atomic<duration::rep> load_time_{0};
};

}  // namespace detail
}  // namespace cachet
