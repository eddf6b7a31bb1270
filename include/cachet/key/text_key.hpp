// cachet/key/text_key.hpp: a readable string key (the byte-storage default).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <cachet/detail/key_support.hpp>
#include <cachet/key.hpp>

namespace cachet {

namespace detail {

template <std::size_t Position, class Argument>
struct text_key_argument_check {
  static_assert(has_text<key_element_t<Argument>>(),
                "cachet::text_key: this argument type (see Argument, at Position counted from 0) has no text "
                "form (it, or a part of it). Specialise cachet::key_traits<Argument> with "
                "`static void append_text(std::string& out, const Argument&)`, or with "
                "`static auto key(const Argument&)` returning a value that has one (an id, a string), or "
                "adapt it with BOOST_HANA_DEFINE_STRUCT. See docs/key.md.");
  static constexpr bool ok = true;
};

//! A transparent std::string hasher (std::string and std::string_view hash alike).
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class... Params, class... A>
void append_arguments(std::string& out, const A&... args) {
  bool first = out.empty();
  ((out += first ? "" : ":", first = false, append_text(out, view_of<Params>(args))), ...);
}

}  // namespace detail

//! The key is `prefix:arg1:arg2...`: integers and floats as std::to_chars
//! writes them (every NaN as `nan`), bool as `true`/`false`, enums as their underlying integer,
//! strings and chars with `\ : , ( ) [ ] ~` escaped by a backslash, pairs,
//! tuples and Hana structs as `(a,b)`, ranges and maps as `[a,b]` (a map's
//! elements are `(key,value)`; an empty last element adds a trailing comma:
//! `[""]` is `[,]`, `[]` is `[]`), unordered containers as `[a,b]` with the
//! elements' texts sorted, nullopt as `~` (an engaged optional<optional<T>>
//! in parentheses), a key_traits<T>::key projection as the projection's
//! text, key_traits<T>::append_text as it writes; so two different argument
//! lists never give the same key, and keys read well in redis-cli. With an
//! empty prefix the key starts with the first argument.
struct text_key {
  using cachet_family = family::key;

  //! Names the function, so that several functions can share one store.
  std::string prefix;

  //! bind<Params...>, with the parameters' positions named in errors.
  template <class Positions, class... Params>
  struct bind_at;

  template <std::size_t... Positions, class... Params>
  struct bind_at<std::index_sequence<Positions...>, Params...> {
    static_assert((detail::text_key_argument_check<Positions, std::remove_cvref_t<Params>>::ok && ...));

    using key_type = std::string;
    using hasher = detail::string_hash;
    using key_equal = std::equal_to<>;

    bind_at() = default;
    explicit bind_at(const text_key& policy) : prefix(policy.prefix) {}

    template <class... A>
    std::string make(const A&... args) const {
      std::string out = prefix;
      detail::append_arguments<Params...>(out, args...);
      return out;
    }

    template <class... A>
    std::string lookup(const A&... args) const {
      return make(args...);
    }

    std::string prefix;
  };

  template <class... Params>
  using bind = bind_at<std::index_sequence_for<Params...>, Params...>;
};

}  // namespace cachet
