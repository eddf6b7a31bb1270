// tests/test_stats.cpp: cachet::record_stats and f.stats(): hits and misses
// of every lookup form, loads, load failures and load time on the cache's
// clock, evictions and expirations from lru and dict, counts under threads;
// without record_stats there is no f.stats().
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

using namespace std::chrono_literals;

namespace {
template <class F>
concept has_stats = requires(const F& f) { f.stats(); };
}  // namespace

TEST_CASE("stats: without record_stats there is no f.stats(), and no cost", "[stats]") {
  const auto fn = [](int x) { return x; };
  auto plain = cachet::memoize(fn, cachet::lru{.capacity = 4});
  auto off = cachet::memoize(fn, cachet::lru{.capacity = 4}, cachet::no_stats{});
  auto counted = cachet::memoize(fn, cachet::lru{.capacity = 4}, cachet::record_stats{});
  STATIC_REQUIRE_FALSE(has_stats<decltype(plain)>);
  STATIC_REQUIRE_FALSE(has_stats<decltype(off)>);
  STATIC_REQUIRE(has_stats<decltype(counted)>);
  CHECK(sizeof(off) == sizeof(plain));
  CHECK(counted(2) == 2);
}

TEST_CASE("stats: hits and misses of f(...), get, at, get_many and get_or_update_many", "[stats]") {
  int calls = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return x * 2; }, cachet::lru{.capacity = 16}, cachet::record_stats{});
  CHECK(f.stats() == cachet::cache_stats{});
  CHECK(f.stats().hit_rate() == 1.0);

  f(1);            // miss, load
  f(1);            // hit
  CHECK(f.get(2) == std::nullopt);  // miss
  CHECK(f.get(1) == 2);             // hit
  CHECK_THROWS_AS(f.at(3), cachet::entry_not_found);  // miss
  CHECK(f.contains(1));             // not a lookup
  CHECK(f.touch(1));                // not a lookup
  f.execute(9);                     // neither a lookup nor a load
  f.set(8, 4);                      // a write, not a load

  auto s = f.stats();
  CHECK(s.hits == 2);
  CHECK(s.misses == 3);
  CHECK(s.loads == 1);
  CHECK(s.lookups() == 5);
  CHECK(s.hit_rate() == Approx(0.4));

  const auto many = f.get_many(std::vector<int>{1, 4, 5});  // 2 hits (1, 4), 1 miss
  CHECK(many[1] == 8);
  f.get_or_update_many(std::vector<int>{1, 6, 6, 7});  // 1 hit, 3 misses, 2 loads (6 once)
  s = f.stats();
  CHECK(s.hits == 2 + 2 + 1);
  CHECK(s.misses == 3 + 1 + 3);
  CHECK(s.loads == 1 + 2);

  f.update(1);
  f.update_many(std::vector<int>{2, 3});
  CHECK(f.stats().loads == 3 + 1 + 2);
  CHECK(f.stats().hits == 5);  // update reads nothing
}

TEST_CASE("stats: loads, load failures and load time on the cache's clock", "[stats]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize(
      [&](int x) {
        clock.advance(std::chrono::milliseconds(x));
        if (x < 0) throw std::runtime_error("negative");
        return x;
      },
      cachet::dict{}, cachet::record_stats{}, clock);
  f(5);
  f(7);
  CHECK_THROWS_AS(f(-1), std::runtime_error);
  const auto s = f.stats();
  CHECK(s.loads == 2);
  CHECK(s.load_failures == 1);
  CHECK(s.total_load_time == 11ms);  // 5 + 7 - 1
  CHECK(s.average_load_time() == std::chrono::duration_cast<cachet::duration>(11ms) / 3);
  CHECK(s.misses == 3);
}

TEST_CASE("stats: evictions from a full lru", "[stats]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 2}, cachet::record_stats{});
  for (int i = 0; i < 5; ++i) f(i);
  CHECK(f.stats().evictions == 3);
  CHECK(f.stats().expirations == 0);
  f.erase(4);  // not an eviction
  CHECK(f.stats().evictions == 3);
}

TEMPLATE_TEST_CASE("stats: expirations when an expired entry is met or reclaimed", "[stats]", cachet::lru,
                   cachet::dict) {
  cachet::manual_clock clock;
  const auto storage = [] {
    if constexpr (std::is_same_v<TestType, cachet::lru>)
      return cachet::lru{.capacity = 8};
    else
      return cachet::dict{};
  }();
  auto f = cachet::memoize([](int x) { return x; }, storage, cachet::expire_after_write{10s}, clock,
                           cachet::record_stats{});
  f(1);
  f(2);
  f(3);
  clock.advance(11s);
  CHECK(f.get(1) == std::nullopt);  // met: expired
  CHECK(f.stats().expirations == 1);
  CHECK(f.with_storage([&](auto& store) { return store.erase_expired(clock.now()); }) == 2);
  CHECK(f.stats().expirations == 3);
  CHECK(f.stats().evictions == 0);
}

TEST_CASE("stats: a byte store (dict with a coder) counts the same", "[stats]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return std::to_string(x); }, cachet::dict{}, cachet::cereal_binary{},
                           cachet::text_key{"n"}, cachet::expire_after_write{1s}, clock, cachet::record_stats{});
  f(1);
  f(1);
  clock.advance(2s);
  f(1);
  const auto s = f.stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 2);
  CHECK(s.loads == 2);
  CHECK(s.expirations == 1);
}

TEST_CASE("stats: counts are exact under threads", "[stats][threads]") {
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  constexpr int keys = 64;
  std::atomic<int> calls{0};
  auto f = cachet::memoize([&](int x) { ++calls; return x; }, cachet::lru{.capacity = 1024}, cachet::record_stats{});
  std::latch start(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < rounds; ++i) f((i * 7 + t) % keys);
    });
  for (auto& th : pool) th.join();
  const auto s = f.stats();
  CHECK(s.lookups() == std::uint64_t{threads} * rounds);
  CHECK(s.loads == static_cast<std::uint64_t>(calls.load()));
  CHECK(s.loads == keys);  // single flight: each key computed once
  CHECK(s.hits == s.lookups() - s.misses);
}

TEST_CASE("stats: a copy of the cache starts from the original's counts", "[stats]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 4}, cachet::record_stats{});
  f(1);
  f(1);
  auto g = f;
  g(1);
  CHECK(f.stats().hits == 1);
  CHECK(g.stats().hits == 2);
}
