// cachet/coder/cereal/fingerprint.hpp: the structure of a value type, as
// text for the envelope's type fingerprint: the types of an aggregate's
// fields, recursively, and those of the types named by a template's
// arguments (std::vector<S>, std::optional<S>, std::map<K, S>, ...), to a
// bounded depth. A field that changes type under the same name then changes
// the fingerprint, and bytes of the old shape are "written for another type".
//
// Reading an aggregate's fields takes a structured binding, which is a hard
// error (not a substitution failure) on a type it does not fit: one with a
// base class, a union, an anonymous union or struct member, or a number of
// names that is not its number of fields. Boost.PFR 1.81 has the same
// limits, behind static_asserts, and cannot reflect bit-fields at all (it
// binds references to each field), so cachet binds the fields itself, and
// only after aggregate-initialisation probes, which fail softly, have shown
// that the binding fits. A type the probes do not clear (a class with
// constructors, an aggregate with a base, a reference member, a C array of
// more than one element, more than max_reflected_fields fields, ...)
// contributes no structure: its fingerprint is its name and versions.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include <boost/preprocessor/punctuation/comma_if.hpp>
#include <boost/preprocessor/repetition/repeat.hpp>
#include <boost/preprocessor/repetition/repeat_from_to.hpp>

namespace cachet::detail {

inline constexpr std::size_t max_reflected_fields = 32;
inline constexpr int structure_depth = 4;

template <class U>
constexpr bool is_unnamed_class() noexcept {
  // GCC prints "<unnamed struct>", Clang "(anonymous struct at f.cpp:3:5)".
  constexpr std::string_view name = __PRETTY_FUNCTION__;
  for (std::string_view mark : {"unnamed struct", "anonymous struct", "unnamed class", "anonymous class"})
    if (name.find(mark) != std::string_view::npos) return true;
  return false;
}

// Which element types a probe initialiser converts to, for aggregate T.
struct any_element {
  template <class T, class U>
  static constexpr bool accepts = true;
};
struct base_element {
  template <class T, class U>
  static constexpr bool accepts = std::is_base_of_v<U, T> && !std::is_same_v<U, T>;
};
struct union_element {  // anonymous unions and structs cannot be bound
  template <class T, class U>
  static constexpr bool accepts = std::is_union_v<U> || (std::is_class_v<U> && is_unnamed_class<U>());
};

// Initialisers that convert to any element type Which accepts; declared
// only, for unevaluated probes.
template <class T, class Which>
struct as_prvalue {
  template <class U>
    requires(Which::template accepts<T, U>)
  operator U() const;
};
template <class T, class Which>
struct as_lvalue {
  template <class U>
    requires(Which::template accepts<T, U>)
  operator U&() const;
};

template <class X, std::size_t>
using repeated = X;

//! Probes of T{...} with N initialisers. `fill` initialises any element
//! that is not a non-const lvalue reference, and no array but element by
//! element (brace elision), so a count of fills alone can overstate the
//! fields; a `{}` in place of one fill takes exactly one element.
template <class T, std::size_t N>
struct aggregate_probe {
  using fill = as_prvalue<T, any_element>;

  template <std::size_t... K>
  static constexpr bool fills(std::index_sequence<K...>) {
    return requires { T{repeated<fill, K>{}...}; };
  }
  static constexpr bool all_fills = fills(std::make_index_sequence<N>{});

  template <class X, std::size_t... A, std::size_t... B>
  static constexpr bool x_between(std::index_sequence<A...>, std::index_sequence<B...>) {
    return requires { T{repeated<fill, A>{}..., X{}, repeated<fill, B>{}...}; };
  }
  template <std::size_t... A, std::size_t... B>
  static constexpr bool braces_between(std::index_sequence<A...>, std::index_sequence<B...>) {
    return requires { T{repeated<fill, A>{}..., {}, repeated<fill, B>{}...}; };
  }
  //! T{fill x I, X, fill x (N - I - 1)}
  template <std::size_t I, class X>
  static constexpr bool x_at = x_between<X>(std::make_index_sequence<I>{}, std::make_index_sequence<N - I - 1>{});
  template <std::size_t I>
  static constexpr bool braces_at =
      braces_between(std::make_index_sequence<I>{}, std::make_index_sequence<N - I - 1>{});

  template <class Which, std::size_t I>
  static constexpr bool element_is = x_at<I, as_prvalue<T, Which>> || x_at<I, as_lvalue<T, Which>>;

