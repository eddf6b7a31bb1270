// cachet/key/tuple_key.hpp: the arguments themselves as the key (the typed
// default).
#pragma once

#include <concepts>
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
template <class Argument>
constexpr bool tuple_keyable() {
  using E = key_element_t<Argument>;
  return is_hashable<E>() && is_equality_comparable<E>() && std::copy_constructible<E>;
}

template <std::size_t Position, class Argument>
struct tuple_key_argument_check {
  static_assert(tuple_keyable<Argument>(),
                "cachet::tuple_key: this argument type (see Argument, at Position counted from 0) cannot "
                "form a key: it, or a part of it, has no hash or no ==, or cannot be copied into the key. "
                "Give it std::hash and operator==, "
                "or specialise cachet::key_traits<Argument> with `static std::size_t hash(const Argument&)` "
                "and `static bool equal(const Argument&, const Argument&)`, or with "
                "`static auto key(const Argument&)` returning a value that is a key (an id, a string), or "
                "adapt it with BOOST_HANA_DEFINE_STRUCT. See docs/key.md.");
  static constexpr bool ok = true;
};

}  // namespace detail

//! The key is the tuple of the owning forms of the arguments: strings
//! (`const char*`, `std::string_view`, `std::string`) as one std::string,
//! views (std::span) as a std::vector, a type with a key_traits<T>::key
//! projection as that projection; other arguments as they are. Nothing is
//! formatted, and a lookup builds a tuple of views, so a hit allocates
//! nothing. For typed storages (lru, dict).
struct tuple_key {
  using cachet_family = family::key;

  //! bind<Params...>, with the parameters' positions named in errors
  //! (cachet::ignore_args binds the inner key to the arguments it keeps).
  template <class Positions, class... Params>
  struct bind_at;

  template <std::size_t... Positions, class... Params>
  struct bind_at<std::index_sequence<Positions...>, Params...> {
    static_assert((detail::tuple_key_argument_check<Positions, std::remove_cvref_t<Params>>::ok && ...));

    // When an argument is not a key, the check above has said so; the
    // members below then compile quietly.
    static constexpr bool keyable = (detail::tuple_keyable<std::remove_cvref_t<Params>>() && ...);

    using key_type = std::conditional_t<keyable, std::tuple<detail::key_element_t<Params>...>, std::tuple<>>;
    using hasher = detail::value_hash;
    using key_equal = detail::value_equal;

    bind_at() = default;
    explicit bind_at(const tuple_key&) {}

    template <class... A>
    key_type make(const A&... args) const {
      if constexpr (keyable)
        return key_type(detail::own<Params>(args)...);
      else
        return key_type();
    }

    template <class... A>
    auto lookup(const A&... args) const {
      if constexpr (keyable)
        return std::tuple<detail::view_t<Params, A>...>(detail::view_of<Params>(args)...);
      else
        return key_type();
    }
  };

  template <class... Params>
  using bind = bind_at<std::index_sequence_for<Params...>, Params...>;
};

}  // namespace cachet
