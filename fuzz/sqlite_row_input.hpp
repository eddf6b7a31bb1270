// fuzz/sqlite_row_input.hpp: the input of fuzz_sqlite_row, read by the
// target and written by the seed generator (seeds.cpp).
//
//   byte 0      flags: bit 0 the limited cache (max_entries, max_bytes),
//               bit 1 the key column as TEXT, bits 2-3 "now" (0 2020-01-01,
//               1 the epoch, 2 the earliest time_point, 3 the latest), bit 4
//               a write of another key after the reads
//   then        expires_at, accessed_at, size: each a type byte (sql_type,
//               modulo 5), a length byte n, then n bytes
//   then        the value's type byte; the value's bytes are the rest
// A missing byte reads as 0. INTEGER takes up to 8 bytes, little-endian;
// REAL the bits of a double from 8 bytes; TEXT and BLOB the bytes as they are.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cachet_fuzz {

enum class sql_type : unsigned char { blob, text, integer, real, null };

//! One column's value as the hostile writer binds it.
struct sql_value {
  sql_type type = sql_type::null;
  std::string bytes;

  std::int64_t integer() const {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes.size() && i < 8; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
    return static_cast<std::int64_t>(v);
  }
  double real() const {
    char raw[8] = {};
    std::memcpy(raw, bytes.data(), bytes.size() < 8 ? bytes.size() : 8);
    double d;
    std::memcpy(&d, raw, 8);
    return d;
  }

  static sql_value of_integer(std::int64_t v) {
    sql_value out{sql_type::integer, std::string(8, '\0')};
    for (int i = 0; i < 8; ++i) out.bytes[i] = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xFFu);
    return out;
  }
  static sql_value of_real(double d) {
    sql_value out{sql_type::real, std::string(8, '\0')};
    std::memcpy(out.bytes.data(), &d, 8);
    return out;
  }
};

struct sqlite_row_input {
  bool limited = false;
  bool text_key = false;
  unsigned now = 0;
  bool write_after = false;
  sql_value expires_at, accessed_at, size, value;

  static sqlite_row_input parse(std::string_view in) {
    std::size_t at = 0;
    const auto byte = [&]() -> unsigned { return at < in.size() ? static_cast<unsigned char>(in[at++]) : 0u; };
    const auto column = [&](bool rest) {
      sql_value v;
      v.type = static_cast<sql_type>(byte() % 5);
      const std::size_t n = rest ? in.size() - std::min(at, in.size()) : byte();
      v.bytes = std::string(in.substr(std::min(at, in.size()), n));
      at += n;
      return v;
    };
    sqlite_row_input out;
    const unsigned flags = byte();
    out.limited = (flags & 1u) != 0;
    out.text_key = (flags & 2u) != 0;
    out.now = (flags >> 2) & 3u;
    out.write_after = (flags & 16u) != 0;
    out.expires_at = column(false);
    out.accessed_at = column(false);
    out.size = column(false);
    out.value = column(true);
    return out;
  }

  //! The input that parse() reads back as this one (bytes of a column past 255 are cut).
  std::string serialize() const {
    std::string out(1, static_cast<char>((limited ? 1 : 0) | (text_key ? 2 : 0) | ((now & 3u) << 2) |
                                         (write_after ? 16 : 0)));
    for (const sql_value* v : {&expires_at, &accessed_at, &size}) {
      const std::size_t n = v->bytes.size() < 255 ? v->bytes.size() : 255;
      out += static_cast<char>(v->type);
      out += static_cast<char>(n);
      out += v->bytes.substr(0, n);
    }
    out += static_cast<char>(value.type);
    return out + value.bytes;
  }
};

}  // namespace cachet_fuzz
