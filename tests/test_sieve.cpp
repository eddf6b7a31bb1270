// tests/test_sieve.cpp: cachet::sieve: the conformance laws, a randomized
// comparison with a plain reference of the paper's pseudo-code, hand-worked
// evictions, expiry, removals, weights, stats and sharded hits from threads.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/storage/sieve.hpp>

#include "allocation_counter.hpp"
#include "bounded_storage_checks.hpp"
#include "storage_conformance.hpp"

using namespace std::chrono_literals;
using cause = cachet::removal_cause;


namespace {

struct sieve_fixture {
  static constexpr const char* name = "sieve";
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), cachet::sieve{.capacity = 1000}, clock, more...);
  }
};

//! The keys of an int-keyed sieve cache in queue order, oldest first.
template <class Cache>
std::vector<int> order_of(const Cache& f) {
  std::vector<int> keys;
  f.storage().for_each_oldest_first(
      [&](const auto& key, const auto&, cachet::time_point) { keys.push_back(std::get<0>(key)); });
  return keys;
}

//! The paper's pseudo-code, plainly: a list (front: the tail, the oldest)
//! and a map. Requests, writes and erases; no expiry.
struct reference_sieve {
  struct object {
    int key;
    bool visited;
  };
  explicit reference_sieve(std::size_t c) : capacity(c) {}

  std::size_t capacity;
  std::list<object> queue;
  std::list<object>::iterator hand = queue.end();  // end: start at the tail
  std::map<int, std::list<object>::iterator> where;

  // Returns whether `key` was a hit.
  bool request(int key) {
    if (const auto it = where.find(key); it != where.end()) {
      it->second->visited = true;
      return true;
    }
    if (queue.size() == capacity) evict();
    where[key] = queue.insert(queue.end(), object{key, false});
    return false;
  }
  void evict() {
    auto o = hand == queue.end() ? queue.begin() : hand;
    while (o->visited) {
      o->visited = false;
      if (++o == queue.end()) o = queue.begin();
    }
    hand = std::next(o);
    where.erase(o->key);
    queue.erase(o);
  }
  bool erase(int key) {
    const auto it = where.find(key);
    if (it == where.end()) return false;
    if (hand == it->second) ++hand;
    queue.erase(it->second);
    where.erase(it);
    return true;
  }
  std::vector<int> order() const {
    std::vector<int> keys;
    for (const object& o : queue) keys.push_back(o.key);
    return keys;
  }
};

// Returns how many requests were compared.
int compare_with_reference(unsigned seed, std::size_t capacity, int steps) {
  std::mt19937 rng(seed);
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return x; }, cachet::sieve{.capacity = capacity},
                           cachet::unsynchronized{});
  reference_sieve model(capacity);
  // Zipf-like keys over about three times the capacity.
  std::vector<double> weights;
  for (std::size_t k = 0; k < 3 * capacity + 8; ++k) weights.push_back(1.0 / static_cast<double>(k + 1));
  std::discrete_distribution<int> key_of(weights.begin(), weights.end());
  std::uniform_int_distribution<int> op_of(0, 19);
  for (int step = 0; step < steps; ++step) {
    const int key = key_of(rng);
    const int op = op_of(rng);
    bool same = true;
    if (op == 0) {
      same = f.erase(key) == model.erase(key);
    } else if (op == 1) {
      f.set(key, key);  // a write: a use if present, else an insertion
      model.request(key);
    } else {
      const int before = calls;
      f(key);
      same = (calls == before) == model.request(key);
    }
    if (!same || order_of(f) != model.order()) {
      INFO("seed " << seed << ", capacity " << capacity << ", step " << step << ", op " << op << ", key " << key);
      REQUIRE(same);
      REQUIRE(order_of(f) == model.order());
    }
  }
  return steps;
}

std::string text_of(int x) { return std::string(static_cast<std::size_t>(x), 'x'); }

}  // namespace

CACHET_STORAGE_CONFORMANCE_TESTS(std::tuple<sieve_fixture>)

TEST_CASE("sieve: matches the paper's pseudo-code over random skewed streams", "[sieve][random]") {
  int compared = 0;
  for (unsigned seed : {1u, 7u, 2024u})
    for (std::size_t capacity : {1u, 2u, 3u, 10u, 100u}) compared += compare_with_reference(seed, capacity, 5000);
  CHECK(compared == 3 * 5 * 5000);
}

