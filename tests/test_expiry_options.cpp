// tests/test_expiry_options.cpp: cachet::expiry_options: negative caching
// (results not worth caching stored for negative_ttl, under every expiry
// policy, through touch, sliding renewals and the _many forms) and TTL
// jitter (deadlines spread, never past the time to live); bad values are
// std::invalid_argument. Time moves by an injected manual_clock.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

using namespace std::chrono_literals;

namespace {

// Finds even numbers only; counts its calls.
struct find_even {
  int* calls;
  std::optional<int> operator()(int x) const {
    ++*calls;
    if (x % 2 != 0) return std::nullopt;
    return x;
  }
};

}  // namespace

TEST_CASE("expiry_options: a negative result is stored for negative_ttl", "[expiry_options]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize(find_even{&calls}, cachet::lru{.capacity = 16}, cachet::expire_after_write{10min}, clock,
                           cachet::expiry_options{.negative_ttl = 30s});
  CHECK(f(1) == std::nullopt);
  CHECK(f(1) == std::nullopt);
  CHECK(calls == 1);  // the negative result was cached
  CHECK(f.contains(1));
  clock.advance(29s);
  CHECK(f(1) == std::nullopt);
  CHECK(calls == 1);
  clock.advance(2s);  // 31 s: the negative entry expired
  CHECK_FALSE(f.contains(1));
  CHECK(f(1) == std::nullopt);
  CHECK(calls == 2);

  // A positive result keeps the expiry policy's time to live.
  f(2);
  clock.advance(5min);
  CHECK(f.contains(2));
}

TEST_CASE("expiry_options: negative caching under cachet::never, and through a byte store", "[expiry_options]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize(find_even{&calls}, cachet::dict{}, cachet::cereal_binary{}, cachet::text_key{"even"},
                           clock, cachet::expiry_options{.negative_ttl = 1s});
  f(3);
  f(3);
  CHECK(calls == 1);
  clock.advance(2s);
  f(3);
  CHECK(calls == 2);
  f(4);
  clock.advance(1000h);
  CHECK(f.contains(4));  // never expires
}

TEST_CASE("expiry_options: without negative_ttl a negative result is not stored", "[expiry_options]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize(find_even{&calls}, cachet::lru{.capacity = 16}, clock,
                           cachet::expiry_options{.jitter = 0.5});
  f(1);
  f(1);
  CHECK(calls == 2);
}

TEST_CASE("expiry_options: touch and sliding expiry renew a negative entry by negative_ttl", "[expiry_options]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize(find_even{&calls}, cachet::lru{.capacity = 16}, cachet::expire_after_access{10min}, clock,
                           cachet::expiry_options{.negative_ttl = 30s});
  f(1);
  clock.advance(20s);
  CHECK(f(1) == std::nullopt);  // a hit renews: 30 s from now, not 10 min
  clock.advance(20s);
  CHECK(f.touch(1));
  clock.advance(31s);
  CHECK_FALSE(f.contains(1));
  CHECK(calls == 1);

  f(2);  // positive: 10 min, renewed by access
  clock.advance(9min);
  CHECK(f.get(2) == 2);
  clock.advance(9min);
  CHECK(f.contains(2));
}

TEST_CASE("expiry_options: the _many forms store negative entries too", "[expiry_options]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize(find_even{&calls}, cachet::lru{.capacity = 16}, cachet::expire_after_write{1h}, clock,
                           cachet::expiry_options{.negative_ttl = 10s});
  f.get_or_update_many(std::vector<int>{1, 2, 3});
  CHECK(calls == 3);
  CHECK(f.contains_many(std::vector<int>{1, 2, 3}) == std::vector<bool>{true, true, true});
  clock.advance(11s);
  CHECK(f.contains_many(std::vector<int>{1, 2, 3}) == std::vector<bool>{false, true, false});
  f.update_many(std::vector<int>{5});
  CHECK(f.contains(5));
}

TEST_CASE("expiry_options: set() of a negative result follows negative_ttl", "[expiry_options]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize(find_even{&calls}, cachet::lru{.capacity = 16}, cachet::expire_after_write{1h}, clock,
                           cachet::expiry_options{.negative_ttl = 10s});
  f.set(std::nullopt, 8);
  clock.advance(11s);
  CHECK_FALSE(f.contains(8));
}

TEST_CASE("expiry_options: jitter spreads deadlines within the time to live", "[expiry_options]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return x; }, cachet::dict{}, cachet::expire_after_write{100s}, clock,
                           cachet::expiry_options{.jitter = 0.2});
  constexpr int n = 1000;
  for (int i = 0; i < n; ++i) f(i);  // all written at the same instant
  const auto live = [&] {
    int count = 0;
    for (int i = 0; i < n; ++i) count += f.contains(i) ? 1 : 0;
    return count;
  };
  clock.advance(79s);
  CHECK(live() == n);  // none shortened by more than 20 %
  clock.advance(11s);           // 90 s: about half expired
  const int at_90 = live();
  CHECK(at_90 > n / 4);
  CHECK(at_90 < 3 * n / 4);
  clock.advance(10s);  // 100 s: the time to live; none outlives it
  CHECK(live() == 0);
}

TEST_CASE("expiry_options: without jitter, entries written together expire together", "[expiry_options]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return x; }, cachet::dict{}, cachet::expire_after_write{100s}, clock,
                           cachet::expiry_options{});
  for (int i = 0; i < 100; ++i) f(i);
  clock.advance(99s);
  for (int i = 0; i < 100; ++i) CHECK(f.contains(i));
}

TEST_CASE("expiry_options: out-of-range values are std::invalid_argument", "[expiry_options]") {
  const auto make = [](cachet::expiry_options options) {
    return cachet::memoize([](int x) { return x; }, cachet::dict{}, options);
  };
  CHECK_THROWS_WITH(make({.jitter = 1.0}), Catch::Contains("jitter must be in [0, 1)"));
  CHECK_THROWS_WITH(make({.jitter = -0.1}), Catch::Contains("jitter"));
  CHECK_THROWS_WITH(make({.negative_ttl = -1s}), Catch::Contains("negative_ttl must not be negative"));
  CHECK_NOTHROW(make({.negative_ttl = 1s, .jitter = 0.99}));
}
