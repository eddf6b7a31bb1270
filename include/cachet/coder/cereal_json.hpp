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
#include <cachet/coder/cereal/types.hpp>
#include <cachet/errors.hpp>

namespace cachet {

namespace detail {

//! Why JSON text may not reach Debian's rapidjson 1.1.0 (cereal's parser),
//! or nullptr: its recursive parser overflows the stack on deep nesting,
//! and its number parsing crashes or misreads on numbers of hundreds of
//! digits. cereal_json never writes either (numbers of at most 25
//! characters, nesting as deep as the value's type), so the bounds cost
//! honest values nothing. Strings are skipped, escapes included.
inline const char* json_unsafe_for_rapidjson(std::string_view text) noexcept {
  constexpr std::size_t max_depth = 256;
  constexpr std::size_t max_number = 40;
  std::size_t depth = 0;
  std::size_t number = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    const bool number_char = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    number = number_char ? number + 1 : 0;
    if (number > max_number) return "a number of more than 40 characters";
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return "nesting deeper than 256";
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return nullptr;
}

}  // namespace detail

//! Readable text (`{"value": ...}`, one member per line), for values people or other languages
//! read from the store. Larger and slower than the binary coders. Bytes that
//! are not JSON of the value's shape raise cachet::invalid_data; so do numbers
//! of more than 40 characters and nesting deeper than 256, which would crash
//! the JSON parser (see detail::json_unsafe_for_rapidjson).
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
      cereal::JSONInputArchive archive(in);
      archive(cereal::make_nvp("value", value));
    } catch (const std::exception& e) {
      throw invalid_data(std::string("JSON value does not decode: ") + e.what());
    }
    return value;
  }
};

}  // namespace cachet
