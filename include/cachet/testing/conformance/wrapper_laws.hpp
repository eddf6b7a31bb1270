// cachet/testing/conformance/wrapper_laws.hpp: the laws the storage
// conformance kit runs through cachet::memoize (single_key.*, arguments,
// bulk.*, expiry.*, throwing, recursion.*): every sub-operation of the
// wrapper, with counting functions whose every computation gives a distinct
// value, so that a law sees whether a result was computed or stored. Part of
// <cachet/testing/storage_conformance.hpp>, which lists the laws.
#pragma once

#include <chrono>
#include <forward_list>
#include <functional>
#include <list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/testing/conformance/fixtures.hpp>
#include <cachet/testing/conformance/report.hpp>

#include <cachet/testing/conformance/checks_begin.hpp>

namespace cachet::testing::detail {

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

struct failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct odd_failure {  // not a std::exception
  int code;
};

template <class F, class V>
void single_key_operations(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<V>(ctx.calls));

  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);  // get on a miss never computes
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 0);
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(101));  // miss: computed and stored
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(101));  // hit
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 1);
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<V>(value_of<V>(101)));
  CACHET_CONFORMANCE_CHECK_(f.at(1) == value_of<V>(101));
  CACHET_CONFORMANCE_THROWS_(cachet::entry_not_found, f.at(2));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 1u);

  CACHET_CONFORMANCE_CHECK_(f.update(1) == value_of<V>(102));  // update computes and overwrites
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(102));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);

  CACHET_CONFORMANCE_CHECK_(f.execute(2) == value_of<V>(203));  // execute stores nothing
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(2));
  CACHET_CONFORMANCE_CHECK_(f.get(2) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 1u);

  f.set(value_of<V>(7), 3);  // set, then get and call without computing
  CACHET_CONFORMANCE_CHECK_(f.get(3) == opt<V>(value_of<V>(7)));
  CACHET_CONFORMANCE_CHECK_(f(3) == value_of<V>(7));
  f.set(value_of<V>(8), 3);  // set overwrites
  CACHET_CONFORMANCE_CHECK_(f(3) == value_of<V>(8));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 3);
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 2u);

  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(4));
  CACHET_CONFORMANCE_CHECK_(f.touch(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.touch(4));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(4));  // touch does not create

  CACHET_CONFORMANCE_CHECK_(f.erase(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.erase(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.erase(4));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(104));  // computed again after erase
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 4);

  f.storage().clear();
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(3));
  CACHET_CONFORMANCE_CHECK_(f(3) == value_of<V>(305));
}

