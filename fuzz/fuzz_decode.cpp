// fuzz/fuzz_decode.cpp: libFuzzer target for the cereal coders' decode.
// Input: byte 0 picks the coder (binary, portable, JSON) and the value type
// (fuzz_types.hpp), and whether the rest is taken as a whole stored value
// or as a payload that gets a valid frame and checksum (so that the fuzzer
// reaches cereal's archives, not only the frame checks). Any outcome but a
// value or cachet::invalid_data (a crash, a sanitizer report, another
// exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <cachet/coder/cereal_binary.hpp>
#include <cachet/coder/cereal_json.hpp>
#include <cachet/coder/cereal_portable.hpp>
#include <cachet/errors.hpp>

#include "fuzz_types.hpp"

namespace {

template <class Coder, class T>
void decode_one(const Coder& coder, std::string_view bytes, bool framed) {
  std::string stored(bytes);
  if constexpr (!std::is_same_v<Coder, cachet::cereal_json>) {
    if (framed) {  // a valid frame for T around the payload
      stored = coder.encode(T{}).substr(0, cachet::detail::envelope_size) + std::string(bytes);
      cachet::detail::seal_envelope(stored);
    }
  }
  try {
    const T value = coder.template decode<T>(stored);
    (void)value;
  } catch (const cachet::invalid_data&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool framed = (selector & 0x80u) != 0;
  cachet_fuzz::with_type(selector, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    switch ((selector >> 3) % 3) {
      case 0: return decode_one<cachet::cereal_binary, T>(cachet::cereal_binary{}, bytes, framed);
      case 1: return decode_one<cachet::cereal_portable, T>(cachet::cereal_portable{}, bytes, framed);
      default: return decode_one<cachet::cereal_json, T>(cachet::cereal_json{}, bytes, framed);
    }
  });
  return 0;
}
