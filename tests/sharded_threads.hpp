// tests/sharded_threads.hpp: a bounded storage under cachet::sharded<4>, from
// four threads at once: hits on a resident set (each a hit, counted once),
// then mixed operations on a small cache, every shard staying within its
// part. For the storages' own tests (test_sieve.cpp, test_w_tinylfu.cpp).
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <latch>
#include <random>
#include <thread>
#include <vector>

#include <cachet/cachet.hpp>

namespace cachet_test {

//! `roomy` must hold 32 entries in each of 4 shards; `small` holds 64 in all.
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
