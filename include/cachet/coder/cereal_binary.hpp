// cachet/coder/cereal_binary.hpp: cereal's binary archive (the byte default).
#pragma once

#include <string>
#include <string_view>

#include <cereal/archives/binary.hpp>

#include <cachet/coder.hpp>
#include <cachet/coder/cereal/bounded_input.hpp>
#include <cachet/coder/cereal/envelope.hpp>
#include <cachet/coder/cereal/types.hpp>

namespace cachet {

//! Compact and fast; readable only on machines of the same endianness and
//! type sizes. The value type needs a cereal `serialize` (or save/load) and
//! a default constructor. Bytes are framed with a type fingerprint and an
//! XXH3-64 checksum, so corrupt or foreign bytes raise cachet::invalid_data;
//! so do hostile lengths, bools and enum values (bounded_input.hpp).
struct cereal_binary {
  using cachet_family = family::coder;

  template <class T>
  std::string encode(const T& value) const {
    return detail::envelope_encode<cereal::BinaryOutputArchive>('b', value);
  }

  template <class T>
  T decode(std::string_view bytes) const {
    return detail::envelope_decode<detail::bounded_binary_input<false>, T>('b', bytes);
  }
};

}  // namespace cachet
