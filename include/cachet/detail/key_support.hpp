// cachet/detail/key_support.hpp: hashing, equality and text form of argument
// values, following cachet::key_traits, Boost.Hana structs and what a type
// already offers; and the owning/view forms of arguments.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <functional>
#include <iterator>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/container_hash/hash.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/members.hpp>

#include <cachet/key.hpp>

namespace cachet::detail {

// ---- string-like arguments: keyed as one owning std::string ----

template <class T>
concept string_like = std::same_as<std::decay_t<T>, std::string> || std::same_as<std::decay_t<T>, std::string_view> ||
                      std::same_as<std::decay_t<T>, const char*> || std::same_as<std::decay_t<T>, char*>;

//! What a key keeps for a parameter of type P.
template <class P>
using key_element_t = std::conditional_t<string_like<P>, std::string, std::remove_cvref_t<P>>;

// ---- detection ----

template <class T>
concept hana_struct = boost::hana::Struct<T>::value;

template <class T>
concept traits_hash = requires(const T& v) {
  { key_traits<T>::hash(v) } -> std::convertible_to<std::size_t>;
};
template <class T>
concept traits_equal = requires(const T& a) {
  { key_traits<T>::equal(a, a) } -> std::convertible_to<bool>;
};
template <class T>
concept traits_text = requires(std::string& out, const T& v) { key_traits<T>::append_text(out, v); };

template <class T>
concept std_hashable = requires(const T& v) {
  { std::hash<T>{}(v) } -> std::convertible_to<std::size_t>;
};

template <class T>
concept tuple_like = requires { std::tuple_size<T>::value; } && !std::ranges::range<T>;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
concept optional_like = is_optional<T>::value;

template <class T>
concept element_range = std::ranges::input_range<const T> && !string_like<T>;

// ---- hashing ----

template <class T>
struct hashable_check;

template <class T>
constexpr bool is_hashable();

template <class Tuple, std::size_t... I>
constexpr bool tuple_elements_hashable(std::index_sequence<I...>) {
  return (is_hashable<std::remove_cvref_t<std::tuple_element_t<I, Tuple>>>() && ...);
}

template <class T>
constexpr bool is_hashable() {
  if constexpr (string_like<T> || traits_hash<T> || std_hashable<T> || hana_struct<T>)
    return true;
  else if constexpr (optional_like<T>)
    return is_hashable<typename T::value_type>();
  else if constexpr (tuple_like<T>)
    return tuple_elements_hashable<T>(std::make_index_sequence<std::tuple_size_v<T>>{});
  else if constexpr (element_range<T>)
    return is_hashable<std::ranges::range_value_t<const T>>();
  else
    return false;
}

template <class T>
constexpr bool is_equality_comparable();

template <class Tuple, std::size_t... I>
constexpr bool tuple_elements_comparable(std::index_sequence<I...>) {
  return (is_equality_comparable<std::remove_cvref_t<std::tuple_element_t<I, Tuple>>>() && ...);
}

// Containers are looked through, since their == (unconstrained for
// std::vector) would not use key_traits<Element>::equal.
template <class T>
constexpr bool is_equality_comparable() {
  if constexpr (string_like<T> || traits_equal<T> || hana_struct<T>)
    return true;
  else if constexpr (optional_like<T>)
    return is_equality_comparable<typename T::value_type>();
  else if constexpr (tuple_like<T>)
    return tuple_elements_comparable<T>(std::make_index_sequence<std::tuple_size_v<T>>{});
  else if constexpr (element_range<T>)
    return is_equality_comparable<std::ranges::range_value_t<const T>>();
  else
    return std::equality_comparable<T>;
}

template <class T>
std::size_t hash_value(const T& v) {
  if constexpr (string_like<T>) {
    return std::hash<std::string_view>{}(std::string_view(v));
  } else if constexpr (traits_hash<T>) {
    return key_traits<T>::hash(v);
  } else if constexpr (hana_struct<T>) {
    std::size_t seed = 0;
    boost::hana::for_each(boost::hana::members(v), [&](const auto& m) { boost::hash_combine(seed, hash_value(m)); });
    return seed;
  } else if constexpr (std_hashable<T>) {
    return std::hash<T>{}(v);
  } else if constexpr (optional_like<T>) {
    return v ? hash_value(*v) + 1 : 0;
  } else if constexpr (tuple_like<T> && std::tuple_size_v<T> == 1) {
    return hash_value(std::get<0>(v));  // one argument: the container mixes it
  } else if constexpr (tuple_like<T>) {
    std::size_t seed = 0;
    std::apply([&](const auto&... e) { (boost::hash_combine(seed, hash_value(e)), ...); }, v);
    return seed;
  } else {
    static_assert(element_range<T>, "cachet: internal: hash_value of an unsupported type");
    std::size_t seed = 0;
    for (const auto& e : v) boost::hash_combine(seed, hash_value(e));
    return seed;
  }
}

// ---- equality (of a stored element and a stored or view element) ----

template <class A, class B>
bool equal_value(const A& a, const B& b) {
  if constexpr (string_like<A> && string_like<B>) {
    return std::string_view(a) == std::string_view(b);
  } else if constexpr (std::same_as<A, B> && traits_equal<A>) {
    return key_traits<A>::equal(a, b);
  } else if constexpr (std::same_as<A, B> && hana_struct<A>) {
    bool same = true;
    boost::hana::for_each(boost::hana::accessors<A>(), [&](const auto& accessor) {
      same = same && equal_value(boost::hana::second(accessor)(a), boost::hana::second(accessor)(b));
    });
    return same;
  } else if constexpr (tuple_like<A> && tuple_like<B>) {
    static_assert(std::tuple_size_v<A> == std::tuple_size_v<B>, "cachet: internal: keys of different arity");
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (equal_value(std::get<I>(a), std::get<I>(b)) && ...);
    }(std::make_index_sequence<std::tuple_size_v<A>>{});
  } else if constexpr (std::same_as<A, B> && optional_like<A>) {
    if (a.has_value() != b.has_value()) return false;
    return !a.has_value() || equal_value(*a, *b);
  } else if constexpr (std::same_as<A, B> && element_range<A>) {
    auto ia = std::ranges::begin(a);
    auto ib = std::ranges::begin(b);
    for (; ia != std::ranges::end(a) && ib != std::ranges::end(b); ++ia, ++ib)
      if (!equal_value(*ia, *ib)) return false;
    return ia == std::ranges::end(a) && ib == std::ranges::end(b);
  } else {
    return a == b;
  }
}

