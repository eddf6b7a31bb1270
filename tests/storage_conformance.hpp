// tests/storage_conformance.hpp: a storage conformance suite that any
// storage, cachet's or yours, can be run against.
//
//     #include <catch2/catch.hpp>
//     #include "storage_conformance.hpp"
//
//     struct my_fixture {
//       static constexpr const char* name = "my storage";
//       template <class Fn, class... More>
//       auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
//         return cachet::memoize(std::move(fn), my_storage{}, clock, more...);
//       }
//     };
//     using fixtures = std::tuple<my_fixture, another_fixture>;
//     CACHET_STORAGE_CONFORMANCE_TESTS(fixtures)
//
// The macro expands to TEMPLATE_LIST_TEST_CASEs (tag [conformance]) that
// run, for each fixture, every sub-operation (single and bulk, batched and
// sequential), the three expiry policies on a manual clock (the suite never
// sleeps), string arguments in all their forms, functions of zero and two
// arguments, int/std::string/std::vector<int> values, throwing functions,
// and recursion through the wrapper under cachet::mutex and
// cachet::unsynchronized. Use it once per test executable (fixed names).
//
// A fixture F is a default-constructible class with:
//   static constexpr const char* name;   shown with every failure
//   template <class Fn, class... More>
//   auto memoize(Fn fn, cachet::manual_clock clock, More... more);
//       returns cachet::memoize(std::move(fn), <storage policy>,
//       [<coder>, <key policy>,] clock, more...). `more` holds the policies a
//       test adds (an expiry, a sync or a bulk policy); never a storage, a
//       coder or a clock.
// PRECONDITION: each cache a fixture makes starts empty and its storage()
//   counts only that cache's entries (give each one a fresh file, key prefix
//   or database); a fixture object outlives the caches it makes, so it may
//   own resources (a temporary directory) that its caches use.
// PRECONDITION: the storage holds at least 64 entries without evicting.
// PRECONDITION: the storage (with the fixture's coder) can keep int, long,
//   std::string and std::vector<int> values for functions of (), (int),
//   (std::string), (std::string_view) and (int, std::string).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <forward_list>
#include <functional>
#include <list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>

namespace cachet_conformance {

using namespace std::chrono_literals;

//! A distinct value of V for each seed (strings beyond the small-string buffer).
template <class V>
V value_of(int seed) {
  if constexpr (std::is_same_v<V, int>)
    return seed;
  else if constexpr (std::is_same_v<V, std::string>)
    return "value #" + std::to_string(seed) + " is long enough to live on the heap";
  else
    return V{seed, -seed, seed * 2};
}

//! f(x) = value_of(100 * x + n) for the n-th call: every computation differs.
template <class V>
auto counting(int& calls) {
  return [&calls](int x) { return value_of<V>(100 * x + ++calls); };
}

template <class V>
using opt = std::optional<V>;

//! What each check starts from: a fixture, a manual clock, a call counter.
template <class F>
struct setup {
  F fixture;
  cachet::manual_clock clock;
  int calls = 0;
  template <class Fn, class... More>
  auto make(Fn fn, More... more) {
    return fixture.memoize(std::move(fn), clock, more...);
  }
};

struct failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct odd_failure {  // not a std::exception
  int code;
};

template <class F, class V>
void single_key_operations() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  auto f = ctx.make(counting<V>(ctx.calls));

  CHECK(f.get(1) == std::nullopt);  // get on a miss never computes
  CHECK(ctx.calls == 0);
  CHECK(f(1) == value_of<V>(101));  // miss: computed and stored
  CHECK(f(1) == value_of<V>(101));  // hit
  CHECK(ctx.calls == 1);
  CHECK(f.get(1) == opt<V>(value_of<V>(101)));
  CHECK(f.at(1) == value_of<V>(101));
  CHECK_THROWS_AS(f.at(2), cachet::entry_not_found);
  CHECK(f.storage().size() == 1u);

  CHECK(f.update(1) == value_of<V>(102));  // update computes and overwrites
  CHECK(f(1) == value_of<V>(102));
  CHECK(ctx.calls == 2);

  CHECK(f.execute(2) == value_of<V>(203));  // execute stores nothing
  CHECK_FALSE(f.contains(2));
  CHECK(f.get(2) == std::nullopt);
  CHECK(f.storage().size() == 1u);

