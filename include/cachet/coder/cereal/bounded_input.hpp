// cachet/coder/cereal/bounded_input.hpp: the input archive that reads
// cereal_binary and cereal_portable payloads. It reads what cereal's
// BinaryInputArchive and PortableBinaryInputArchive read, byte for byte, but
// trusts nothing it reads: a length prefix (cereal's SizeTag: strings,
// vectors, maps, ...) larger than the bytes that remain is invalid_data
// before any container is sized from it, so hostile bytes cannot make a
// reader allocate more than a small multiple of their own size; a bool that
// is neither 0 nor 1 is invalid_data (reading it would be undefined
// behaviour), and so is an enum value outside the values its enum accepts
// (enum_load.hpp).
//
// Sequences (vector, deque, list) are read element by element into storage
// reserved no larger than the bytes that remain, never sized up front from
// the count: a count of n elements of 4 KiB each that the bytes cannot hold
// fails after the elements the bytes did hold, not after n x 4 KiB of
// default-constructed elements. Vectors of numbers are checked for
// n x sizeof(T) bytes before they are sized.
//
// What it cannot check: containers of values that take no bytes at all
// (empty classes), whose element count no byte bounds: those are rejected
// when longer than the bytes that remain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <cereal/archives/binary.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>

#include <cachet/coder/cereal/enum_load.hpp>
#include <cachet/errors.hpp>

namespace cachet::detail {

//! Reads a payload in place (no std::istream: building one costs a locale
//! lookup, about a third of a decode's time). Portable: the payload starts
//! with the writer's endianness byte, and multi-byte values are swapped when
//! it differs from this machine's.
template <bool Portable>
class bounded_binary_input
    : public cereal::InputArchive<bounded_binary_input<Portable>, cereal::AllowEmptyClassElision> {
 public:
  explicit bounded_binary_input(std::string_view payload)
      : cereal::InputArchive<bounded_binary_input, cereal::AllowEmptyClassElision>(this),
        next_(payload.data()),
        remaining_(payload.size()) {
    if constexpr (Portable) {
      std::uint8_t little = 0;
      load_bytes(&little, 1);
      if (little > 1) throw invalid_data("value does not decode: bad endianness byte");
      swap_ = (little == 1) != (cereal::portable_binary_detail::is_little_endian() != 0);
    }
  }

  //! Reads `size` bytes; with DataSize > 1 on a portable stream of the other
  //! endianness, swaps each DataSize-byte value.
  template <std::streamsize DataSize = 1>
  void loadBinary(void* data, std::streamsize size) {
    load_bytes(data, static_cast<std::size_t>(size));
    if constexpr (Portable && DataSize > 1) {
      if (swap_) {
        auto* bytes = static_cast<std::uint8_t*>(data);
        for (std::streamsize i = 0; i < size; i += DataSize)
          cereal::portable_binary_detail::swap_bytes<DataSize>(bytes + i);
      }
    }
  }

  //! A length prefix read from the stream, checked against what remains:
  //! each element of a container takes at least one byte.
  void check_length(std::uint64_t length) const {
    if (length > remaining_)
      throw invalid_data("value does not decode: a length prefix of " + std::to_string(length) +
                         " is larger than the " + std::to_string(remaining_) + " bytes that remain");
  }

  //! The bytes not read yet.
  std::size_t remaining() const noexcept { return remaining_; }

  //! Rejects the payload: `why` is what was wrong with it.
  [[noreturn]] void reject(const std::string& why) const { throw invalid_data("value does not decode: " + why); }

 private:
  void load_bytes(void* data, std::size_t size) {
    if (size > remaining_) throw invalid_data("value does not decode: truncated");
    if (size != 0) std::memcpy(data, next_, size);
    next_ += size;
    remaining_ -= size;
  }

  const char* next_;
  std::size_t remaining_;
  bool swap_ = false;
};

template <bool Portable>
inline constexpr bool checks_enums<bounded_binary_input<Portable>> = true;

template <bool Portable, class T>
  requires std::is_arithmetic_v<T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_binary_input<Portable>& ar, T& t) {
  if constexpr (std::is_same_v<T, bool>) {
    std::uint8_t byte = 0;
    ar.loadBinary(&byte, 1);
    if (byte > 1) throw invalid_data("value does not decode: a bool byte of " + std::to_string(byte));
    t = byte == 1;
  } else {
    ar.template loadBinary<sizeof(T)>(std::addressof(t), sizeof(t));
  }
}

template <bool Portable, class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_binary_input<Portable>& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <bool Portable, class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_binary_input<Portable>& ar, cereal::SizeTag<T>& t) {
  ar(t.size);
  ar.check_length(static_cast<std::uint64_t>(t.size));
}

template <bool Portable, class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_binary_input<Portable>& ar, cereal::BinaryData<T>& bd) {
  using element = std::remove_pointer_t<T>;
  ar.template loadBinary<sizeof(element)>(bd.data, static_cast<std::streamsize>(bd.size));
}

template <bool Portable, class T, class A>
  requires(!std::is_same_v<T, bool>)
void CEREAL_LOAD_FUNCTION_NAME(bounded_binary_input<Portable>& ar, std::vector<T, A>& vector) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));  // at most the bytes that remain
  if constexpr (std::is_arithmetic_v<T>) {
    ar.check_length(static_cast<std::uint64_t>(size) * sizeof(T));
    vector.resize(static_cast<std::size_t>(size));
    ar(cereal::binary_data(vector.data(), static_cast<std::size_t>(size) * sizeof(T)));
  } else {
    vector.clear();
    vector.reserve(std::min<std::size_t>(static_cast<std::size_t>(size), ar.remaining() / sizeof(T) + 1));
    for (cereal::size_type i = 0; i < size; ++i) ar(vector.emplace_back());
  }
}

template <bool Portable, class T, class A>
void CEREAL_LOAD_FUNCTION_NAME(bounded_binary_input<Portable>& ar, std::deque<T, A>& deque) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));
  deque.clear();
  for (cereal::size_type i = 0; i < size; ++i) ar(deque.emplace_back());
}

template <bool Portable, class T, class A>
void CEREAL_LOAD_FUNCTION_NAME(bounded_binary_input<Portable>& ar, std::list<T, A>& list) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));
  list.clear();
  for (cereal::size_type i = 0; i < size; ++i) ar(list.emplace_back());
}

}  // namespace cachet::detail

// The output archive each reads (what CEREAL_SETUP_ARCHIVE_TRAITS says one
// way; the other way, output to input, stays cereal's own reader), so that
// save_minimal/load_minimal pairs resolve.
namespace cereal::traits::detail {
template <>
struct get_output_from_input<cachet::detail::bounded_binary_input<false>> {
  using type = cereal::BinaryOutputArchive;
};
template <>
struct get_output_from_input<cachet::detail::bounded_binary_input<true>> {
  using type = cereal::PortableBinaryOutputArchive;
};
}  // namespace cereal::traits::detail
