// tests/test_w_tinylfu.cpp: cachet::w_tinylfu: the conformance laws, a
// randomized comparison with a plain reference of the same algorithm, lazy
// promotion (the settling of used entries), scan resistance and hit ratios
// against lru, the adaptive window, and every sub-operation through memoize
// (expiry, listener, weights, shards, bad settings). The sketch and the
// admission rule: test_w_tinylfu_admission.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/storage/w_tinylfu.hpp>

#include "allocation_counter.hpp"
#include "bounded_storage_checks.hpp"
#include "storage_conformance.hpp"
#include "w_tinylfu_reference.hpp"

using namespace std::chrono_literals;
using cause = cachet::removal_cause;
using region = cachet::detail::lfu_region;


namespace {

struct w_tinylfu_fixture {
  static constexpr const char* name = "w_tinylfu";
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), cachet::w_tinylfu{.capacity = 1000}, clock, more...);
  }
};

//! The keys of an int-keyed cache in for_each_oldest_first order.
template <class Cache>
std::vector<int> keys_of(const Cache& f) {
  std::vector<int> keys;
  f.storage().for_each_oldest_first(
      [&](const auto& key, const auto&, cachet::time_point) { keys.push_back(std::get<0>(key)); });
  return keys;
}

std::string text_of(int x) { return std::string(static_cast<std::size_t>(x), 'x'); }

//! Zipf(s) keys 0..n-1, key 0 the most popular.
std::discrete_distribution<int> zipf(std::size_t n, double s) {
  std::vector<double> weights;
  for (std::size_t k = 0; k < n; ++k) weights.push_back(1.0 / std::pow(static_cast<double>(k + 1), s));
  return std::discrete_distribution<int>(weights.begin(), weights.end());
}

}  // namespace

CACHET_STORAGE_CONFORMANCE_TESTS(std::tuple<w_tinylfu_fixture>)

// ---- the reference

namespace {

using w_tinylfu_test::int_spec;
using w_tinylfu_test::int_store;
using w_tinylfu_test::reference_w_tinylfu;

std::vector<int> keys_in(const int_store& s, region r) {
  std::vector<int> keys;
  s.for_each_in(r, [&](int key, int, cachet::time_point) { keys.push_back(key); });
  return keys;
}

// Random requests (get, then set on a miss), writes, erases, touches and
// contains on skewed keys, with time moving; compares every answer and the
// three regions, in order, after each step. Returns the steps compared;
// counts in `window_moves` the steps after which the window's size changed.
int compare_with_reference(unsigned seed, std::size_t capacity, bool adaptive, int steps, int& window_moves,
                           cachet::w_tinylfu::window_sizing sizing = cachet::w_tinylfu::ghosts) {
  std::mt19937 rng(seed);
  int_store store(cachet::w_tinylfu{.capacity = capacity, .adaptive_window = adaptive, .sizing = sizing});
  reference_w_tinylfu model(capacity, adaptive, sizing == cachet::w_tinylfu::hill_climbing);
  REQUIRE(store.window_capacity() == model.window_max);
  REQUIRE(store.protected_capacity() == model.protected_max);
  auto key_of = zipf(3 * capacity + 8, 0.9);
  std::uniform_int_distribution<int> op_of(0, 19);
  cachet::time_point now{};
  std::uniform_int_distribution<int> ttl_of(1, 400);
  for (int step = 0; step < steps; ++step) {
    const int key = key_of(rng);
    const int op = op_of(rng);
    const auto deadline = now + std::chrono::seconds(ttl_of(rng));
    const std::size_t window_before = store.window_capacity();
    bool same = true;
    switch (op) {
      case 0: same = store.erase(key) == model.erase(key); break;
      case 1: store.set(int(key), int(step), deadline); model.set(key, step, deadline); break;
      case 2: same = store.contains(key, now) == model.contains(key, now); break;
      case 3: same = store.touch(key, now, deadline) == model.touch(key, now, deadline); break;
      case 4: now += 1s; break;
      default: {
        const int* hit = store.get(key, now);
        const auto expected = model.get(key, now);
        same = hit ? expected && *hit == *expected : !expected;
        if (!hit) {
          store.set(int(key), int(step), deadline);
          model.set(key, step, deadline);
        }
      }
    }
    window_moves += store.window_capacity() != window_before;
    bool regions_agree = store.window_capacity() == model.window_max;
    for (region r : {region::window, region::probation, region::protected_})
      regions_agree = regions_agree && keys_in(store, r) == model.keys_in(r);
    if (!same || !regions_agree || store.size() != model.entries.size()) {
      INFO("seed " << seed << ", capacity " << capacity << ", step " << step << ", op " << op << ", key " << key);
      REQUIRE(same);
      REQUIRE(store.window_capacity() == model.window_max);
      for (region r : {region::window, region::probation, region::protected_})
        REQUIRE(keys_in(store, r) == model.keys_in(r));
      REQUIRE(store.size() == model.entries.size());
    }
  }
  return steps;
}

}  // namespace