  f.set(value_of<V>(7), 3);  // set, then get and call without computing
  CHECK(f.get(3) == opt<V>(value_of<V>(7)));
  CHECK(f(3) == value_of<V>(7));
  f.set(value_of<V>(8), 3);  // set overwrites
  CHECK(f(3) == value_of<V>(8));
  CHECK(ctx.calls == 3);
  CHECK(f.storage().size() == 2u);

  CHECK(f.contains(1));
  CHECK_FALSE(f.contains(4));
  CHECK(f.touch(1));
  CHECK_FALSE(f.touch(4));
  CHECK_FALSE(f.contains(4));  // touch does not create

  CHECK(f.erase(1));
  CHECK_FALSE(f.erase(1));
  CHECK_FALSE(f.erase(4));
  CHECK_FALSE(f.contains(1));
  CHECK(f.get(1) == std::nullopt);
  CHECK(f(1) == value_of<V>(104));  // computed again after erase
  CHECK(ctx.calls == 4);

  f.storage().clear();
  CHECK(f.storage().size() == 0u);
  CHECK_FALSE(f.contains(3));
  CHECK(f(3) == value_of<V>(305));
}

template <class F>
void keys_and_arguments() {
  INFO("storage: " << F::name);
  setup<F> ctx;

  auto one = ctx.make(counting<int>(ctx.calls));
  CHECK(one.key(1) == one.key(1));
  CHECK(one.key(1) != one.key(2));
  CHECK(one(short{3}) == one(3));  // a converted argument is the same call
  CHECK(ctx.calls == 1);

  // string arguments as const char*, std::string and std::string_view: one entry
  auto by_view = ctx.make([&ctx](std::string_view s) { return static_cast<int>(s.size()) + 1000 * ++ctx.calls; });
  const std::string text = "a string argument longer than any small-string buffer";
  const int first = by_view(text.c_str());
  CHECK(by_view(text) == first);
  CHECK(by_view(std::string_view(text)) == first);
  CHECK(by_view.key(text.c_str()) == by_view.key(std::string_view(text)));
  CHECK(by_view.key(text) == by_view.key(text.c_str()));
  CHECK(by_view.key(text) != by_view.key("another"));
  CHECK(ctx.calls == 2);
  CHECK(by_view.storage().size() == 1u);

  auto by_ref = ctx.make([&ctx](const std::string& s) { return s + std::to_string(++ctx.calls); });
  CHECK(by_ref("abc") == "abc3");
  CHECK(by_ref(std::string("abc")) == "abc3");
  CHECK(by_ref.get(std::string_view("abc")) == opt<std::string>("abc3"));
  CHECK(by_ref.contains("abc"));
  CHECK(by_ref.touch(std::string_view("abc")));
  CHECK(by_ref.erase(std::string_view("abc")));
  CHECK_FALSE(by_ref.contains(std::string("abc")));

  // two arguments
  auto two = ctx.make(
      [&ctx](int n, std::string s) { return std::to_string(n) + s + "#" + std::to_string(++ctx.calls); });
  CHECK(two(1, "a") == "1a#4");
  CHECK(two(1, std::string("a")) == "1a#4");
  CHECK(two(2, "a") == "2a#5");
  CHECK(two(1, "b") == "1b#6");
  CHECK(ctx.calls == 6);
  CHECK(two.key(1, "a") == two.key(1, std::string_view("a")));
  CHECK(two.key(1, "a") != two.key(2, "a"));
  CHECK(two.key(1, "a") != two.key(1, "b"));
  CHECK(two.get_many(std::vector<std::pair<int, std::string>>{{2, "a"}, {3, "a"}}) ==
        std::vector<opt<std::string>>{"2a#5", std::nullopt});
  CHECK(two.get_or_update_many(std::vector<std::tuple<int, std::string>>{{3, "c"}, {1, "a"}, {3, "c"}}) ==
        std::vector<std::string>{"3c#7", "1a#4", "3c#7"});
  CHECK(two.erase(1, "a"));
  CHECK_FALSE(two.contains(1, "a"));
  CHECK(two.contains(1, "b"));

  // zero arguments
  auto none = ctx.make([&ctx] { return ++ctx.calls * 10; });
  CHECK(none() == 80);
  CHECK(none() == 80);
  CHECK(none.key() == none.key());
  CHECK(none.contains());
  CHECK(none.update() == 90);
  CHECK(none.get_or_update_many(std::vector<std::tuple<>>(3)) == std::vector<int>{90, 90, 90});
  CHECK(none.erase());
  CHECK(none.get() == std::nullopt);
  CHECK(none.get_or_update_many(std::vector<std::tuple<>>(3)) == std::vector<int>{100, 100, 100});
  CHECK(ctx.calls == 10);
}

