// tests/test_stale_and_refresh.cpp: expiry_options' stale_if_error (an
// expired entry kept for a grace period, returned when recomputing it
// throws, and the error reported) and refresh_after (a hit on an old entry
// returns it at once; one computation replaces it on the refresh thread; a
// failing refresh keeps it), on object and byte stores, under threads.
// Time moves by an injected manual_clock; threads meet at latches. The one
// wait is for the refresh thread's write, polled with a generous bound.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

#include "sqlite_test_support.hpp"

using namespace std::chrono_literals;

namespace {

// A service that can be made to fail; counts its calls.
struct flaky {
  std::atomic<int>* calls;
  std::atomic<bool>* down;
  std::string operator()(int x) const {
    const int n = ++*calls;
    if (*down) throw std::runtime_error("service down");
    return std::to_string(x) + "#" + std::to_string(n);
  }
};

// Collects what on_error hears.
struct error_log {
  std::mutex mutex;
  std::vector<std::string> messages;
  auto reporter() {
    return [this](std::exception_ptr e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        std::lock_guard<std::mutex> g(mutex);
        messages.emplace_back(x.what());
      }
    };
  }
  std::size_t size() {
    std::lock_guard<std::mutex> g(mutex);
    return messages.size();
  }
};

// Polls `done()` until it holds (or 10 s pass): for the refresh thread's write.
template <class Done>
bool eventually(Done done) {
  for (int i = 0; i < 10'000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

// The stale-on-error rules on one storage.
template <class Storage, class... Extra>
void check_stale_if_error(const Storage& storage, const Extra&... extra) {
  cachet::manual_clock clock;
  std::atomic<int> calls = 0;
  std::atomic<bool> down = false;
  error_log errors;
  auto f = cachet::memoize(flaky{&calls, &down}, storage, extra..., cachet::expire_after_write{10s}, clock,
                           cachet::expiry_options{.stale_if_error = 1min, .on_error = errors.reporter()});
  CHECK(f(1) == "1#1");
  clock.advance(11s);  // expired: stale for another minute
  CHECK_FALSE(f.get(1));
  CHECK_FALSE(f.contains(1));
  CHECK_FALSE(f.touch(1));
  CHECK(f.get_many(std::vector<std::tuple<int>>{{1}}) == std::vector<std::optional<std::string>>{std::nullopt});

  down = true;
  CHECK(f(1) == "1#1");  // the stale value, not the exception
  REQUIRE(errors.size() == 1);
  CHECK(errors.messages[0] == "service down");
  CHECK(f.get_or_update_many(std::vector<std::tuple<int>>{{1}}) == std::vector<std::string>{"1#1"});
  CHECK(errors.size() == 2);
  CHECK_FALSE(f.contains(1));  // still stale: the fallback was not stored
  CHECK_THROWS_AS(f(2), std::runtime_error);  // nothing stale to fall back on
  CHECK_THROWS_AS(f.update(1), std::runtime_error);  // update always computes

  down = false;
  CHECK(f(1) == "1#6");  // recomputed and stored fresh
  CHECK(f(1) == "1#6");
  CHECK(f.contains(1));

  clock.advance(10s + 1min);  // past the grace period: gone
  down = true;
  CHECK_THROWS_AS(f(1), std::runtime_error);
}

}  // namespace

TEST_CASE("stale_if_error: an expired entry answers a failed recomputation, on every kind of store",
          "[stale_if_error]") {
  SECTION("lru") { check_stale_if_error(cachet::lru{.capacity = 16}); }
  SECTION("dict") { check_stale_if_error(cachet::dict{}); }
  SECTION("dict of bytes") { check_stale_if_error(cachet::dict{}, cachet::cereal_binary{}, cachet::text_key{"f"}); }
  SECTION("sqlite") {
    const sqlite_test::temp_dir dir;
    check_stale_if_error(cachet::sqlite{.path = dir.path / "stale.db"});
  }
  SECTION("sharded lru") { check_stale_if_error(cachet::lru{.capacity = 16}, cachet::sharded<4>{}); }
}

TEST_CASE("stale_if_error: waiters of a failed recomputation all get the stale value", "[stale_if_error][threads]") {
  cachet::manual_clock clock;
  std::atomic<int> calls = 0;
  std::latch started(1), release(1);
  std::atomic<bool> down = false;
  auto f = cachet::memoize(
      [&](int x) {
        if (++calls > 1) {
          started.count_down();
          release.wait();
        }
        if (down) throw std::runtime_error("down");
        return x * 2;
      },
      cachet::lru{.capacity = 8}, cachet::expire_after_write{1s}, clock,
      cachet::expiry_options{.stale_if_error = 1h});
  CHECK(f(21) == 42);
  clock.advance(2s);
  down = true;
  std::vector<int> seen(4);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { seen[0] = f(21); });
  started.wait();  // the leader is computing
  for (int t = 1; t < 4; ++t) threads.emplace_back([&, t] { seen[t] = f(21); });
  // The others join the flight (or, if late, lead their own after it; both end stale).
  release.count_down();
  for (auto& t : threads) t.join();
  CHECK(seen == std::vector<int>{42, 42, 42, 42});
  CHECK_FALSE(f.contains(21));
}

