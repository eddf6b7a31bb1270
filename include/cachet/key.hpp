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
// Optional: `template <class Positions, class... Params> bind_at`, the same
// as bind<Params...> but naming parameter I as Positions' I-th number in
// its errors (cachet::ignore_args binds its inner key this way).
// Models: tuple_key, text_key, hashed_key, custom_key; adaptor: ignore_args.
//
// An adaptor whose inner key is left to the storage's default declares
// `template <class DefaultKey> using with_default_key = ...;`, and
// detail::with_default_key_t<K, Default> resolves it.
//
// Arguments: strings, numbers, enums, optionals, pairs, tuples, ranges
// (vector, list, deque, set, array, span...), maps (map, unordered_map...),
// Hana structs (BOOST_HANA_DEFINE_STRUCT), and any nesting of these, are keys
// as they are; types with std::hash and == are keys for tuple_key. Making
// another type an argument: specialise cachet::key_traits<T> with
//
//     template <> struct cachet::key_traits<repo> {
//       static int key(const repo& r);  // the key keeps this instead of r
//     };
//
// (any value that is itself a key: an id, a name; r need not be copyable),
// or with the members the key policy you use needs:
//
//     template <> struct cachet::key_traits<point> {
//       static std::size_t hash(const point& p) noexcept;        // tuple_key
//       static bool equal(const point& a, const point& b);       // tuple_key
//       static void append_text(std::string& out, const point&); // text_key
//     };
#pragma once

#include <concepts>
#include <type_traits>

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

namespace cachet::detail {

//! K, unless K is an adaptor with its inner key left to the storage (as
//! cachet::ignore_args<1>{}): then the adaptor over Default.
template <class K, class Default>
struct with_default_key {
  using type = K;
};
template <class K, class Default>
  requires requires { typename K::template with_default_key<Default>; }
struct with_default_key<K, Default> {
  using type = typename K::template with_default_key<Default>;
};

template <class K, class Default>
using with_default_key_t = typename with_default_key<K, Default>::type;

}  // namespace cachet::detail
