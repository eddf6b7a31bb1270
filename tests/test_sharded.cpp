// tests/test_sharded.cpp: cachet::sharded<N>: every sub-operation on lru
// and dict split into shards; the lru's capacity split and each shard's own
// eviction; an lru shard's lazy promotion; stats; the shards' reader/writer
// lock; a capacity below N; single flight; keys of other shards served
// while one shard is held; several threads at once; a warm start; storages
// that keep one store (sqlite: thread safe; files: cannot be split).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <latch>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>
#include <cachet/storage/files.hpp>
#include <cachet/storage/sqlite.hpp>
#include <cachet/warm_start.hpp>

#include "disk_test_support.hpp"

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
    std::fprintf(stderr, "test_sharded: %s did not finish within %llds: deadlock?\n", what,
                 static_cast<long long>(limit.count()));
    std::_Exit(1);
  }
  done.get();
}

int twice(int x) { return 2 * x; }
long square(int x) { return static_cast<long>(x) * x; }

// The shard of f's key for these arguments.
template <class Cache, class... A>
std::size_t shard_of(const Cache& f, const A&... args) {
  return Cache::store_type::shard_index(f.key(args...));
}

// The first `count` ints from `from` on whose key lands in `shard`.
template <class Cache>
std::vector<int> keys_in_shard(const Cache& f, std::size_t shard, std::size_t count, int from = 0) {
  std::vector<int> out;
  for (int k = from; out.size() < count; ++k)
    if (shard_of(f, k) == shard) out.push_back(k);
  return out;
}

struct make_lru {
  static cachet::lru policy() { return cachet::lru{.capacity = 64}; }
};
struct make_dict {
  static cachet::dict policy() { return cachet::dict{}; }
};

}  // namespace

TEST_CASE("sharded: the policy and what it resolves to", "[sync][sharded]") {
  STATIC_REQUIRE(cachet::sync_policy<cachet::sharded<16>>);
  STATIC_REQUIRE(cachet::detail::single_flight_sync<cachet::sharded<4>>());
  STATIC_REQUIRE(cachet::sharded<4>::shards == 4);
  STATIC_REQUIRE(cachet::storage_traits<cachet::lru>::shardable);
  STATIC_REQUIRE(cachet::storage_traits<cachet::dict>::shardable);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<cachet::files>::shardable);

  using lru_cache = decltype(cachet::memoize(twice, cachet::lru{}, cachet::sharded<4>{}));
  STATIC_REQUIRE(lru_cache::lock_free_store);
  STATIC_REQUIRE(lru_cache::store_in_shards);
  STATIC_REQUIRE(std::is_same_v<lru_cache::store_type::key_type, lru_cache::key_type>);
  STATIC_REQUIRE(lru_cache::store_type::shard_count() == 4);
  using mutex_cache = decltype(cachet::memoize(twice, cachet::lru{}));
  STATIC_REQUIRE_FALSE(mutex_cache::store_in_shards);
  STATIC_REQUIRE_FALSE(mutex_cache::lock_free_store);
}

TEST_CASE("sharded: the documented example", "[sync][sharded][docs]") {
  // 16 lrus of 4096 / 16 = 256 entries, each behind its own lock.
  auto squares = cachet::memoize(square, cachet::lru{.capacity = 4096}, cachet::sharded<16>{});
  REQUIRE(squares(12) == 144);
  REQUIRE(squares.storage().capacity() == 4096);
}

