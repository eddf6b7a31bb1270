// tests/test_lru.cpp: cachet::lru: capacity, recency order and eviction, a
// randomized comparison with a reference LRU, expiry reclamation, copies and
// moves, string keys, and hits that allocate nothing.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>

#include "allocation_counter.hpp"

using namespace std::chrono_literals;


namespace {

int plain_square(int x) { return x * x; }

//! The keys of an int-keyed lru cache, least recently used first.
template <class Cache>
std::vector<int> order_of(const Cache& f) {
  std::vector<int> keys;
  f.storage().for_each_oldest_first(
      [&](const auto& key, const auto&, cachet::time_point) { keys.push_back(std::get<0>(key)); });
  return keys;
}

auto int_cache(std::size_t capacity, int& calls) {
  return cachet::memoize([&calls](int x) { ++calls; return 10 * x; }, cachet::lru{.capacity = capacity});
}

}  // namespace

TEST_CASE("lru: holds at most capacity entries, evicting the least recently used", "[lru]") {
  int calls = 0;
  auto f = int_cache(3, calls);
  CHECK(f.storage().capacity() == 3u);
  for (int k = 1; k <= 3; ++k) f(k);
  CHECK(order_of(f) == std::vector<int>{1, 2, 3});
  f(4);
  CHECK(f.storage().size() == 3u);
  CHECK(order_of(f) == std::vector<int>{2, 3, 4});
  CHECK_FALSE(f.contains(1));
  for (int k = 5; k <= 20; ++k) f(k);
  CHECK(f.storage().size() == 3u);
  CHECK(order_of(f) == std::vector<int>{18, 19, 20});
  CHECK(f(1) == 10);  // evicted: computed again
  CHECK(calls == 21);
}

TEST_CASE("lru: hits, get, set and touch are uses; contains is not", "[lru]") {
  int calls = 0;
  auto f = int_cache(4, calls);
  for (int k = 1; k <= 4; ++k) f(k);
  CHECK(f.get(1) == std::optional<int>(10));
  CHECK(order_of(f) == std::vector<int>{2, 3, 4, 1});
  CHECK(f(2) == 20);  // a hit
  CHECK(order_of(f) == std::vector<int>{3, 4, 1, 2});
  CHECK(f.contains(3));
  CHECK(order_of(f) == std::vector<int>{3, 4, 1, 2});
  f.set(99, 4);  // set of an existing key
  CHECK(order_of(f) == std::vector<int>{3, 1, 2, 4});
  CHECK(f.touch(1));
  CHECK(order_of(f) == std::vector<int>{3, 2, 4, 1});
  f(5);  // evicts 3 although contains(3) was the latest call about it
  CHECK_FALSE(f.contains(3));
  CHECK(order_of(f) == std::vector<int>{2, 4, 1, 5});
  CHECK(f.get(4) == std::optional<int>(99));
  CHECK(calls == 5);
}

TEST_CASE("lru: erasing anywhere keeps the order of the rest", "[lru]") {
  int calls = 0;
  auto f = int_cache(5, calls);
  for (int k = 1; k <= 5; ++k) f(k);
  CHECK(f.erase(3));  // middle
  CHECK(order_of(f) == std::vector<int>{1, 2, 4, 5});
  CHECK(f.erase(1));  // oldest
  CHECK(f.erase(5));  // newest
  CHECK_FALSE(f.erase(5));
  CHECK(order_of(f) == std::vector<int>{2, 4});
  for (int k = 6; k <= 8; ++k) f(k);
  CHECK(order_of(f) == std::vector<int>{2, 4, 6, 7, 8});
  f.get(2);
  f(9);  // evicts 4
  f(10);  // evicts 6
  CHECK(order_of(f) == std::vector<int>{7, 8, 2, 9, 10});
  CHECK(f.erase(8));
  f.touch(7);
  f(11);
  f(12);  // evicts 2
  CHECK(order_of(f) == std::vector<int>{9, 10, 7, 11, 12});
  CHECK(f.storage().size() == 5u);
  for (int k : {9, 10, 7, 11, 12}) CHECK(f.contains(k));
}

