// tests/test_removal_listener.cpp: cachet::removal_listener: called with
// key, value and cause (evicted, expired, erased, replaced) by lru and dict,
// typed or bytes, after the cache's lock is released (the listener may call
// the cache), from several threads; a throwing listener; a listener of the
// wrong shape is a compile error (tests/compile_fail).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

using namespace std::chrono_literals;
using cause = cachet::removal_cause;

namespace {

struct heard {
  int key;
  std::string value;
  cause why;
  friend bool operator==(const heard&, const heard&) = default;
};

std::ostream& operator<<(std::ostream& out, const heard& h) {
  return out << "{" << h.key << ", " << h.value << ", " << cachet::to_string(h.why) << "}";
}

// A listener that writes down what it hears (keys of tuple_key: std::tuple<int>).
struct recorder {
  std::vector<heard>* log;
  void operator()(const std::tuple<int>& key, const std::string& value, cause why) const {
    log->push_back({std::get<0>(key), value, why});
  }
};

}  // namespace

TEST_CASE("removal_listener: lru reports evicted, erased, replaced and expired entries", "[listener]") {
  std::vector<heard> log;
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return "v" + std::to_string(x); }, cachet::lru{.capacity = 2},
                           cachet::expire_after_write{10s}, clock, cachet::removal_listener{recorder{&log}});
  f(1);
  f(2);
  f(3);  // evicts 1, the least recently used
  CHECK(log == std::vector<heard>{{1, "v1", cause::evicted}});
  log.clear();

  f.erase(2);
  CHECK(log == std::vector<heard>{{2, "v2", cause::erased}});
  log.clear();
  CHECK_FALSE(f.erase(2));  // nothing left: nothing heard
  CHECK(log.empty());

  f.set("new", 3);
  CHECK(log == std::vector<heard>{{3, "v3", cause::replaced}});
  log.clear();
  f.update(3);
  CHECK(log == std::vector<heard>{{3, "new", cause::replaced}});
  log.clear();

  clock.advance(11s);
  CHECK(f.get(3) == std::nullopt);
  CHECK(log == std::vector<heard>{{3, "v3", cause::expired}});
}

TEST_CASE("removal_listener: dict reports the same; clear and erase_expired through with_storage", "[listener]") {
  std::vector<heard> log;
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return std::to_string(x); }, cachet::dict{}, cachet::expire_after_write{10s},
                           clock, cachet::removal_listener{recorder{&log}});
  f(1);
  f(2);
  clock.advance(5s);
  f(3);
  clock.advance(6s);  // 1 and 2 expired, 3 live
  CHECK(f.with_storage([&](auto& s) { return s.erase_expired(clock.now()); }) == 2);
  REQUIRE(log.size() == 2);
  CHECK(log[0].why == cause::expired);
  CHECK(log[1].why == cause::expired);
  log.clear();
  f.with_storage([](auto& s) { s.clear(); });
  CHECK(log == std::vector<heard>{{3, "3", cause::erased}});
  log.clear();
  f.set("x", 4);
  f.set("y", 4);
  CHECK(log == std::vector<heard>{{4, "x", cause::replaced}});
}

TEST_CASE("removal_listener: a byte store's values reach the listener decoded", "[listener]") {
  std::vector<std::pair<std::string, int>> log;
  auto f = cachet::memoize([](int x) { return x * 10; }, cachet::dict{}, cachet::cereal_binary{},
                           cachet::text_key{"k"},
                           cachet::removal_listener{[&](const std::string& key, int value, cause why) {
                             CHECK(why == cause::erased);
                             log.emplace_back(key, value);
                           }});
  f(4);
  f.erase(4);
  CHECK(log == std::vector<std::pair<std::string, int>>{{"k:4", 40}});
}

TEST_CASE("removal_listener: called after the lock is released, so it may call the cache", "[listener]") {
  std::vector<int> evicted;
  // The listener reads the cache it listens to: under a held std::mutex this would deadlock.
  std::function<std::optional<int>(int)> peek;
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 1},
                           cachet::removal_listener{[&](const std::tuple<int>& key, int, cause) {
                             evicted.push_back(std::get<0>(key));
                             CHECK(peek(std::get<0>(key)) == std::nullopt);  // already gone
                           }});
  peek = [&](int x) { return f.get(x); };
  f(1);
  f(2);
  f(3);
  CHECK(evicted == std::vector<int>{1, 2});
}

TEST_CASE("removal_listener: a throwing listener fails the operation after the removal", "[listener]") {
  int heard_count = 0;
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 4},
                           cachet::removal_listener{[&](const auto&, int, cause) {
                             ++heard_count;
                             throw std::runtime_error("listener failed");
                           }});
  f(1);
  CHECK_THROWS_WITH(f.erase(1), "listener failed");
  CHECK(heard_count == 1);
  CHECK_FALSE(f.contains(1));  // removed all the same
}

TEST_CASE("removal_listener: every eviction is heard once under threads", "[listener][threads]") {
  constexpr int threads = 4;
  constexpr int per_thread = 500;
  constexpr std::size_t capacity = 16;
  std::atomic<int> evictions{0};
  std::atomic<bool> wrong_cause{false};
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = capacity},
                           cachet::removal_listener{[&](const auto&, int, cause why) {
                             if (why != cause::evicted) wrong_cause = true;
                             ++evictions;
                           }});
  std::latch start(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < per_thread; ++i) f(t * per_thread + i);  // distinct keys
    });
  for (auto& th : pool) th.join();
  CHECK_FALSE(wrong_cause);
  CHECK(evictions == threads * per_thread - static_cast<int>(capacity));
}

TEST_CASE("removal_listener: with record_stats, both hear of the same removals", "[listener][stats]") {
  int heard_count = 0;
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 2}, cachet::record_stats{},
                           cachet::removal_listener{[&](const auto&, int, cause) { ++heard_count; }});
  for (int i = 0; i < 6; ++i) f(i);
  CHECK(heard_count == 4);
  CHECK(f.stats().evictions == 4);
}

TEST_CASE("removal_listener: a sharded lru reports each shard's evictions", "[listener][sharded]") {
  int evicted = 0;
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 8}, cachet::sharded<4>{},
                           cachet::record_stats{},
                           cachet::removal_listener{[&](const auto&, int, cause why) {
                             if (why == cause::evicted) ++evicted;
                           }});
  for (int i = 0; i < 100; ++i) f(i);
  CHECK(f.storage().size() <= 8);
  CHECK(evicted == 100 - static_cast<int>(f.storage().size()));
  CHECK(f.stats().evictions == static_cast<std::uint64_t>(evicted));
}