TEMPLATE_TEST_CASE("sharded: every sub-operation", "[sync][sharded]", make_lru, make_dict) {
  std::atomic<int> calls{0};
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        return 2 * x;
      },
      TestType::policy(), cachet::sharded<4>{});

  REQUIRE(f(1) == 2);
  REQUIRE(f(1) == 2);
  REQUIRE(calls == 1);
  REQUIRE(f.get(1) == std::optional<int>(2));
  REQUIRE(f.get(2) == std::nullopt);
  REQUIRE(f.at(1) == 2);
  REQUIRE_THROWS_AS(f.at(2), cachet::entry_not_found);
  REQUIRE(f.update(1) == 2);
  REQUIRE(calls == 2);
  f.set(100, 3);
  REQUIRE(f(3) == 100);
  REQUIRE(f.contains(3));
  REQUIRE_FALSE(f.contains(4));
  REQUIRE(f.touch(3));
  REQUIRE_FALSE(f.touch(4));
  REQUIRE(f.erase(3));
  REQUIRE_FALSE(f.erase(3));
  REQUIRE(f.key(7) == std::tuple<int>(7));
  REQUIRE(f.execute(5) == 10);
  REQUIRE_FALSE(f.contains(5));
  REQUIRE(f.storage().size() == 1);

  using call = std::tuple<int>;
  const std::vector<call> calls_1_to_8{{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}};
  const auto before = f.get_many(calls_1_to_8);
  REQUIRE(before[0] == std::optional<int>(2));
  for (std::size_t i = 1; i < before.size(); ++i) REQUIRE_FALSE(before[i]);
  REQUIRE(f.get_or_update_many(calls_1_to_8) == std::vector<int>{2, 4, 6, 8, 10, 12, 14, 16});
  REQUIRE(f.storage().size() == 8);
  f.set_many(std::vector<call>{{1}, {2}}, std::vector<int>{-1, -2});
  REQUIRE(f.get_many(std::vector<call>{{1}, {2}, {9}}) ==
          std::vector<std::optional<int>>{-1, -2, std::nullopt});
  REQUIRE(f.update_many(std::vector<call>{{1}, {9}}) == std::vector<int>{2, 18});
  REQUIRE(f.execute_many(std::vector<call>{{20}}) == std::vector<int>{40});
  REQUIRE_FALSE(f.contains(20));
  REQUIRE(f.contains_many(std::vector<call>{{1}, {9}, {20}}) == std::vector<bool>{true, true, false});
  REQUIRE(f.touch_many(std::vector<call>{{1}, {20}}) == std::vector<bool>{true, false});
  REQUIRE(f.erase_many(std::vector<call>{{1}, {9}, {20}}) == std::vector<bool>{true, true, false});
  REQUIRE(f.storage().size() == 7);
  REQUIRE(f.with_storage([](const auto& store) { return store.size(); }) == 7);

  // The keys spread over the shards; clear() empties every one.
  std::vector<int> per_shard(4, 0);
  for (int k = 0; k < 64; ++k) ++per_shard[shard_of(f, k)];
  for (int n : per_shard) REQUIRE(n > 0);
  f.storage().clear();
  REQUIRE(f.storage().size() == 0);
  REQUIRE_FALSE(f.contains(2));
}

TEMPLATE_TEST_CASE("sharded: expiry, with a manual clock", "[sync][sharded][expiry]", make_lru, make_dict) {
  cachet::manual_clock clock;
  auto f = cachet::memoize(twice, TestType::policy(), cachet::expire_after_access{10s}, clock, cachet::sharded<4>{});
  REQUIRE(f(1) == 2);
  f(2);
  clock.advance(6s);
  REQUIRE(f.get(1) == 2);  // a use: renewed to 16 s
  clock.advance(6s);
  REQUIRE(f.contains(1));
  REQUIRE_FALSE(f.contains(2));
  REQUIRE(f.touch_many(std::vector<std::tuple<int>>{{1}, {2}}) == std::vector<bool>{true, false});
  clock.advance(11s);
  REQUIRE(f.storage().erase_expired(clock.now()) == 1);
  REQUIRE(f.storage().size() == 0);
}

