// cachet/coder/cereal/envelope.hpp: the frame around cereal's binary
// archives, so that bytes another type, another archive or a corruption
// produced are detected before cereal reads them.
//
//   offset  size  field
//   0       2     magic "ct"
//   2       1     envelope version (1)
//   3       1     archive: 'b' binary, 'p' portable binary
//   4       4     fingerprint of the value's type (CRC-32 of its mangled name)
//   8       4     CRC-32 of the payload
//   12      ...   payload: cereal archive of the value
// Integers are little-endian.
#pragma once

#include <array>
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

#include <boost/crc.hpp>
#include <cereal/cereal.hpp>

#include <cachet/errors.hpp>

namespace cachet::detail {

inline constexpr std::size_t envelope_size = 12;
inline constexpr unsigned char envelope_version = 1;

inline std::uint32_t crc32_of(std::string_view bytes) noexcept {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

template <class T>
std::uint32_t type_fingerprint() noexcept {
  static const std::uint32_t fingerprint = crc32_of(typeid(T).name());
  return fingerprint;
}

inline void put_u32(char* out, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}

inline std::uint32_t get_u32(const char* in) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

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
  const std::string_view payload(bytes.data() + envelope_size, bytes.size() - envelope_size);
  bytes[0] = 'c';
  bytes[1] = 't';
  bytes[2] = static_cast<char>(envelope_version);
  bytes[3] = archive_id;
  put_u32(bytes.data() + 4, type_fingerprint<T>());
  put_u32(bytes.data() + 8, crc32_of(payload));
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
  if (get_u32(bytes.data() + 4) != type_fingerprint<T>()) throw reject("written for another type");
  const std::string_view payload = bytes.substr(envelope_size);
  if (get_u32(bytes.data() + 8) != crc32_of(payload)) throw reject("checksum mismatch (corrupt or truncated)");
  view_streambuf buffer(payload);
  std::istream stream(&buffer);
  T value{};
  try {
    if constexpr (std::is_constructible_v<InputArchive, std::istream&, std::size_t>) {
      InputArchive archive(stream, payload.size());  // bounded: see bounded_input.hpp
      archive(value);
    } else {
      InputArchive archive(stream);
      archive(value);
    }
  } catch (const invalid_data&) {
    throw;
  } catch (const std::exception& e) {
    throw invalid_data(std::string("value does not decode: ") + e.what());
  }
  if (!buffer.exhausted()) throw reject("trailing bytes after the value");
  return value;
}

}  // namespace cachet::detail