TEST_CASE("refresh_after: a hit on an old entry returns it at once; one computation replaces it",
          "[refresh_after][threads]") {
  cachet::manual_clock clock;
  std::atomic<int> calls = 0;
  std::latch refreshing(1), release(1);
  auto f = cachet::memoize(
      [&](int x) {
        const int n = ++calls;
        if (n == 2) {  // the refresh
          refreshing.count_down();
          release.wait();
        }
        return x * 100 + n;
      },
      cachet::lru{.capacity = 8}, cachet::expire_after_write{1min}, clock,
      cachet::expiry_options{.refresh_after = 10s});
  CHECK(f(1) == 101);
  clock.advance(9s);
  CHECK(f(1) == 101);
  CHECK(calls == 1);  // younger than refresh_after: no refresh

  clock.advance(2s);
  CHECK(f(1) == 101);  // at once, while the refresh waits on `release`
  refreshing.wait();
  std::vector<std::thread> readers;
  std::vector<int> seen(4);
  for (int t = 0; t < 4; ++t) readers.emplace_back([&, t] { seen[t] = f(1); });
  for (auto& t : readers) t.join();
  CHECK(seen == std::vector<int>{101, 101, 101, 101});  // the stored value meanwhile
  CHECK(f.get_or_update_many(std::vector<std::tuple<int>>{{1}}) == std::vector<int>{101});
  CHECK(calls == 2);  // exactly one refresh

  release.count_down();
  CHECK(eventually([&] { return f.get(1) == 102; }));
  CHECK(calls == 2);
  clock.advance(9s);
  CHECK(f(1) == 102);  // the refreshed entry is young again
  CHECK(calls == 2);
}

TEST_CASE("refresh_after: a failing refresh keeps the old value and is reported", "[refresh_after]") {
  cachet::manual_clock clock;
  std::atomic<int> calls = 0;
  std::atomic<bool> down = false;
  error_log errors;
  auto f = cachet::memoize(flaky{&calls, &down}, cachet::lru{.capacity = 8}, cachet::expire_after_write{1min}, clock,
                           cachet::record_stats{},
                           cachet::expiry_options{.refresh_after = 10s, .on_error = errors.reporter()});
  CHECK(f(7) == "7#1");
  clock.advance(15s);
  down = true;
  CHECK(f(7) == "7#1");
  REQUIRE(eventually([&] { return errors.size() == 1; }));
  CHECK(errors.messages[0] == "service down");
  CHECK(eventually([&] { return f.stats().load_failures == 1; }));
  CHECK(f.get(7) == "7#1");  // kept
  down = false;
  CHECK(f(7) == "7#1");  // still due: the next hit tries again
  CHECK(eventually([&] { return f.get(7) == "7#3"; }));
}

TEST_CASE("refresh_after on a byte store and under sharded<N>", "[refresh_after]") {
  cachet::manual_clock clock;
  std::atomic<int> calls = 0;
  std::atomic<bool> down = false;
  auto bytes = cachet::memoize(flaky{&calls, &down}, cachet::dict{}, cachet::cereal_binary{}, cachet::text_key{"r"},
                               cachet::expire_after_write{1min}, clock, cachet::expiry_options{.refresh_after = 5s});
  CHECK(bytes(3) == "3#1");
  clock.advance(6s);
  CHECK(bytes(3) == "3#1");
  CHECK(eventually([&] { return bytes.get(3) == "3#2"; }));

  std::atomic<int> sharded_calls = 0;
  auto sharded = cachet::memoize(flaky{&sharded_calls, &down}, cachet::lru{.capacity = 64}, cachet::sharded<4>{},
                                 cachet::expire_after_write{1min}, clock, cachet::expiry_options{.refresh_after = 5s});
  for (int k = 0; k < 8; ++k) sharded(k);
  clock.advance(6s);
  for (int k = 0; k < 8; ++k) CHECK(sharded(k) == std::to_string(k) + "#" + std::to_string(k + 1));
  CHECK(eventually([&] { return sharded_calls == 16; }));
  CHECK(eventually([&] {
    for (int k = 0; k < 8; ++k)
      if (!sharded.get(k) || sharded.get(k)->ends_with("#" + std::to_string(k + 1))) return false;
    return true;
  }));
}