TEST_CASE("sharded: lru capacity is split over the shards, summing to it", "[sync][sharded][lru]") {
  for (std::size_t capacity : {4u, 5u, 10u, 63u, 64u, 1000u}) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const std::size_t part = cachet::lru{.capacity = capacity}.shard(i, 4).capacity;
      REQUIRE(part >= capacity / 4);
      REQUIRE(part <= capacity / 4 + 1);
      total += part;
    }
    REQUIRE(total == capacity);
  }
  REQUIRE(cachet::lru{.capacity = 10}.shard(0, 4).capacity == 3);
  REQUIRE(cachet::lru{.capacity = 10}.shard(1, 4).capacity == 3);
  REQUIRE(cachet::lru{.capacity = 10}.shard(2, 4).capacity == 2);
  REQUIRE(cachet::lru{.capacity = 10}.shard(3, 4).capacity == 2);

  auto f = cachet::memoize(twice, cachet::lru{.capacity = 10}, cachet::sharded<4>{});
  REQUIRE(f.storage().capacity() == 10);
  REQUIRE(f.storage().shard_store(0).capacity() == 3);
  REQUIRE(f.storage().shard_store(3).capacity() == 2);
  for (int k = 0; k < 1000; ++k) {
    f(k);
    REQUIRE(f.storage().size() <= 10);
    for (std::size_t s = 0; s < 4; ++s) REQUIRE(f.storage().shard_store(s).size() <= f.storage().shard_store(s).capacity());
  }
  REQUIRE(f.storage().size() == 10);  // every shard full
}

TEST_CASE("sharded: each shard evicts its own least recently used entry", "[sync][sharded][lru]") {
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 8}, cachet::sharded<4>{});  // 2 per shard
  const std::vector<int> a = keys_in_shard(f, 0, 3);
  const int b = keys_in_shard(f, 1, 1)[0];
  f(b);     // the oldest entry of all
  f(a[0]);
  f(a[1]);
  f(a[0]);  // a[1] is now shard 0's least recently used
  f(a[2]);  // shard 0 is full: evicts a[1]
  REQUIRE_FALSE(f.contains(a[1]));
  REQUIRE(f.contains(a[0]));
  REQUIRE(f.contains(a[2]));
  // b is older than a[1] yet survives: it lives in another shard, not full.
  REQUIRE(f.contains(b));
  REQUIRE(f.storage().size() == 3);
}

