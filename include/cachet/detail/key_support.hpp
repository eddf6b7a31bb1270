// cachet/detail/key_support.hpp: how argument values become keys. One walk
// over a value's structure drives hashing, equality and the text form, and
// one check over the same structure says at compile time whether a type can
// be walked; plus the owning form of an argument (what a key keeps) and its
// lookup form (what a hit uses, allocating nothing).
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

#include <algorithm>
#include <charconv>
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

// ---- the visitors ----

struct hash_visitor {
  template <class T>
  static constexpr bool customised = traits_hash<T>;
  template <class T>
  static constexpr bool accepts = traits_hash<T> || std_hashable<T>;

  template <class T>
  std::size_t leaf(const T& v) {
    if constexpr (traits_hash<T>)
      return key_traits<T>::hash(v);
    else if constexpr (std_hashable<T>)
      return std::hash<T>{}(v);
    else
      return 0;  // the key policy's check has said so: no second error
  }
  std::size_t string(std::string_view s) { return std::hash<std::string_view>{}(s); }
  template <class T>
  std::size_t optional(const T& v) {
    return v ? hash_combine(1, walk(*this, *v)) : 0;
  }
  template <class T>
  std::size_t product(const T& v) {
    if constexpr (product_fields<T>::size == 1) {
      return walk(*this, product_fields<T>::template get<0>(v));  // one argument: the table mixes it
    } else {
      std::size_t seed = 0;
      for_each_field([&](const auto& field) { return seed = hash_combine(seed, walk(*this, field)), true; }, v);
      return seed;
    }
  }
  template <class T>
  std::size_t sequence(const T& v) {
    std::size_t seed = 0;
    std::size_t count = 0;
    for (const auto& e : v) seed = hash_combine(seed, walk(*this, e)), ++count;
    return hash_combine(seed, count);
  }
  // Order-independent: a sum of mixed element hashes.
  template <class T>
  std::size_t unordered(const T& v) {
    std::size_t sum = 0;
    for (const auto& e : v) sum += static_cast<std::size_t>(hash_mix(walk(*this, e)));
    return hash_combine(sum, v.size());
  }
};

// Equality of a key and a key or a lookup: both have the same shape
// (a lookup has string_views where the key has strings).
struct equal_visitor {
  template <class T>
  static constexpr bool customised = traits_equal<T>;
  template <class T>
  static constexpr bool accepts = traits_equal<T> || std::equality_comparable<T>;

  template <class T, class U>
  bool leaf(const T& a, const U& b) {
    if constexpr (traits_equal<T> && std::same_as<T, U>)
      return key_traits<T>::equal(a, b);
    else if constexpr (requires { { a == b } -> std::convertible_to<bool>; })
      return a == b;
    else
      return false;  // the key policy's check has said so
  }
  bool string(std::string_view a, std::string_view b) { return a == b; }
  template <class T, class U>
  bool optional(const T& a, const U& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a.has_value() || walk(*this, *a, *b);
  }
  template <class T, class U>
  bool product(const T& a, const U& b) {
    return for_each_field([&](const auto& x, const auto& y) { return walk(*this, x, y); }, a, b);
  }
  template <class T, class U>
  bool sequence(const T& a, const U& b) {
    auto ia = std::ranges::begin(a);
    auto ib = std::ranges::begin(b);
    const auto ea = std::ranges::end(a);
    const auto eb = std::ranges::end(b);
    for (; ia != ea && ib != eb; ++ia, ++ib)
      if (!walk(*this, *ia, *ib)) return false;
    return ia == ea && ib == eb;
  }
  // Each element of `a` is matched as often in `b`, among the elements the
  // containers file under its key (one, unless they are multi-containers).
  template <class T, class U>
  bool unordered(const T& a, const U& b) {
    static_assert(std::same_as<T, U>, "cachet: internal: unordered containers of different types");
    if (a.size() != b.size()) return false;
    for (const auto& x : a) {
      const auto& key = unordered_key_of<T>(x);
      const auto [a_first, a_last] = a.equal_range(key);
      const auto [b_first, b_last] = b.equal_range(key);
      const auto same_as_x = [&](const auto& y) { return walk(*this, x, y); };
      if (std::count_if(a_first, a_last, same_as_x) != std::count_if(b_first, b_last, same_as_x)) return false;
    }
    return true;
  }
};

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
void append_number(std::string& out, T v) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  out.append(buffer, result.ptr);
}

// The text form; its format is documented on cachet::text_key.
struct text_visitor {
  template <class T>
  static constexpr bool customised = traits_text<T>;
  template <class T>
  static constexpr bool accepts = traits_text<T> || std::is_arithmetic_v<T> || std::is_enum_v<T>;