// ---- text form ----

//! Characters text_key escapes with a backslash inside strings, so that no
//! string can imitate a separator or a structure.
inline constexpr std::string_view text_specials = "\\:,()[]~";

inline void append_escaped(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size());
  for (char c : s) {
    if (text_specials.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
}

template <class T>
constexpr bool has_text();

template <class Tuple, std::size_t... I>
constexpr bool tuple_elements_have_text(std::index_sequence<I...>) {
  return (has_text<std::remove_cvref_t<std::tuple_element_t<I, Tuple>>>() && ...);
}

template <class T>
constexpr bool has_text() {
  if constexpr (traits_text<T> || string_like<T> || std::is_arithmetic_v<T> || std::is_enum_v<T>)
    return true;
  else if constexpr (hana_struct<T>)
    return true;  // members are checked when the text is made
  else if constexpr (optional_like<T>)
    return has_text<typename T::value_type>();
  else if constexpr (tuple_like<T>)
    return tuple_elements_have_text<T>(std::make_index_sequence<std::tuple_size_v<T>>{});
  else if constexpr (element_range<T>)
    return has_text<std::ranges::range_value_t<const T>>();
  else
    return false;
}

template <class T>
void append_number(std::string& out, T v) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  out.append(buffer, result.ptr);
}

template <class T>
void append_text(std::string& out, const T& v) {
  if constexpr (traits_text<T>) {
    key_traits<T>::append_text(out, v);
  } else if constexpr (string_like<T>) {
    append_escaped(out, std::string_view(v));
  } else if constexpr (std::same_as<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::same_as<T, char>) {
    append_escaped(out, std::string_view(&v, 1));
  } else if constexpr (std::is_arithmetic_v<T>) {
    append_number(out, v);
  } else if constexpr (std::is_enum_v<T>) {
    append_number(out, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (optional_like<T>) {
    if (!v) {
      out += '~';
    } else if constexpr (optional_like<typename T::value_type>) {
      out += '(';  // keeps optional<optional<U>>{nullopt} apart from nullopt
      append_text(out, *v);
      out += ')';
    } else {
      append_text(out, *v);
    }
  } else if constexpr (hana_struct<T>) {
    out += '(';
    bool first = true;
    boost::hana::for_each(boost::hana::members(v), [&](const auto& m) {
      static_assert(has_text<std::remove_cvref_t<decltype(m)>>(),
                    "cachet::text_key: a member of this Hana struct has no text form; "
                    "specialise cachet::key_traits<Member>::append_text");
      if (!first) out += ',';
      first = false;
      append_text(out, m);
    });
    out += ')';
  } else if constexpr (tuple_like<T>) {
    out += '(';
    bool first = true;
    std::apply([&](const auto&... e) { ((out += first ? "" : ",", first = false, append_text(out, e)), ...); }, v);
    out += ')';
  } else {
    static_assert(element_range<T>, "cachet: internal: append_text of an unsupported type");
    out += '[';
    bool first = true;
    bool last_empty = false;
    for (const auto& e : v) {
      if (!first) out += ',';
      first = false;
      const std::size_t before = out.size();
      append_text(out, e);
      last_empty = out.size() == before;
    }
    // An empty last element (an empty string) is marked by a trailing comma,
    // as in Python's ("",): else [""] and [] would both read "[]".
    if (last_empty) out += ',';
    out += ']';
  }
}

// ---- the forms of one argument ----

//! The form of argument `a` (declared as parameter P) used for lookups:
//! a string_view for strings, a reference when no conversion is needed,
//! else the converted value.
template <class P, class A>
decltype(auto) view_of(const A& a) {
  using E = key_element_t<P>;
  if constexpr (string_like<P> && std::convertible_to<const A&, std::string_view>)
    return std::string_view(a);
  else if constexpr (std::same_as<A, E>)
    return (a);  // a reference to the caller's argument
  else
    return E(a);
}

template <class P, class A>
// A `const E&` when the argument is used in place, so a lookup copies nothing.
using view_t = decltype(view_of<P>(std::declval<const A&>()));

//! The owning form of argument `a`.
template <class P, class A>
key_element_t<P> own(const A& a) {
  using E = key_element_t<P>;
  if constexpr (string_like<P> && std::convertible_to<const A&, std::string_view>)
    return E(std::string_view(a));
  else
    return E(a);
}

//! A transparent hasher over values and tuples of values, for typed stores.
struct value_hash {
  using is_transparent = void;
  template <class T>
  std::size_t operator()(const T& v) const {
    return hash_value(v);
  }
};

//! Transparent equality matching value_hash.
struct value_equal {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return equal_value(a, b);
  }
};

//! Text of a key for error messages; "?" for a key with no text form.
template <class Key>
std::string describe_key(const Key& key) {
  if constexpr (has_text<Key>()) {
    std::string out;
    append_text(out, key);
    return out;
  } else {
    return "?";
  }
}

}  // namespace cachet::detail