  // An element after the N filled ones: any initialiser that it takes.
  template <std::size_t... K>
  static constexpr bool more(std::index_sequence<K...>) {
    using lvalue = as_lvalue<T, any_element>;
    return requires { T{repeated<fill, K>{}..., lvalue{}}; } || requires { T{repeated<fill, K>{}..., {}}; } ||
           requires { T{repeated<fill, K>{}..., {fill{}}}; } || requires { T{repeated<fill, K>{}..., {lvalue{}}}; };
  }
  static constexpr bool more_elements = more(std::make_index_sequence<N>{});
};

template <class T, std::size_t... N>
constexpr std::size_t most_fills(std::index_sequence<N...>) {
  std::size_t most = 0;
  ((aggregate_probe<T, N>::all_fills ? most = N : 0), ...);
  return most;
}

// N fills make exactly N fields that a structured binding of N names fits:
// each fill can be swapped for a `{}` (one element each: no brace elision),
// nothing takes an (N+1)th initialiser, and no element is a base class or a
// union or unnamed class.
template <class T, std::size_t N, std::size_t... I>
constexpr bool binding_fits(std::index_sequence<I...>) {
  using probe = aggregate_probe<T, N>;
  if constexpr (N == 0 || N > max_reflected_fields || probe::more_elements)
    return false;
  else
    return (... && probe::template braces_at<I>) && !probe::template element_is<base_element, 0> &&
           !(... || probe::template element_is<union_element, I>);
}

template <class T>
concept is_complete = requires { sizeof(T); };

//! The number of fields of T when cachet can bind them, else 0.
template <class T>
constexpr std::size_t reflected_field_count() {
  if constexpr (!is_complete<T> || !std::is_class_v<T> || std::is_union_v<T> || !std::is_aggregate_v<T>) {
    return 0;
  } else {
    constexpr std::size_t n = most_fills<T>(std::make_index_sequence<max_reflected_fields + 2>{});
    if constexpr (binding_fits<T, n>(std::make_index_sequence<n>{}))
      return n;
    else
      return 0;
  }
}

template <class... F>
struct type_list {};

// decltype of a binding is its field's declared type: a bit-field's too.
#define CACHET_FIELD_NAME(z, i, _) BOOST_PP_COMMA_IF(i) f##i
#define CACHET_FIELD_TYPE(z, i, _) BOOST_PP_COMMA_IF(i) decltype(f##i)
#define CACHET_BIND_FIELDS(z, n, _)                                        \
  if constexpr (N == n) {                                                  \
    auto& [BOOST_PP_REPEAT_##z(n, CACHET_FIELD_NAME, _)] = value;          \
    return type_list<BOOST_PP_REPEAT_##z(n, CACHET_FIELD_TYPE, _)>{};      \
  } else

template <std::size_t N, class T>
auto bound_field_types(T& value) {
  static_assert(max_reflected_fields == 32, "bindings are generated below for 1 to 32 fields");
  BOOST_PP_REPEAT_FROM_TO(1, 33, CACHET_BIND_FIELDS, _)
  return type_list<>{};
}

#undef CACHET_BIND_FIELDS
#undef CACHET_FIELD_TYPE
#undef CACHET_FIELD_NAME

//! The declared types of T's fields (empty when T is not reflected).
template <class T>
using reflected_field_types = decltype(bound_field_types<reflected_field_count<T>()>(std::declval<T&>()));

template <class T>
struct type_arguments {
  using type = type_list<>;
};
template <template <class...> class Template, class... A>
struct type_arguments<Template<A...>> {
  using type = type_list<A...>;
};
template <class E, std::size_t N>
struct type_arguments<std::array<E, N>> {
  using type = type_list<E>;
};
template <class E>  // its container's arguments name E already
struct type_arguments<std::allocator<E>> {
  using type = type_list<>;
};

template <class T, int Depth>
std::string structure_text();

template <class F, int Depth>
std::string field_text() {
  // typeid drops references and cv-qualifiers; arrays keep their extent.
  using element = std::remove_cv_t<std::remove_all_extents_t<std::remove_reference_t<F>>>;
  return std::string(typeid(F).name()) + structure_text<element, Depth>() + ";";
}

template <int Depth, class... A>
std::string arguments_text(type_list<A...>) {
  const std::string parts[] = {std::string(), structure_text<A, Depth>()...};  // [0]: none if no arguments
  std::string text;
  bool known = false;
  for (std::size_t i = 1; i < std::size(parts); ++i) {
    if (i > 1) text += ',';
    text += parts[i];
    known = known || !parts[i].empty();
  }
  return known ? "<" + text + ">" : std::string();
}

template <int Depth, class... F>
std::string fields_text(type_list<F...>) {
  return "{" + (std::string() + ... + field_text<F, Depth>()) + "}";
}

//! T's structure as far as it can be known, `Depth` levels down: "{...}"
//! with an aggregate's field types, "<...>" with what a template's type
//! arguments contribute, or "" when neither adds anything to T's name.
template <class T, int Depth>
std::string structure_text() {
  if constexpr (Depth <= 0 || !is_complete<T>)
    return {};
  else if constexpr (reflected_field_count<T>() > 0)
    return fields_text<Depth - 1>(reflected_field_types<T>{});
  else
    return arguments_text<Depth - 1>(typename type_arguments<T>::type{});
}

}  // namespace cachet::detail
