// cachet/key/tuple_key.hpp: the arguments themselves as the key (the typed
// default).
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cachet/detail/key_support.hpp>
#include <cachet/key.hpp>

namespace cachet {

namespace detail {

// Instantiated once per parameter so that a failure names its position and
// type in the compiler's "required from" lines.
template <std::size_t Position, class Argument>
struct tuple_key_argument_check {
  static_assert(is_hashable<Argument>(),
                "cachet::tuple_key: this argument type (see Argument, at Position counted from 0) cannot "
                "form a key: it has no hash. Give it a std::hash specialisation, specialise "
                "cachet::key_traits<Argument> with `static std::size_t hash(const Argument&)`, or adapt it "
                "with BOOST_HANA_DEFINE_STRUCT.");
  static_assert(is_equality_comparable<Argument>(),
                "cachet::tuple_key: this argument type (see Argument, at Position counted from 0) cannot "
                "form a key: it has no ==. Define operator==, specialise cachet::key_traits<Argument> with "
                "`static bool equal(const Argument&, const Argument&)`, or adapt it with "
                "BOOST_HANA_DEFINE_STRUCT.");
  static constexpr bool ok = true;
};

}  // namespace detail

//! The key is the tuple of the decayed arguments; string arguments
//! (`const char*`, `std::string_view`, `std::string`) are kept as one owning
//! std::string. Nothing is formatted, and a lookup builds a tuple of views,
//! so a hit allocates nothing. For typed storages (lru, dict).
struct tuple_key {
  using cachet_family = family::key;

  template <class... Params>
  struct bind {
    static_assert([]<std::size_t... I>(std::index_sequence<I...>) {
      return (detail::tuple_key_argument_check<I, detail::key_element_t<Params>>::ok && ...);
    }(std::index_sequence_for<Params...>{}));

    using key_type = std::tuple<detail::key_element_t<Params>...>;
    using hasher = detail::value_hash;
    using key_equal = detail::value_equal;

    bind() = default;
    explicit bind(const tuple_key&) {}

    template <class... A>
    key_type make(const A&... args) const {
      return key_type(detail::own<Params>(args)...);
    }

    template <class... A>
    std::tuple<detail::view_t<Params, A>...> lookup(const A&... args) const {
      return std::tuple<detail::view_t<Params, A>...>(detail::view_of<Params>(args)...);
    }
  };
};

}  // namespace cachet
