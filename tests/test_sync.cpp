// Tests of the sync policies: a shared cache under cachet::mutex hammered by
// several threads; recursion through the cache's own wrapper; no lock held
// while the function runs; copies and moves of a locked cache.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {

// Runs `body` on another thread; a deadlock there ends the process with a
// message instead of hanging the test run.
template <class F>
void within(std::chrono::seconds limit, const char* what, F body) {
  std::packaged_task<void()> task(std::move(body));
  auto done = task.get_future();
  std::thread(std::move(task)).detach();
  if (done.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "test_sync: %s did not finish within %llds: deadlock?\n", what,
                 static_cast<long long>(limit.count()));
    std::_Exit(1);
  }
  done.get();  // rethrows what the body threw
}

// The pure function of the stress test.
std::uint64_t pure(int k) { return static_cast<std::uint64_t>(k) * 2654435761u + 17; }

template <class Cache>
void stress(Cache& f, std::size_t capacity_bound) {
  constexpr int threads = 4;
  constexpr int operations = 20000;
  constexpr int keys = 256;
  std::atomic<long> wrong{0};
  std::atomic<long> over_capacity{0};
  std::atomic<long> hits{0};
  auto check = [&](int k, std::uint64_t v) {
    if (v != pure(k)) ++wrong;
  };
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> key(0, keys - 1);
    std::uniform_int_distribution<int> op(0, 12);
    for (int i = 0; i < operations; ++i) {
      const int k = key(rng);
      const std::vector<std::tuple<int>> many{{k}, {(k + 1) % keys}, {(k * 7) % keys}};
      switch (op(rng)) {
        case 0: check(k, f(k)); break;
        case 1:
          if (auto v = f.get(k)) {
            ++hits;
            check(k, *v);
          }
          break;
        case 2: f.set(pure(k), k); break;
        case 3: (void)f.erase(k); break;
        case 4: (void)f.touch(k); break;
        case 5: (void)f.contains(k); break;
        case 6: check(k, f.update(k)); break;
        case 7: {
          const auto got = f.get_many(many);
          for (std::size_t j = 0; j < got.size(); ++j)
            if (got[j]) check(std::get<0>(many[j]), *got[j]);
          break;
        }
        case 8: {
          const auto got = f.get_or_update_many(many);
          for (std::size_t j = 0; j < got.size(); ++j) check(std::get<0>(many[j]), got[j]);
          break;
        }
        case 9: {
          std::vector<std::uint64_t> values;
          for (const auto& [m] : many) values.push_back(pure(m));
          f.set_many(many, values);
          break;
        }
        case 10: (void)f.erase_many(many); break;
        case 11: (void)f.touch_many(many); (void)f.contains_many(many); break;
        default:
          if (f.with_storage([](auto& s) { return s.size(); }) > capacity_bound) ++over_capacity;
          break;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, 1000u + static_cast<unsigned>(t));
  for (auto& t : pool) t.join();
  REQUIRE(wrong == 0);
  REQUIRE(over_capacity == 0);
  REQUIRE(f.storage().size() <= capacity_bound);
  REQUIRE(hits > 0);  // the threads did share entries
}

}  // namespace

TEST_CASE("mutex: 4 threads x 20k mixed operations on a shared lru", "[sync][mutex][threads]") {
  auto f = cachet::memoize(pure, cachet::lru{.capacity = 64}, cachet::mutex{});
  stress(f, 64);
  // and the store is still consistent afterwards
  for (int k = 0; k < 256; ++k) REQUIRE(f(k) == pure(k));
  REQUIRE(f.storage().size() == 64);
}

TEST_CASE("mutex: 4 threads x 20k mixed operations on a shared dict", "[sync][mutex][threads]") {
  auto f = cachet::memoize(pure, cachet::dict{});  // mutex is the default
  STATIC_REQUIRE(std::is_same_v<decltype(f)::sync_type, cachet::mutex>);
  stress(f, 256);
}

