// cachet/key/custom_key.hpp: a key made by a user function.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include <cachet/detail/key_support.hpp>
#include <cachet/key.hpp>
#include <cachet/key/text_key.hpp>

namespace cachet {

//! The key is `make_key(args...)`. For a byte storage it must return a
//! std::string; for a typed storage any type with a hash and == (see
//! cachet::key_traits). Use it to key on part of the arguments (ignore a
//! logger, normalise case):
//!
//!     cachet::custom_key{[](int user, const std::string& lang) { return user; }}
template <class MakeKey>
struct custom_key {
  using cachet_family = family::key;

  MakeKey make_key;

  template <class... Params>
  struct bind {
    static_assert(std::invocable<const MakeKey&, const std::remove_cvref_t<Params>&...>,
                  "cachet::custom_key: the key function cannot be called with the memoized function's "
                  "arguments");
    using key_type = std::remove_cvref_t<std::invoke_result_t<const MakeKey&, const std::remove_cvref_t<Params>&...>>;
    static_assert(detail::is_hashable<key_type>() && detail::is_equality_comparable<key_type>(),
                  "cachet::custom_key: the key function returns a type with no hash or ==; see "
                  "cachet::key_traits");
    using hasher = std::conditional_t<std::same_as<key_type, std::string>, detail::string_hash, detail::value_hash>;
    using key_equal = std::conditional_t<std::same_as<key_type, std::string>, std::equal_to<>, detail::value_equal>;

    explicit bind(const custom_key& policy) : make_key(policy.make_key) {}

    template <class... A>
    key_type make(const A&... args) const {
      return make_key(args...);
    }

    template <class... A>
    key_type lookup(const A&... args) const {
      return make_key(args...);
    }

    MakeKey make_key;
  };
};

template <class MakeKey>
custom_key(MakeKey) -> custom_key<MakeKey>;

}  // namespace cachet
