// cachet/detail/key_forms.hpp: the forms of an argument in a key: the
// owning form a key keeps (strings as std::string, views as vectors,
// projections in place of objects) and the lookup form a hit uses,
// allocating nothing.
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/detail/key_visitors.hpp>
#include <cachet/detail/key_walk.hpp>

namespace cachet::detail {

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

}  // namespace cachet::detail
