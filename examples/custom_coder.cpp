// examples/custom_coder.cpp: a coder policy written by a user.
//   - decimal_coder: a byte coder (see <cachet/coder.hpp>) that stores
//     integers as decimal text, used with cachet::dict{} as a byte store
//     (the byte path of a disk or server storage, without one);
//   - what bytes it cannot decode raise, and how update() replaces them;
//   - the same value's bytes under cereal_binary, for comparison.
// Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

// [headers]
#include <cachet/cachet.hpp>               // the wrapper, every family, lru, dict
#include <cachet/coder/cereal_binary.hpp>  // only to store bytes with cereal
// [headers]

#include <charconv>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

// [decimal-coder]
// A byte coder for integers: stores them as decimal text.
struct decimal_coder {
  using cachet_family = cachet::family::coder;

  template <class T>
  std::string encode(const T& value) const {
    return std::to_string(value);
  }

  template <class T>
  T decode(std::string_view bytes) const {
    T value{};
    const auto [end, error] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), value);
    if (error != std::errc{} || end != bytes.data() + bytes.size())
      throw cachet::invalid_data("not a decimal integer: " + std::string(bytes));
    return value;
  }
};
// [decimal-coder]

// [coder-concept]
static_assert(cachet::byte_coder_for<decimal_coder, long>);
static_assert(cachet::coder_for<decimal_coder, int> && cachet::coder_for<cachet::identity, std::string>);
// [coder-concept]

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int count_calls = 0;
long count_words(std::string_view text) {
  ++count_calls;
  long words = 0;
  bool in_word = false;
  for (char c : text) {
    if (c != ' ' && !in_word) ++words;
    in_word = c != ' ';
  }
  return words;
}

}  // namespace

int main() {
  std::cout << "A byte coder (decimal_coder) over dict:\n";
  // [use-decimal-coder]
  auto counts = cachet::memoize(count_words, cachet::dict{}, decimal_coder{}, cachet::text_key{"words"});
  long n = counts("to be or not to be");  // 6, stored as the bytes "6" under "words:to be or not to be"
  // [use-decimal-coder]
  const std::string* bytes = counts.storage().get(counts.key("to be or not to be"), cachet::time_point{});
  check(n == 6 && bytes != nullptr && *bytes == "6", "decimal_coder stored the bytes \"6\"");
  check(counts("to be or not to be") == 6 && count_calls == 1, "the hit decoded them");
  check(decimal_coder{}.decode<int>(decimal_coder{}.encode(-42)) == -42, "the law: decode<T>(encode(v)) == v");

  // [invalid-data]
  counts.storage().set(counts.key("x"), "forty-two", cachet::no_deadline);  // bytes no coder wrote
  try {
    counts("x");
  } catch (const cachet::invalid_data& e) {
    std::cout << e.what() << '\n';  // cachet: dict: not a decimal integer: forty-two (key words:x)
  }
  counts.update("x");  // update() calls the function and overwrites the bad bytes
  // [invalid-data]
  bool threw = false;
  counts.storage().set(counts.key("x"), "forty-two", cachet::no_deadline);
  try {
    counts("x");
  } catch (const cachet::invalid_data& e) {
    threw = e.reason() == "not a decimal integer: forty-two" && e.storage() == "dict" && e.key() == "words:x";
  }
  check(threw, "undecodable bytes raise invalid_data naming the storage and the key");
  counts.update("x");
  check(counts("x") == 1 && *counts.storage().get(std::string("words:x"), cachet::time_point{}) == "1",
        "update() replaced them");

  auto framed = cachet::memoize(count_words, cachet::dict{}, cachet::cereal_binary{});
  framed("to be or not to be");
  const std::string& cereal_bytes = *framed.storage().get(framed.key("to be or not to be"), cachet::time_point{});
  check(cereal_bytes.size() == 20 + sizeof(long) && cereal_bytes.substr(0, 2) == "ct",
        "cereal_binary keeps the same 6 in a 20-byte envelope (\"ct\", version, type fingerprint, checksum) and its archive");

  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