template <class F, class V, class Bulk>
void bulk_operations() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  auto f = ctx.make(counting<V>(ctx.calls), Bulk{});
  const auto v = [](int seed) { return value_of<V>(seed); };

  f.set(v(7), 2);
  CHECK(f.get_many(std::vector<int>{1, 2, 3}) == std::vector<opt<V>>{std::nullopt, v(7), std::nullopt});
  CHECK(f.get_many(std::vector<std::tuple<int>>{{2}, {1}}) == std::vector<opt<V>>{v(7), std::nullopt});

  f.set_many(std::vector<int>{1, 3}, std::list<V>{v(11), v(33)});
  CHECK(f.get_many(std::vector<int>{1, 2, 3}) == std::vector<opt<V>>{v(11), v(7), v(33)});
  CHECK(f.contains_many(std::vector<int>{1, 4, 3}) == std::vector<bool>{true, false, true});
  CHECK(f.touch_many(std::vector<int>{1, 4}) == std::vector<bool>{true, false});
  CHECK(ctx.calls == 0);

  CHECK(f.update_many(std::vector<int>{2, 4}) == std::vector<V>{v(201), v(402)});
  CHECK(f.get_many(std::vector<int>{2, 4}) == std::vector<opt<V>>{v(201), v(402)});

  CHECK(f.execute_many(std::vector<int>{5, 5}) == std::vector<V>{v(503), v(504)});
  CHECK_FALSE(f.contains(5));
  CHECK(ctx.calls == 4);

  // each distinct missing key computed once; hits and repeats in call order
  CHECK(f.get_or_update_many(std::forward_list<int>{6, 1, 6, 7, 6}) ==
        std::vector<V>{v(605), v(11), v(605), v(706), v(605)});
  CHECK(ctx.calls == 6);
  CHECK(f(6) == v(605));
  CHECK(f(7) == v(706));
  CHECK(f.storage().size() == 6u);

  CHECK(f.erase_many(std::vector<int>{1, 8, 6}) == std::vector<bool>{true, false, true});
  CHECK(f.contains_many(std::vector<int>{1, 6, 7}) == std::vector<bool>{false, false, true});
  CHECK(f.storage().size() == 4u);
}

template <class F>
void bulk_edge_cases() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  auto f = ctx.make(counting<std::string>(ctx.calls));
  const std::vector<int> none;

  CHECK(f.get_many(none).empty());
  f.set_many(none, std::vector<std::string>{});
  CHECK(f.update_many(none).empty());
  CHECK(f.execute_many(none).empty());
  CHECK(f.get_or_update_many(none).empty());
  CHECK(f.erase_many(none).empty());
  CHECK(f.contains_many(none).empty());
  CHECK(f.touch_many(none).empty());
  CHECK(ctx.calls == 0);
  CHECK(f.storage().size() == 0u);

  CHECK_THROWS_AS(f.set_many(std::vector<int>{1, 2}, std::vector<std::string>{"one"}), std::invalid_argument);
  CHECK_THROWS_AS(f.set_many(none, std::vector<std::string>{"one"}), std::invalid_argument);
  CHECK_FALSE(f.contains(1));  // a rejected set_many stores nothing
  CHECK(f.storage().size() == 0u);
}

template <class F>
void expire_after_write() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  auto f = ctx.make(counting<int>(ctx.calls), cachet::expire_after_write{10s});

  CHECK(f(1) == 101);
  ctx.clock.advance(9s);
  CHECK(f(1) == 101);  // hit before the ttl; reads do not extend it
  CHECK(f.get(1) == opt<int>(101));
  CHECK(f.contains(1));
  ctx.clock.advance(1s);  // at the ttl: expired
  CHECK_FALSE(f.contains(1));
  CHECK(f.get(1) == std::nullopt);
  CHECK_THROWS_AS(f.at(1), cachet::entry_not_found);
  CHECK_FALSE(f.touch(1));
  CHECK(f(1) == 102);  // recomputed
  CHECK(ctx.calls == 2);

  f.set(5, 2);
  ctx.clock.advance(9s);
  CHECK(f.touch(2));  // renews: 10s from now
  ctx.clock.advance(9s);
  CHECK(f.get(2) == opt<int>(5));
  CHECK_FALSE(f.contains(1));  // not touched
  ctx.clock.advance(1s);
  CHECK(f.get(2) == std::nullopt);
  CHECK(f.get_many(std::vector<int>{1, 2}) == std::vector<opt<int>>{std::nullopt, std::nullopt});
  CHECK(f.get_or_update_many(std::vector<int>{1, 2}) == std::vector<int>{103, 204});
  ctx.clock.advance(15s);
  CHECK(f.contains_many(std::vector<int>{1, 2}) == std::vector<bool>{false, false});
  CHECK(f.touch_many(std::vector<int>{1, 2}) == std::vector<bool>{false, false});
}

