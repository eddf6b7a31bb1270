// cachet/coder/cereal/enum_range.hpp: which integers a decoder may turn into
// an enum E, decided at compile time:
//   - cachet::enum_bounds<E> specialised: [min, max];
//   - a fixed underlying type U (`enum class`, `enum E : U`): every U, since
//     each is a value of E (one that names no enumerator is accepted);
//   - no fixed underlying type: E's range of values ([dcl.enum]/8, the
//     values of the smallest bit-field that holds every enumerator). Storing
//     an integer outside it in E is undefined behaviour (UBSan's
//     -fsanitize=enum reports the load), so the decoder must reject it. The
//     enumerators are found by naming candidate values in a template
//     argument and reading __PRETTY_FUNCTION__, where GCC and Clang print an
//     enumerator by name and another value as a cast, "(E)7".
// Candidates: [-128, 255] and, for wider types, +-2^k and 2^k - 1 (flags,
// sentinels such as 0x7FFFFFFF). An enumerator elsewhere (404) is missed, so
// its value would be rejected: such enums declare cachet::enum_bounds.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <concepts>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cachet/coder/enum_bounds.hpp>

namespace cachet::detail {

template <class E>
concept declares_enum_bounds = std::is_enum_v<E> && requires {
  { enum_bounds<E>::min } -> std::convertible_to<E>;
  { enum_bounds<E>::max } -> std::convertible_to<E>;
};

// Direct-list-initialisation from the underlying type compiles only for
// enums with a fixed underlying type ([dcl.init.list]/3.8).
template <class E>
concept has_fixed_underlying_type = std::is_enum_v<E> && requires { E{std::underlying_type_t<E>{}}; };

//! True when V, a value of an enum type, is one of its enumerators.
template <auto V>
constexpr bool is_enumerator() noexcept {
  // "... [with auto V = ns::colour::red]" or "... [V = (ns::colour)7]":
  // a non-enumerator ends in ")" and an integer, which no name can.
  constexpr std::string_view signature = __PRETTY_FUNCTION__;
  std::size_t i = signature.size() - 1;  // the closing ']'
  const std::size_t end = i;
  while (i > 0 && signature[i - 1] >= '0' && signature[i - 1] <= '9') --i;
  if (i == end) return true;
  if (signature[i - 1] == '-') --i;
  return signature[i - 1] != ')';
}

template <class U>
constexpr std::size_t enum_probe_count = 384 + (sizeof(U) * CHAR_BIT > 8 ? 3 * (sizeof(U) * CHAR_BIT - 8) : 0);

//! The candidate values, converted (modulo 2^bits) to U.
template <class U>
constexpr std::array<U, enum_probe_count<U>> enum_probes() noexcept {
  std::array<U, enum_probe_count<U>> probes{};
  std::size_t n = 0;
  for (long long v = -128; v <= 255; ++v) probes[n++] = static_cast<U>(v);
  for (std::size_t k = 8; k < sizeof(U) * CHAR_BIT; ++k) {
    const unsigned long long power = 1ull << k;
    probes[n++] = static_cast<U>(power);
    probes[n++] = static_cast<U>(power - 1);
    probes[n++] = static_cast<U>(0ull - power);
  }
  return probes;
}

//! The inclusive range of underlying values a decoder accepts for E.
template <class U>
struct enum_value_range {
  U lo;
  U hi;
};

// [dcl.enum]/8: the values of the narrowest integer type that holds every
// enumerator (unsigned when none is negative, at least 1 bit wide).
template <class U>
constexpr enum_value_range<U> bit_field_range(U lowest, U highest) noexcept {
  constexpr int bits = sizeof(U) * CHAR_BIT;
  bool negative = false;
  if constexpr (std::is_signed_v<U>) negative = lowest < 0;
  if (!negative) {
    const int width = std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned long long>(highest))));
    if (width >= bits) return {U{0}, std::numeric_limits<U>::max()};
    return {U{0}, static_cast<U>((1ull << width) - 1)};
  }
  const long long lo = static_cast<long long>(lowest);
  const long long hi = static_cast<long long>(highest);
  int magnitude = 0;  // values are [-2^magnitude, 2^magnitude - 1]
  while (magnitude < bits - 1 && (lo < -(1ll << magnitude) || hi > (1ll << magnitude) - 1)) ++magnitude;
  if (magnitude >= bits - 1) return {std::numeric_limits<U>::min(), std::numeric_limits<U>::max()};
  return {static_cast<U>(-(1ll << magnitude)), static_cast<U>((1ll << magnitude) - 1)};
}

template <class E, std::size_t... I>
constexpr enum_value_range<std::underlying_type_t<E>> probed_range(std::index_sequence<I...>) noexcept {
  using U = std::underlying_type_t<E>;
  constexpr auto probes = enum_probes<U>();
  // An array, not a fold: Clang caps fold expressions at 256 operands.
  constexpr bool found[] = {is_enumerator<std::bit_cast<E>(probes[I])>()...};
  U lowest = std::numeric_limits<U>::max();
  U highest = std::numeric_limits<U>::min();
  bool any = false;
  for (std::size_t i = 0; i < sizeof...(I); ++i) {
    if (!found[i]) continue;
    any = true;
    lowest = std::min(lowest, probes[i]);
    highest = std::max(highest, probes[i]);
  }
  if (!any) return {U{1}, U{0}};  // empty: enum_value_problem's static_assert reports it
  return bit_field_range<U>(lowest, highest);
}

//! The values a decoder accepts for E (all of U for a fixed underlying type
//! without bounds).
template <class E>
constexpr enum_value_range<std::underlying_type_t<E>> accepted_enum_range() noexcept {
  using U = std::underlying_type_t<E>;
  if constexpr (declares_enum_bounds<E>) {
    return {static_cast<U>(enum_bounds<E>::min), static_cast<U>(enum_bounds<E>::max)};
  } else if constexpr (has_fixed_underlying_type<E>) {
    return {std::numeric_limits<U>::min(), std::numeric_limits<U>::max()};
  } else {
    return probed_range<E>(std::make_index_sequence<enum_probe_count<U>>{});
  }
}

template <class U>
std::string integer_text(U value) {
  if constexpr (std::is_signed_v<U>)
    return std::to_string(static_cast<long long>(value));
  else
    return std::to_string(static_cast<unsigned long long>(value));
}

//! Why `raw` may not become an E, or "" when it may.
template <class E>
std::string enum_value_problem(std::underlying_type_t<E> raw) {
  constexpr auto range = accepted_enum_range<E>();
  static_assert(declares_enum_bounds<E> || has_fixed_underlying_type<E> || !(range.hi < range.lo),
                "cachet: no enumerator of this enum (which has no fixed underlying type) lies in [-128, 255] "
                "or at +-2^k or 2^k - 1, so its valid values cannot be found: declare them by specialising "
                "cachet::enum_bounds<E> with static constexpr E min and max (<cachet/coder/enum_bounds.hpp>)");
  static_assert(!declares_enum_bounds<E> || !(range.hi < range.lo), "cachet::enum_bounds<E>: min is greater than max");
  if constexpr (has_fixed_underlying_type<E> && !declares_enum_bounds<E>) return {};  // every U is an E
  else if (raw < range.lo || range.hi < raw)
    return "an enum value of " + integer_text(raw) + " outside [" + integer_text(range.lo) + ", " +
           integer_text(range.hi) + "]";
  return {};
}

}  // namespace cachet::detail
