// fuzz/fuzz_types.hpp: the value types the decode fuzzer reads, one per
// selector value, and a record with a bool, enums, nested containers and an
// optional, so that every length prefix and validation is reached.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <cachet/coder/enum_bounds.hpp>

namespace cachet_fuzz {

enum shade { dark, light, bright };                   // no fixed underlying type: values [0, 3]
enum class level : std::uint8_t { low, mid, high };  // bounds declared below

struct record {
  bool flag = false;
  std::int64_t id = 0;
  shade tint = dark;
  std::string name;
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, double> scores;
  std::map<shade, level> levels;
  std::optional<std::vector<bool>> bits;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(flag, id, tint, name, rows, scores, levels, bits);
  }
};

//! Calls fn(type_tag) for the type chosen by the low 3 bits of `selector`
//! (the others pick the coder and the framing: fuzz_decode.cpp).
template <class Fn>
void with_type(unsigned selector, Fn&& fn) {
  switch ((selector & 7u) % 5) {
    case 0: return fn(static_cast<std::string*>(nullptr));
    case 1: return fn(static_cast<std::vector<std::string>*>(nullptr));
    case 2: return fn(static_cast<std::map<std::string, std::int32_t>*>(nullptr));
    case 3: return fn(static_cast<bool*>(nullptr));
    default: return fn(static_cast<record*>(nullptr));
  }
}

}  // namespace cachet_fuzz

template <>
struct cachet::enum_bounds<cachet_fuzz::level> {
  static constexpr cachet_fuzz::level min = cachet_fuzz::level::low;
  static constexpr cachet_fuzz::level max = cachet_fuzz::level::high;
};
