// Warm start: save an in-memory cache into a byte storage, load it back.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/warm_start.hpp>

using namespace std::chrono_literals;

namespace {

using byte_dict = cachet::store_for<cachet::dict, cachet::detail::warm_spec>;

int twice(int x) { return 2 * x; }

template <class Cached>
std::vector<int> keys_oldest_first(Cached& f) {
  std::vector<int> keys;
  f.storage().for_each_oldest_first(
      [&](const auto& key, const auto&, cachet::time_point) { keys.push_back(std::get<0>(key)); });
  return keys;
}

}  // namespace

TEST_CASE("save_entries then load_entries restores entries and recency order", "[warm_start]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 100}, clock);
  for (int i = 0; i < 10; ++i) f(i);
  f(3);  // 3 becomes the most recently used
  byte_dict target{cachet::dict{}};
  REQUIRE(cachet::save_entries(f, target, "twice", {.now = clock.now()}) == 10);

  auto g = cachet::memoize(twice, cachet::lru{.capacity = 100}, clock);
  REQUIRE(cachet::load_entries(g, target, "twice", {.now = clock.now()}) == 10);
  CHECK(keys_oldest_first(g) == keys_oldest_first(f));
  CHECK(keys_oldest_first(g).back() == 3);
  for (int i = 0; i < 10; ++i) CHECK(g.get(i) == 2 * i);
}

TEST_CASE("warm start keeps deadlines and skips expired entries", "[warm_start]") {
  cachet::manual_clock clock;
  auto ttl_of = [](const std::string& v) { return v.size() == 1 ? std::chrono::seconds{10} : std::chrono::seconds{100}; };
  auto f = cachet::memoize([](std::string s) { return s; }, cachet::lru{.capacity = 10},
                           cachet::expire_per_entry{ttl_of}, clock);
  f("a");      // expires at +10s
  f("bbbb");   // expires at +100s
  byte_dict target{cachet::dict{}};
  REQUIRE(cachet::save_entries(f, target, "s", {.now = clock.now()}) == 2);

  clock.advance(50s);
  auto g = cachet::memoize([](std::string s) { return s; }, cachet::lru{.capacity = 10},
                           cachet::expire_per_entry{ttl_of}, clock);
  REQUIRE(cachet::load_entries(g, target, "s", {.now = clock.now()}) == 1);
  CHECK_FALSE(g.contains("a"));
  CHECK(g.contains("bbbb"));
  clock.advance(51s);  // past the saved deadline of "bbbb"
  CHECK_FALSE(g.contains("bbbb"));
}

TEST_CASE("warm start splits large sets into chunks and loads into a smaller lru", "[warm_start]") {
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 5000}, cachet::unsynchronized{});
  for (int i = 0; i < 5000; ++i) f(i);
  byte_dict target{cachet::dict{}};
  REQUIRE(cachet::save_entries(f, target, "big", {.chunk_bytes = 4096}) == 5000);
  CHECK(target.size() > 10);  // manifest + many chunks

  auto small = cachet::memoize(twice, cachet::lru{.capacity = 100}, cachet::unsynchronized{});
  cachet::load_entries(small, target, "big");
  CHECK(small.storage().size() == 100);
  CHECK(small.contains(4999));  // the most recent survive
  CHECK_FALSE(small.contains(0));
}

TEST_CASE("load_entries reports what is missing or corrupt", "[warm_start]") {
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 10});
  byte_dict target{cachet::dict{}};
  CHECK_THROWS_AS(cachet::load_entries(f, target, "nothing"), cachet::entry_not_found);

  f(1);
  cachet::save_entries(f, target, "one");
  target.set("one#0", "garbage", cachet::no_deadline);
  CHECK_THROWS_AS(cachet::load_entries(f, target, "one"), cachet::invalid_data);

  target.erase("one#0");
  CHECK_THROWS_AS(cachet::load_entries(f, target, "one"), cachet::invalid_data);
}

TEST_CASE("warm start accepts a storage policy as the target", "[warm_start]") {
  // A dict policy opens a fresh (empty) store each time, so only saving can
  // be checked this way; persistent policies (sqlite) are tested with them.
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 10});
  f(1);
  CHECK(cachet::save_entries(f, cachet::dict{}, "one") == 1);
}

TEST_CASE("warm start keeps the times of stale-on-error entries", "[warm_start][expiry_options]") {
  cachet::manual_clock clock;
  const auto options = cachet::expiry_options{.stale_if_error = 1min};
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 10}, cachet::expire_after_write{10s}, clock, options);
  f(1);
  clock.advance(5s);
  f(2);
  byte_dict target{cachet::dict{}};
  REQUIRE(cachet::save_entries(f, target, "timed", {.now = clock.now()}) == 2);

  auto g = cachet::memoize(twice, cachet::lru{.capacity = 10}, cachet::expire_after_write{10s}, clock, options);
  REQUIRE(cachet::load_entries(g, target, "timed", {.now = clock.now()}) == 2);
  clock.advance(6s);  // 1 is stale (written at 0 s), 2 is fresh (5 s)
  CHECK_FALSE(g.contains(1));
  CHECK(g.get(2) == 4);
  CHECK(g.storage().size() == 2u);  // the stale entry is kept for its grace period
}