// Lazy promotion (lru_store.hpp): a shard's hit marks its entry, which moves
// to the front only when it reaches the tail marked; a lone lru moves it at
// once.
TEST_CASE("sharded: an lru shard promotes lazily; a lone lru stays strict", "[sync][sharded][lru]") {
  const auto oldest_first = [](auto& f) {
    std::vector<int> order;
    f.storage().for_each_oldest_first([&](const auto& key, int, cachet::time_point) { order.push_back(std::get<0>(key)); });
    return order;
  };
  auto lazy = cachet::memoize(twice, cachet::lru{.capacity = 4}, cachet::sharded<1>{});
  auto strict = cachet::memoize(twice, cachet::lru{.capacity = 4});
  const auto both = [&](auto step) {
    step(lazy);
    step(strict);
  };
  for (int k = 0; k < 4; ++k) both([&](auto& f) { f(k); });
  both([](auto& f) {
    REQUIRE(f.get(0) == 0);
    REQUIRE(f.get(1) == 2);
  });
  REQUIRE(oldest_first(lazy) == std::vector<int>{0, 1, 2, 3});  // marked, not moved
  REQUIRE(oldest_first(strict) == std::vector<int>{2, 3, 0, 1});
  // The lazy tail 0 and then 1 are marked: each moves to the front, and 2
  // goes, as under strict LRU.
  both([](auto& f) { f(4); });
  REQUIRE(oldest_first(lazy) == std::vector<int>{3, 0, 1, 4});
  REQUIRE(oldest_first(strict) == std::vector<int>{3, 0, 1, 4});
  // Where the orders part: a marked entry keeps its place until the tail.
  both([](auto& f) {
    REQUIRE(f.get(1) == 2);
    f(5);  // evicts 3
  });
  REQUIRE(oldest_first(lazy) == std::vector<int>{0, 1, 4, 5});
  REQUIRE(oldest_first(strict) == std::vector<int>{0, 4, 1, 5});
  both([](auto& f) {
    f(6);  // evicts 0
    f(7);  // evicts 4: the lazy 1 gets its second chance first
  });
  REQUIRE(oldest_first(lazy) == std::vector<int>{5, 6, 1, 7});
  REQUIRE(oldest_first(strict) == std::vector<int>{1, 5, 6, 7});

  // peek: what a reader may answer without the exclusive side.
  const auto& shard = lazy.storage().shard_store(0);
  REQUIRE(*shard.peek(std::tuple<int>(5), cachet::time_point{}).value == 10);
  REQUIRE(shard.peek(std::tuple<int>(99), cachet::time_point{}).value == nullptr);
  REQUIRE_FALSE(shard.peek(std::tuple<int>(99), cachet::time_point{}).needs_write);
  // A strict lru's hit moves its entry unless it is the head.
  REQUIRE(strict.storage().peek(std::tuple<int>(5), cachet::time_point{}).needs_write);
  REQUIRE(*strict.storage().peek(std::tuple<int>(7), cachet::time_point{}).value == 14);
  // An expired entry needs get() to reclaim it.
  cachet::manual_clock clock;
  auto expiring = cachet::memoize(twice, cachet::lru{.capacity = 4}, cachet::expire_after_write{10s}, clock,
                                  cachet::sharded<1>{});
  expiring(1);
  clock.advance(11s);
  REQUIRE(expiring.storage().shard_store(0).peek(std::tuple<int>(1), clock.now()).needs_write);
  REQUIRE(expiring.get(1) == std::nullopt);
  REQUIRE(expiring.storage().size() == 0);
}

// take_removals looks only in shards written since the last take; what a
// write recorded (an eviction, an expired entry met by a get) is counted.
TEST_CASE("sharded: stats count the shards' evictions and expirations", "[sync][sharded][stats]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 8}, cachet::expire_after_write{10s}, clock,
                           cachet::sharded<4>{}, cachet::record_stats{});
  const std::vector<int> same_shard = keys_in_shard(f, 0, 4);  // shard 0 holds 2
  for (int k : same_shard) f(k);
  CHECK(f.stats().evictions == 2);
  std::vector<int> others = keys_in_shard(f, 1, 2);
  for (int k : keys_in_shard(f, 2, 2)) others.push_back(k);
  for (int k : others) f(k);
  for (int k : others) f(k);  // hits: read-only
  CHECK(f.stats().hits == 4);
  CHECK(f.stats().evictions == 2);
  clock.advance(11s);
  REQUIRE(f.storage().size() == 6);
  for (int k : others) CHECK(f.get(k) == std::nullopt);
  for (int k : same_shard) CHECK(f.get(k) == std::nullopt);
  CHECK(f.stats().expirations == 6);
  CHECK(f.storage().size() == 0);
}

// reader_slots: readers see a writer's two writes both or neither.
TEST_CASE("sharded: reader_slots excludes writers from readers", "[sync][sharded][threads]") {
  cachet::detail::reader_slots<std::mutex> lock;
  long a = 0;
  long b = 0;
  std::atomic<long> torn{0};
  std::atomic<long> shared_reads{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        if ((i + t) % 8 == 0) {
          std::lock_guard<cachet::detail::reader_slots<std::mutex>> g(lock);
          ++a;
          ++b;
          continue;
        }
        cachet::detail::reader_slots<std::mutex>::read_guard reading(lock);
        if (!reading) continue;
        ++shared_reads;
        torn += a != b;
      }
    });
  for (auto& t : pool) t.join();
  REQUIRE(torn == 0);
  REQUIRE(a == 4 * 20000 / 8);
  REQUIRE(b == a);
  REQUIRE(shared_reads > 0);
}

