// cachet/coder/cereal_json.hpp: cereal's JSON archive.
#pragma once

#include <cstddef>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>

#include <cereal/archives/json.hpp>

#include <cachet/coder.hpp>
#include <cachet/coder/cereal/envelope.hpp>
#include <cachet/coder/cereal/json_input.hpp>
#include <cachet/coder/cereal/types.hpp>
#include <cachet/errors.hpp>

namespace cachet {

namespace detail {

//! Why JSON text may not reach Debian's rapidjson 1.1.0 (cereal's parser),
//! or nullptr: its recursive parser overflows the stack on deep nesting,
//! its number parsing crashes or misreads on numbers of hundreds of digits,
//! and both a zero written at length (0e80, 0.000000...) and significant
//! digits 18446744073709551615 followed by a 5 to 9 (which round its 64-bit
//! significand up to 0) reach __builtin_clzll(0) and a garbage number.
//! cereal_json never writes any of these (numbers of at most 25 characters
//! and 17 significant digits, or 20 for integers; nesting as deep as the
//! value's type), so the bounds cost honest values nothing. Strings are
//! skipped, escapes included.
inline const char* json_unsafe_for_rapidjson(std::string_view text) noexcept {
  constexpr std::size_t max_depth = 256;
  constexpr std::size_t max_number = 40;
  const auto is_digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      ++i;
      continue;
    }
    if (c == '-' || is_digit(i)) {
      // One number, by JSON's grammar: rapidjson parses it (and may hit
      // the cases above) before it looks at what follows, so a number ends
      // where the grammar ends (0.000.1 is the number 0.000, then junk).
      const std::size_t start = i;
      bool mantissa_nonzero = false;
      bool exponent = false;
      // rapidjson sums the mantissa's significant digits (integer and
      // fraction, leading zeros dropped) into a uint64_t and rounds by the
      // first digit that no longer fits: after 2^64 - 1 that wraps to 0.
      constexpr std::string_view uint64_max = "18446744073709551615";
      std::size_t significant = 0;
      bool prefix_is_max = true;
      bool wraps = false;
      const auto digits = [&] {
        for (; is_digit(i); ++i) {
          if (exponent) continue;
          if (text[i] != '0') mantissa_nonzero = true;
          if (!mantissa_nonzero) continue;
          if (significant < uint64_max.size())
            prefix_is_max = prefix_is_max && text[i] == uint64_max[significant];
          else if (significant == uint64_max.size())
            wraps = prefix_is_max && text[i] >= '5';
          ++significant;
        }
      };
      if (c == '-') ++i;
      digits();
      if (i < text.size() && text[i] == '.') ++i, digits();
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        exponent = true;
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        digits();
      }
      if (i - start > max_number) return "a number of more than 40 characters";
      // rapidjson normalises a zero mantissa written long (0e80,
      // 0.0000000000000000000000) by __builtin_clzll(0): undefined
      // behaviour. cereal_json writes zero as 0, 0.0 or -0.0.
      if (!mantissa_nonzero && (exponent || i - start > 4)) return "a zero written at length";
      if (wraps) return "a number whose digits overflow rapidjson's 64-bit significand";
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return "nesting deeper than 256";
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    ++i;
  }
  return nullptr;
}

}  // namespace detail

//! Readable text (`{"value": ...}`, one member per line), for values people or other languages
//! read from the store. Larger and slower than the binary coders. Bytes that
//! are not JSON of the value's shape raise cachet::invalid_data; so do numbers
//! of more than 40 characters and nesting deeper than 256, which would crash
//! the JSON parser, and numbers it would misread (see
//! detail::json_unsafe_for_rapidjson), and enum values
//! outside the values their enum accepts (detail::json_input).
struct cereal_json {
  using cachet_family = family::coder;

  template <class T>
  std::string encode(const T& value) const {
    std::ostringstream out;
    {
      cereal::JSONOutputArchive archive(out, cereal::JSONOutputArchive::Options::NoIndent());
      archive(cereal::make_nvp("value", value));
    }
    return std::move(out).str();
  }

  template <class T>
  T decode(std::string_view bytes) const {
    if (const char* unsafe = detail::json_unsafe_for_rapidjson(bytes))
      throw invalid_data(std::string("JSON value does not decode: ") + unsafe);
    detail::view_streambuf buffer(bytes);
    std::istream in(&buffer);
    T value{};
    try {
      detail::json_input archive(in);
      archive(cereal::make_nvp("value", value));
    } catch (const invalid_data&) {
      throw;
    } catch (const std::exception& e) {
      throw invalid_data(std::string("JSON value does not decode: ") + e.what());
    }
    return value;
  }
};

}  // namespace cachet