template <class F>
void expire_after_access() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  auto f = ctx.make(counting<int>(ctx.calls), cachet::expire_after_access{10s});

  CHECK(f(1) == 101);
  ctx.clock.advance(9s);
  CHECK(f(1) == 101);  // a hit renews
  ctx.clock.advance(9s);
  CHECK(f.get(1) == opt<int>(101));  // so does get
  ctx.clock.advance(9s);
  CHECK(f.contains(1));  // contains does not
  ctx.clock.advance(1s);
  CHECK_FALSE(f.contains(1));
  CHECK(ctx.calls == 1);

  CHECK(f(1) == 102);
  ctx.clock.advance(9s);
  CHECK(f.touch(1));  // touch renews
  ctx.clock.advance(9s);
  CHECK(f.contains(1));
  ctx.clock.advance(1s);
  CHECK(f.get(1) == std::nullopt);
  CHECK_FALSE(f.touch(1));

  f.set(7, 2);
  ctx.clock.advance(9s);
  CHECK(f.get_many(std::vector<int>{2}) == std::vector<opt<int>>{7});  // bulk hits renew
  ctx.clock.advance(9s);
  CHECK(f.touch_many(std::vector<int>{2, 3}) == std::vector<bool>{true, false});
  ctx.clock.advance(9s);
  CHECK(f.contains(2));
  ctx.clock.advance(1s);
  CHECK_FALSE(f.contains(2));
}

template <class F>
void expire_per_entry() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  auto f = ctx.make([&ctx](int x) { ++ctx.calls; return x; },
                    cachet::expire_per_entry{[](int v) { return std::chrono::seconds{v}; }});

  CHECK(f(0) == 0);  // a zero ttl: returned, not stored
  CHECK(f(0) == 0);
  CHECK(f(-5) == -5);
  CHECK(ctx.calls == 3);
  CHECK_FALSE(f.contains(0));
  CHECK(f.storage().size() == 0u);
  f.set(0, 7);
  CHECK_FALSE(f.contains(7));
  CHECK(f.update_many(std::vector<int>{0, 0}) == std::vector<int>{0, 0});
  CHECK(f.storage().size() == 0u);

  CHECK(f(5) == 5);
  CHECK(f(20) == 20);
  ctx.clock.advance(4s);
  CHECK(f.contains_many(std::vector<int>{5, 20}) == std::vector<bool>{true, true});
  ctx.clock.advance(1s);
  CHECK_FALSE(f.contains(5));
  CHECK(f.contains(20));
  CHECK(f.touch(20));  // renews by the value's own ttl
  ctx.clock.advance(19s);
  CHECK(f.get(20) == opt<int>(20));
  ctx.clock.advance(1s);
  CHECK(f.get(20) == std::nullopt);
  CHECK(ctx.calls == 7);

  f.set(3, 8);
  ctx.clock.advance(2s);
  CHECK(f.contains(8));
  ctx.clock.advance(1s);
  CHECK_FALSE(f.contains(8));
}

template <class F>
void throwing_function() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  auto f = ctx.make([&ctx](int x) -> int {
    ++ctx.calls;
    if (x == -7) throw odd_failure{7};
    if (x < 0) throw failure("negative argument " + std::to_string(x));
    return 2 * x;
  });

  CHECK_THROWS_MATCHES(f(-1), failure, Catch::Matchers::Message("negative argument -1"));
  CHECK_THROWS_MATCHES(f(-1), failure, Catch::Matchers::Message("negative argument -1"));
  CHECK(ctx.calls == 2);  // failures are not cached
  CHECK_FALSE(f.contains(-1));
  CHECK(f.storage().size() == 0u);
  try {
    f(-7);
    FAIL("f(-7) did not throw");
  } catch (const odd_failure& e) {
    CHECK(e.code == 7);
  }

  f.set(42, -2);
  CHECK_THROWS_MATCHES(f.update(-2), failure, Catch::Matchers::Message("negative argument -2"));
  CHECK(f.get(-2) == opt<int>(42));  // the old entry stays
  CHECK_THROWS_AS(f.execute(-3), failure);

  // bulk: the results before the failing call are stored, the rest are not
  CHECK_THROWS_MATCHES(f.update_many(std::vector<int>{1, -4, 2}), failure,
                       Catch::Matchers::Message("negative argument -4"));
  CHECK(f.contains(1));
  CHECK_FALSE(f.contains(2));
  CHECK_THROWS_AS(f.get_or_update_many(std::vector<int>{3, 1, -5, 4}), failure);
  CHECK(f.contains(3));
  CHECK_FALSE(f.contains(4));
  CHECK_THROWS_AS(f.execute_many(std::vector<int>{9, -6}), failure);
  CHECK_FALSE(f.contains(9));
}