TEST_CASE("sieve: visited entries survive one pass; the hand stays where it stopped", "[sieve]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return x; }, cachet::sieve{.capacity = 4});
  for (int k = 1; k <= 4; ++k) f(k);
  f(1);
  f(2);  // hits: 1 and 2 visited, nothing moves
  CHECK(order_of(f) == std::vector<int>{1, 2, 3, 4});
  f(5);  // the hand clears 1 and 2, evicts 3, stops on 4
  CHECK(order_of(f) == std::vector<int>{1, 2, 4, 5});
  f(6);  // from 4, not from the tail: 4 goes, although 1 is older and now unvisited
  CHECK(order_of(f) == std::vector<int>{1, 2, 5, 6});
  f(5);
  f(6);
  f(7);  // clears 5 and 6, wraps to the tail: 1 (cleared a pass ago) goes
  CHECK(order_of(f) == std::vector<int>{2, 5, 6, 7});
  CHECK(f.erase(2));  // the hand was on 2: it moves to 5
  f(8);
  CHECK(order_of(f) == std::vector<int>{5, 6, 7, 8});
  f(9);  // from 5
  CHECK(order_of(f) == std::vector<int>{6, 7, 8, 9});
  CHECK(calls == 9);
}

TEST_CASE("sieve: writes and touches are uses; contains is not", "[sieve]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::sieve{.capacity = 3});
  for (int k = 1; k <= 3; ++k) f(k);
  f.set(10, 1);
  CHECK(f.touch(2));
  CHECK(f.contains(3));
  f(4);  // 1 and 2 are visited: 3 goes
  CHECK(order_of(f) == std::vector<int>{1, 2, 4});
  CHECK(f.get(1) == std::optional<int>(10));
}

TEST_CASE("sieve: peek answers under a shared lock and marks the entry visited", "[sieve]") {
  using spec = cachet::entry_spec<int, int, std::hash<int>, std::equal_to<int>, true>;
  cachet::detail::sieve_store<spec> store(cachet::sieve{.capacity = 2});
  const cachet::time_point t0{};
  store.set(1, 10, t0 + 10s);
  store.set(2, 20, t0 + 5s);
  const auto hit = std::as_const(store).peek(1, t0);
  REQUIRE(hit.value != nullptr);
  CHECK(*hit.value == 10);
  CHECK_FALSE(hit.needs_write);
  const auto absent = std::as_const(store).peek(3, t0);
  CHECK((absent.value == nullptr && !absent.needs_write));
  const auto expired = std::as_const(store).peek(2, t0 + 5s);
  CHECK((expired.value == nullptr && expired.needs_write));
  CHECK(store.size() == 2);  // peek removes nothing
  CHECK(store.get(2, t0 + 5s) == nullptr);
  CHECK(store.size() == 1);
  store.set(3, 30, t0 + 10s);
  store.set(4, 40, t0 + 10s);  // 1 was peeked: visited, so 3 goes
  CHECK(store.contains(1, t0 + 6s));
  CHECK_FALSE(store.contains(3, t0 + 6s));
}

TEST_CASE("sieve: every sub-operation through memoize", "[sieve]") {
  cachet_test::check_every_sub_operation(cachet::sieve{.capacity = 64}, "sieve");
}

TEST_CASE("sieve: expiry; the hand reclaims the expired entries it meets first", "[sieve][expiry]") {
  cachet::manual_clock clock;
  SECTION("expire_after_write") {
    auto f = cachet::memoize([](int x) { return x; }, cachet::sieve{.capacity = 2}, cachet::expire_after_write{10s},
                             clock, cachet::record_stats{});
    f(1);
    clock.advance(5s);
    f(2);
    f(1);  // 1 visited: plain SIEVE would keep it and evict 2
    clock.advance(6s);  // 1 expired, 2 live
    f(3);
    CHECK(order_of(f) == std::vector<int>{2, 3});
    CHECK(f.stats().expirations == 1);
    CHECK(f.stats().evictions == 0);
    clock.advance(5s);
    CHECK(f.get(2) == std::nullopt);
    CHECK(f.storage().erase_expired(clock.now()) == 0);
    clock.advance(10s);
    CHECK(f.storage().erase_expired(clock.now()) == 1);
    CHECK(f.storage().size() == 0);
  }
  SECTION("expire_after_access") {
    auto f = cachet::memoize([](int x) { return x; }, cachet::sieve{.capacity = 4}, cachet::expire_after_access{10s},
                             clock);
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

TEST_CASE("sieve: a removal listener hears evicted, erased, replaced and expired entries", "[sieve][listener]") {
  std::vector<std::tuple<int, std::string, cause>> log;
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return "v" + std::to_string(x); }, cachet::sieve{.capacity = 2},
                           cachet::expire_after_write{10s}, clock,
                           cachet::removal_listener{[&](const std::tuple<int>& key, const std::string& value, cause why) {
                             log.emplace_back(std::get<0>(key), value, why);
                           }});
  using heard = std::vector<std::tuple<int, std::string, cause>>;
  f(1);
  f(2);
  f(3);  // evicts 1, the oldest unvisited
  CHECK(log == heard{{1, "v1", cause::evicted}});
  log.clear();
  CHECK(f.erase(2));
  CHECK(log == heard{{2, "v2", cause::erased}});
  log.clear();
  f.set("new", 3);
  f.update(3);
  CHECK(log == heard{{3, "v3", cause::replaced}, {3, "new", cause::replaced}});
  log.clear();
  clock.advance(11s);
  CHECK(f.get(3) == std::nullopt);
  CHECK(log == heard{{3, "v3", cause::expired}});
}

