// cachet/storage/memcached/entry_format.hpp: what cachet::memcached writes
// under a key, and the expiration it gives the server. Part of
// <cachet/storage/memcached.hpp>.
//
// An item's value is an 8-byte header, the entry's deadline (signed
// nanoseconds since the Unix epoch, little-endian; INT64_MAX for none),
// then the coder's bytes; its flags are memcached_entry_flags. Readers
// compare the deadline with their own `now`, so a deadline holds to the
// nanosecond on any clock (a test's manual_clock too), while the server's
// expiration, in whole seconds of real time, reclaims the memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <cachet/clock.hpp>
#include <cachet/storage/common/unix_time.hpp>

namespace cachet::detail {

//! The flags of every item cachet::memcached writes ("ch", format 1); an item
//! with other flags was written by someone else.
inline constexpr std::uint32_t memcached_entry_flags = 0x63680001u;
inline constexpr std::size_t memcached_header_size = 8;

//! The header and `value`, as stored.
inline std::string memcached_frame(time_point deadline, std::string_view value) {
  std::string out(memcached_header_size + value.size(), '\0');
  auto bits = static_cast<std::uint64_t>(to_unix_ns(deadline));
  for (std::size_t i = 0; i < memcached_header_size; ++i, bits >>= 8) out[i] = static_cast<char>(bits & 0xFF);
  if (!value.empty()) out.replace(memcached_header_size, value.size(), value);
  return out;
}

//! The deadline in a stored item; nullopt if the item is not one of ours.
inline std::optional<std::int64_t> memcached_deadline(std::string_view item, std::uint32_t flags) {
  if (flags != memcached_entry_flags || item.size() < memcached_header_size) return std::nullopt;
  std::uint64_t bits = 0;
  for (std::size_t i = memcached_header_size; i-- > 0;)
    bits = (bits << 8) | static_cast<unsigned char>(item[i]);
  return static_cast<std::int64_t>(bits);
}

//! memcached's largest relative expiration: a larger number is an absolute
//! Unix time.
inline constexpr std::int64_t memcached_relative_limit = 30 * 24 * 3600;
//! How long the server keeps an entry whose deadline has already passed on
//! the wall clock: a cache on a clock behind it (a test's manual_clock) still
//! sees the entry, and every reader past the deadline skips it.
inline constexpr std::int64_t memcached_expired_grace = 60;

//! The expiration to send with an entry due at `deadline`: 0 for none;
//! else the seconds left on the wall clock `wall`, rounded up, plus one
//! because the server's clock ticks in whole seconds (so the server never
//! drops an entry before its deadline); over 30 days, the absolute Unix
//! time, as the protocol demands; past 2038 (the server's 32-bit time),
//! 0, the header still bounding the entry's life.
inline std::time_t memcached_expiration(time_point deadline, std::chrono::system_clock::time_point wall) {
  if (deadline == no_deadline) return 0;
  if (deadline <= wall) return memcached_expired_grace;
  const std::int64_t left = std::chrono::ceil<std::chrono::seconds>(deadline - wall).count() + 1;
  if (left <= memcached_relative_limit) return static_cast<std::time_t>(left);
  const std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(wall.time_since_epoch()).count();
  if (left > std::numeric_limits<std::int32_t>::max() - now_s) return 0;
  return static_cast<std::time_t>(now_s + left);
}

}  // namespace cachet::detail