TEST_CASE("w_tinylfu: matches a plain reference of the algorithm over random skewed streams",
          "[w_tinylfu][random]") {
  int compared = 0;
  int window_moves = 0;
  const std::vector<std::size_t> capacities{1, 2, 3, 5, 13, 64, 100, 250, 600};
  SECTION("fixed window") {
    for (unsigned seed : {1u, 2u, 3u})
      for (std::size_t capacity : capacities)
        compared += compare_with_reference(seed, capacity, false, 4000, window_moves);
    CHECK(compared == 3 * 9 * 4000);
    CHECK(window_moves == 0);
  }
  SECTION("adaptive window") {
    for (unsigned seed : {4u, 5u})
      for (std::size_t capacity : capacities)
        compared += compare_with_reference(seed, capacity, true, 30000, window_moves);
    CHECK(compared == 2 * 9 * 30000);
    WARN("the window was resized " << window_moves << " times over the compared streams");
    CHECK(window_moves >= 10);
  }
  SECTION("adaptive window, hill climbing") {
    for (unsigned seed : {6u, 7u})
      for (std::size_t capacity : capacities)  // samples of 20 x capacity
        compared += compare_with_reference(seed, capacity, true, 30000, window_moves, cachet::w_tinylfu::hill_climbing);
    CHECK(compared == 2 * 9 * 30000);
    WARN("hill climbing resized the window " << window_moves << " times over the compared streams");
    CHECK(window_moves >= 10);
  }
}

// ---- what the policy is for

TEST_CASE("w_tinylfu: a one-time scan larger than the cache leaves the hot keys resident", "[w_tinylfu]") {
  const auto id = [](int x) { return x; };
  auto f = cachet::memoize(id, cachet::w_tinylfu{.capacity = 100});
  auto g = cachet::memoize(id, cachet::lru{.capacity = 100});
  for (int round = 0; round < 10; ++round)
    for (int k = 0; k < 50; ++k) {
      f(k);
      g(k);
    }
  for (int k = 1000; k < 2000; ++k) {  // the scan: ten times the cache, each key once
    f(k);
    g(k);
  }
  int kept = 0;
  int kept_by_lru = 0;
  for (int k = 0; k < 50; ++k) {
    kept += f.contains(k);
    kept_by_lru += g.contains(k);
  }
  CHECK(kept >= 45);
  CHECK(kept_by_lru == 0);
  CHECK(f.storage().size() == 100);
}

namespace {

// Hits of a cache of `capacity` over `requests` keys from `next_key`.
template <class Storage, class Next>
long hits_over(Storage storage, Next next_key, int requests) {
  long misses = 0;
  auto f = cachet::memoize([&misses](int x) { ++misses; return x; }, storage, cachet::unsynchronized{});
  for (int i = 0; i < requests; ++i) f(next_key());
  return requests - misses;
}

}  // namespace

