// cachet/storage/common/timed_entry.hpp: the form an entry takes in the
// store when cachet::expiry_options is named: the value and the two times
// the wrapper judges it by. The store's own deadline is fresh_until plus
// the stale_if_error grace, so a stale entry is still there to fall back
// on when a recomputation fails.
//
// Object stores (lru, dict) keep a timed_entry<V>; byte stores keep a
// 16-byte header (the two times, little-endian nanoseconds) before the
// coder's bytes of the value, so any coder works unchanged.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cachet/clock.hpp>

namespace cachet {

template <class V>
struct timed_entry {
  V value;
  //! Until when the entry is fresh (a hit); after it, stale until the
  //! store's deadline (fresh_until + expiry_options::stale_if_error).
  time_point fresh_until = no_deadline;
  //! From when a hit also starts a refresh (expiry_options::refresh_after).
  time_point refresh_at = no_deadline;

  template <class Archive>
  void serialize(Archive& archive) {  // cereal (cachet::save_entries)
    std::int64_t fresh = fresh_until.time_since_epoch().count();
    std::int64_t refresh = refresh_at.time_since_epoch().count();
    archive(value, fresh, refresh);
    fresh_until = time_point(duration(fresh));
    refresh_at = time_point(duration(refresh));
  }
};

template <class T>
inline constexpr bool is_timed_entry = false;
template <class V>
inline constexpr bool is_timed_entry<timed_entry<V>> = true;

//! The value of a stored object, timed or not.
template <class T>
const auto& entry_value(const T& stored) noexcept {
  if constexpr (is_timed_entry<T>)
    return stored.value;
  else
    return stored;
}

namespace detail {

inline constexpr std::size_t timed_header_size = 16;

//! The two times of a byte entry, or nullopt if it is too short to have them.
struct timed_header {
  time_point fresh_until;
  time_point refresh_at;

  static std::optional<timed_header> read(std::string_view bytes) noexcept {
    if (bytes.size() < timed_header_size) return std::nullopt;
    return timed_header{time_point(duration(load(bytes.data()))), time_point(duration(load(bytes.data() + 8)))};
  }

  //! Writes the times over the first 16 bytes of `bytes` (which has them).
  void write_over(std::string& bytes) const noexcept {
    store(bytes.data(), fresh_until.time_since_epoch().count());
    store(bytes.data() + 8, refresh_at.time_since_epoch().count());
  }

  //! The header followed by `body`.
  std::string prepend_to(std::string_view body) const {
    std::string out(timed_header_size, '\0');
    write_over(out);
    out.append(body);
    return out;
  }

 private:
  static std::int64_t load(const char* p) noexcept {
    std::uint64_t u = 0;
    for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(p[i]);
    return static_cast<std::int64_t>(u);
  }
  static void store(char* p, std::int64_t v) noexcept {
    auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i, u >>= 8) p[i] = static_cast<char>(u & 0xff);
  }
};

}  // namespace detail
}  // namespace cachet