TEST_CASE("lru: capacity 1 keeps only the latest entry; capacity 0 is rejected", "[lru]") {
  int calls = 0;
  auto f = int_cache(1, calls);
  f(1);
  f(2);
  CHECK(order_of(f) == std::vector<int>{2});
  CHECK(f.get(1) == std::nullopt);
  CHECK(f(2) == 20);
  CHECK(calls == 2);
  f.set(7, 3);
  CHECK(order_of(f) == std::vector<int>{3});
  CHECK(f.erase(3));
  CHECK(f.storage().size() == 0u);
  f(4);
  CHECK(order_of(f) == std::vector<int>{4});

  CHECK_THROWS_AS(cachet::memoize(plain_square, cachet::lru{.capacity = 0}), std::invalid_argument);
}

namespace {

//! The reference: a std::list in recency order (oldest first) and a std::map.
struct reference_lru {
  struct slot {
    int value;
    cachet::time_point deadline;
    std::list<int>::iterator position;
  };
  std::size_t capacity;
  std::list<int> order;
  std::map<int, slot> slots;

  void use(int key) {
    slot& s = slots.at(key);
    order.erase(s.position);
    s.position = order.insert(order.end(), key);
  }
  void remove(int key) {
    order.erase(slots.at(key).position);
    slots.erase(key);
  }
  // The live entry of `key`; an expired one met here is reclaimed.
  slot* live(int key, cachet::time_point now) {
    const auto it = slots.find(key);
    if (it == slots.end()) return nullptr;
    if (it->second.deadline <= now) {
      remove(key);
      return nullptr;
    }
    return &it->second;
  }
  std::optional<int> get(int key, cachet::time_point now) {
    slot* s = live(key, now);
    if (!s) return std::nullopt;
    use(key);
    return s->value;
  }
  void set(int key, int value, cachet::time_point deadline) {
    if (const auto it = slots.find(key); it != slots.end()) {
      it->second.value = value;
      it->second.deadline = deadline;
      use(key);
      return;
    }
    if (slots.size() == capacity) remove(order.front());
    slots.emplace(key, slot{value, deadline, order.insert(order.end(), key)});
  }
  bool erase(int key) {
    if (!slots.contains(key)) return false;
    remove(key);
    return true;
  }
  bool contains(int key, cachet::time_point now) { return live(key, now) != nullptr; }
  bool touch(int key, cachet::time_point now, cachet::time_point deadline) {
    slot* s = live(key, now);
    if (!s) return false;
    s->deadline = deadline;
    use(key);
    return true;
  }
  std::vector<std::tuple<int, int, cachet::time_point>> contents() const {
    std::vector<std::tuple<int, int, cachet::time_point>> out;
    for (int k : order) out.emplace_back(k, slots.at(k).value, slots.at(k).deadline);
    return out;
  }
};

template <class Cache>
std::vector<std::tuple<int, int, cachet::time_point>> contents_of(const Cache& f) {
  std::vector<std::tuple<int, int, cachet::time_point>> out;
  f.storage().for_each_oldest_first([&](const auto& key, const int& value, cachet::time_point deadline) {
    out.emplace_back(std::get<0>(key), value, deadline);
  });
  return out;
}

// Runs `steps` random operations on an lru cache and on the reference,
// comparing the results and the whole contents, in order, after each.
template <bool Expiring>
int differential_run(std::mt19937& rng, std::size_t capacity, int steps) {
  constexpr auto ttl = 8s;
  cachet::manual_clock clock;
  int next_value = 0;
  auto fn = [&next_value](int) { return ++next_value; };
  auto f = [&] {
    if constexpr (Expiring)
      return cachet::memoize(fn, cachet::lru{.capacity = capacity}, cachet::expire_after_write{ttl}, clock,
                             cachet::unsynchronized{});
    else
      return cachet::memoize(fn, cachet::lru{.capacity = capacity}, cachet::unsynchronized{});
  }();
  reference_lru model{capacity, {}, {}};
  const auto deadline = [&] { return Expiring ? clock.now() + ttl : cachet::no_deadline; };
  const auto model_now = [&] { return Expiring ? clock.now() : cachet::time_point{}; };

  std::uniform_int_distribution<int> key_of(0, static_cast<int>(capacity + capacity / 2 + 2));
  std::uniform_int_distribution<int> op_of(0, Expiring ? 7 : 6);
  int checked = 0;
  for (int step = 0; step < steps; ++step) {
    const int op = op_of(rng);
    const int key = key_of(rng);
    bool same = true;
    switch (op) {
      case 0:
      case 1: same = f.get(key) == model.get(key, model_now()); break;
      case 2: {
        const int value = 1000 + step;
        f.set(value, key);
        model.set(key, value, deadline());
        break;
      }
      case 3: {
        const int got = f(key);  // a miss computes next_value + 1
        const auto hit = model.get(key, model_now());
        if (!hit) model.set(key, next_value, deadline());
        same = got == (hit ? *hit : next_value);
        break;
      }
      case 4: same = f.erase(key) == model.erase(key); break;
      case 5: same = f.touch(key) == model.touch(key, model_now(), deadline()); break;
      case 6: same = f.contains(key) == model.contains(key, model_now()); break;
      default: clock.advance(std::chrono::seconds{key % 3}); break;
    }
    const auto contents = contents_of(f);
    if (!same || contents != model.contents() || f.storage().size() != model.slots.size()) {
      INFO("capacity " << capacity << ", step " << step << ", operation " << op << ", key " << key);
      REQUIRE(same);
      REQUIRE(contents == model.contents());
      REQUIRE(f.storage().size() == model.slots.size());
    }
    ++checked;
  }
  return checked;
}

}  // namespace