TEST_CASE("w_tinylfu: on a Zipf stream it hits at least as often as lru", "[w_tinylfu]") {
  for (const double skew : {0.7, 0.9, 1.1}) {
    auto zipf_keys = [skew] {
      return [rng = std::mt19937(2024), keys = zipf(20000, skew)]() mutable { return keys(rng); };
    };
    const int requests = 200000;
    const long tinylfu = hits_over(cachet::w_tinylfu{.capacity = 500}, zipf_keys(), requests);
    const long fixed = hits_over(cachet::w_tinylfu{.capacity = 500, .adaptive_window = false}, zipf_keys(), requests);
    const long lru = hits_over(cachet::lru{.capacity = 500}, zipf_keys(), requests);
    WARN("Zipf " << skew << ", 20000 keys, capacity 500: hit ratio w_tinylfu " << double(tinylfu) / requests
                 << " (fixed 1% window " << double(fixed) / requests << "), lru " << double(lru) / requests);
    CHECK(tinylfu >= lru);
    CHECK(fixed >= lru);
  }
}

namespace {

// The window's size after `requests` keys from `next_key`, with the hit ratio.
template <class Next>
std::pair<std::size_t, double> window_after(Next next_key, int requests, std::size_t capacity, bool adaptive,
                                            cachet::w_tinylfu::window_sizing sizing) {
  long misses = 0;
  auto f = cachet::memoize([&misses](int x) { ++misses; return x; },
                           cachet::w_tinylfu{.capacity = capacity, .adaptive_window = adaptive, .sizing = sizing},
                           cachet::unsynchronized{});
  std::size_t window_sum = 0;
  int samples = 0;
  for (int i = 0; i < requests; ++i) {
    f(next_key());
    if (i >= requests / 2 && i % 1000 == 0) {
      window_sum += f.storage().window_capacity();
      ++samples;
    }
  }
  return {window_sum / static_cast<std::size_t>(samples), double(requests - misses) / requests};
}

}  // namespace

TEST_CASE("w_tinylfu: the adaptive window grows for recency, stays small for a loop", "[w_tinylfu][adaptive]") {
  const std::size_t capacity = 200;
  const int requests = 400000;
  const auto sizing = GENERATE(cachet::w_tinylfu::ghosts, cachet::w_tinylfu::hill_climbing);
  INFO("sizing " << (sizing == cachet::w_tinylfu::ghosts ? "ghosts" : "hill climbing"));
  // A loop over more keys than fit: recency is useless, frequency ties.
  const auto loop = window_after([k = 0]() mutable { return k++ % 250; }, requests, capacity, true, sizing);
  // Each key is popular for a short while after it first appears, then never
  // again: frequency learnt in the past is useless, recency is what counts.
  const auto recent_keys = [] {
    return [t = 0, rng = std::mt19937(9), back = std::geometric_distribution<int>(0.01)]() mutable {
      const int frontier = t++ / 3;
      return std::max(0, frontier - back(rng));
    };
  };
  const auto recency = window_after(recent_keys(), requests, capacity, true, sizing);
  const auto recency_fixed = window_after(recent_keys(), requests, capacity, false, sizing);
  const auto loop_fixed = window_after([k = 0]() mutable { return k++ % 250; }, requests, capacity, false, sizing);
  WARN((sizing == cachet::w_tinylfu::ghosts ? "ghosts" : "hill climbing") << ", capacity " << capacity << ": mean window over the second half: loop " << loop.first << " (hit ratio "
                   << loop.second << "; fixed window " << loop_fixed.second << "), recency-heavy " << recency.first
                   << " (hit ratio " << recency.second << "; fixed window " << recency_fixed.second << ")");
  CHECK(recency.first > loop.first);
  CHECK(recency.second > recency_fixed.second);
  CHECK(loop.first <= capacity / 10);
  CHECK(loop.second > 0.5);  // lru would hit nothing
}

// ---- through memoize

TEST_CASE("w_tinylfu: every sub-operation through memoize", "[w_tinylfu]") {
  cachet_test::check_every_sub_operation(cachet::w_tinylfu{.capacity = 64}, "w_tinylfu");
}

