// tests/files_test_support.hpp: what the files storage's tests share: a
// temporary directory, entry files written by hand (headers that claim any
// length, version 1 entries), sparse files and values.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/crc.hpp>  // to write entries of format version 1

#include <cachet/cachet.hpp>
#include <cachet/storage/files.hpp>

#include "disk_test_support.hpp"

namespace files_test {

namespace fs = std::filesystem;

struct temp_dir : cachet_test::temp_dir {
  temp_dir() : cachet_test::temp_dir("files") {}
};

inline std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

inline bool is_temp(const std::string& name) { return name.ends_with(".tmp"); }

using store = cachet::detail::files_store;
using opt = std::optional<std::string>;
inline const cachet::time_point t0 = cachet::manual_clock{}.now();

inline std::string value_for(int i, std::size_t size = 40) {
  std::string v = "value " + std::to_string(i) + " ";
  while (v.size() < size) v += static_cast<char>('a' + (v.size() + static_cast<std::size_t>(i)) % 26);
  return v;
}

// Replaces `path` with `bytes`.
inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Makes `path` `size` bytes long; past its content, a hole (no disk used).
inline void make_sparse(const std::string& path, std::uint64_t size) {
  if (!fs::exists(path)) write_file(path, "");
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(size)) == 0);
}

// An entry header for `key` whose key and value lengths are the ones given.
inline std::string header_claiming(const std::string& key, std::uint64_t key_size, std::uint64_t value_size) {
  std::string bytes = cachet::detail::files_encode(key, "", std::numeric_limits<std::int64_t>::max());
  cachet::detail::files_put_u64(bytes.data() + 16, key_size);
  cachet::detail::files_put_u64(bytes.data() + 24, value_size);
  return bytes;
}

// An entry as format version 1 wrote it: a 36-byte header whose last field
// is a CRC-32 of bytes 16..32, the key and the value.
inline std::string version_1_entry(const std::string& key, const std::string& value, std::int64_t expires_at) {
  std::string out(36, '\0');
  std::memcpy(out.data(), "cachetF\x01", 8);
  cachet::detail::files_put_u64(out.data() + 8, static_cast<std::uint64_t>(expires_at));
  cachet::detail::files_put_u64(out.data() + 16, key.size());
  cachet::detail::files_put_u64(out.data() + 24, value.size());
  boost::crc_32_type crc;
  crc.process_bytes(out.data() + 16, 16);
  crc.process_bytes(key.data(), key.size());
  crc.process_bytes(value.data(), value.size());
  for (int i = 0; i < 4; ++i) out[32 + i] = static_cast<char>((crc.checksum() >> (8 * i)) & 0xFFu);
  return out + key + value;
}

inline constexpr std::uint64_t gib = std::uint64_t{1} << 30;
inline constexpr std::size_t header_size = cachet::detail::files_header_size;

// Seconds that fn() takes.
template <class Fn>
double seconds_of(Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace files_test