TEST_CASE("refresh_after: the cache's destruction waits for a running refresh", "[refresh_after][threads]") {
  cachet::manual_clock clock;
  std::atomic<int> calls = 0;
  std::latch refreshing(1), release(1);
  std::atomic<bool> finished = false;
  std::thread releaser;
  {
    auto f = cachet::memoize(
        [&](int x) {
          if (++calls == 2) {
            refreshing.count_down();
            release.wait();
            finished = true;
          }
          return x;
        },
        cachet::lru{.capacity = 8}, cachet::expire_after_write{1min}, clock,
        cachet::expiry_options{.refresh_after = 1s});
    f(1);
    clock.advance(2s);
    f(1);
    refreshing.wait();
    releaser = std::thread([&] { release.count_down(); });
  }  // joins the refresh thread
  CHECK(finished);
  releaser.join();
}

TEST_CASE("expiry_options: sliding expiry renews a fresh timed entry, never a stale one", "[stale_if_error]") {
  cachet::manual_clock clock;
  std::atomic<int> calls = 0;
  std::atomic<bool> down = false;
  std::vector<cachet::removal_cause> causes;
  auto f = cachet::memoize(flaky{&calls, &down}, cachet::lru{.capacity = 8}, cachet::expire_after_access{10s}, clock,
                           cachet::removal_listener{[&](const std::tuple<int>&, const std::string&,
                                                        cachet::removal_cause c) { causes.push_back(c); }},
                           cachet::expiry_options{.stale_if_error = 30s});
  CHECK(f(1) == "1#1");
  clock.advance(8s);
  CHECK(f(1) == "1#1");  // renewed: fresh until 18 s
  clock.advance(8s);
  CHECK(f.touch(1));  // renewed: fresh until 26 s
  CHECK(causes.empty());  // a renewal is not a replacement
  clock.advance(11s);
  CHECK_FALSE(f.touch(1));  // stale
  down = true;
  CHECK(f(1) == "1#1");
  clock.advance(31s);  // past the grace period
  CHECK_FALSE(f.get(1));
  CHECK(causes == std::vector<cachet::removal_cause>{cachet::removal_cause::expired});
}

TEST_CASE("expiry_options: bad stale_if_error and refresh_after are std::invalid_argument", "[expiry_options]") {
  const auto id = [](int x) { return x; };
  CHECK_THROWS_AS(cachet::memoize(id, cachet::lru{.capacity = 1}, cachet::expiry_options{.stale_if_error = -1s}),
                  std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize(id, cachet::lru{.capacity = 1}, cachet::expiry_options{.refresh_after = -1s}),
                  std::invalid_argument);
  // Refresh-ahead needs one computation per key: not under unsynchronized.
  CHECK_THROWS_WITH(
      cachet::memoize(id, cachet::lru{.capacity = 1}, cachet::unsynchronized{},
                      cachet::expiry_options{.refresh_after = 1s}),
      Catch::Contains("refresh_after needs a sync policy"));
  CHECK_NOTHROW(cachet::memoize(id, cachet::lru{.capacity = 1}, cachet::unsynchronized{},
                                cachet::expiry_options{.stale_if_error = 1s}));
}

TEST_CASE("expiry_options: a weigher weighs a timed entry's value", "[expiry_options]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int n) { return std::string(static_cast<std::size_t>(n), 'x'); },
                           cachet::lru{.max_weight = 10}, cachet::weigher{[](const std::string& s) { return s.size(); }},
                           clock, cachet::expiry_options{.stale_if_error = 1s});
  f(6);
  f(4);
  CHECK(f.storage().total_weight() == 10);
  f(11);  // heavier than the maximum: returned, not stored
  CHECK_FALSE(f.contains(11));
}