TEST_CASE("lru: matches a reference LRU over random operations", "[lru][random]") {
  std::mt19937 rng(20240601);
  const std::vector<std::size_t> capacities{1, 2, 3, 5, 8, 13, 21, 34, 55, 64};
  int checked = 0;
  SECTION("no expiry") {
    for (std::size_t capacity : capacities) checked += differential_run<false>(rng, capacity, 1000);
  }
  SECTION("expire_after_write on a manual clock") {
    for (std::size_t capacity : capacities) checked += differential_run<true>(rng, capacity, 1000);
  }
  CHECK(checked == 10000);
}

TEST_CASE("lru: expired entries are reclaimed when met and by erase_expired", "[lru][expiry]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize(plain_square, cachet::lru{.capacity = 16}, cachet::expire_after_write{10s}, clock);
  for (int k = 1; k <= 5; ++k) f(k);
  clock.advance(5s);
  f(6);
  f(7);
  clock.advance(5s);  // 1..5 expired, 6 and 7 live
  CHECK(f.storage().size() == 7u);
  CHECK(f.get(1) == std::nullopt);
  CHECK(f.storage().size() == 6u);
  CHECK_FALSE(f.contains(2));
  CHECK(f.storage().size() == 5u);
  CHECK_FALSE(f.touch(3));
  CHECK(f.storage().size() == 4u);
  CHECK(f.storage().erase_expired(clock.now()) == 2u);
  CHECK(order_of(f) == std::vector<int>{6, 7});
  CHECK(f.storage().erase_expired(clock.now()) == 0u);
  f(8);
  clock.advance(5s);
  CHECK(f.storage().erase_expired(clock.now()) == 2u);
  CHECK(order_of(f) == std::vector<int>{8});
}

