// fuzz/fuzz_types.hpp: the value types the decode fuzzer reads, one per
// selector value, and a record with a bool, nested containers and an
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

namespace cachet_fuzz {

struct record {
  bool flag = false;
  std::int64_t id = 0;
  std::string name;
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, double> scores;
  std::optional<std::vector<bool>> bits;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(flag, id, name, rows, scores, bits);
  }
};

//! Calls fn(type_tag) for the type chosen by `selector`.
template <class Fn>
void with_type(unsigned selector, Fn&& fn) {
  switch (selector % 5) {
    case 0: return fn(static_cast<std::string*>(nullptr));
    case 1: return fn(static_cast<std::vector<std::string>*>(nullptr));
    case 2: return fn(static_cast<std::map<std::string, std::int32_t>*>(nullptr));
    case 3: return fn(static_cast<bool*>(nullptr));
    default: return fn(static_cast<record*>(nullptr));
  }
}

}  // namespace cachet_fuzz
