// tests/test_single_flight.cpp: cachet::mutex's single flight: concurrent
// misses of one key run the function once, on in-memory, disk and
// thread-safe stores; an exception reaches every waiter and nothing is
// stored; other keys never wait; a function calling itself with the same
// arguments gets cachet::reentrant_call, while recursion on other arguments
// (fib) works from several threads; update, update_many and
// get_or_update_many join the flights too.
//
// Threads meet at latches. Where a test must let the waiters reach the
// flight before the computation ends, the computation waits for a latch
// that the test opens 200 ms after every waiter announced itself: the
// window between the announcement and joining is a few instructions.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/storage/sqlite.hpp>

#include "disk_test_support.hpp"

using namespace std::chrono_literals;

namespace {

constexpr int waiters = 7;

struct temp_dir : cachet_test::temp_dir {
  temp_dir() : cachet_test::temp_dir("single-flight") {}
};

// Starts `count` threads that each announce themselves, then run `call`.
struct crowd {
  std::atomic<int> announced{0};
  std::vector<std::thread> threads;
  template <class Call>
  crowd(int count, Call call) {
    for (int i = 0; i < count; ++i)
      threads.emplace_back([this, call] {
        ++announced;
        call();
      });
  }
  void wait_announced(int count) const {
    while (announced.load() < count) std::this_thread::yield();
    std::this_thread::sleep_for(200ms);  // the few instructions from announcing to joining
  }
  ~crowd() {
    for (auto& t : threads) t.join();
  }
};

template <class Cache>
void one_computation_for_concurrent_misses(Cache& f, std::atomic<int>& calls, std::latch& release) {
  std::atomic<int> right{0};
  {
    std::thread leader([&] { right += f(21) == 42; });
    while (calls.load() == 0) std::this_thread::yield();  // the leader is computing
    crowd others(waiters, [&] { right += f(21) == 42; });
    others.wait_announced(waiters);
    release.count_down();
    leader.join();
  }
  CHECK(calls == 1);
  CHECK(right == waiters + 1);
  CHECK(f.get(21) == 42);
}

}  // namespace

TEST_CASE("single flight: concurrent misses of one key run the function once", "[sync][single_flight][threads]") {
  STATIC_REQUIRE(cachet::detail::single_flight_sync<cachet::mutex>());
  STATIC_REQUIRE_FALSE(cachet::detail::single_flight_sync<cachet::unsynchronized>());
  std::atomic<int> calls{0};
  std::latch release(1);
  const auto slow_double = [&](int x) {
    ++calls;
    release.wait();
    return 2 * x;
  };
  SECTION("lru") {
    auto f = cachet::memoize(slow_double, cachet::lru{.capacity = 8});
    one_computation_for_concurrent_misses(f, calls, release);
  }
  SECTION("dict") {
    auto f = cachet::memoize(slow_double, cachet::dict{});
    one_computation_for_concurrent_misses(f, calls, release);
  }
  SECTION("sqlite: a thread-safe store, called without the wrapper's lock") {
    temp_dir dir;
    auto f = cachet::memoize(slow_double, cachet::sqlite{.path = dir.path / "c.db"});
    STATIC_REQUIRE(cachet::storage_traits<cachet::sqlite>::thread_safe);
    one_computation_for_concurrent_misses(f, calls, release);
  }
}

TEST_CASE("single flight: an exception reaches every waiter, nothing is stored, the next call computes",
          "[sync][single_flight][threads]") {
  std::atomic<int> calls{0};
  std::latch release(1);
  auto f = cachet::memoize(
      [&](int x) {
        if (++calls == 1) {
          release.wait();
          throw std::runtime_error("backend down");
        }
        return x;
      },
      cachet::lru{.capacity = 8});
  std::atomic<int> thrown{0};
  const auto call = [&] {
    try {
      f(5);
    } catch (const std::runtime_error& e) {
      thrown += std::string(e.what()) == "backend down";
    }
  };
  {
    std::thread leader(call);
    while (calls.load() == 0) std::this_thread::yield();
    crowd others(waiters, call);
    others.wait_announced(waiters);
    release.count_down();
    leader.join();
  }
  CHECK(thrown == waiters + 1);
  CHECK(calls == 1);
  CHECK_FALSE(f.contains(5));
  CHECK(f(5) == 5);  // computed again
  CHECK(calls == 2);
}

TEST_CASE("single flight: different keys never wait for each other", "[sync][single_flight][threads]") {
  std::latch release(1);
  std::atomic<bool> key_1_done{false};
  auto f = cachet::memoize(
      [&](int x) {
        if (x == 1) release.wait();
        return x;
      },
      cachet::lru{.capacity = 8});
  std::thread slow([&] {
    f(1);
    key_1_done = true;
  });
  CHECK(f(2) == 2);  // served while key 1 computes
  CHECK(f.update(3) == 3);
  CHECK_FALSE(key_1_done);
  release.count_down();
  slow.join();
  CHECK(f.get(1) == 1);
}

