// tests/keys_test_types.hpp: argument types shared by test_keys.cpp and
// test_key_arguments.cpp (Hana structs, a key_traits type, an enum) and
// text_of, the text key of one call.
#pragma once

#include <cachet/cachet.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstddef>
#include <functional>
#include <string>

namespace keys_test {

struct point {
  BOOST_HANA_DEFINE_STRUCT(point, (int, x), (int, y));
};

struct labelled {
  BOOST_HANA_DEFINE_STRUCT(labelled, (std::string, label), (point, at));
};

// Made usable through key_traits only: no std::hash, no ==, no Hana.
struct money {
  long cents;
  std::string currency;
};

enum class colour { red = 1, green = 7 };

}  // namespace keys_test

template <>
struct cachet::key_traits<keys_test::money> {
  static std::size_t hash(const keys_test::money& m) noexcept {
    return std::hash<long>{}(m.cents) ^ std::hash<std::string>{}(m.currency);
  }
  static bool equal(const keys_test::money& a, const keys_test::money& b) {
    return a.cents == b.cents && a.currency == b.currency;
  }
  static void append_text(std::string& out, const keys_test::money& m) {
    out += std::to_string(m.cents);
    out += m.currency;  // trusted: ISO codes have no special characters
  }
};

using keys_test::colour;
using keys_test::labelled;
using keys_test::money;
using keys_test::point;

namespace {

// The text key of one call of a function taking Params..., with prefix "p".
template <class... Params, class... A>
std::string text_of(const A&... args) {
  const cachet::text_key::bind<Params...> bound(cachet::text_key{"p"});
  return bound.make(args...);
}

}  // namespace
