// cachet/detail/key_walk.hpp: the one walk over a value's structure that
// drives hashing, equality and the text form (key_visitors.hpp), and the one
// check over the same structure that says at compile time whether a type
// can be walked.
//
// The walk sees a value as one of these shapes, first match first:
//
//   projected  key_traits<T>::key exists: the walk goes on with key(v)
//   leaf       key_traits<T> has this visitor's member (hash, equal,
//              append_text); or bool, char, a number, an enum; or anything
//              not listed below (handled whole: std::hash and ==)
//   string     std::string, std::string_view, const char*: a string_view
//   optional   std::optional<T>
//   product    tuple-likes (std::pair, std::tuple) and Hana structs: fields
//   unordered  ranges with hasher, key_equal and equal_range
//              (std::unordered_map, ...): elements, in no particular order
//   sequence   other ranges (std::vector, std::map, std::span, ...):
//              elements in order
//
// A visitor has static `customised<T>` (key_traits<T> has its member) and
// `accepts<T>` (it can handle T as a leaf), and a member function per shape
// (leaf, string, optional, product, sequence, unordered) taking one value,
// or two for equality; it recurses with walk() and for_each_field().
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// hana::accessors_impl, the hook of BOOST_HANA_ADAPT_STRUCT, with its
// default (cheap: Hana's core dispatch only).
#include <boost/hana/accessors.hpp>

#include <cachet/key.hpp>

namespace cachet::detail {

// ---- hash mixing ----

//! A 64-bit finaliser (Boost.ContainerHash 1.81's hash_mix): every input bit
//! affects every output bit.
constexpr std::uint64_t hash_mix(std::uint64_t x) noexcept {
  constexpr std::uint64_t m = 0xe9846af9b1a615dULL;
  x ^= x >> 32;
  x *= m;
  x ^= x >> 32;
  x *= m;
  x ^= x >> 28;
  return x;
}

//! Folds hash `h` into `seed`, as boost::hash_combine does.
constexpr std::size_t hash_combine(std::size_t seed, std::size_t h) noexcept {
  return static_cast<std::size_t>(hash_mix(std::uint64_t{seed} + 0x9e3779b9U + h));
}

// ---- detection ----

template <class T>
concept string_like = std::same_as<std::decay_t<T>, std::string> || std::same_as<std::decay_t<T>, std::string_view> ||
                      std::same_as<std::decay_t<T>, const char*> || std::same_as<std::decay_t<T>, char*>;

template <class T>
concept projected = requires(const T& v) { key_traits<T>::key(v); };

template <class T>
using projection_t = std::remove_cvref_t<decltype(key_traits<T>::key(std::declval<const T&>()))>;

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
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
concept optional_like = is_optional<T>::value;

template <class T>
concept tuple_like = requires { std::tuple_size<T>::value; } && !std::ranges::range<T>;

// BOOST_HANA_DEFINE_STRUCT nests hana_accessors_impl; BOOST_HANA_ADAPT_STRUCT
// specialises hana::accessors_impl. Either way the user has included the
// Hana headers that define the accessors, so this header includes none.
template <class T>
concept hana_struct = requires { T::hana_accessors_impl::apply(); } ||
                      requires { boost::hana::accessors_impl<T>::apply(); };

// A range whose elements are not itself (std::filesystem::path is a range of paths).
template <class T>
concept element_range = std::ranges::input_range<const T> && !string_like<T> &&
                        !std::same_as<std::remove_cvref_t<std::ranges::range_value_t<const T>>, T>;

template <class T>
concept unordered_range = element_range<T> && requires(const T& c, const typename T::key_type& k) {
  typename T::hasher;
  typename T::key_equal;
  c.equal_range(k);
};

// ---- products: tuple-likes and Hana structs, as numbered fields ----

template <class T, class Accessors>
struct hana_fields;

// hana::tuple<hana::pair<Name, Accessor>...>; each Accessor is an empty
// function object returning the member.
template <class T, template <class...> class Tuple, template <class, class> class Pair, class... Names,
          class... Accessors>
struct hana_fields<T, Tuple<Pair<Names, Accessors>...>> {
  static constexpr std::size_t size = sizeof...(Accessors);
  template <std::size_t I>
  static decltype(auto) get(const T& v) {
    return std::tuple_element_t<I, std::tuple<Accessors...>>{}(v);
  }
};
template <class T, template <class...> class Tuple>
struct hana_fields<T, Tuple<>> {
  static constexpr std::size_t size = 0;
};

template <class T>
constexpr auto hana_accessors() {
  if constexpr (requires { T::hana_accessors_impl::apply(); })
    return T::hana_accessors_impl::apply();
  else
    return boost::hana::accessors_impl<T>::apply();
}

template <class T>
struct product_fields;

template <class T>
  requires tuple_like<T>
struct product_fields<T> {
  static constexpr std::size_t size = std::tuple_size_v<T>;
  template <std::size_t I>
  static decltype(auto) get(const T& v) {
    using std::get;
    return get<I>(v);
  }
};

template <class T>
  requires(hana_struct<T> && !tuple_like<T>)
struct product_fields<T> : hana_fields<T, decltype(hana_accessors<T>())> {};

template <std::size_t I, class T>
using field_t = std::remove_cvref_t<decltype(product_fields<T>::template get<I>(std::declval<const T&>()))>;

//! Calls f(field_I(v)), or f(field_I(v), field_I(w)), for each field I in
//! order while it returns true; true if it always did.
template <class F, class T>
bool for_each_field(F&& f, const T& v) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (f(product_fields<T>::template get<I>(v)) && ...);
  }(std::make_index_sequence<product_fields<T>::size>{});
}
template <class F, class T, class U>
bool for_each_field(F&& f, const T& v, const U& w) {
  static_assert(product_fields<T>::size == product_fields<U>::size, "cachet: internal: products of different sizes");
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (f(product_fields<T>::template get<I>(v), product_fields<U>::template get<I>(w)) && ...);
  }(std::make_index_sequence<product_fields<T>::size>{});
}