TEST_CASE("w_tinylfu: a hit is counted in its entry and settled when the entry is judged", "[w_tinylfu]") {
  cachet::detail::w_tinylfu_store<int_spec> s(cachet::w_tinylfu{.capacity = 10, .adaptive_window = false});
  CHECK(s.window_capacity() == 1);
  CHECK(s.protected_capacity() == 7);  // 80% of the main region's 9
  const auto t = cachet::time_point{};
  const auto estimate = [&s](int k) { return s.sketch().estimate(std::hash<int>{}(k)); };
  for (int k = 1; k <= 4; ++k) s.set(int(k), int(k), cachet::no_deadline);
  CHECK(keys_in(s, region::window) == std::vector<int>{4});
  CHECK(keys_in(s, region::probation) == std::vector<int>{1, 2, 3});
  CHECK(s.contains(1, t));  // not a use
  CHECK(s.sketch().seen(std::hash<int>{}(1)));  // its write only: the doorkeeper's
  CHECK(estimate(1) == 0);
  CHECK(*s.get(1, t) == 1);
  CHECK(*s.get(1, t) == 1);
  CHECK(s.touch(2, t, cachet::no_deadline));
  // Nothing moved, and the sketch has not heard of the uses yet.
  CHECK(keys_in(s, region::probation) == std::vector<int>{1, 2, 3});
  CHECK(keys_in(s, region::protected_).empty());
  CHECK(estimate(1) == 0);
  CHECK(estimate(2) == 0);
  // Up to 10 entries nobody is judged: the window's oldest go to probation.
  for (int k = 5; k <= 10; ++k) s.set(int(k), int(k), cachet::no_deadline);
  CHECK(keys_in(s, region::probation) == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(estimate(1) == 0);
  // The 11th: the candidate, 10, duels probation's oldest unused entry. On
  // the way 1 and 2, used, settle into the sketch and move to protected (as
  // a probation hit promotes); 3 wins the tie against 10.
  s.set(11, 11, cachet::no_deadline);
  CHECK(s.size() == 10);
  CHECK(keys_in(s, region::protected_) == std::vector<int>{1, 2});
  CHECK(estimate(1) == 2);
  CHECK(estimate(2) == 1);
  CHECK(keys_in(s, region::probation) == std::vector<int>{3, 4, 5, 6, 7, 8, 9});
  CHECK(keys_in(s, region::window) == std::vector<int>{11});
  CHECK(s.peek(2, t).needs_write);
  CHECK(s.peek(2, t).value == nullptr);
  CHECK_FALSE(s.peek(99, t).needs_write);
  CHECK(s.region_weight(region::protected_) == 2);
}

TEST_CASE("w_tinylfu: protected over its size keeps its used entries, sends the unused to probation", "[w_tinylfu]") {
  cachet::detail::w_tinylfu_store<int_spec> s(cachet::w_tinylfu{.capacity = 100, .adaptive_window = false});
  REQUIRE(s.window_capacity() == 1);
  REQUIRE(s.protected_capacity() == 79);
  const auto t = cachet::time_point{};
  const auto range = [](int from, int to) {
    std::vector<int> keys;
    for (int k = from; k < to; ++k) keys.push_back(k);
    return keys;
  };
  for (int k = 0; k < 100; ++k) s.set(int(k), int(k), cachet::no_deadline);
  for (int k = 0; k < 99; ++k) REQUIRE(s.get(k, t));  // every main entry used once
  // One eviction settles all of probation: 0..78 fill protected, each later
  // promotion demotes protected's oldest (settled, so unused): 0..19.
  s.set(100, 100, cachet::no_deadline);
  CHECK(keys_in(s, region::protected_) == range(20, 99));
  CHECK(keys_in(s, region::probation) == range(0, 20));
  // Used again: 20..39 in protected, 0..19 in probation. At the next
  // eviction each promotion of 0..19 meets 20..39 first, which go round to
  // protected's newest end, and demotes the unused 40..59.
  for (int k = 0; k < 40; ++k) REQUIRE(s.get(k, t));
  s.set(101, 101, cachet::no_deadline);
  std::vector<int> kept = range(60, 99);
  kept.push_back(0);
  for (int k = 20; k < 40; ++k) kept.push_back(k);
  for (int k = 1; k < 20; ++k) kept.push_back(k);
  CHECK(keys_in(s, region::protected_) == kept);
  CHECK(keys_in(s, region::probation) == range(40, 60));
  CHECK(keys_in(s, region::window) == std::vector<int>{101});
}

TEST_CASE("w_tinylfu: expiry on a manual clock; eviction reclaims the expired first", "[w_tinylfu][expiry]") {
  cachet::manual_clock clock;
  SECTION("expire_after_write") {
    auto f = cachet::memoize([](int x) { return x; }, cachet::w_tinylfu{.capacity = 2},
                             cachet::expire_after_write{10s}, clock, cachet::record_stats{});
    for (int i = 0; i < 5; ++i) f(1);  // 1 is popular
    clock.advance(5s);
    f(2);  // 1 goes to probation
    clock.advance(6s);  // 1 expired, 2 live
    f(3);  // 2 is the candidate: it beats 1 only because 1 expired
    CHECK(keys_of(f) == std::vector<int>{2, 3});
    CHECK(f.stats().expirations == 1);
    CHECK(f.stats().evictions == 0);
    clock.advance(5s);
    CHECK(f.get(2) == std::nullopt);
    CHECK(f.storage().size() == 1);
    CHECK(f.storage().erase_expired(clock.now()) == 0);
    clock.advance(10s);
    CHECK(f.storage().erase_expired(clock.now()) == 1);
    CHECK(f.storage().size() == 0);
  }
  SECTION("expire_after_access") {
    auto f = cachet::memoize([](int x) { return x; }, cachet::w_tinylfu{.capacity = 4},
                             cachet::expire_after_access{10s}, clock);
    f(1);
    f(2);
    clock.advance(8s);
    CHECK(f.get(1) == 1);  // renewed to 18 s
    clock.advance(8s);
    CHECK(f.contains(1));
    CHECK_FALSE(f.contains(2));
    CHECK_FALSE(f.touch(2));
    clock.advance(10s);
    CHECK_FALSE(f.contains(1));
  }
}

TEST_CASE("w_tinylfu: a removal listener hears evicted, erased, replaced and expired entries",
          "[w_tinylfu][listener]") {
  std::vector<std::tuple<int, std::string, cause>> log;
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return "v" + std::to_string(x); }, cachet::w_tinylfu{.capacity = 2},
                           cachet::expire_after_write{10s}, clock,
                           cachet::removal_listener{[&](const std::tuple<int>& key, const std::string& value, cause why) {
                             log.emplace_back(std::get<0>(key), value, why);
                           }});
  using heard = std::vector<std::tuple<int, std::string, cause>>;
  f(1);
  f(1);
  f(2);
  f(3);  // 2 (seen once) loses its duel with 1 (seen twice)
  CHECK(log == heard{{2, "v2", cause::evicted}});
  CHECK(keys_of(f) == std::vector<int>{1, 3});
  log.clear();
  CHECK(f.erase(1));
  CHECK(log == heard{{1, "v1", cause::erased}});
  log.clear();
  f.set("new", 3);
  f.update(3);
  CHECK(log == heard{{3, "v3", cause::replaced}, {3, "new", cause::replaced}});
  log.clear();
  clock.advance(11s);
  CHECK(f.get(3) == std::nullopt);
  CHECK(log == heard{{3, "v3", cause::expired}});
}

