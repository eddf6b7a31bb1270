// cachet/key.hpp: the key family, and the customisation point that makes a
// user type usable as an argument.
//
// A key policy K is bound to the parameter types of the memoized function:
//
//     typename K::template bind<Params...>   constructed from `const K&`
//
// Minimal definition of the bound policy B:
//   using key_type;                 what the storage keeps (owning)
//   using hasher; using key_equal;  for typed storages; transparent, so
//                                   that lookup() results are accepted too
//   key_type make(const A&... args) const;   the key of a call; A may differ
//                                   from Params where the call converts
//   auto lookup(const A&... args) const;     a cheap form for lookups (for
//                                   tuple_key: views, nothing allocated);
//                                   hashes and compares like make()
//
// Laws: make(a...) == make(b...) exactly when the calls are the same call
// (equal arguments); hasher()(lookup(a...)) == hasher()(make(a...)).
// Models: tuple_key, text_key, hashed_key, custom_key.
//
// Making your type an argument: specialise cachet::key_traits<T> with any
// of these static members (the ones the key policy you use needs):
//
//     template <> struct cachet::key_traits<point> {
//       static std::size_t hash(const point& p) noexcept;        // tuple_key
//       static bool equal(const point& a, const point& b);       // tuple_key
//       static void append_text(std::string& out, const point&); // text_key
//     };
//
// or adapt the struct with BOOST_HANA_DEFINE_STRUCT: hashing, equality and
// text form then come from its members. Types with std::hash and ==
// already work with tuple_key.
#pragma once

#include <concepts>

#include <cachet/policy.hpp>

namespace cachet {

//! The customisation point for argument types. The primary template is
//! empty: cachet then uses what the type already offers.
template <class T>
struct key_traits {};

template <class K, class... Params>
concept key_policy_for =
    policy_of<K, family::key> && requires { typename K::template bind<Params...>; } &&
    std::constructible_from<typename K::template bind<Params...>, const K&> &&
    requires(const typename K::template bind<Params...>& bound, const std::remove_cvref_t<Params>&... args) {
      typename K::template bind<Params...>::key_type;
      typename K::template bind<Params...>::hasher;
      typename K::template bind<Params...>::key_equal;
      { bound.make(args...) } -> std::same_as<typename K::template bind<Params...>::key_type>;
      bound.lookup(args...);
    };

}  // namespace cachet
