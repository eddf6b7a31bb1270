// cachet/testing/conformance/fixtures.hpp: the three forms of fixture the
// storage conformance kit accepts (the concepts cache_fixture,
// storage_factory, storage_fixture), the adapter that makes forms 2 and 3
// look like form 1, and detail::session, what each law starts from: the
// fixture, a fresh manual clock and a call counter. Part of
// <cachet/testing/storage_conformance.hpp>, which documents the fixtures.
#pragma once

#include <concepts>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <cachet/cachet.hpp>

namespace cachet::testing {

namespace detail {

//! A function of the signature each law's probe uses.
struct probe_fn {
  int operator()(int x) const { return x; }
};

}  // namespace detail

//! Form 1: makes caches itself, given the function, the clock and the
//! policies a law adds.
template <class F>
concept cache_fixture = requires(F& f, manual_clock clock) { f.memoize(detail::probe_fn{}, clock); };

//! Form 3: a callable that makes a storage policy.
template <class F>
concept storage_factory =
    std::invocable<F&> && policy_of<std::remove_cvref_t<std::invoke_result_t<F&>>, family::storage>;

//! Anything check_storage accepts.
template <class F>
concept storage_fixture = cache_fixture<F> || policy_of<F, family::storage> || storage_factory<F>;

namespace detail {

//! Forms 2 and 3 as form 1.
template <class Make>
struct factory_fixture {
  Make make;
  template <class Fn, class... More>
  auto memoize(Fn fn, manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), make(), clock, more...);
  }
};

template <class F>
decltype(auto) as_cache_fixture(F& fixture) {
  if constexpr (cache_fixture<F>) {
    return (fixture);
  } else if constexpr (policy_of<F, family::storage>) {
    const auto copy = [&fixture] { return fixture; };
    return factory_fixture<decltype(copy)>{copy};
  } else {
    const auto call = [&fixture] { return fixture(); };
    return factory_fixture<decltype(call)>{call};
  }
}

template <class V>
using opt = std::optional<V>;

//! What each law starts from: the fixture, a fresh manual clock, a call counter.
template <class F>
struct session {
  F& fixture;
  manual_clock clock{};
  int calls = 0;

  template <class Fn, class... More>
  auto make(Fn fn, More... more) {
    return fixture.memoize(std::move(fn), clock, more...);
  }
};

//! The given fixture's `name`, else the name() of a store it makes.
template <class F, class Maker>
std::string fixture_name(F& fixture, Maker& maker) {
  if constexpr (requires { std::string(fixture.name); }) {
    return std::string(fixture.name);
  } else {
    session<Maker> ctx{maker};
    auto f = ctx.make(probe_fn{});
    return std::as_const(f.storage()).name();
  }
}

}  // namespace detail
}  // namespace cachet::testing
