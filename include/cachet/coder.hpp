// cachet/coder.hpp: the coder family: how a value becomes what the storage
// keeps.
//
// `identity` keeps the value itself and suits typed storages (lru, dict).
// Every other coder is a *byte coder*; minimal definition of one, C, for
// values of type T:
//   using cachet_family = cachet::family::coder;
//   std::string encode(const T&) const;
//   template <class T> T decode(std::string_view bytes) const;
//                         throws cachet::invalid_data when the bytes do not
//                         hold a T (corrupt, truncated, another type)
//
// Law: decode<T>(encode(v)) == v.
// Models: identity, cereal_binary, cereal_portable, cereal_json.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

#include <cachet/policy.hpp>

namespace cachet {

//! Keeps values as they are: no encoding, no copy beyond the one returned.
struct identity {
  using cachet_family = family::coder;
};

template <class C, class T>
concept byte_coder_for = policy_of<C, family::coder> && std::copy_constructible<C> &&
                         requires(const C& c, const T& value, std::string_view bytes) {
                           { c.encode(value) } -> std::convertible_to<std::string>;
                           { c.template decode<T>(bytes) } -> std::same_as<T>;
                         };

template <class C, class T>
concept coder_for = std::same_as<C, identity> || byte_coder_for<C, T>;

}  // namespace cachet