TEST_CASE("sharded: an lru smaller than the number of shards is an error naming both", "[sync][sharded][lru]") {
  const std::string message = cachet_test::message_of<std::invalid_argument>(
      [] { (void)cachet::memoize(twice, cachet::lru{.capacity = 3}, cachet::sharded<4>{}); });
  CHECK_THAT(message, Catch::Contains("capacity 3") && Catch::Contains("4 shards"));
  REQUIRE_NOTHROW(cachet::memoize(twice, cachet::lru{.capacity = 4}, cachet::sharded<4>{}));
  REQUIRE_NOTHROW(cachet::memoize(twice, cachet::lru{.capacity = 1}, cachet::sharded<1>{}));
}

TEMPLATE_TEST_CASE("sharded: concurrent misses of one key run the function once", "[sync][sharded][single_flight][threads]",
                   make_lru, make_dict) {
  constexpr int threads = 8;
  std::atomic<int> calls{0};
  std::latch release(1);
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        release.wait();
        return 2 * x;
      },
      TestType::policy(), cachet::sharded<4>{});
  // Whether a thread joins the flight or finds the stored value, the
  // function runs once: no timing decides the outcome.
  std::atomic<int> right{0};
  within(std::chrono::seconds(60), "single flight", [&] {
    std::latch start(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        start.arrive_and_wait();
        right += f(21) == 42;
      });
    while (calls.load() == 0) std::this_thread::yield();
    release.count_down();
    for (auto& t : pool) t.join();
  });
  CHECK(right == threads);
  CHECK(calls == 1);
  CHECK(f.get(21) == 42);
}

TEST_CASE("sharded: a shard held by one thread does not stop the others", "[sync][sharded][threads]") {
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 64}, cachet::sharded<4>{});
  const int held = keys_in_shard(f, 0, 1)[0];
  const std::vector<int> others{keys_in_shard(f, 1, 1)[0], keys_in_shard(f, 2, 1)[0], keys_in_shard(f, 3, 1)[0]};
  f(held);
  for (int k : others) f(k);
  int visited = 0;
  int right = 0;  // assertions stay on the main thread (Catch2 is not thread safe)
  within(std::chrono::seconds(60), "calls on other shards while shard 0 is locked", [&] {
    // for_each_oldest_first holds each shard's lock while it visits it;
    // shard 0 comes first, and holds only `held`.
    f.storage().for_each_oldest_first([&](const auto& key, int, cachet::time_point) {
      if (std::get<0>(key) != held) return;
      ++visited;
      std::thread other([&] {
        for (int k : others) {
          right += f.get(k) == 2 * k;
          f.set(-k, k);
          right += f.erase(k);
          right += f(k) == 2 * k;
        }
      });
      other.join();  // would never return if shard 0's lock were theirs too
    });
  });
  REQUIRE(visited == 1);
  REQUIRE(right == 9);
}