template <class F, class Sync>
void recursion() {
  INFO("storage: " << F::name);
  setup<F> ctx;
  std::function<long(int)> fib_ref;  // the wrapper, once it exists
  auto fib = ctx.make(
      [&ctx, &fib_ref](int n) -> long {
        ++ctx.calls;
        return n < 2 ? n : fib_ref(n - 1) + fib_ref(n - 2);
      },
      Sync{});
  fib_ref = [&fib](int n) { return fib(n); };

  CHECK(fib(60) == 1548008755920L);
  CHECK(ctx.calls == 61);  // each n computed once
  CHECK(fib(59) == 956722026041L);
  CHECK(ctx.calls == 61);
  CHECK(fib.storage().size() == 61u);
}

}  // namespace cachet_conformance

// One test case of the suite over the fixture list (given as __VA_ARGS__:
// the parentheses of decltype keep the commas of std::tuple<A, B> together).
#define CACHET_CONFORMANCE_CASE_(title, ...) \
  TEMPLATE_LIST_TEST_CASE("storage conformance: " title, "[conformance]", \
                          std::remove_reference_t<decltype(std::declval<__VA_ARGS__>())>)

//! Expands to the conformance test cases over the fixtures of FixtureList,
//! a std::tuple<Fixture...> (a type alias, or the tuple type itself).
#define CACHET_STORAGE_CONFORMANCE_TESTS(...)                                                                \
  CACHET_CONFORMANCE_CASE_("single-key sub-operations", __VA_ARGS__) {                                       \
    namespace cc = ::cachet_conformance;                                                                     \
    SECTION("int values") { cc::single_key_operations<TestType, int>(); }                                   \
    SECTION("string values") { cc::single_key_operations<TestType, std::string>(); }                        \
    SECTION("vector values") { cc::single_key_operations<TestType, std::vector<int>>(); }                   \
  }                                                                                                          \
  CACHET_CONFORMANCE_CASE_("keys and arguments", __VA_ARGS__) {                                              \
    ::cachet_conformance::keys_and_arguments<TestType>();                                                    \
  }                                                                                                          \
  CACHET_CONFORMANCE_CASE_("bulk sub-operations", __VA_ARGS__) {                                             \
    namespace cc = ::cachet_conformance;                                                                     \
    SECTION("batched, int") { cc::bulk_operations<TestType, int, cachet::batched>(); }                       \
    SECTION("batched, string") { cc::bulk_operations<TestType, std::string, cachet::batched>(); }            \
    SECTION("sequential, vector") { cc::bulk_operations<TestType, std::vector<int>, cachet::sequential>(); } \
    SECTION("edge cases") { cc::bulk_edge_cases<TestType>(); }                                               \
  }                                                                                                          \
  CACHET_CONFORMANCE_CASE_("expiry", __VA_ARGS__) {                                                          \
    SECTION("expire_after_write") { ::cachet_conformance::expire_after_write<TestType>(); }                  \
    SECTION("expire_after_access") { ::cachet_conformance::expire_after_access<TestType>(); }                \
    SECTION("expire_per_entry") { ::cachet_conformance::expire_per_entry<TestType>(); }                      \
  }                                                                                                          \
  CACHET_CONFORMANCE_CASE_("throwing functions", __VA_ARGS__) {                                              \
    ::cachet_conformance::throwing_function<TestType>();                                                     \
  }                                                                                                          \
  CACHET_CONFORMANCE_CASE_("recursion through the wrapper", __VA_ARGS__) {                                   \
    SECTION("mutex") { ::cachet_conformance::recursion<TestType, cachet::mutex>(); }                         \
    SECTION("unsynchronized") { ::cachet_conformance::recursion<TestType, cachet::unsynchronized>(); }       \
  }