// ---- the walk ----

enum class shape { projected, leaf, string, optional, product, unordered, sequence };

template <class T, class Visitor>
constexpr shape shape_of() {
  if constexpr (projected<T>)
    return shape::projected;
  else if constexpr (Visitor::template customised<T> || std::is_arithmetic_v<T> || std::is_enum_v<T>)
    return shape::leaf;
  else if constexpr (string_like<T>)
    return shape::string;
  else if constexpr (optional_like<T>)
    return shape::optional;
  else if constexpr (tuple_like<T> || hana_struct<T>)
    return shape::product;
  else if constexpr (unordered_range<T>)
    return shape::unordered;
  else if constexpr (element_range<T>)
    return shape::sequence;
  else
    return shape::leaf;
}

//! Visits `v` (and `w`, walked alongside, for equality) by its shape.
template <class Visitor, class T, class... U>
decltype(auto) walk(Visitor& visitor, const T& v, const U&... w) {
  constexpr shape s = shape_of<T, Visitor>();
  if constexpr (s == shape::projected)
    return walk(visitor, key_traits<T>::key(v), key_traits<U>::key(w)...);
  else if constexpr (s == shape::leaf)
    return visitor.leaf(v, w...);
  else if constexpr (s == shape::string)
    return visitor.string(std::string_view(v), std::string_view(w)...);
  else if constexpr (s == shape::optional)
    return visitor.optional(v, w...);
  else if constexpr (s == shape::product)
    return visitor.product(v, w...);
  else if constexpr (s == shape::unordered)
    return visitor.unordered(v, w...);
  else
    return visitor.sequence(v, w...);
}

//! Whether the walk of a T by Visitor reaches only leaves it accepts.
template <class Visitor, class T>
constexpr bool walkable() {
  constexpr shape s = shape_of<T, Visitor>();
  if constexpr (s == shape::projected)
    return walkable<Visitor, projection_t<T>>();
  else if constexpr (s == shape::leaf)
    return Visitor::template accepts<T>;
  else if constexpr (s == shape::string)
    return true;
  else if constexpr (s == shape::optional)
    return walkable<Visitor, typename T::value_type>();
  else if constexpr (s == shape::product)
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (walkable<Visitor, field_t<I, T>>() && ...);
    }(std::make_index_sequence<product_fields<T>::size>{});
  else
    return walkable<Visitor, std::remove_cvref_t<std::ranges::range_value_t<const T>>>();
}

// The element's key in an unordered container (a map's element is a pair).
template <class C, class E>
const auto& unordered_key_of(const E& e) {
  if constexpr (requires { typename C::mapped_type; })
    return e.first;
  else
    return e;
}

}  // namespace cachet::detail
