// cachet/storage/memcached/key_map.hpp: the injective map from cachet's keys
// (any bytes, any length) to memcached keys (at most 250 bytes, no space or
// control byte). Part of <cachet/storage/memcached.hpp>.
//
//   short enough:  prefix + escape(key), where escape writes '%', space,
//                  bytes 0x00-0x1F and 0x7F as "%XX" (two upper-case hex
//                  digits) and copies every other byte
//   too long:      prefix + "%H" + the 40 hex digits of SHA-1(key)
//   empty key:     prefix + "%N"
// Escaping never writes '%' before anything but two hex digits, so no
// escaped key can be a "%H" or "%N" form: distinct keys map to distinct
// memcached keys, except when two keys over the limit share a SHA-1
// (probability below n^2 / 2^161 for n such keys).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/uuid/detail/sha1.hpp>

namespace cachet::detail {

//! memcached's longest key, in bytes.
inline constexpr std::size_t memcached_key_limit = 250;
//! The longest key_prefix allowed: a hashed key (42 bytes) must still fit.
inline constexpr std::size_t memcached_prefix_limit = memcached_key_limit - 42;

inline bool memcached_escaped_byte(unsigned char c) noexcept { return c <= 0x20 || c == 0x7F || c == '%'; }

//! Throws std::invalid_argument unless `prefix` can start a memcached key.
inline void check_memcached_prefix(std::string_view prefix) {
  if (prefix.size() > memcached_prefix_limit)
    throw std::invalid_argument("cachet::memcached: key_prefix is longer than " +
                                std::to_string(memcached_prefix_limit) + " bytes");
  for (const char c : prefix)
    if (memcached_escaped_byte(static_cast<unsigned char>(c)))
      throw std::invalid_argument("cachet::memcached: key_prefix holds a space, '%' or a control byte");
}

//! The memcached key of `key` under `prefix` (see the banner).
//! PRECONDITION: check_memcached_prefix(prefix) passed.
inline std::string memcached_key(std::string_view prefix, std::string_view key) {
  constexpr char hex[] = "0123456789ABCDEF";
  std::string out(prefix);
  if (key.empty()) return out += "%N";
  out.reserve(prefix.size() + key.size() + 8);
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (memcached_escaped_byte(c)) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += ch;
    }
    if (out.size() > memcached_key_limit) break;  // hashed anyway: stop escaping
  }
  if (out.size() <= memcached_key_limit) return out;
  out.resize(prefix.size());
  out += "%H";
  boost::uuids::detail::sha1 sha;
  sha.process_bytes(key.data(), key.size());
  boost::uuids::detail::sha1::digest_type digest;
  sha.get_digest(digest);
  // digest_type is unsigned int[5] up to Boost 1.85 and unsigned char[20]
  // from 1.86: print each element's bits, most significant first.
  for (const auto word : digest)
    for (int shift = static_cast<int>(sizeof(word)) * 8 - 4; shift >= 0; shift -= 4)
      out += hex[(static_cast<unsigned>(word) >> shift) & 0xFu];
  return out;
}

}  // namespace cachet::detail