template <class F>
void keys_and_arguments(session<F>& ctx, checker& chk) {
  auto one = ctx.make(counting<int>(ctx.calls));
  CACHET_CONFORMANCE_CHECK_(one.key(1) == one.key(1));
  CACHET_CONFORMANCE_CHECK_(one.key(1) != one.key(2));
  CACHET_CONFORMANCE_CHECK_(one(short{3}) == one(3));  // a converted argument is the same call
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 1);

  // string arguments as const char*, std::string and std::string_view: one entry
  auto by_view =
      ctx.make([&ctx](std::string_view s) { return static_cast<int>(s.size()) + 1000 * ++ctx.calls; });
  const std::string text = "a string argument longer than any small-string buffer";
  const int first = by_view(text.c_str());
  CACHET_CONFORMANCE_CHECK_(by_view(text) == first);
  CACHET_CONFORMANCE_CHECK_(by_view(std::string_view(text)) == first);
  CACHET_CONFORMANCE_CHECK_(by_view.key(text.c_str()) == by_view.key(std::string_view(text)));
  CACHET_CONFORMANCE_CHECK_(by_view.key(text) == by_view.key(text.c_str()));
  CACHET_CONFORMANCE_CHECK_(by_view.key(text) != by_view.key("another"));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);
  CACHET_CONFORMANCE_CHECK_(by_view.storage().size() == 1u);

  auto by_ref = ctx.make([&ctx](const std::string& s) { return s + std::to_string(++ctx.calls); });
  CACHET_CONFORMANCE_CHECK_(by_ref("abc") == "abc3");
  CACHET_CONFORMANCE_CHECK_(by_ref(std::string("abc")) == "abc3");
  CACHET_CONFORMANCE_CHECK_(by_ref.get(std::string_view("abc")) == opt<std::string>("abc3"));
  CACHET_CONFORMANCE_CHECK_(by_ref.contains("abc"));
  CACHET_CONFORMANCE_CHECK_(by_ref.touch(std::string_view("abc")));
  CACHET_CONFORMANCE_CHECK_(by_ref.erase(std::string_view("abc")));
  CACHET_CONFORMANCE_CHECK_FALSE_(by_ref.contains(std::string("abc")));

  // two arguments
  auto two = ctx.make(
      [&ctx](int n, std::string s) { return std::to_string(n) + s + "#" + std::to_string(++ctx.calls); });
  CACHET_CONFORMANCE_CHECK_(two(1, "a") == "1a#4");
  CACHET_CONFORMANCE_CHECK_(two(1, std::string("a")) == "1a#4");
  CACHET_CONFORMANCE_CHECK_(two(2, "a") == "2a#5");
  CACHET_CONFORMANCE_CHECK_(two(1, "b") == "1b#6");
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 6);
  CACHET_CONFORMANCE_CHECK_(two.key(1, "a") == two.key(1, std::string_view("a")));
  CACHET_CONFORMANCE_CHECK_(two.key(1, "a") != two.key(2, "a"));
  CACHET_CONFORMANCE_CHECK_(two.key(1, "a") != two.key(1, "b"));
  CACHET_CONFORMANCE_CHECK_(two.get_many(std::vector<std::pair<int, std::string>>{{2, "a"}, {3, "a"}}) ==
                            std::vector<opt<std::string>>{"2a#5", std::nullopt});
  CACHET_CONFORMANCE_CHECK_(
      two.get_or_update_many(std::vector<std::tuple<int, std::string>>{{3, "c"}, {1, "a"}, {3, "c"}}) ==
      std::vector<std::string>{"3c#7", "1a#4", "3c#7"});
  CACHET_CONFORMANCE_CHECK_(two.erase(1, "a"));
  CACHET_CONFORMANCE_CHECK_FALSE_(two.contains(1, "a"));
  CACHET_CONFORMANCE_CHECK_(two.contains(1, "b"));

  // zero arguments
  auto none = ctx.make([&ctx] { return ++ctx.calls * 10; });
  CACHET_CONFORMANCE_CHECK_(none() == 80);
  CACHET_CONFORMANCE_CHECK_(none() == 80);
  CACHET_CONFORMANCE_CHECK_(none.key() == none.key());
  CACHET_CONFORMANCE_CHECK_(none.contains());
  CACHET_CONFORMANCE_CHECK_(none.update() == 90);
  CACHET_CONFORMANCE_CHECK_(none.get_or_update_many(std::vector<std::tuple<>>(3)) == std::vector<int>{90, 90, 90});
  CACHET_CONFORMANCE_CHECK_(none.erase());
  CACHET_CONFORMANCE_CHECK_(none.get() == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(none.get_or_update_many(std::vector<std::tuple<>>(3)) ==
                            std::vector<int>{100, 100, 100});
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 10);
}