  std::string& out;

  template <class T>
  void leaf(const T& v) {
    if constexpr (traits_text<T>)
      key_traits<T>::append_text(out, v);
    else if constexpr (std::same_as<T, bool>)
      out += v ? "true" : "false";
    else if constexpr (std::same_as<T, char>)
      append_escaped(out, std::string_view(&v, 1));
    else if constexpr (std::is_arithmetic_v<T>)
      append_number(out, v);
    else if constexpr (std::is_enum_v<T>)
      append_number(out, static_cast<std::underlying_type_t<T>>(v));
    // else: the key policy's check has said so
  }
  void string(std::string_view s) { append_escaped(out, s); }
  template <class T>
  void optional(const T& v) {
    if (!v) {
      out += '~';
    } else if constexpr (optional_like<typename T::value_type>) {
      out += '(';  // keeps optional<optional<U>>{nullopt} apart from nullopt
      walk(*this, *v);
      out += ')';
    } else {
      walk(*this, *v);
    }
  }
  template <class T>
  void product(const T& v) {
    out += '(';
    bool first = true;
    for_each_field(
        [&](const auto& field) {
          if (!first) out += ',';
          first = false;
          walk(*this, field);
          return true;
        },
        v);
    out += ')';
  }
  template <class T>
  void sequence(const T& v) {
    out += '[';
    bool first = true;
    bool last_empty = false;
    for (const auto& e : v) {
      if (!first) out += ',';
      first = false;
      const std::size_t before = out.size();
      walk(*this, e);
      last_empty = out.size() == before;
    }
    close_sequence(last_empty);
  }
  // The elements' texts, sorted: equal containers read alike whatever their
  // iteration order, and texts are unambiguous, so different ones differ.
  template <class T>
  void unordered(const T& v) {
    std::vector<std::string> texts;
    texts.reserve(v.size());
    for (const auto& e : v) {
      text_visitor element{texts.emplace_back()};
      walk(element, e);
    }
    std::sort(texts.begin(), texts.end());
    out += '[';
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (i != 0) out += ',';
      out += texts[i];
    }
    close_sequence(!texts.empty() && texts.back().empty());
  }
  // An empty last element (an empty string) is marked by a trailing comma,
  // as in Python's ("",): else [""] and [] would both read "[]".
  void close_sequence(bool last_empty) {
    if (last_empty) out += ',';
    out += ']';
  }
};

// ---- the operations ----

template <class T>
std::size_t hash_value(const T& v) {
  hash_visitor visitor;
  return walk(visitor, v);
}

template <class A, class B>
bool equal_value(const A& a, const B& b) {
  equal_visitor visitor;
  return walk(visitor, a, b);
}

template <class T>
void append_text(std::string& out, const T& v) {
  text_visitor visitor{out};
  walk(visitor, v);
}

