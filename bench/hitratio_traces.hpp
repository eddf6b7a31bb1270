// bench/hitratio_traces.hpp: the access streams bench/hitratio replays:
// seeded synthetic ones (Zipf, a loop, Zipf with one-off scans) and trace
// files of big-endian u32 keys (through `xz -dc` for .xz). Only hitratio.cpp
// includes it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

#include "bench_common.hpp"

namespace hitratio {

using key_t = std::uint32_t;

struct trace {
  std::string name;
  std::vector<key_t> keys;
  std::size_t distinct = 0;
  std::size_t capacity_base = 0;  // capacities are fractions of it
};

inline std::size_t count_distinct(const std::vector<key_t>& keys) {
  boost::unordered_flat_set<key_t> seen;
  for (key_t k : keys) seen.insert(k);
  return seen.size();
}

// ---------------------------------------------------------------- traces

inline trace zipf_trace(double alpha, std::size_t universe, std::size_t length) {
  trace t;
  char name[32];
  std::snprintf(name, sizeof name, "zipf-%.1f", alpha);
  t.name = name;
  t.keys = bench::id_stream(universe, bench::dist::zipf, length, alpha);
  t.distinct = count_distinct(t.keys);
  t.capacity_base = t.distinct;
  return t;
}

// Keys 0 .. n-1 in order, over and over.
inline trace loop_trace(std::size_t n, std::size_t length) {
  trace t;
  t.name = "loop-" + std::to_string(n / 1000) + "k";
  t.keys.resize(length);
  for (std::size_t i = 0; i < length; ++i) t.keys[i] = static_cast<key_t>(i % n);
  t.distinct = n;
  t.capacity_base = n;
  return t;
}

// Zipf(0.9) accesses over `universe` keys; after every `every` of them, a
// scan of `scan` keys that are never seen again (as a batch job would do).
// Capacities are fractions of the Zipf universe.
inline trace zipf_scan_trace(std::size_t universe, std::size_t length, std::size_t every, std::size_t scan) {
  trace t;
  t.name = "zipf-0.9+scans";
  const auto zipf = bench::id_stream(universe, bench::dist::zipf, length, 0.9);
  key_t fresh = static_cast<key_t>(universe);
  for (std::size_t i = 0; i < zipf.size(); ++i) {
    t.keys.push_back(zipf[i]);
    if ((i + 1) % every == 0)
      for (std::size_t j = 0; j < scan; ++j) t.keys.push_back(fresh++);
  }
  t.distinct = count_distinct(t.keys);
  t.capacity_base = universe;
  return t;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Reads big-endian u32 keys from `path` (through xz -dc for .xz). Empty
// optional-like: ok=false on failure.
inline bool read_trace(const std::string& path, trace& t) {
  const bool xz = path.size() > 3 && path.compare(path.size() - 3, 3, ".xz") == 0;
  FILE* in = xz ? popen(("xz -dc -- " + shell_quote(path)).c_str(), "r") : std::fopen(path.c_str(), "rb");
  if (!in) return false;
  std::vector<unsigned char> buffer(1 << 16);
  std::size_t carry = 0;
  for (;;) {
    const std::size_t got = std::fread(buffer.data() + carry, 1, buffer.size() - carry, in);
    if (got == 0) break;
    const std::size_t have = carry + got;
    const std::size_t whole = have / 4 * 4;
    for (std::size_t i = 0; i < whole; i += 4)
      t.keys.push_back(key_t{buffer[i]} << 24 | key_t{buffer[i + 1]} << 16 | key_t{buffer[i + 2]} << 8 | buffer[i + 3]);
    carry = have - whole;
    std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(whole), buffer.begin() + static_cast<std::ptrdiff_t>(have),
              buffer.begin());
  }
  const bool failed = std::ferror(in) != 0;
  const int status = xz ? pclose(in) : std::fclose(in);
  if (failed || status != 0 || carry != 0 || t.keys.empty()) return false;
  std::string name = std::filesystem::path(path).filename().string();
  for (const char* suffix : {".xz", ".trace"})
    if (name.size() > std::strlen(suffix) && name.ends_with(suffix)) name.resize(name.size() - std::strlen(suffix));
  t.name = name;
  t.distinct = count_distinct(t.keys);
  t.capacity_base = t.distinct;
  return true;
}

}  // namespace hitratio
