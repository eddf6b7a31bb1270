// bench/bench_remote.cpp: the remote storages through the wrapper, against
// the same servers driven without cachet, in the same run. The program
// starts its own redis-server and memcached on 127.0.0.1 (free ports).
//
//   get/redis/1k                         f.get(k): hits, 100-byte values
//   get/baseline_hiredis/1k              GET through hiredis, one at a time
//   get/baseline_redis_benchmark         redis-benchmark -t get -P 1 -c 1, its key
//                                        holding a 100-byte value
//   get_many/redis/1k/16                 f.get_many of 16 keys (per key)
//   get_many/baseline_hiredis/1k/16      16 GETs pipelined (per key)
//   get_many/baseline_redis_benchmark/16 redis-benchmark -t get -P 16 -c 1
//   get/memcached/1k, get_many/memcached/1k/16
//   get/baseline_libmemcached/1k         memcached_get, one at a time
//   get_many/baseline_libmemcached/1k/16 memcached_mget + fetch (per key)
// Every case reports items_per_second (an item: one key) on the wall clock
// (UseRealTime): a round trip is mostly waiting, which CPU time does not
// count. Goals (issue 9):
// get >= 0.9x and get_many(16) >= 0.8x per key of the server's own client.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>
#include <libmemcached/memcached.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/memcached.hpp>
#include <cachet/storage/redis.hpp>

#include "../tests/server_fixture.hpp"

namespace {

constexpr int entries = 1000;

std::string value_of(int i) {
  std::string v = "value " + std::to_string(i) + " ";
  v.resize(100, '.');
  return v;
}
std::string computed(int x) { return value_of(x); }

cachet_test::server_process& redis_server() {
  static cachet_test::server_process server("redis-server", cachet_test::redis_args());
  return server;
}
cachet_test::server_process& memcached_server() {
  static cachet_test::server_process server("memcached", cachet_test::memcached_args());
  return server;
}

auto redis_cache() {
  return cachet::memoize(computed, cachet::redis{.url = "redis://" + redis_server().address() + "/0"});
}
auto memcached_cache() { return cachet::memoize(computed, cachet::memcached{.servers = {memcached_server().address()}}); }

std::vector<int> all_keys() {
  std::vector<int> keys(entries);
  std::iota(keys.begin(), keys.end(), 0);
  return keys;
}

template <class Cache>
void fill(Cache& f) {
  const auto keys = all_keys();
  std::vector<std::string> values;
  for (const int k : keys) values.push_back(value_of(k));
  f.set_many(keys, values);
}

template <class Cache>
void run_get(benchmark::State& state, Cache& f) {
  fill(f);
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.get(i++ % entries));
  state.SetItemsProcessed(state.iterations());
}

