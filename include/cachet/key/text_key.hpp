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
  static_assert(has_text<Argument>(),
                "cachet::text_key: this argument type (see Argument, at Position counted from 0) has no text "
                "form. Specialise cachet::key_traits<Argument> with "
                "`static void append_text(std::string& out, const Argument&)`, or adapt it with "
                "BOOST_HANA_DEFINE_STRUCT.");
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
//! writes them, strings with `\ : , ( ) [ ] ~` escaped by a backslash,
//! tuples and Hana structs as `(a,b)`, ranges as `[a,b]` (an empty last
//! element adds a trailing comma: `[""]` is `[,]`, `[]` is `[]`), nullopt as
//! `~`; so two different argument lists never give the same key, and keys
//! read well in redis-cli. With an empty prefix the key starts with the
//! first argument.
struct text_key {
  using cachet_family = family::key;

  //! Names the function, so that several functions can share one store.
  std::string prefix;

  template <class... Params>
  struct bind {
    static_assert([]<std::size_t... I>(std::index_sequence<I...>) {
      return (detail::text_key_argument_check<I, detail::key_element_t<Params>>::ok && ...);
    }(std::index_sequence_for<Params...>{}));

    using key_type = std::string;
    using hasher = detail::string_hash;
    using key_equal = std::equal_to<>;

    bind() = default;
    explicit bind(const text_key& policy) : prefix(policy.prefix) {}

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
};

}  // namespace cachet