template <class T>
constexpr bool is_hashable() {
  return walkable<hash_visitor, T>();
}
template <class T>
constexpr bool is_equality_comparable() {
  return walkable<equal_visitor, T>();
}
template <class T>
constexpr bool has_text() {
  return walkable<text_visitor, T>();
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

// ---- owning forms: what a key keeps ----
//
// A value is kept as it is, except what would borrow or cannot be copied:
// strings become std::string, a key_traits<T>::key projection replaces T,
// views (std::span, ...) become std::vector, and optionals, pairs, tuples
// and containers of those are rebuilt around their elements' owning forms.

template <class T>
struct owning;
template <class T>
using owning_t = typename owning<T>::type;

template <class T>
struct rebind_elements {  // a range whose elements change: a vector
  using type = std::vector<std::remove_const_t<owning_t<std::ranges::range_value_t<const T>>>>;
};
template <template <class, class, class, class> class Set, class K, class H, class E, class A>
  requires unordered_range<Set<K, H, E, A>>
struct rebind_elements<Set<K, H, E, A>> {
  using type = Set<owning_t<K>, value_hash, value_equal,
                   typename std::allocator_traits<A>::template rebind_alloc<owning_t<K>>>;
};
template <template <class, class, class, class, class> class Map, class K, class V, class H, class E, class A>
  requires unordered_range<Map<K, V, H, E, A>>
struct rebind_elements<Map<K, V, H, E, A>> {
  using type = Map<owning_t<K>, owning_t<V>, value_hash, value_equal,
                   typename std::allocator_traits<A>::template rebind_alloc<
                       std::pair<const owning_t<K>, owning_t<V>>>>;
};

template <class T>
struct rebind_fields {  // other tuple-likes are kept as they are
  using type = T;
};
template <class A, class B>
struct rebind_fields<std::pair<A, B>> {
  using type = std::pair<owning_t<A>, owning_t<B>>;
};
template <class... X>
struct rebind_fields<std::tuple<X...>> {
  using type = std::tuple<owning_t<X>...>;
};

template <class T>
constexpr auto owning_of() {
  if constexpr (std::is_reference_v<T>) {
    return owning_of<std::remove_reference_t<T>>();
  } else if constexpr (std::is_const_v<T>) {
    return std::type_identity<const owning_t<std::remove_const_t<T>>>{};
  } else if constexpr (projected<T>) {
    return owning_of<projection_t<T>>();
  } else if constexpr (string_like<T>) {
    return std::type_identity<std::string>{};
  } else if constexpr (optional_like<T>) {
    return std::type_identity<std::optional<owning_t<typename T::value_type>>>{};
  } else if constexpr (tuple_like<T>) {
    return std::type_identity<typename rebind_fields<T>::type>{};
  } else if constexpr (element_range<T>) {
    using element = std::ranges::range_value_t<const T>;
    if constexpr (std::ranges::view<T> || !std::same_as<owning_t<element>, element>)
      return std::type_identity<typename rebind_elements<T>::type>{};
    else
      return std::type_identity<T>{};
  } else {
    return std::type_identity<T>{};
  }
}

template <class T>
struct owning {
  using type = typename decltype(owning_of<T>())::type;
};

//! The owning form of `v`.
template <class T>
owning_t<T> own_value(const T& v) {
  using O = owning_t<T>;
  if constexpr (std::same_as<O, T>) {
    return v;
  } else if constexpr (projected<T>) {
    return own_value(key_traits<T>::key(v));
  } else if constexpr (string_like<T>) {
    return O(std::string_view(v));
  } else if constexpr (optional_like<T>) {
    return v ? O(own_value(*v)) : O();
  } else if constexpr (tuple_like<T>) {
    return std::apply([](const auto&... e) { return O(own_value(e)...); }, v);
  } else {
    O out;
    for (const auto& e : v) {
      if constexpr (requires { out.emplace_back(own_value(e)); })
        out.emplace_back(own_value(e));
      else
        out.emplace(own_value(e));
    }
    return out;
  }
}

// ---- the forms of one argument ----

//! What a key keeps for a parameter of type P.
template <class P>
using key_element_t = owning_t<std::remove_cvref_t<P>>;

//! The owning form of argument `a`, declared as parameter P.
template <class P, class A>
key_element_t<P> own(const A& a) {
  using D = std::remove_cvref_t<P>;
  if constexpr (string_like<D> && std::convertible_to<const A&, std::string_view>)
    return std::string(std::string_view(a));
  else
    return own_value<D>(a);  // converts `a` as the call does
}

// A view (std::span) that a lookup can use as it is: E is its owning form.
template <class D, class E>
concept walks_as = std::ranges::view<D> && std::ranges::input_range<const D> &&
                   std::same_as<E, std::vector<std::ranges::range_value_t<const D>>>;

//! The form of argument `a` (declared as parameter P) used for lookups:
//! a string_view for strings, a reference when no conversion is needed
//! (also to what a key_traits<P>::key projection returns by reference), a
//! view parameter (std::span) as it is, else the owning form.
template <class P, class A>
decltype(auto) view_of(const A& a) {
  using D = std::remove_cvref_t<P>;
  using E = key_element_t<P>;
  if constexpr (string_like<D> && std::convertible_to<const A&, std::string_view>) {
    return std::string_view(a);
  } else if constexpr (std::same_as<A, E>) {
    return (a);
  } else if constexpr (projected<D> && std::convertible_to<const A&, const D&>) {
    using K = decltype(key_traits<D>::key(a));
    if constexpr (std::is_lvalue_reference_v<K> && std::same_as<std::remove_cvref_t<K>, E>)
      return key_traits<D>::key(a);
    else if constexpr (std::is_lvalue_reference_v<K> && string_like<std::remove_cvref_t<K>>)
      return std::string_view(key_traits<D>::key(a));
    else
      return own_value(key_traits<D>::key(a));
  } else if constexpr (walks_as<D, E> && std::convertible_to<const A&, D>) {
    return D(a);  // walks as E does, with nothing copied
  } else {
    return own<P>(a);
  }
}

template <class P, class A>
// A `const E&` when the argument is used in place, so a lookup copies nothing.
using view_t = decltype(view_of<P>(std::declval<const A&>()));

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