TEST_CASE("w_tinylfu: a weigher sizes the regions by weight", "[w_tinylfu][weigher]") {
  int calls = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return text_of(x); }, cachet::w_tinylfu{.max_weight = 100},
                           cachet::weigher{[](const std::string& s) { return s.size(); }});
  CHECK(f.storage().max_weight() == 100);
  CHECK(f.storage().window_capacity() == 1);
  for (int k : {10, 20, 30, 10, 10, 10}) f(k);  // each heavier than the window: straight to probation
  CHECK(f.storage().total_weight() == 60);
  f(50);  // 110: 50 (seen once) loses to probation's oldest, 20 (seen once)
  CHECK_FALSE(f.contains(50));
  f(50);  // seen twice: now it beats 20
  CHECK_FALSE(f.contains(20));
  CHECK(f.contains(50));
  CHECK(f.storage().total_weight() == 90);
  f.set(text_of(60), 10);  // 10 grows to 60: others go until it fits, never 10 itself
  CHECK(f.contains(10));
  CHECK(f.storage().total_weight() <= 100);
  CHECK(f.storage().total_weight() >= 60);
  CHECK(f(101).size() == 101);  // heavier than max_weight: returned, not stored
  CHECK_FALSE(f.contains(101));
  f.set(text_of(120), 10);  // too heavy: the older value of 10 is dropped
  CHECK_FALSE(f.contains(10));
  CHECK(calls == 6);
}

