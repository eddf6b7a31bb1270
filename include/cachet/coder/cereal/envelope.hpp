// cachet/coder/cereal/envelope.hpp: the frame around cereal's binary
// archives, so that bytes another type, another archive or a corruption
// produced are detected before cereal reads them.
//
//   offset  size  field
//   0       2     magic "ct"
//   2       1     envelope version (2)
//   3       1     archive: 'b' binary, 'p' portable binary
//   4       8     fingerprint of the value's type: XXH3-64 of its mangled
//                 name, its structure (fingerprint.hpp: an aggregate's field
//                 types, recursively), its cereal class version and
//                 cachet::schema_version<T>
//   12      8     XXH3-64 of bytes 0-11 and the payload
//   20      ...   payload: cereal archive of the value
// Integers are little-endian. Version 1 frames (CRC-32, whose fill-pattern
// blind spots let a frame of 0xFF bytes pass) are rejected as another version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <istream>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include <cereal/cereal.hpp>
#include <cereal/details/helpers.hpp>

#include <cachet/coder/cereal/fingerprint.hpp>
#include <cachet/coder/cereal/xxh3.hpp>
#include <cachet/errors.hpp>

namespace cachet {

//! A version of the stored form of T that you declare, so that values
//! written before a change the fingerprint cannot see (two fields of one
//! type swapped, a member of a class with constructors that changes type)
//! are invalid_data rather than misread: bump it with the change. Part of
//! the type fingerprint of the cereal coders' frames, as is the class
//! version of CEREAL_CLASS_VERSION.
template <class T>
inline constexpr std::uint32_t schema_version = 0;

}  // namespace cachet

namespace cachet::detail {

inline constexpr std::size_t envelope_size = 20;
inline constexpr unsigned char envelope_version = 2;

inline void put_u64(char* out, std::uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}

inline std::uint64_t get_u64(const char* in) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

//! What the type fingerprint of T hashes.
template <class T>
std::string fingerprint_text() {
  std::string text = typeid(T).name();
  text += structure_text<T, structure_depth>();
  text += "|cereal version ";
  text += std::to_string(cereal::detail::Version<T>::version);
  text += "|schema version ";
  text += std::to_string(schema_version<T>);
  return text;
}

template <class T>
std::uint64_t type_fingerprint() noexcept {
  static const std::uint64_t fingerprint = [] {
    const std::string text = fingerprint_text<T>();
    return static_cast<std::uint64_t>(XXH3_64bits(text.data(), text.size()));
  }();
  return fingerprint;
}

//! The checksum of a frame: XXH3-64 of its first 12 bytes and its payload.
inline std::uint64_t envelope_checksum(std::string_view frame) noexcept {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, frame.data(), 12);
  XXH3_64bits_update(&state, frame.data() + envelope_size, frame.size() - envelope_size);
  return static_cast<std::uint64_t>(XXH3_64bits_digest(&state));
}

//! Writes the checksum of a frame whose other fields are set.
inline void seal_envelope(std::string& frame) noexcept { put_u64(frame.data() + 12, envelope_checksum(frame)); }

// Reads a byte range in place, without copying it into a stringstream.
class view_streambuf : public std::streambuf {
 public:
  explicit view_streambuf(std::string_view bytes) {
    char* begin = const_cast<char*>(bytes.data());  // get area only: never written
    setg(begin, begin, begin + bytes.size());
  }
  bool exhausted() const { return gptr() == egptr(); }
};

template <class OutputArchive, class T>
std::string envelope_encode(char archive_id, const T& value) {
  std::ostringstream payload_stream(std::string(envelope_size, '\0'), std::ios::binary | std::ios::ate);
  {
    OutputArchive archive(payload_stream);
    archive(value);
  }
  std::string bytes = std::move(payload_stream).str();
  bytes[0] = 'c';
  bytes[1] = 't';
  bytes[2] = static_cast<char>(envelope_version);
  bytes[3] = archive_id;
  put_u64(bytes.data() + 4, type_fingerprint<T>());
  seal_envelope(bytes);
  return bytes;
}

template <class InputArchive, class T>
T envelope_decode(char archive_id, std::string_view bytes) {
  auto reject = [&](const char* why) { return invalid_data(std::string("value does not decode: ") + why); };
  if (bytes.size() < envelope_size || bytes[0] != 'c' || bytes[1] != 't')
    throw reject("not written by a cachet cereal coder");
  if (static_cast<unsigned char>(bytes[2]) != envelope_version)
    throw reject("written by another version of cachet's envelope");
  if (bytes[3] != archive_id) throw reject("written by another cereal archive");
  if (get_u64(bytes.data() + 4) != type_fingerprint<T>()) throw reject("written for another type");
  if (get_u64(bytes.data() + 12) != envelope_checksum(bytes)) throw reject("checksum mismatch (corrupt or truncated)");
  T value{};
  std::size_t trailing = 0;
  try {
    InputArchive archive(bytes.substr(envelope_size));  // bounded: see bounded_input.hpp
    archive(value);
    trailing = archive.remaining();
  } catch (const invalid_data&) {
    throw;
  } catch (const std::exception& e) {
    throw invalid_data(std::string("value does not decode: ") + e.what());
  }
  if (trailing != 0) throw reject("trailing bytes after the value");
  return value;
}

}  // namespace cachet::detail