template <class Cache>
void run_get_many(benchmark::State& state, Cache& f) {
  fill(f);
  const auto keys = all_keys();
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::size_t from = 0;
  for (auto _ : state) {
    if (from + batch > keys.size()) from = 0;
    benchmark::DoNotOptimize(f.get_many(std::span(keys).subspan(from, batch)));
    from += batch;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void get_redis(benchmark::State& state) {
  auto f = redis_cache();
  run_get(state, f);
}
void get_many_redis(benchmark::State& state) {
  auto f = redis_cache();
  run_get_many(state, f);
}
void get_memcached(benchmark::State& state) {
  auto f = memcached_cache();
  run_get(state, f);
}
void get_many_memcached(benchmark::State& state) {
  auto f = memcached_cache();
  run_get_many(state, f);
}

//! The keys cachet wrote, for the baselines to read the same entries.
std::vector<std::string> stored_keys() {
  auto f = redis_cache();
  std::vector<std::string> keys;
  for (int k = 0; k < entries; ++k) keys.push_back(f.key(k));
  return keys;
}

void get_hiredis(benchmark::State& state) {
  { auto f = redis_cache(); fill(f); }
  const auto keys = stored_keys();
  std::unique_ptr<redisContext, void (*)(redisContext*)> c(redisConnect("127.0.0.1", redis_server().port()), redisFree);
  if (!c || c->err) throw std::runtime_error("cannot connect to redis");
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::size_t from = 0;
  for (auto _ : state) {
    if (from + batch > keys.size()) from = 0;
    for (std::size_t j = 0; j < batch; ++j)
      redisAppendCommand(c.get(), "GET %b", keys[from + j].data(), keys[from + j].size());
    for (std::size_t j = 0; j < batch; ++j) {
      void* reply = nullptr;
      if (redisGetReply(c.get(), &reply) != REDIS_OK) throw std::runtime_error("redis error");
      benchmark::DoNotOptimize(reply);
      freeReplyObject(reply);
    }
    from += batch;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

//! redis-benchmark's GET requests per second with `pipeline` commands in flight, one client.
//! It GETs the key "key:__rand_int__", set here first to a 100-byte value
//! (-d sizes SET's values only): a miss would be a shorter answer than ours.
void redis_benchmark(benchmark::State& state) {
  {
    std::unique_ptr<redisContext, void (*)(redisContext*)> c(redisConnect("127.0.0.1", redis_server().port()),
                                                             redisFree);
    const std::string value = value_of(0);
    if (!c || c->err) throw std::runtime_error("cannot connect to redis");
    freeReplyObject(redisCommand(c.get(), "SET key:__rand_int__ %b", value.data(), value.size()));
  }
  const std::string command = "redis-benchmark -h 127.0.0.1 -p " + std::to_string(redis_server().port()) +
                              " -t get -c 1 -n 100000 -d 100 -q -P " + std::to_string(state.range(0)) +
                              " 2>/dev/null";
  double rps = 0;
  for (auto _ : state) {
    std::unique_ptr<FILE, int (*)(FILE*)> out(::popen(command.c_str(), "r"), ::pclose);
    if (!out) throw std::runtime_error("cannot run redis-benchmark");
    // Progress lines end in '\r'; the last "GET: <rate> requests per second" is the result.
    std::string text;
    char chunk[512];
    while (std::fgets(chunk, sizeof chunk, out.get()) != nullptr) text += chunk;
    std::replace(text.begin(), text.end(), '\r', '\n');
    for (std::size_t at = text.find("GET: "); at != std::string::npos; at = text.find("GET: ", at + 1)) {
      double rate = 0;
      if (std::sscanf(text.c_str() + at, "GET: %lf requests per second", &rate) == 1 &&
          text.compare(text.find_first_not_of("0123456789.", at + 5), 20, " requests per second") == 0)
        rps = rate;
    }
  }
  if (rps <= 0) state.SkipWithError("redis-benchmark printed no GET rate");
  state.counters["items_per_second"] = rps;
}

void get_libmemcached(benchmark::State& state) {
  { auto f = memcached_cache(); fill(f); }
  std::vector<std::string> keys;
  {
    auto f = memcached_cache();
    for (int k = 0; k < entries; ++k) keys.push_back(f.key(k));
  }
  std::unique_ptr<memcached_st, void (*)(memcached_st*)> mc(memcached_create(nullptr), memcached_free);
  memcached_server_add(mc.get(), "127.0.0.1", static_cast<in_port_t>(memcached_server().port()));
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::vector<const char*> ptrs(batch);
  std::vector<std::size_t> lengths(batch);
  std::size_t from = 0;
  for (auto _ : state) {
    if (from + batch > keys.size()) from = 0;
    if (batch == 1) {
      std::size_t length = 0;
      std::uint32_t flags = 0;
      memcached_return_t rc;
      char* v = memcached_get(mc.get(), keys[from].data(), keys[from].size(), &length, &flags, &rc);
      benchmark::DoNotOptimize(v);
      std::free(v);
    } else {
      for (std::size_t j = 0; j < batch; ++j) ptrs[j] = keys[from + j].data(), lengths[j] = keys[from + j].size();
      memcached_mget(mc.get(), ptrs.data(), lengths.data(), batch);
      memcached_return_t rc;
      while (memcached_result_st* r = memcached_fetch_result(mc.get(), nullptr, &rc)) {
        benchmark::DoNotOptimize(memcached_result_value(r));
        memcached_result_free(r);
      }
    }
    from += batch;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(get_redis)->Name("get/redis/1k")->UseRealTime();
BENCHMARK(get_hiredis)->Name("get/baseline_hiredis/1k")->Arg(1)->UseRealTime();
BENCHMARK(redis_benchmark)->Name("get/baseline_redis_benchmark")->Arg(1)->Iterations(1);
BENCHMARK(get_many_redis)->Name("get_many/redis/1k")->Arg(16)->UseRealTime();
BENCHMARK(get_hiredis)->Name("get_many/baseline_hiredis/1k")->Arg(16)->UseRealTime();
BENCHMARK(redis_benchmark)->Name("get_many/baseline_redis_benchmark")->Arg(16)->Iterations(1);
BENCHMARK(get_memcached)->Name("get/memcached/1k")->UseRealTime();
BENCHMARK(get_libmemcached)->Name("get/baseline_libmemcached/1k")->Arg(1)->UseRealTime();
BENCHMARK(get_many_memcached)->Name("get_many/memcached/1k")->Arg(16)->UseRealTime();
BENCHMARK(get_libmemcached)->Name("get_many/baseline_libmemcached/1k")->Arg(16)->UseRealTime();

BENCHMARK_MAIN();