TEST_CASE("sieve: stats count hits, misses and evictions", "[sieve][stats]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::sieve{.capacity = 2}, cachet::record_stats{});
  // 3 evicts 2 (clearing 1); 4 evicts 1, unused since; 1 again evicts 3
  for (int k : {1, 2, 1, 3, 4, 1}) f(k);
  CHECK(f.stats().hits == 1);
  CHECK(f.stats().misses == 5);
  CHECK(f.stats().evictions == 3);
  CHECK(order_of(f) == std::vector<int>{4, 1});
}

TEST_CASE("sieve: a weigher keeps entries while their total weight fits", "[sieve][weigher]") {
  int calls = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return text_of(x); }, cachet::sieve{.max_weight = 10},
                           cachet::weigher{[](const std::string& s) { return s.size(); }});
  f(4);
  f(3);
  f(3);  // 3 visited
  CHECK(f.storage().total_weight() == 7);
  CHECK(f.storage().max_weight() == 10);
  f(5);  // 12 > 10: the hand evicts 4
  CHECK(order_of(f) == std::vector<int>{3, 5});
  f(2);  // 10: fits
  f(1);  // 11: 3 is cleared, 5 goes
  CHECK(order_of(f) == std::vector<int>{3, 2, 1});
  CHECK(f.storage().total_weight() == 6);
  f.set(text_of(9), 3);  // 3 grows to 9: others go until it fits, never 3 itself
  CHECK(order_of(f) == std::vector<int>{3, 1});
  CHECK(f.storage().total_weight() == 10);
  CHECK(f(11).size() == 11);  // heavier than max_weight: returned, not stored
  CHECK_FALSE(f.contains(11));
  f.set(text_of(12), 1);  // too heavy: the older value of 1 is dropped
  CHECK_FALSE(f.contains(1));
  CHECK(order_of(f) == std::vector<int>{3});
  CHECK(calls == 6);
}

TEST_CASE("sieve: sharded<4> serves hits from several threads at once", "[sieve][sharded][threads]") {
  cachet_test::check_sharded_from_threads(cachet::sieve{.capacity = 1024}, cachet::sieve{.capacity = 64});
}

TEST_CASE("sieve: copies and moves keep queue, bits and hand; copies are independent", "[sieve]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::sieve{.capacity = 4});
  for (int k = 1; k <= 5; ++k) f(k);  // 1 evicted; the hand is on 2
  f(3);
  auto copy = f;
  for (int k = 2; k <= 5; ++k) CHECK(copy.contains(k));  // the index was rebuilt
  copy(6);  // evicts 2 at the hand
  copy(7);  // 3 is visited: 4 goes
  CHECK(order_of(copy) == std::vector<int>{3, 5, 6, 7});
  CHECK(order_of(f) == std::vector<int>{2, 3, 4, 5});
  auto moved = std::move(f);
  moved(6);
  moved(7);
  CHECK(order_of(moved) == std::vector<int>{3, 5, 6, 7});
  f.storage().clear();  // a moved-from cache is usable once cleared
  f(9);
  CHECK(order_of(f) == std::vector<int>{9});
  f = moved;  // assignment
  CHECK(order_of(f) == std::vector<int>{3, 5, 6, 7});
  for (int k : {3, 5, 6, 7}) CHECK(f.contains(k));
}

TEST_CASE("sieve: shardable, and hits under sharded<N> go through the const peek", "[sieve][sharded]") {
  using spec = cachet::entry_spec<int, int, std::hash<int>, std::equal_to<int>, false>;
  STATIC_REQUIRE(cachet::storage_traits<cachet::sieve>::shardable);
  STATIC_REQUIRE(cachet::storage_traits<cachet::sieve>::typed);
  STATIC_REQUIRE(requires(const cachet::detail::sieve_store<spec>& s, int k, cachet::time_point t) {
    { s.peek(k, t) } -> std::same_as<cachet::peeked<int>>;
  });
}

#if CACHET_TEST_COUNT_ALLOCATIONS
TEST_CASE("sieve: a hit allocates nothing", "[sieve][allocation]") {
  auto f = cachet::memoize([](const std::string& s) { return static_cast<int>(s.size()); },
                           cachet::sieve{.capacity = 8});
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

TEST_CASE("sieve: bad settings are rejected", "[sieve]") {
  const auto id = [](int x) { return x; };
  CHECK_THROWS_AS(cachet::memoize(id, cachet::sieve{.capacity = 0}), std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::sieve{.max_weight = 8}), std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::sieve{.max_weight = 0}, cachet::weigher{[](int) { return 1; }}),
                  std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::sieve{.capacity = 2}, cachet::sharded<4>{}), std::invalid_argument);
  CHECK(cachet::sieve{.capacity = 10}.shard(1, 4).capacity == 3);
  CHECK(cachet::sieve{.capacity = 10}.shard(3, 4).capacity == 2);
}
