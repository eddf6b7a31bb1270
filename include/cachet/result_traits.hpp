// cachet/result_traits.hpp: which of a function's results are worth caching.
//
// A computed result that is not worth caching is returned to the caller but
// not stored, so the next call computes again: an empty std::optional (the
// lookup found nothing) by default. Say the same of any result type by
// specialising cachet::result_traits, e.g. for an expected-like type whose
// errors should not be cached:
//
//   template <class T, class E>
//   struct cachet::result_traits<my::expected<T, E>> {
//     static bool worth_caching(const my::expected<T, E>& r) noexcept { return r.has_value(); }
//   };
//
// The rule applies to what the function computes (f(...), update and their
// _many forms); set() and set_many() store what they are given.
#pragma once

#include <optional>

namespace cachet {

//! The primary template: every result is worth caching.
template <class T>
struct result_traits {
  static constexpr bool worth_caching(const T&) noexcept { return true; }
};

//! An empty optional is a negative result: returned, not stored.
template <class T>
struct result_traits<std::optional<T>> {
  static constexpr bool worth_caching(const std::optional<T>& result) noexcept { return result.has_value(); }
};

}  // namespace cachet