TEST_CASE("single flight: a function calling itself with the same arguments gets reentrant_call",
          "[sync][single_flight]") {
  std::function<int(int)> self;
  int calls = 0;
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        return x == 0 ? 0 : self(x);  // the same arguments again
      },
      cachet::lru{.capacity = 8});
  self = [&](int x) { return f(x); };
  CHECK(f(0) == 0);
  try {
    f(3);
    FAIL("no exception");
  } catch (const cachet::reentrant_call& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("3"));
  }
  STATIC_REQUIRE(std::is_base_of_v<cachet::error, cachet::reentrant_call>);
  CHECK_FALSE(f.contains(3));
  CHECK(calls == 2);
  // Not fail-open: the error is the program's, not the store's.
  auto g = cachet::memoize([&](int x) { return self(x); }, cachet::lru{.capacity = 8}, cachet::fail_open{});
  self = [&](int x) { return g(x); };
  CHECK_THROWS_AS(g(4), cachet::reentrant_call);
}

TEST_CASE("single flight: fib through its own wrapper, from several threads", "[sync][single_flight][threads]") {
  std::function<long(int)> fib;
  std::atomic<int> calls{0};
  auto f = cachet::memoize(
      [&](int n) -> long {
        ++calls;
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
      },
      cachet::lru{.capacity = 128});
  fib = [&](int n) { return f(n); };
  std::latch start(4);
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      right += f(60 + t) == std::vector<long>{1548008755920, 2504730781961, 4052739537881, 6557470319842}[t];
    });
  for (auto& t : threads) t.join();
  CHECK(right == 4);
  CHECK(calls == 64);  // each n in 0..63 once
}

TEST_CASE("single flight: concurrent updates of one key run the function once", "[sync][single_flight][threads]") {
  std::atomic<int> calls{0};
  std::latch release(1);
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        release.wait();
        return x + 1;
      },
      cachet::dict{});
  std::atomic<int> right{0};
  {
    std::thread leader([&] { right += f.update(1) == 2; });
    while (calls.load() == 0) std::this_thread::yield();
    crowd others(3, [&] { right += f.update(1) == 2; });
    others.wait_announced(3);
    release.count_down();
    leader.join();
  }
  CHECK(calls == 1);
  CHECK(right == 4);
}

TEST_CASE("single flight: get_or_update_many and update_many join the flights of their keys",
          "[sync][single_flight][threads][bulk]") {
  std::atomic<int> calls{0};
  std::latch release(1);
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        release.wait();
        return 2 * x;
      },
      cachet::lru{.capacity = 8});
  std::atomic<int> right{0};
  {
    std::thread leader([&] { right += f(21) == 42; });
    while (calls.load() == 0) std::this_thread::yield();  // 21 is in flight
    crowd others(waiters, [&] {
      right += f.get_or_update_many(std::vector<int>{21, 22, 21}) == std::vector<int>{42, 44, 42};
    });
    others.wait_announced(waiters);
    release.count_down();
    leader.join();
  }
  CHECK(calls == 2);  // 21 by the leader, 22 by one of the crowd
  CHECK(right == waiters + 1);

  calls = 0;
  std::latch start(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      start.arrive_and_wait();
      right += f.update_many(std::vector<int>{30}) == std::vector<int>{60};
    });
  for (auto& th : threads) th.join();
  CHECK(right == waiters + 1 + 4);
  CHECK(calls >= 1);  // updates that overlap share one computation; later ones compute again
  CHECK(f.get(30) == 60);
}

TEST_CASE("single flight: recursion through the wrapper inside get_or_update_many, from several threads",
          "[sync][single_flight][threads][bulk]") {
  std::atomic<int> calls{0};
  std::function<long(int)> fib;
  auto f = cachet::memoize(
      [&](int n) -> long {
        ++calls;
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
      },
      cachet::lru{.capacity = 128});
  fib = [&](int n) { return f(n); };
  std::latch start(4);
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      start.arrive_and_wait();
      right += f.get_or_update_many(std::vector<int>{50, 40, 30}) ==
               std::vector<long>{12586269025, 102334155, 832040};
    });
  for (auto& th : threads) th.join();
  CHECK(right == 4);
  CHECK(calls == 51);  // each n in 0..50 once
}

TEST_CASE("single flight: two batches that lead each other's keys do not deadlock",
          "[sync][single_flight][threads][bulk]") {
  // Each batch leads its first key and meets the other's lead on its second:
  // neither waits while it holds a computation the other waits for.
  std::atomic<int> calls{0};
  std::latch both_computing(2);
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        if (x < 2) both_computing.arrive_and_wait();  // 0 and 1 are computed at the same time
        return x * 10;
      },
      cachet::dict{});
  std::vector<int> first, second;
  std::thread a([&] { first = f.get_or_update_many(std::vector<int>{0, 1}); });
  std::thread b([&] { second = f.get_or_update_many(std::vector<int>{1, 0}); });
  a.join();
  b.join();
  CHECK(first == std::vector<int>{0, 10});
  CHECK(second == std::vector<int>{10, 0});
  CHECK(calls == 2);
}
