// cachet/coder/cereal_portable.hpp: cereal's portable binary archive.
#pragma once

#include <string>
#include <string_view>

#include <cereal/archives/portable_binary.hpp>

#include <cachet/coder.hpp>
#include <cachet/coder/cereal/bounded_input.hpp>
#include <cachet/coder/cereal/envelope.hpp>
#include <cachet/coder/cereal/types.hpp>

namespace cachet {

//! Like cereal_binary, but byte order is fixed, so machines of either
//! endianness share the stored bytes (a Redis used by a mixed fleet).
struct cereal_portable {
  using cachet_family = family::coder;

  template <class T>
  std::string encode(const T& value) const {
    return detail::envelope_encode<cereal::PortableBinaryOutputArchive>('p', value);
  }

  template <class T>
  T decode(std::string_view bytes) const {
    return detail::envelope_decode<detail::bounded_binary_input<true>, T>('p', bytes);
  }
};

}  // namespace cachet
