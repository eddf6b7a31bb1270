// tests/test_weigher.cpp: cachet::weigher with cachet::lru{.max_weight}:
// eviction by total weight (least recently used first), an entry heavier
// than the maximum returned but not stored, replacement updating the total,
// weighers of (value) and (key, value), removals reported, under sharded<N>
// each shard holding its part of max_weight; bad settings rejected.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>

namespace {

// The value is a string of x characters; it weighs its length.
std::string text_of(int x) { return std::string(static_cast<std::size_t>(x), 'x'); }
const auto by_length = [](const std::string& s) { return s.size(); };

}  // namespace

TEST_CASE("weigher: lru keeps entries while their total weight fits", "[weigher]") {
  int calls = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return text_of(x); }, cachet::lru{.max_weight = 10},
                           cachet::weigher{by_length});
  f(4);
  f(3);
  f(3);
  CHECK(calls == 2);
  CHECK(f.storage().total_weight() == 7);
  f(5);  // 12 > 10: the least recently used (4) goes
  CHECK_FALSE(f.contains(4));
  CHECK(f.contains(3));
  CHECK(f.contains(5));
  CHECK(f.storage().total_weight() == 8);
  CHECK(f.storage().max_weight() == 10);

  f(3);  // a use: now 5 is the least recently used
  f(2);  // 10: fits
  CHECK(f.storage().size() == 3);
  f(1);  // 11: 5 goes
  CHECK_FALSE(f.contains(5));
  CHECK(f.storage().total_weight() == 6);
}

TEST_CASE("weigher: an entry heavier than max_weight is returned but not stored", "[weigher]") {
  int calls = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return text_of(x); }, cachet::lru{.max_weight = 10},
                           cachet::weigher{by_length});
  f(2);
  CHECK(f(11).size() == 11);
  CHECK(f(11).size() == 11);
  CHECK(calls == 3);
  CHECK_FALSE(f.contains(11));
  CHECK(f.contains(2));  // nothing was evicted for it
  // An older, lighter value of the key is not served in its place.
  f.set(std::string("light"), 12);
  CHECK(f.contains(12));
  f.set(text_of(20), 12);
  CHECK_FALSE(f.contains(12));
  CHECK(f.storage().total_weight() == 2);
}

TEST_CASE("weigher: replacing a value updates the total weight", "[weigher]") {
  auto f = cachet::memoize([](int x) { return text_of(x); }, cachet::lru{.max_weight = 10},
                           cachet::weigher{by_length});
  f(6);
  f.set(text_of(2), 6);
  CHECK(f.storage().total_weight() == 2);
  f(7);
  CHECK(f.storage().total_weight() == 9);
  f.set(text_of(9), 6);  // 16: 7, now the least recently used, goes
  CHECK_FALSE(f.contains(7));
  CHECK(f.storage().total_weight() == 9);
  f.erase(6);
  CHECK(f.storage().total_weight() == 0);
  f(3);
  f.with_storage([](auto& s) { s.clear(); });
  CHECK(f.storage().total_weight() == 0);
}

TEST_CASE("weigher: a weigher of (key, value), and removals reported as evicted", "[weigher]") {
  std::vector<int> evicted;
  auto f = cachet::memoize(
      [](int x) { return x; }, cachet::lru{.max_weight = 100},
      cachet::weigher{[](const std::tuple<int>& key, int value) { return std::size_t(std::get<0>(key) + value); }},
      cachet::removal_listener{[&](const std::tuple<int>& key, int, cachet::removal_cause why) {
        if (why == cachet::removal_cause::evicted) evicted.push_back(std::get<0>(key));
      }});
  f(20);  // weighs 40
  f(25);  // 50: total 90
  f(10);  // 20: total 110 > 100, 20 goes
  CHECK(evicted == std::vector<int>{20});
  CHECK(f.storage().total_weight() == 70);
}

TEST_CASE("weigher: under sharded<N> each shard holds its part of max_weight", "[weigher][sharded]") {
  auto f = cachet::memoize([](int x) { return text_of(x % 5 + 1); }, cachet::lru{.max_weight = 40},
                           cachet::weigher{by_length}, cachet::sharded<4>{});
  for (int i = 0; i < 200; ++i) f(i);
  std::size_t total = 0;
  for (int i = 0; i < 200; ++i)
    if (auto v = f.get(i)) total += v->size();
  CHECK(total <= 40);
  CHECK(total > 0);
}

TEST_CASE("weigher: bad settings are std::invalid_argument", "[weigher]") {
  const auto fn = [](int x) { return text_of(x); };
  CHECK_THROWS_WITH(cachet::memoize(fn, cachet::lru{.max_weight = 0}, cachet::weigher{by_length}),
                    Catch::Contains("needs max_weight >= 1"));
  CHECK_THROWS_WITH(cachet::memoize(fn, cachet::lru{.max_weight = 100}),
                    Catch::Contains("max_weight is set but no cachet::weigher was named"));
}
