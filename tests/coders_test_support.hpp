// tests/coders_test_support.hpp: what the coders' tests share: a record
// type, a user byte coder, round-trip and rejection checks, and frames
// forged around any payload (a valid fingerprint and checksum, so that the
// payload reaches the archive).
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>
#include <cachet/coder/cereal_json.hpp>
#include <cachet/coder/cereal_portable.hpp>

namespace coders_test {

struct record {
  int id = 0;
  std::string name;
  std::vector<double> scores;
  friend bool operator==(const record&, const record&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::make_nvp("id", id), cereal::make_nvp("name", name), cereal::make_nvp("scores", scores));
  }
};

// A user byte coder for int: decimal text.
struct decimal_coder {
  using cachet_family = cachet::family::coder;
  std::string encode(int v) const { return std::to_string(v); }
  template <class T>
  T decode(std::string_view bytes) const {
    static_assert(std::is_same_v<T, int>);
    int v = 0;
    const auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), v);
    if (bytes.empty() || ec != std::errc{} || end != bytes.data() + bytes.size())
      throw cachet::invalid_data("not a decimal int: " + std::string(bytes));
    return v;
  }
};

}  // namespace coders_test

namespace coders_test {
inline const std::string with_nuls("a\0b\0\0c", 6);

template <class Coder, class T>
void check_round_trip(const T& value) {
  const Coder coder;
  const std::string bytes = coder.encode(value);
  REQUIRE(coder.template decode<T>(bytes) == value);
}

template <class Coder, class T>
void check_wrapper_round_trip(const T& value) {
  int calls = 0;
  auto f = cachet::memoize([&](int) { ++calls; return value; }, cachet::dict{}, Coder{});
  REQUIRE(f(1) == value);  // computed, encoded, stored
  REQUIRE(f(1) == value);  // decoded
  REQUIRE(f.get(1) == std::optional<T>(value));
  REQUIRE(calls == 1);
  f.set(value, 2);
  REQUIRE(f.at(2) == value);
  REQUIRE(f.storage().size() == 2);
}

template <class Coder, class T>
void check_rejects(const std::string& bytes) {
  const Coder coder;
  REQUIRE_THROWS_AS(coder.template decode<T>(bytes), cachet::invalid_data);
}
// The largest single allocation since reset: hostile length prefixes must
// not make a reader allocate what they claim.
inline std::atomic<std::size_t> largest_allocation{0};

// A frame of `coder` around `payload`, with the fingerprint of T and a
// correct checksum, so that the payload reaches the archive.
template <class Coder, class T>
std::string forged_frame(const Coder& coder, const T& sample, const std::string& payload) {
  std::string bytes = coder.encode(sample).substr(0, cachet::detail::envelope_size) + payload;
  cachet::detail::seal_envelope(bytes);
  return bytes;
}

inline std::string little_endian_u64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return out;
}

template <class Coder>
std::string byte_order_flag() {  // cereal_portable's payload starts with the writer's endianness
  return std::is_same_v<Coder, cachet::cereal_portable> ? std::string(1, '\1') : std::string();
}

}  // namespace coders_test

using coders_test::decimal_coder;
using coders_test::record;
using binary_coders = std::tuple<cachet::cereal_binary, cachet::cereal_portable>;
using all_coders = std::tuple<cachet::cereal_binary, cachet::cereal_portable, cachet::cereal_json>;
using coders_test::check_rejects;
using coders_test::check_round_trip;
using coders_test::check_wrapper_round_trip;
using coders_test::byte_order_flag;
using coders_test::forged_frame;
using coders_test::largest_allocation;
using coders_test::little_endian_u64;
using coders_test::with_nuls;
