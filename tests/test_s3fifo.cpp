// tests/test_s3fifo.cpp: cachet::s3fifo: the conformance kit; a plain
// reference model of the paper's algorithm driven in step with the store on
// skewed random streams; scan resistance; every sub-operation through
// cachet::memoize, expiry, removal listener, weigher, sharded<4> from
// several threads, stats, and bad settings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/storage/s3fifo.hpp>

#include "bounded_storage_checks.hpp"
#include "storage_conformance.hpp"

using namespace std::chrono_literals;
using cause = cachet::removal_cause;

namespace {

struct s3fifo_fixture {
  static constexpr const char* name = "s3fifo";
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), cachet::s3fifo{.capacity = 1000}, clock, more...);
  }
};

}  // namespace

CACHET_STORAGE_CONFORMANCE_TESTS(std::tuple<s3fifo_fixture>)

// ---- a reference model, written from the paper's Algorithm 1 as plainly as
// possible (lists searched linearly), with the store's documented choices:
// one eviction per evict from S, the ghost asked before evicting, expired
// entries met at a tail reclaimed at the latest time seen.

namespace {

using time_point = cachet::time_point;

struct reference_s3fifo {
  struct entry {
    int value;
    time_point deadline;
    int freq = 0;
  };
  std::size_t capacity, small_capacity, main_capacity;
  std::map<int, entry> entries;
  std::list<int> small, main;  // front: the oldest (tail), back: the newest (head)
  std::deque<std::uint64_t> ghost;
  time_point seen = time_point::min();

  explicit reference_s3fifo(std::size_t c)
      : capacity(c), small_capacity(std::max<std::size_t>(1, c / 10)), main_capacity(c - small_capacity) {}

  static std::uint64_t hash(int key) { return std::hash<int>{}(key); }
  void saw(time_point now) { seen = std::max(seen, now); }
  void drop(int key) {
    small.remove(key);
    main.remove(key);
    entries.erase(key);
  }
  bool expired(int key, time_point now) const { return entries.at(key).deadline <= now; }

  void remember(std::uint64_t h) {
    if (main_capacity == 0) return;
    ghost.erase(std::remove(ghost.begin(), ghost.end(), h), ghost.end());
    ghost.push_back(h);
    while (ghost.size() > main_capacity) ghost.pop_front();
  }
  bool take_from_ghost(std::uint64_t h) {
    const auto it = std::find(ghost.begin(), ghost.end(), h);
    if (it == ghost.end()) return false;
    ghost.erase(it);
    return true;
  }

  void evict_main() {
    while (!main.empty()) {
      const int t = main.front();
      if (expired(t, seen) || entries.at(t).freq == 0) return drop(t);
      entries.at(t).freq -= 1;
      main.pop_front();
      main.push_back(t);
    }
  }
  void evict_small() {
    while (!small.empty()) {
      const int t = small.front();
      if (expired(t, seen)) return drop(t);
      if (entries.at(t).freq > 1) {
        small.pop_front();
        main.push_back(t);
        entries.at(t).freq = 0;
        if (main.size() > main_capacity) return evict_main();
      } else {
        remember(hash(t));
        return drop(t);
      }
    }
  }
  void evict() {
    if (!small.empty() && (small.size() >= small_capacity || main.empty()))
      evict_small();
    else
      evict_main();
  }