TEST_CASE("lru: copies and moves keep contents and order; copies are independent", "[lru]") {
  int calls = 0;
  auto f = int_cache(8, calls);
  for (int k : {5, 1, 4, 2, 3}) f(k);
  f.get(1);
  const std::vector<int> order{5, 4, 2, 3, 1};
  REQUIRE(order_of(f) == order);

  auto copy = f;
  CHECK(order_of(copy) == order);
  for (int k : order) CHECK(copy.contains(k));  // the index was rebuilt
  CHECK(copy.get(5) == std::optional<int>(50));
  CHECK(copy.erase(4));
  copy(9);
  CHECK(order_of(copy) == std::vector<int>{2, 3, 1, 5, 9});
  CHECK(order_of(f) == order);  // the original is untouched
  CHECK_FALSE(f.contains(9));
  CHECK(f.contains(4));

  auto moved = std::move(copy);
  CHECK(order_of(moved) == std::vector<int>{2, 3, 1, 5, 9});
  for (int k : {2, 3, 1, 5, 9}) CHECK(moved.contains(k));
  copy.storage().clear();  // a moved-from cache is usable once cleared
  copy(6);
  CHECK(order_of(copy) == std::vector<int>{6});
  CHECK(calls == 7);

  auto g = cachet::memoize(plain_square, cachet::lru{.capacity = 8});
  for (int k : {3, 1, 2}) g(k);
  auto h = cachet::memoize(plain_square, cachet::lru{.capacity = 2});
  h(7);
  h = g;  // copy assignment
  CHECK(h.storage().capacity() == 8u);
  CHECK(order_of(h) == std::vector<int>{3, 1, 2});
  h.get(3);
  CHECK(order_of(g) == std::vector<int>{3, 1, 2});
  auto k = cachet::memoize(plain_square, cachet::lru{.capacity = 2});
  k = std::move(h);  // move assignment
  CHECK(k.storage().capacity() == 8u);
  CHECK(order_of(k) == std::vector<int>{1, 2, 3});
  for (int key : {1, 2, 3}) CHECK(k.contains(key));
}

TEST_CASE("lru: string keys, looked up as const char*, std::string or std::string_view", "[lru]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](const std::string& s) { ++calls; return s.size(); }, cachet::lru{.capacity = 3});
  f("alpha");
  f(std::string("beta"));
  f("gamma");
  CHECK(f.get(std::string_view("alpha")) == std::optional<std::size_t>(5));
  f("delta");  // evicts beta
  CHECK_FALSE(f.contains("beta"));
  CHECK(f.contains(std::string("alpha")));
  std::vector<std::string> keys;
  f.storage().for_each_oldest_first(
      [&](const auto& key, const auto&, cachet::time_point) { keys.push_back(std::get<0>(key)); });
  CHECK(keys == std::vector<std::string>{"gamma", "alpha", "delta"});
  CHECK(calls == 4);
}

#if CACHET_TEST_COUNT_ALLOCATIONS
namespace {

template <class Sync>
void check_hits_allocate_nothing() {
  std::vector<std::string> texts;
  for (int i = 0; i < 8; ++i) texts.push_back(std::string(80, static_cast<char>('a' + i)) + " long key");
  auto f = cachet::memoize([](const std::string& s) { return static_cast<int>(s.size()); }, cachet::lru{.capacity = 64},
                           Sync{});
  auto g = cachet::memoize([](std::string_view s) { return static_cast<int>(s.size()); }, cachet::lru{.capacity = 64},
                           Sync{});
  for (const auto& t : texts) {
    f(t);
    g(t);
  }
  REQUIRE(allocations_during([] { delete new int(1); }) == 1);  // the counter works

  // hits on every entry, oldest first, so that each one changes the recency order
  long total = 0;
  int sum = 0;
  for (int round = 0; round < 50; ++round) {
    for (const auto& t : texts) {
      const std::string_view view(t);
      total += allocations_during([&] { sum += f(t.c_str()); });
      total += allocations_during([&] { sum += f(t); });
      total += allocations_during([&] { sum += *f.get(view); });
      total += allocations_during([&] { sum += g(view); });
      total += allocations_during([&] { sum += g(t.c_str()); });
      total += allocations_during([&] { sum += g(t); });
    }
  }
  CHECK(total == 0);
  CHECK(sum == 50 * 8 * 6 * 89);

  auto copy = f;  // a copy's rebuilt store allocates nothing on hits either
  long copy_total = 0;
  for (int round = 0; round < 50; ++round)
    for (const auto& t : texts) copy_total += allocations_during([&] { sum += copy(t); });
  CHECK(copy_total == 0);
}

}  // namespace

TEST_CASE("lru: a hit with a long string argument allocates nothing", "[lru][allocation]") {
  SECTION("unsynchronized") { check_hits_allocate_nothing<cachet::unsynchronized>(); }
  SECTION("mutex") { check_hits_allocate_nothing<cachet::mutex>(); }
}
#endif