template <class F, class V, class Bulk>
void bulk_operations(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<V>(ctx.calls), Bulk{});
  const auto v = [](int seed) { return value_of<V>(seed); };

  f.set(v(7), 2);
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{1, 2, 3}) ==
                            std::vector<opt<V>>{std::nullopt, v(7), std::nullopt});
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<std::tuple<int>>{{2}, {1}}) ==
                            std::vector<opt<V>>{v(7), std::nullopt});

  f.set_many(std::vector<int>{1, 3}, std::list<V>{v(11), v(33)});
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{1, 2, 3}) == std::vector<opt<V>>{v(11), v(7), v(33)});
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{1, 4, 3}) == std::vector<bool>{true, false, true});
  CACHET_CONFORMANCE_CHECK_(f.touch_many(std::vector<int>{1, 4}) == std::vector<bool>{true, false});
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 0);

  CACHET_CONFORMANCE_CHECK_(f.update_many(std::vector<int>{2, 4}) == std::vector<V>{v(201), v(402)});
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{2, 4}) == std::vector<opt<V>>{v(201), v(402)});

  CACHET_CONFORMANCE_CHECK_(f.execute_many(std::vector<int>{5, 5}) == std::vector<V>{v(503), v(504)});
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(5));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 4);

  // each distinct missing key computed once; hits and repeats in call order
  CACHET_CONFORMANCE_CHECK_(f.get_or_update_many(std::forward_list<int>{6, 1, 6, 7, 6}) ==
                            std::vector<V>{v(605), v(11), v(605), v(706), v(605)});
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 6);
  CACHET_CONFORMANCE_CHECK_(f(6) == v(605));
  CACHET_CONFORMANCE_CHECK_(f(7) == v(706));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 6u);

  CACHET_CONFORMANCE_CHECK_(f.erase_many(std::vector<int>{1, 8, 6}) == std::vector<bool>{true, false, true});
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{1, 6, 7}) == std::vector<bool>{false, false, true});
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 4u);
}

template <class F>
void bulk_edge_cases(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<std::string>(ctx.calls));
  const std::vector<int> none;

  CACHET_CONFORMANCE_CHECK_(f.get_many(none).empty());
  CACHET_CONFORMANCE_NO_THROW_(f.set_many(none, std::vector<std::string>{}));
  CACHET_CONFORMANCE_CHECK_(f.update_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.execute_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.get_or_update_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.erase_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.contains_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.touch_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 0);
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);

  CACHET_CONFORMANCE_THROWS_(std::invalid_argument,
                             f.set_many(std::vector<int>{1, 2}, std::vector<std::string>{"one"}));
  CACHET_CONFORMANCE_THROWS_(std::invalid_argument, f.set_many(none, std::vector<std::string>{"one"}));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));  // a rejected set_many stores nothing
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
}

template <class F>
void expire_after_write_law(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<int>(ctx.calls), cachet::expire_after_write{10s});

  CACHET_CONFORMANCE_CHECK_(f(1) == 101);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);  // hit before the ttl; reads do not extend it
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<int>(101));
  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  ctx.clock.advance(1s);  // at the ttl: expired
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);
  CACHET_CONFORMANCE_THROWS_(cachet::entry_not_found, f.at(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.touch(1));
  CACHET_CONFORMANCE_CHECK_(f(1) == 102);  // recomputed
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);

  f.set(5, 2);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.touch(2));  // renews: 10s from now
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.get(2) == opt<int>(5));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));  // not touched
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_(f.get(2) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{1, 2}) == std::vector<opt<int>>{std::nullopt, std::nullopt});
  CACHET_CONFORMANCE_CHECK_(f.get_or_update_many(std::vector<int>{1, 2}) == std::vector<int>{103, 204});
  ctx.clock.advance(15s);
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{1, 2}) == std::vector<bool>{false, false});
  CACHET_CONFORMANCE_CHECK_(f.touch_many(std::vector<int>{1, 2}) == std::vector<bool>{false, false});
}

template <class F>
void expire_after_access_law(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<int>(ctx.calls), cachet::expire_after_access{10s});

  CACHET_CONFORMANCE_CHECK_(f(1) == 101);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);  // a hit renews
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<int>(101));  // so does get
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.contains(1));  // contains does not
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 1);

  CACHET_CONFORMANCE_CHECK_(f(1) == 102);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.touch(1));  // touch renews
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.touch(1));

  f.set(7, 2);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{2}) == std::vector<opt<int>>{opt<int>(7)});  // bulk hits renew
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.touch_many(std::vector<int>{2, 3}) == std::vector<bool>{true, false});
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.contains(2));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(2));
}

