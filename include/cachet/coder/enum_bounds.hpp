// cachet/coder/enum_bounds.hpp: cachet::enum_bounds<E>, the valid values of
// an enum as the cereal coders' decoders check them. Needs no cereal: a
// header that declares an enum can declare its bounds without the coders.
#pragma once

namespace cachet {

//! Declares that the stored values of enum E lie in [min, max]; the cereal
//! coders reject a decoded value outside them as cachet::invalid_data.
//! Specialise it next to the enum:
//!
//!   template <>
//!   struct cachet::enum_bounds<colour> {
//!     static constexpr colour min = colour::red;
//!     static constexpr colour max = colour::blue;
//!   };
//!
//! Without a specialisation, an enum with a fixed underlying type (every
//! `enum class`, and `enum E : T`) accepts every value of that type, and an
//! enum without one accepts its range of values ([dcl.enum]/8), found from
//! its enumerators at compile time; see docs/coder.md.
template <class E>
struct enum_bounds {};

}  // namespace cachet