TEST_CASE("mutex: 4 threads with expiry, driven by a manual clock another thread moves", "[sync][mutex][threads]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize(pure, cachet::lru{.capacity = 32}, cachet::expire_after_access{50ms}, clock);
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop) {
      clock.advance(1ms);
      std::this_thread::yield();
    }
  });
  stress(f, 32);
  stop = true;
  ticker.join();
}

TEMPLATE_TEST_CASE("recursion: a memoized fib through its own wrapper", "[sync][recursion]", cachet::mutex,
                   cachet::unsynchronized) {
  within(60s, "recursive fib", [] {
    std::function<long long(int)> self;
    int calls = 0;
    auto fib = cachet::memoize(
        [&](int n) -> long long {
          ++calls;
          return n < 2 ? n : self(n - 1) + self(n - 2);
        },
        cachet::lru{.capacity = 128}, TestType{});
    self = [&](int n) { return fib(n); };
    REQUIRE(fib(90) == 2880067194370816120LL);
    REQUIRE(calls == 91);  // each n computed once
    REQUIRE(fib.storage().size() == 91);
  });
}

TEST_CASE("recursion: a function that calls another cached function, both under mutex", "[sync][recursion]") {
  within(60s, "nested caches", [] {
    auto inner = cachet::memoize([](int x) { return x * x; }, cachet::lru{.capacity = 16}, cachet::mutex{});
    auto outer = cachet::memoize([&](int x) { return inner(x) + inner(x + 1); }, cachet::dict{}, cachet::mutex{});
    REQUIRE(outer(3) == 9 + 16);
    REQUIRE(outer(4) == 16 + 25);
    REQUIRE(inner.storage().size() == 3);
    REQUIRE(outer.storage().size() == 2);
  });
}

TEST_CASE("mutex: no lock is held while the function runs", "[sync][mutex]") {
  within(60s, "calls back into the cache", [] {
    using fn_t = std::function<int(int)>;
    fn_t body;
    auto f = cachet::memoize(fn_t([&](int x) { return body(x); }), cachet::lru{.capacity = 8}, cachet::mutex{});
    body = [&](int x) {
      // each of these takes the cache's lock: a lock held here would deadlock
      const bool had = f.contains(x);
      f.set(x * 100, x + 1000);
      (void)f.get(x + 1000);
      (void)f.touch(x + 1000);
      (void)f.with_storage([](auto& s) { return s.size(); });
      return had ? -1 : x * 2;
    };
    REQUIRE(f(1) == 2);
    REQUIRE(f.get(1001) == std::optional<int>(100));
    REQUIRE(f.update(2) == 4);
    REQUIRE(f.get_or_update_many(std::vector<std::tuple<int>>{{3}, {4}}) == std::vector<int>{6, 8});
    REQUIRE(f.get(1004) == std::optional<int>(400));
  });
}

TEST_CASE("mutex: a copied or moved cache works on its own, with its own lock", "[sync][mutex]") {
  auto f = cachet::memoize([](int x) { return x + 1; }, cachet::lru{.capacity = 8}, cachet::mutex{});
  f(1);
  auto g = f;  // copy: same entries, independent afterwards
  REQUIRE(g.contains(1));
  g.set(99, 2);
  REQUIRE_FALSE(f.contains(2));
  REQUIRE(f.erase(1));
  REQUIRE(g.contains(1));
  auto h = std::move(g);
  REQUIRE(h.get(2) == std::optional<int>(99));
  REQUIRE(h(5) == 6);
  f = h;  // copy assignment
  REQUIRE(f.get(2) == std::optional<int>(99));

  // a copy taken while another thread works on the original
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; i = (i + 1) % 64) f(i);
  });
  for (int i = 0; i < 200; ++i) {
    auto snapshot = f.with_storage([&](auto&) { return f; });  // copy under f's lock
    REQUIRE(snapshot.storage().size() <= 8);
    REQUIRE(snapshot(1000 + i) == 1001 + i);
  }
  stop = true;
  writer.join();
}
