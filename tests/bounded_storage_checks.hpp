// tests/bounded_storage_checks.hpp: checks that the typed bounded storages'
// own tests share (test_s3fifo.cpp, test_sieve.cpp, test_w_tinylfu.cpp):
// every sub-operation through memoize, and sharded<4> from four threads.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <latch>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>

namespace cachet_test {

//! Every sub-operation of a memoized int -> int on `storage` (room for 64
//! entries, so nothing is evicted), named `name`.
template <class Storage>
void check_every_sub_operation(const Storage& storage, const std::string& name) {
  int calls = 0;
  auto f = cachet::memoize(
      [&calls](int x) {
        ++calls;
        return 2 * x;
      },
      storage);
  CHECK(f(1) == 2);
  CHECK(f(1) == 2);
  CHECK(calls == 1);
  CHECK(f.get(1) == std::optional<int>(2));
  CHECK(f.get(2) == std::nullopt);
  CHECK(f.update(1) == 2);
  CHECK(calls == 2);
  f.set(100, 3);
  CHECK(f(3) == 100);
  CHECK(f.contains(3));
  CHECK_FALSE(f.contains(4));
  CHECK(f.touch(3));
  CHECK_FALSE(f.touch(4));
  CHECK(f.erase(3));
  CHECK_FALSE(f.erase(3));
  CHECK(f.execute(5) == 10);
  CHECK_FALSE(f.contains(5));

  using call = std::tuple<int>;
  const std::vector<call> calls_1_to_4{{1}, {2}, {3}, {4}};
  CHECK(f.get_many(calls_1_to_4) == std::vector<std::optional<int>>{2, std::nullopt, std::nullopt, std::nullopt});
  CHECK(f.get_or_update_many(calls_1_to_4) == std::vector<int>{2, 4, 6, 8});
  f.set_many(std::vector<call>{{1}, {2}}, std::vector<int>{-1, -2});
  CHECK(f.get_many(std::vector<call>{{1}, {2}, {9}}) == std::vector<std::optional<int>>{-1, -2, std::nullopt});
  CHECK(f.update_many(std::vector<call>{{1}, {9}}) == std::vector<int>{2, 18});
  CHECK(f.execute_many(std::vector<call>{{20}}) == std::vector<int>{40});
  CHECK(f.contains_many(std::vector<call>{{1}, {9}, {20}}) == std::vector<bool>{true, true, false});
  CHECK(f.touch_many(std::vector<call>{{1}, {20}}) == std::vector<bool>{true, false});
  CHECK(f.erase_many(std::vector<call>{{1}, {9}, {20}}) == std::vector<bool>{true, true, false});
  CHECK(f.storage().size() == 3);
  f.storage().clear();
  CHECK(f.storage().size() == 0);
  CHECK_FALSE(f.contains(2));
  CHECK(f.storage().name() == name);
}

//! sharded<4> from four threads: hits on a resident set (each a hit,
//! counted once), then mixed operations on a small cache, every shard
//! staying within its part. `roomy` must hold 32 entries in each of 4
//! shards; `small` holds 64 in all.
template <class Storage>
void check_sharded_from_threads(const Storage& roomy, const Storage& small) {
  std::atomic<int> calls{0};
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        return 3 * x;
      },
      roomy, cachet::sharded<4>{}, cachet::record_stats{});
  for (int k = 0; k < 32; ++k) f(k);
  std::latch start(4);
  std::atomic<int> wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < 2000; ++i) wrong += f((i + t) % 32) != 3 * ((i + t) % 32);
    });
  for (auto& t : pool) t.join();
  CHECK(wrong == 0);
  CHECK(calls == 32);  // all fit: every call from the threads was a hit
  CHECK(f.stats().hits == 8000);

  auto g = cachet::memoize([](int k) { return k + 1; }, small, cachet::sharded<4>{});
  std::latch go(4);
  pool.clear();
  for (unsigned t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      std::uniform_int_distribution<int> key(0, 255);
      go.arrive_and_wait();
      for (int i = 0; i < 5000; ++i) {
        const int k = key(rng);
        switch (i % 4) {
          case 0: wrong += g(k) != k + 1; break;
          case 1: if (auto v = g.get(k)) wrong += *v != k + 1; break;
          case 2: g.set(k + 1, k); break;
          default: (void)g.erase(k); break;
        }
      }
    });
  for (auto& t : pool) t.join();
  CHECK(wrong == 0);
  for (std::size_t s = 0; s < 4; ++s) CHECK(g.storage().shard_store(s).size() <= 16);
}

}  // namespace cachet_test