template <class F>
void expire_per_entry_law(session<F>& ctx, checker& chk) {
  auto f = ctx.make([&ctx](int x) { ++ctx.calls; return x; },
                    cachet::expire_per_entry{[](int v) { return std::chrono::seconds{v}; }});

  CACHET_CONFORMANCE_CHECK_(f(0) == 0);  // a zero ttl: returned, not stored
  CACHET_CONFORMANCE_CHECK_(f(0) == 0);
  CACHET_CONFORMANCE_CHECK_(f(-5) == -5);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 3);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(0));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
  f.set(0, 7);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(7));
  CACHET_CONFORMANCE_CHECK_(f.update_many(std::vector<int>{0, 0}) == std::vector<int>{0, 0});
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);

  CACHET_CONFORMANCE_CHECK_(f(5) == 5);
  CACHET_CONFORMANCE_CHECK_(f(20) == 20);
  ctx.clock.advance(4s);
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{5, 20}) == std::vector<bool>{true, true});
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(5));
  CACHET_CONFORMANCE_CHECK_(f.contains(20));
  CACHET_CONFORMANCE_CHECK_(f.touch(20));  // renews by the value's own ttl
  ctx.clock.advance(19s);
  CACHET_CONFORMANCE_CHECK_(f.get(20) == opt<int>(20));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_(f.get(20) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 7);

  f.set(3, 8);
  ctx.clock.advance(2s);
  CACHET_CONFORMANCE_CHECK_(f.contains(8));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(8));
}

template <class F>
void throwing_function(session<F>& ctx, checker& chk) {
  auto f = ctx.make([&ctx](int x) -> int {
    ++ctx.calls;
    if (x == -7) throw odd_failure{7};
    if (x < 0) throw failure("negative argument " + std::to_string(x));
    return 2 * x;
  });

  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -1", f(-1));
  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -1", f(-1));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);  // failures are not cached
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(-1));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
  CACHET_CONFORMANCE_THROWS_(odd_failure, f(-7));
  int code = 0;
  try {
    f(-7);
  } catch (const odd_failure& e) {
    code = e.code;
  } catch (...) {
  }
  CACHET_CONFORMANCE_CHECK_(code == 7);  // the exception object passes through unchanged

  f.set(42, -2);
  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -2", f.update(-2));
  CACHET_CONFORMANCE_CHECK_(f.get(-2) == opt<int>(42));  // the old entry stays
  CACHET_CONFORMANCE_THROWS_(failure, f.execute(-3));

  // bulk: the results before the failing call are stored, the rest are not
  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -4", f.update_many(std::vector<int>{1, -4, 2}));
  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(2));
  CACHET_CONFORMANCE_THROWS_(failure, f.get_or_update_many(std::vector<int>{3, 1, -5, 4}));
  CACHET_CONFORMANCE_CHECK_(f.contains(3));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(4));
  CACHET_CONFORMANCE_THROWS_(failure, f.execute_many(std::vector<int>{9, -6}));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(9));
}

template <class F, class Sync>
void recursion(session<F>& ctx, checker& chk) {
  std::function<long(int)> fib_ref;  // the wrapper, once it exists
  auto fib = ctx.make(
      [&ctx, &fib_ref](int n) -> long {
        ++ctx.calls;
        return n < 2 ? n : fib_ref(n - 1) + fib_ref(n - 2);
      },
      Sync{});
  fib_ref = [&fib](int n) { return fib(n); };

  CACHET_CONFORMANCE_CHECK_(fib(60) == 1548008755920L);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 61);  // each n computed once
  CACHET_CONFORMANCE_CHECK_(fib(59) == 956722026041L);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 61);
  CACHET_CONFORMANCE_CHECK_(fib.storage().size() == 61u);
}

}  // namespace cachet::testing::detail

#include <cachet/testing/conformance/checks_end.hpp>