TEST_CASE("w_tinylfu: sharded<4> from several threads", "[w_tinylfu][sharded][threads]") {
  cachet_test::check_sharded_from_threads(cachet::w_tinylfu{.capacity = 1024}, cachet::w_tinylfu{.capacity = 64});
}

TEST_CASE("w_tinylfu: copies and moves keep regions and sketch; copies are independent", "[w_tinylfu]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::w_tinylfu{.capacity = 8});
  for (int k = 1; k <= 6; ++k) f(k);
  f(2);
  const auto before = keys_of(f);
  auto copy = f;
  CHECK(keys_of(copy) == before);
  for (int k = 1; k <= 6; ++k) CHECK(copy.contains(k));  // the index was rebuilt
  CHECK(copy.erase(3));
  CHECK(keys_of(f) == before);
  CHECK(f.contains(3));
  auto moved = std::move(copy);
  CHECK_FALSE(moved.contains(3));
  for (int k : {1, 2, 4, 5, 6}) CHECK(moved.contains(k));
  copy.storage().clear();  // a moved-from cache is usable once cleared
  copy(9);
  CHECK(keys_of(copy) == std::vector<int>{9});
  f = moved;  // assignment
  CHECK_FALSE(f.contains(3));
  for (int k : {1, 2, 4, 5, 6}) CHECK(f.contains(k));
}

TEST_CASE("w_tinylfu: a moved-from store evicts again once cleared, its window's ghosts too", "[w_tinylfu]") {
  const auto run = [](int_store& s) {  // a loop over more keys than fit: evictions, ghosts, window moves
    for (int round = 0; round < 3; ++round)
      for (int k = 0; k < 200; ++k)
        if (!s.get(k, cachet::time_point{})) s.set(int(k), int(k), cachet::no_deadline);
  };
  int_store store(cachet::w_tinylfu{.capacity = 40});
  run(store);
  int_store moved = std::move(store);
  CHECK(moved.size() == 40);
  store.clear();
  run(store);
  CHECK(store.size() == 40);
  store = std::move(moved);  // move assignment
  moved.clear();
  run(moved);
  run(store);
  CHECK(moved.size() == 40);
  CHECK(store.size() == 40);
}

TEST_CASE("w_tinylfu: a typed, shardable storage with a const peek", "[w_tinylfu][sharded]") {
  STATIC_REQUIRE(cachet::storage_traits<cachet::w_tinylfu>::shardable);
  STATIC_REQUIRE(cachet::storage_traits<cachet::w_tinylfu>::typed);
  STATIC_REQUIRE(cachet::store<int_store>);
  STATIC_REQUIRE(requires(const int_store& s, int k, cachet::time_point t) {
    { s.peek(k, t) } -> std::same_as<cachet::peeked<int>>;
  });
}