TEST_CASE("sharded: 4 threads x mixed operations; capacity holds in every shard", "[sync][sharded][threads]") {
  constexpr std::size_t capacity = 64;
  auto f = cachet::memoize([](int k) { return k * 3 + 1; }, cachet::lru{.capacity = capacity}, cachet::sharded<4>{});
  std::atomic<long> wrong{0};
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> key(0, 255);
    std::uniform_int_distribution<int> op(0, 7);
    for (int i = 0; i < 20000; ++i) {
      const int k = key(rng);
      const std::vector<std::tuple<int>> many{{k}, {(k + 1) % 256}, {(k * 7) % 256}};
      switch (op(rng)) {
        case 0: wrong += f(k) != k * 3 + 1; break;
        case 1:
          if (auto v = f.get(k)) wrong += *v != k * 3 + 1;
          break;
        case 2: f.set(k * 3 + 1, k); break;
        case 3: (void)f.erase(k); break;
        case 4: (void)f.touch(k); (void)f.contains(k); break;
        case 5: {
          const auto got = f.get_or_update_many(many);
          for (std::size_t j = 0; j < got.size(); ++j) wrong += got[j] != std::get<0>(many[j]) * 3 + 1;
          break;
        }
        case 6: (void)f.erase_many(many); (void)f.touch_many(many); break;
        default: wrong += f.storage().size() > capacity; break;
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < 4; ++t) pool.emplace_back(worker, 7000u + t);
  for (auto& t : pool) t.join();
  REQUIRE(wrong == 0);
  for (std::size_t s = 0; s < 4; ++s) REQUIRE(f.storage().shard_store(s).size() <= capacity / 4);
  for (int k = 0; k < 256; ++k) REQUIRE(f(k) == k * 3 + 1);
  REQUIRE(f.storage().size() == capacity);
}

TEST_CASE("sharded: copies, and a warm start shard by shard", "[sync][sharded]") {
  auto f = cachet::memoize(twice, cachet::lru{.capacity = 64}, cachet::sharded<4>{});
  for (int k = 0; k < 10; ++k) f(k);
  auto g = f;
  g.set(-1, 0);
  REQUIRE(f.get(0) == 0);
  REQUIRE(g.get(0) == -1);
  auto h = std::move(g);
  REQUIRE(h.get(0) == -1);
  f = h;
  REQUIRE(f.get(0) == -1);

  cachet::detail::dict_store<cachet::detail::warm_spec> saved{cachet::dict{}};
  REQUIRE(cachet::save_entries(f, saved, "sharded") == 10);
  auto fresh = cachet::memoize(twice, cachet::lru{.capacity = 64}, cachet::sharded<4>{});
  REQUIRE(cachet::load_entries(fresh, saved, "sharded") == 10);
  REQUIRE(fresh.get(0) == -1);
  REQUIRE(fresh.get(9) == 18);
}

TEST_CASE("sharded: sqlite (thread safe) and files (not splittable) keep one store", "[sync][sharded][disk]") {
  cachet_test::temp_dir dir("sharded");
  std::atomic<int> calls{0};
  const auto counted = [&](int x) {
    ++calls;
    return 2 * x;
  };
  SECTION("sqlite: no lock, as under mutex") {
    auto f = cachet::memoize(counted, cachet::sqlite{.path = dir.path / "c.db"}, cachet::sharded<4>{});
    using F = decltype(f);
    STATIC_REQUIRE_FALSE(F::store_in_shards);
    STATIC_REQUIRE(F::lock_free_store);
    STATIC_REQUIRE(std::is_same_v<F::store_type,
                                  decltype(cachet::memoize(counted, cachet::sqlite{}))::store_type>);
    REQUIRE(f(3) == 6);
    REQUIRE(f(3) == 6);
    REQUIRE(calls == 1);
    REQUIRE(f.get_or_update_many(std::vector<int>{3, 4}) == std::vector<int>{6, 8});
    REQUIRE(f.erase(3));
    REQUIRE(f.storage().size() == 1);
  }
  SECTION("files: the wrapper's one lock, as under mutex") {
    auto f = cachet::memoize(counted, cachet::files{.root = dir.path / "files"}, cachet::sharded<4>{});
    using F = decltype(f);
    STATIC_REQUIRE_FALSE(F::store_in_shards);
    STATIC_REQUIRE_FALSE(F::lock_free_store);
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t)
      pool.emplace_back([&, t] {
        for (int k = 0; k < 50; ++k) f(k % 10 + t);
      });
    for (auto& t : pool) t.join();
    for (int k = 0; k < 13; ++k) REQUIRE(f.get(k) == 2 * k);
    REQUIRE(calls == 13);  // single flight, as under mutex
    REQUIRE(f.contains(12));
  }
}
