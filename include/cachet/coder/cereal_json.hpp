// cachet/coder/cereal_json.hpp: cereal's JSON archive.
#pragma once

#include <algorithm>
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
//! or nullptr. Its recursive parser overflows the stack on deep nesting,
//! and its number parsing crashes (out-of-range table reads) or returns
//! garbage on numbers no JSON writer emits for a double: more than 17
//! significant digits with an extreme exponent, magnitudes beyond a
//! double's, a zero written at length (0e80: __builtin_clzll(0)). So a
//! number passes only in the forms cereal_json writes (rapidjson's Writer):
//!   - an integer (no fraction, no exponent) that fits 64 bits: at most
//!     18446744073709551615, at least -9223372036854775808;
//!   - otherwise at most 17 significant digits and a magnitude from 1e-324
//!     to 1e308 (its first significant digit's power of ten in [-324, 308]);
//!   - zero as 0, 0.0 or -0.0.
//! Numbers are read by JSON's grammar, as rapidjson reads them before it
//! looks at what follows (0.000.1 is the number 0.000, then junk). Strings
//! are skipped, escapes included.
inline const char* json_unsafe_number(std::string_view text, std::size_t& i) noexcept {
  constexpr std::size_t max_number = 40;
  const auto is_digit = [&](std::size_t at) { return at < text.size() && text[at] >= '0' && text[at] <= '9'; };
  const std::size_t start = i;
  const bool negative = text[i] == '-';
  if (negative) ++i;
  std::size_t int_digits = 0, first_nonzero = std::string_view::npos, last_nonzero = 0, count = 0;
  const std::size_t mantissa_start = i;
  const auto mantissa_digits = [&] {
    for (; is_digit(i); ++i, ++count)
      if (text[i] != '0') {
        if (first_nonzero == std::string_view::npos) first_nonzero = count;
        last_nonzero = count;
      }
  };
  mantissa_digits();
  int_digits = count;
  const std::string_view int_text = text.substr(mantissa_start, i - mantissa_start);
  bool real = false;
  if (i < text.size() && text[i] == '.') real = true, ++i, mantissa_digits();
  long exponent = 0;
  bool has_exponent = false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    real = has_exponent = true;
    ++i;
    const bool minus = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    for (; is_digit(i); ++i) exponent = std::min(exponent * 10 + (text[i] - '0'), 100'000L);  // saturates
    if (minus) exponent = -exponent;
  }
  if (i - start > max_number) return "a number of more than 40 characters";
  if (first_nonzero == std::string_view::npos)
    return (has_exponent || i - start > 4) ? "a zero written at length" : nullptr;
  if (!real) {
    // An integer: rapidjson reads it into 64 bits, and past them as a double.
    const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
    const std::string_view value = int_text.substr(first_nonzero);
    if (value.size() > limit.size() || (value.size() == limit.size() && value > limit))
      return "an integer outside 64 bits";
    return nullptr;
  }
  const std::size_t significant = last_nonzero - first_nonzero + 1;
  if (significant > 17) return "a number of more than 17 significant digits";
  // The significant digits, the point left out, left-aligned in 17.
  char mantissa[18] = "00000000000000000";
  for (std::size_t at = mantissa_start, k = 0; k <= last_nonzero; ++at) {
    if (text[at] == '.') continue;
    if (k >= first_nonzero) mantissa[k - first_nonzero] = text[at];
    ++k;
  }
  const std::string_view digits(mantissa, 17);
  const long magnitude = static_cast<long>(int_digits) - 1 - static_cast<long>(first_nonzero) + exponent;
  // The largest double is 1.7976931348623157e308, the smallest 4.9e-324,
  // which cereal_json writes as 5e-324: rapidjson misreads the numbers past them.
  if (magnitude > 308 || (magnitude == 308 && digits > "17976931348623157")) return "a number beyond a double's range";
  if (magnitude < -324 || (magnitude == -324 && digits != "50000000000000000")) return "a number beyond a double's range";
  return nullptr;
}

inline const char* json_unsafe_for_rapidjson(std::string_view text) noexcept {
  constexpr std::size_t max_depth = 256;
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
    if (c == '-' || (c >= '0' && c <= '9')) {
      if (const char* why = json_unsafe_number(text, i)) return why;
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
