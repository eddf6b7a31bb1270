// cachet/coder/cereal/enum_load.hpp: enums read through cachet's input
// archives (bounded_binary_input, json_input) are checked against
// enum_range.hpp before they become enum values.
//
// cereal writes an enum as its underlying integer (save_minimal in
// cereal/types/common.hpp) and reads it back with a load_minimal that
// reinterprets the integer as the enum, unchecked. A second, stricter load
// beside that one would be ambiguous to cereal, so cachet uses cereal's own
// tie-breaker: a cereal::specialize entry, for cachet's archives only, that
// selects the non-member load below. It applies only while cereal's default
// is in effect for the enum: not when the enum has its own save_minimal or
// load_minimal (found through its namespace), when its minimal type is not
// the underlying integer, or when a cereal::specialize entry exists for it.
#pragma once

#include <concepts>
#include <string>
#include <type_traits>

#include <cereal/cereal.hpp>
#include <cereal/details/traits.hpp>

#include <cachet/coder/cereal/enum_range.hpp>

namespace cachet::detail {

//! Specialised to true for the input archives that check enums; each has
//! `[[noreturn]] void reject(const std::string& why)`, which throws
//! cachet::invalid_data.
template <class Archive>
inline constexpr bool checks_enums = false;

namespace enum_adl {
// No cereal function is declared here, so a call with this archive finds
// only those declared next to the enum (argument-dependent lookup).
struct probe_archive {};

template <class E>
concept has_own_minimal_functions =
    requires(const probe_archive& archive, const E& value) {
      CEREAL_SAVE_MINIMAL_FUNCTION_NAME(archive, value);
    } || requires(const probe_archive& archive, E& value, const std::underlying_type_t<E>& raw) {
      CEREAL_LOAD_MINIMAL_FUNCTION_NAME(archive, value, raw);
    };
}  // namespace enum_adl

//! cereal's default serialisation is what OutputArchive uses for enum E:
//! its underlying integer, through cereal's own save_minimal.
template <class E, class OutputArchive>
concept cereal_writes_underlying = std::is_enum_v<E> && !cereal::traits::is_specialized<E, OutputArchive>::value &&
                                   !enum_adl::has_own_minimal_functions<E> &&
                                   requires(const OutputArchive& archive, const E& value) {
                                     {
                                       CEREAL_SAVE_MINIMAL_FUNCTION_NAME(archive, value)
                                       } -> std::same_as<std::underlying_type_t<E>>;
                                   };

template <class Archive, class E>
concept checked_enum_load =
    checks_enums<Archive> && std::is_enum_v<E> &&
    cereal_writes_underlying<E, typename cereal::traits::detail::get_output_from_input<Archive>::type>;

//! Reads the underlying integer and rejects one that is not a value of E
//! (enum_range.hpp) before it is stored in E.
template <class Archive, class E>
  requires checked_enum_load<Archive, E>
void CEREAL_LOAD_FUNCTION_NAME(Archive& ar, E& value) {
  std::underlying_type_t<E> raw{};
  ar(raw);
  if (const std::string problem = enum_value_problem<E>(raw); !problem.empty()) ar.reject(problem);
  value = static_cast<E>(raw);
}

}  // namespace cachet::detail

namespace cereal {
template <class Archive, class E>
  requires cachet::detail::checked_enum_load<Archive, E>
struct specialize<Archive, E, specialization::non_member_load_save> {};
}  // namespace cereal