  std::optional<int> get(int key, time_point now) {
    if (!entries.contains(key) || expired(key, now)) {
      saw(now);
      if (entries.contains(key)) drop(key);
      return std::nullopt;
    }
    entry& e = entries.at(key);
    e.freq = std::min(e.freq + 1, 3);
    return e.value;
  }
  void set(int key, int value, time_point deadline) {
    if (const auto it = entries.find(key); it != entries.end()) {
      it->second.value = value;
      it->second.deadline = deadline;
      it->second.freq = std::min(it->second.freq + 1, 3);
      return;
    }
    const bool to_main = take_from_ghost(hash(key));
    while (entries.size() >= capacity) evict();
    (to_main ? main : small).push_back(key);
    entries[key] = entry{value, deadline};
  }
  bool erase(int key) {
    if (!entries.contains(key)) return false;
    drop(key);
    return true;
  }
  bool contains(int key, time_point now) {
    saw(now);
    if (!entries.contains(key)) return false;
    if (expired(key, now)) return drop(key), false;
    return true;
  }
  bool touch(int key, time_point now, time_point deadline) {
    saw(now);
    if (!contains(key, now)) return false;
    entries.at(key).deadline = deadline;
    entries.at(key).freq = std::min(entries.at(key).freq + 1, 3);
    return true;
  }
  std::vector<int> order() const {  // as for_each_oldest_first: M then S, tail to head
    std::vector<int> out(main.begin(), main.end());
    out.insert(out.end(), small.begin(), small.end());
    return out;
  }
};

using int_spec = cachet::entry_spec<int, int, std::hash<int>, std::equal_to<int>, true>;
using int_store = cachet::detail::s3fifo_store<int_spec>;

std::vector<int> order_of(const int_store& store) {
  std::vector<int> keys;
  store.for_each_oldest_first([&](int key, int, time_point) { keys.push_back(key); });
  return keys;
}

// Requests (get, then set on a miss) and, with `mixed`, the other
// operations and the passing of time, on keys drawn with a skew: key k
// about as often as 1 / (k + 1). Returns the hit ratio.
double differential_run(std::uint32_t seed, std::size_t capacity, int steps, bool mixed) {
  std::mt19937 rng(seed);
  int_store store(cachet::s3fifo{.capacity = capacity});
  reference_s3fifo model(capacity);
  const double universe = static_cast<double>(capacity * 4 + 8);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto skewed_key = [&] { return static_cast<int>(std::pow(universe, unit(rng))) - 1; };
  std::uniform_int_distribution<int> op_of(0, 9);
  time_point now{};
  int hits = 0;
  for (int step = 0; step < steps; ++step) {
    const int key = skewed_key();
    const int op = mixed ? op_of(rng) : 0;
    const time_point deadline = now + std::chrono::seconds(5 + key % 20);
    bool same = true;
    switch (op) {
      case 6: same = store.erase(key) == model.erase(key); break;
      case 7: same = store.contains(key, now) == model.contains(key, now); break;
      case 8: same = store.touch(key, now, deadline) == model.touch(key, now, deadline); break;
      case 9:
        now += std::chrono::seconds(key % 3);
        store.set(int(key), step + 0, time_point(deadline));
        model.set(key, step, deadline);
        break;
      default: {
        const int* found = store.get(key, now);
        const auto expected = model.get(key, now);
        same = (found != nullptr) == expected.has_value() && (!found || *found == *expected);
        if (found) {
          ++hits;
        } else {
          store.set(int(key), step + 0, time_point(deadline));
          model.set(key, step, deadline);
        }
      }
    }
    if (!same || order_of(store) != model.order() || store.small_size() != model.small.size()) {
      INFO("seed " << seed << ", capacity " << capacity << ", step " << step << ", op " << op << ", key " << key);
      REQUIRE(same);
      REQUIRE(order_of(store) == model.order());
      REQUIRE(store.small_size() == model.small.size());
    }
    REQUIRE(store.size() <= capacity);
  }
  return static_cast<double>(hits) / steps;
}

}  // namespace

TEST_CASE("s3fifo: matches a reference model of the paper's algorithm", "[s3fifo][random]") {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    for (std::size_t capacity : {1u, 2u, 10u, 100u, 1000u}) {
      const int steps = capacity >= 1000 ? 6000 : 3000;
      const double hit_ratio = differential_run(seed, capacity, steps, false);
      if (capacity >= 10) CHECK(hit_ratio > 0.1);
      differential_run(seed + 100, capacity, steps, true);
    }
  }
}

TEST_CASE("s3fifo: peek finds live entries, flags expired ones, and counts a hit as a use", "[s3fifo][sharded]") {
  int_store store(cachet::s3fifo{.capacity = 2});
  const time_point t0{};
  store.set(1, 10, t0 + 10s);
  store.set(2, 20, t0 + 5s);
  const auto live = std::as_const(store).peek(1, t0);
  CHECK((live.value != nullptr && *live.value == 10 && !live.needs_write));
  const auto expired = std::as_const(store).peek(2, t0 + 5s);
  CHECK((expired.value == nullptr && expired.needs_write));
  const auto absent = std::as_const(store).peek(3, t0);
  CHECK((absent.value == nullptr && !absent.needs_write));
  CHECK(store.size() == 2);  // peek reclaims nothing
  std::as_const(store).peek(1, t0);  // 1 now used twice: it moves to M instead of leaving
  store.set(3, 30, t0 + 10s);
  CHECK(order_of(store) == std::vector<int>{1, 3});
}