#if CACHET_TEST_COUNT_ALLOCATIONS
TEST_CASE("w_tinylfu: a hit allocates nothing", "[w_tinylfu][allocation]") {
  auto f = cachet::memoize([](const std::string& s) { return static_cast<int>(s.size()); },
                           cachet::w_tinylfu{.capacity = 8});
  const std::string key(100, 'k');
  f(key);
  int sum = 0;
  CHECK(allocations_during([&] {
          for (int i = 0; i < 100; ++i) sum += f(key) + *f.get(std::string_view(key));
        }) == 0);
  CHECK(allocations_during([] { delete new int(1); }) == 1);  // the counter works
  CHECK(sum == 100 * 200);
}
#endif

TEST_CASE("w_tinylfu: bad settings are rejected", "[w_tinylfu]") {
  const auto id = [](int x) { return x; };
  CHECK_THROWS_AS(cachet::memoize(id, cachet::w_tinylfu{.capacity = 0}), std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::w_tinylfu{.max_weight = 8}), std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::w_tinylfu{.max_weight = 0}, cachet::weigher{[](int) { return 1; }}),
                  std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::w_tinylfu{.capacity = 2}, cachet::sharded<4>{}), std::invalid_argument);
  CHECK(cachet::w_tinylfu{.capacity = 10}.shard(1, 4).capacity == 3);
  CHECK(cachet::w_tinylfu{.capacity = 10}.shard(3, 4).capacity == 2);
  CHECK_FALSE(cachet::w_tinylfu{.capacity = 10, .adaptive_window = false}.shard(0, 2).adaptive_window);
  CHECK(cachet::w_tinylfu{.capacity = 10, .sizing = cachet::w_tinylfu::hill_climbing}.shard(1, 2).sizing ==
        cachet::w_tinylfu::hill_climbing);
  const auto unknown_sizing = static_cast<cachet::w_tinylfu::window_sizing>(7);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::w_tinylfu{.capacity = 8, .sizing = unknown_sizing}), std::invalid_argument);
  // Links are 28 bits (lfu_links): the bound is checked before anything is allocated.
  CHECK_THROWS_WITH(cachet::memoize(id, cachet::w_tinylfu{.capacity = (std::size_t{1} << 28) - 2}),
                    Catch::Contains("below 2^28 - 2"));
}

TEST_CASE("w_tinylfu: a node's links, region and uses share two words without mixing", "[w_tinylfu]") {
  using cachet::detail::lfu_links;
  using cachet::detail::lfu_region;
  lfu_links l;
  CHECK(l.prev() == lfu_links::nil);
  CHECK(l.next() == lfu_links::nil);
  CHECK(l.region() == lfu_region::window);
  CHECK_FALSE(l.used());
  CHECK(l.uses() == 0);

  l.set_region(lfu_region::protected_);
  l.set_prev(lfu_links::nil - 1);
  l.set_next(7);
  for (int i = 0; i < 20; ++i) l.add_use();  // saturates at max_uses
  CHECK(l.uses() == lfu_links::max_uses);
  CHECK(l.used());
  CHECK(l.prev() == lfu_links::nil - 1);
  CHECK(l.next() == 7);
  CHECK(l.region() == lfu_region::protected_);

  l.set_region(lfu_region::probation);
  l.set_prev(0);
  l.set_next(lfu_links::nil);
  CHECK(l.region() == lfu_region::probation);
  CHECK(l.uses() == lfu_links::max_uses);
  CHECK(l.used());

  l.halve_uses();  // 15 -> 7 -> 3 -> 1 -> 0: an aging halves, as the sketch's counters
  CHECK(l.uses() == 7);
  l.halve_uses();
  l.halve_uses();
  l.halve_uses();
  CHECK(l.uses() == 0);
  CHECK(l.used());  // still used since it was placed: it gets its second chance
  CHECK(l.next() == lfu_links::nil);

  l.clear_uses();
  CHECK_FALSE(l.used());
  CHECK(l.uses() == 0);
  CHECK(l.prev() == 0);
  CHECK(l.region() == lfu_region::probation);
}
