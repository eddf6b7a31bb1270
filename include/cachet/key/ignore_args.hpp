// cachet/key/ignore_args.hpp: a key adaptor that leaves some arguments out
// of the key (a logger, a connection, a request context).
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cachet/key.hpp>

namespace cachet {

namespace detail {

// The positions in [0, N) that are not among Ignored, as an index_sequence.
template <std::size_t N, std::size_t... Ignored>
struct kept_positions {
  static constexpr bool kept(std::size_t i) { return ((i != Ignored) && ...); }
  static constexpr std::size_t count = [] {
    std::size_t n = 0;
    for (std::size_t i = 0; i < N; ++i) n += kept(i) ? 1 : 0;
    return n;
  }();
  struct table {
    std::size_t at[count + 1];
  };
  static constexpr table positions = [] {
    table t{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < N; ++i)
      if (kept(i)) t.at[n++] = i;
    return t;
  }();
  template <std::size_t... J>
  static std::index_sequence<positions.at[J]...> select(std::index_sequence<J...>);
  using type = decltype(select(std::make_index_sequence<count>{}));
};

// A separate class, so that a failure leaves the bound key usable and its
// message is the only error.
template <std::size_t Arity, std::size_t... Positions>
struct ignore_args_positions_check {
  static_assert(((Positions < Arity) && ...),
                "cachet::ignore_args: a position is out of range: positions count the memoized "
                "function's parameters from 0");
  static constexpr bool ok = true;
};

// Inner bound to the parameters at Kept, naming their positions in errors
// where Inner offers bind_at.
template <class Inner, class Kept, class... Params>
struct bind_kept;
template <class Inner, std::size_t... Kept, class... Params>
struct bind_kept<Inner, std::index_sequence<Kept...>, Params...> {
  template <std::size_t I>
  using param = std::tuple_element_t<I, std::tuple<Params...>>;
  static auto pick() {
    if constexpr (requires { typename Inner::template bind_at<std::index_sequence<Kept...>, param<Kept>...>; })
      return std::type_identity<typename Inner::template bind_at<std::index_sequence<Kept...>, param<Kept>...>>{};
    else
      return std::type_identity<typename Inner::template bind<param<Kept>...>>{};
  }
  using type = typename decltype(pick())::type;
};

}  // namespace detail

//! The key of Inner over the arguments whose positions (counted from 0) are
//! not among Positions. Made by cachet::ignore_args<Positions...>::over(inner),
//! or named: `cachet::ignore_args_over<cachet::text_key, 0>{{"p"}}`.
template <class Inner, std::size_t... Positions>
struct ignore_args_over {
  using cachet_family = family::key;
  static_assert(policy_of<Inner, family::key>, "cachet::ignore_args: the inner policy is not a key policy");

  Inner inner;

  template <class... Params>
  struct bind {
    static_assert(detail::ignore_args_positions_check<sizeof...(Params), Positions...>::ok);
    using kept = typename detail::kept_positions<sizeof...(Params), Positions...>::type;
    using inner_bound = typename detail::bind_kept<Inner, kept, Params...>::type;

    using key_type = typename inner_bound::key_type;
    using hasher = typename inner_bound::hasher;
    using key_equal = typename inner_bound::key_equal;

    explicit bind(const ignore_args_over& policy) : inner_(policy.inner) {}

    template <class... A>
    key_type make(const A&... args) const {
      return call(kept{}, [this](const auto&... a) { return inner_.make(a...); }, args...);
    }

    template <class... A>
    auto lookup(const A&... args) const {
      return call(kept{}, [this](const auto&... a) { return inner_.lookup(a...); }, args...);
    }

   private:
    template <std::size_t... K, class F, class... A>
    static decltype(auto) call(std::index_sequence<K...>, F&& f, const A&... args) {
      const std::tuple<const A&...> all(args...);
      return f(std::get<K>(all)...);
    }

    inner_bound inner_;
  };
};

//! Leaves the arguments at Positions (counted from 0) out of the key, e.g. a
//! logger: `cachet::ignore_args<1>{}` keys with the storage's default key
//! (tuple_key for typed storages, text_key for byte storages);
//! `cachet::ignore_args<0, 2>::over(cachet::text_key{"p"})` with the key
//! named. A position past the last parameter, or arguments left that do not
//! form a key, stop compilation with a static_assert.
template <std::size_t... Positions>
struct ignore_args {
  using cachet_family = family::key;

  //! The adaptor over `inner`.
  template <class Inner>
  static ignore_args_over<Inner, Positions...> over(Inner inner) {
    return {std::move(inner)};
  }

  //! The adaptor over the storage's default key (see detail::with_default_key_t).
  template <class DefaultKey>
  using with_default_key = ignore_args_over<DefaultKey, Positions...>;

  template <class DefaultKey>
  operator ignore_args_over<DefaultKey, Positions...>() const {
    return {DefaultKey{}};
  }
};

}  // namespace cachet