TEST_CASE("s3fifo: a one-time scan passes through S and leaves the hot set in M", "[s3fifo]") {
  int calls = 0;
  const auto fn = [&calls](int x) { ++calls; return x; };
  auto f = cachet::memoize(fn, cachet::s3fifo{.capacity = 100}, cachet::unsynchronized{});
  auto l = cachet::memoize(fn, cachet::lru{.capacity = 100}, cachet::unsynchronized{});
  for (int round = 0; round < 4; ++round)
    for (int k = 0; k < 30; ++k) {
      f(k);
      l(k);
    }
  for (int k = 1000; k < 11000; ++k) {  // the scan: 100 times the capacity
    f(k);
    l(k);
  }
  int kept = 0;
  int kept_by_lru = 0;
  for (int k = 0; k < 30; ++k) {
    kept += f.contains(k);
    kept_by_lru += l.contains(k);
  }
  CHECK(kept >= 27);
  CHECK(kept_by_lru == 0);
  CHECK(f.storage().main_size() >= 27);
  calls = 0;
  for (int k = 0; k < 30; ++k) f(k);
  CHECK(calls <= 3);
}

TEST_CASE("s3fifo: every sub-operation through memoize", "[s3fifo]") {
  cachet_test::check_every_sub_operation(cachet::s3fifo{.capacity = 64}, "s3fifo");
  CHECK(cachet::memoize([](int x) { return x; }, cachet::s3fifo{.capacity = 64}).storage().capacity() == 64);
}

TEST_CASE("s3fifo: expiry on a manual clock; the listener hears every cause", "[s3fifo][expiry][listener]") {
  std::vector<std::tuple<int, int, cause>> heard;
  cachet::manual_clock clock;
  auto f = cachet::memoize(
      [](int x) { return x * 10; }, cachet::s3fifo{.capacity = 2}, cachet::expire_after_write{10s}, clock,
      cachet::removal_listener{[&](const std::tuple<int>& key, int value, cause why) {
        heard.emplace_back(std::get<0>(key), value, why);
      }});
  f(1);
  f(2);
  f(3);  // S holds 1 (its share): 1, unused, goes to the ghost
  CHECK(heard == std::vector<std::tuple<int, int, cause>>{{1, 10, cause::evicted}});
  heard.clear();
  f.set(7, 3);
  CHECK(heard == std::vector<std::tuple<int, int, cause>>{{3, 30, cause::replaced}});
  heard.clear();
  CHECK(f.erase(2));
  CHECK(heard == std::vector<std::tuple<int, int, cause>>{{2, 20, cause::erased}});
  heard.clear();
  clock.advance(11s);
  CHECK(f.get(3) == std::nullopt);
  CHECK(heard == std::vector<std::tuple<int, int, cause>>{{3, 7, cause::expired}});
  heard.clear();

  // An eviction reclaims an expired entry it meets before a live one.
  f(4);
  f(5);
  clock.advance(11s);
  CHECK_FALSE(f.contains(9));  // tells the store the time
  f(6);
  CHECK(heard == std::vector<std::tuple<int, int, cause>>{{4, 40, cause::expired}});
  CHECK(f.storage().erase_expired(clock.now()) == 1);
  CHECK(f.storage().size() == 1);
}

TEST_CASE("s3fifo: a weigher with max_weight", "[s3fifo][weigher]") {
  int calls = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return std::string(static_cast<std::size_t>(x), 'x'); },
                           cachet::s3fifo{.max_weight = 20},
                           cachet::weigher{[](const std::string& s) { return s.size(); }});
  f(4);
  f(6);
  CHECK(f.storage().total_weight() == 10);
  CHECK(f.storage().max_weight() == 20);
  f(8);
  f(5);  // 23 > 20: S's oldest, 4, goes
  CHECK_FALSE(f.contains(4));
  CHECK(f.storage().total_weight() == 19);
  CHECK(f(21).size() == 21);  // heavier than max_weight: returned, not stored
  CHECK_FALSE(f.contains(21));
  CHECK(f.storage().total_weight() == 19);
  f.set(std::string(30, 'y'), 6);  // the older value of 6 is dropped too
  CHECK_FALSE(f.contains(6));
  CHECK(f.storage().total_weight() == 13);
  for (int i = 0; i < 200; ++i) f(i % 9 + 1);
  CHECK(f.storage().total_weight() <= 20);
  CHECK_THROWS_AS(cachet::memoize([](int x) { return std::to_string(x); }, cachet::s3fifo{.max_weight = 0},
                                  cachet::weigher{[](const std::string& s) { return s.size(); }}),
                  std::invalid_argument);
}

