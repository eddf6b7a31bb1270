// cachet/storage/common/unix_time.hpp: deadlines as the persistent storages keep
// them: signed 64-bit nanoseconds since the Unix epoch of system_clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <cachet/clock.hpp>

namespace cachet::detail {

//! What a persistent storage writes for no_deadline (files; sqlite writes NULL).
inline constexpr std::int64_t unix_ns_never = std::numeric_limits<std::int64_t>::max();

//! `t` in nanoseconds since the epoch, saturating; no_deadline gives unix_ns_never.
constexpr std::int64_t to_unix_ns(time_point t) noexcept {
  using ns = std::chrono::nanoseconds;
  if (t == no_deadline) return unix_ns_never;
  const duration d = t.time_since_epoch();
  if constexpr (std::is_same_v<duration, ns>) {
    return d.count();
  } else {
    constexpr auto hi = std::chrono::duration_cast<duration>(ns::max());
    constexpr auto lo = std::chrono::duration_cast<duration>(ns::min());
    if (d >= hi) return unix_ns_never;
    if (d <= lo) return std::numeric_limits<std::int64_t>::min();
    return std::chrono::duration_cast<ns>(d).count();
  }
}

//! The inverse of to_unix_ns: unix_ns_never gives no_deadline.
constexpr time_point from_unix_ns(std::int64_t ns) noexcept {
  if (ns == unix_ns_never) return no_deadline;
  return time_point{std::chrono::duration_cast<duration>(std::chrono::nanoseconds{ns})};
}

//! The wall clock now, in nanoseconds since the epoch, for access times.
inline std::int64_t wall_unix_ns() noexcept { return to_unix_ns(std::chrono::system_clock::now()); }

}  // namespace cachet::detail
