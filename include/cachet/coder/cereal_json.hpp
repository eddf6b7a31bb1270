// cachet/coder/cereal_json.hpp: cereal's JSON archive.
#pragma once

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

//! Readable text (`{"value": ...}`, one member per line), for values people or other languages
//! read from the store. Larger and slower than the binary coders. Bytes that
//! are not JSON of the value's shape raise cachet::invalid_data.
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