TEST_CASE("s3fifo: sharded<4> from several threads; stats count evictions", "[s3fifo][sharded][threads][stats]") {
  std::atomic<int> calls{0};
  auto f = cachet::memoize([&](int x) { ++calls; return 3 * x + 1; }, cachet::s3fifo{.capacity = 64},
                           cachet::sharded<4>{}, cachet::record_stats{});
  REQUIRE(f.storage().capacity() == 64);
  for (int k = 0; k < 16; ++k) f(k);  // the hot set, then hit from four threads at once
  constexpr int threads = 4;
  std::barrier start(threads);
  std::atomic<int> wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 0; round < 200; ++round)
        for (int k = 0; k < 16; ++k)
          if (f(k) != 3 * k + 1) ++wrong;
      start.arrive_and_wait();
      for (int k = 0; k < 500; ++k)  // each thread its own keys: misses that evict
        if (f(1000 * (t + 1) + k) != 3 * (1000 * (t + 1) + k) + 1) ++wrong;
    });
  for (auto& th : pool) th.join();
  CHECK(wrong == 0);
  CHECK(calls == 16 + threads * 500);
  CHECK(f.storage().size() <= 64);
  const auto stats = f.stats();
  CHECK(stats.hits == threads * 200 * 16);
  CHECK(stats.evictions == 16 + threads * 500 - f.storage().size());
  int hot_kept = 0;
  for (int k = 0; k < 16; ++k) hot_kept += f.contains(k);
  CHECK(hot_kept >= 12);  // used often: in M, past the misses
}

TEST_CASE("s3fifo: copies and moves keep the queues; copies are independent", "[s3fifo]") {
  const time_point t{};
  int_store store(cachet::s3fifo{.capacity = 8});
  for (int k = 1; k <= 12; ++k) store.set(int(k), int(k), cachet::no_deadline);  // some reach M
  REQUIRE(store.get(11, t));
  const auto before = order_of(store);
  int_store copy = store;
  CHECK(order_of(copy) == before);
  for (int k : before) CHECK(copy.contains(k, t));  // the index was rebuilt over the copy's nodes
  CHECK(copy.erase(before.front()));
  CHECK(order_of(store) == before);
  int_store moved = std::move(copy);
  CHECK(order_of(moved) == std::vector<int>(before.begin() + 1, before.end()));
  copy.clear();  // a moved-from store is usable once cleared
  copy.set(99, 99, cachet::no_deadline);
  CHECK(order_of(copy) == std::vector<int>{99});
  store = moved;  // copy assignment
  CHECK_FALSE(store.contains(before.front(), t));
  copy = std::move(store);  // move assignment
  CHECK(order_of(copy) == order_of(moved));
  for (int k = 100; k < 120; ++k) copy.set(int(k), int(k), cachet::no_deadline);  // evicts through the rebuilt index
  CHECK(copy.size() == 8);
}

TEST_CASE("s3fifo: bad settings are std::invalid_argument", "[s3fifo]") {
  const auto fn = [](int x) { return x; };
  CHECK_THROWS_WITH(cachet::memoize(fn, cachet::s3fifo{.capacity = 0}), Catch::Contains("capacity must be at least 1"));
  CHECK_THROWS_WITH(cachet::memoize(fn, cachet::s3fifo{.max_weight = 100}),
                    Catch::Contains("max_weight is set but no cachet::weigher was named"));
  CHECK_THROWS_AS(cachet::memoize(fn, cachet::s3fifo{.small_ratio = 1.0}), std::invalid_argument);
  CHECK_THROWS_WITH(cachet::memoize(fn, cachet::s3fifo{.capacity = 3}, cachet::sharded<4>{}),
                    Catch::Contains("less than the 4 shards"));
  CHECK(cachet::s3fifo{.capacity = 10}.shard(3, 4).capacity == 2);
  CHECK(cachet::s3fifo{.capacity = 10, .small_ratio = 0.2}.shard(0, 4).small_ratio == 0.2);
}
