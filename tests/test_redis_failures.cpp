// tests/test_redis_failures.cpp: cachet::redis on a real redis-server that
// fails or is shared: AUTH and a wrong password, a server dead, restarted,
// killed mid-run, slow past its timeout or answering garbage (propagated,
// and under fail_open), two processes, threads on one pool. The rest:
// tests/test_redis.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/storage/redis.hpp>

#include "disk_test_support.hpp"
#include "redis_test_support.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using namespace redis_test;

TEST_CASE("redis: AUTH with requirepass and with an ACL user; a wrong password", "[redis][auth]") {
  cachet_test::server_process locked("redis-server", cachet_test::redis_args({"--requirepass", "s3cret"}));
  const std::string at = locked.address();
  CHECK(cli_at(locked.port(), "-a s3cret --no-auth-warning ACL SETUSER alice on '>alicepw' '~*' '+@all'") == "OK");
  auto f = cachet::memoize([](int x) { return x; }, cachet::redis{.url = "redis://:s3cret@" + at + "/1"});
  CHECK(f(4) == 4);
  CHECK(f.get(4) == std::optional<int>(4));
  auto g = cachet::memoize([](int x) { return x; }, cachet::redis{.url = "redis://alice:alicepw@" + at + "/1"});
  CHECK(g.get(4) == std::optional<int>(4));

  const std::string wrong = message_of<cachet::backend_error>(
      [&] { cachet::memoize([](int x) { return x; }, cachet::redis{.url = "redis://:nope@" + at}); });
  CHECK_THAT(wrong, Contains("AUTH") && Contains(at) && !Contains("nope"));
  CHECK_THAT(message_of<cachet::backend_error>(
                 [&] { cachet::memoize([](int x) { return x; }, cachet::redis{.url = "redis://" + at}); }),
             Contains("NOAUTH") && Contains("PING"));

  std::vector<std::string> reported;
  int calls = 0;
  auto open = cachet::memoize(
      [&](int x) {
        ++calls;
        return x;
      },
      cachet::redis{.url = "redis://:nope@" + at},
      cachet::fail_open{.on_error = [&](const cachet::error& e) { reported.push_back(e.what()); }});
  CHECK(open(1) == 1);
  CHECK(open(1) == 1);
  CHECK(calls == 2);
  REQUIRE_FALSE(reported.empty());
  CHECK_THAT(reported.front(), Contains("AUTH"));
}

TEST_CASE("redis: a dead server is a backend_error naming the server and the command", "[redis][failure]") {
  cachet_test::server_process redis("redis-server", cachet_test::redis_args());
  const std::string u = "redis://" + redis.address() + "/1";
  auto f = cachet::memoize([](int x) { return x; }, cachet::redis{.url = u, .connect_timeout = 200ms});
  CHECK(f(1) == 1);
  redis.stop();
  const std::string message = message_of<cachet::backend_error>([&] { f(1); });
  CHECK_THAT(message, Contains(redis.address()) && Contains("GET"));
  CHECK_THAT(message_of<cachet::backend_error>([&] { f(1); }), Contains("not connected"));  // backing off
  CHECK_THAT(
      message_of<cachet::backend_error>([&] { cachet::memoize([](int x) { return x; }, cachet::redis{.url = u}); }),
      Contains("cannot connect") && Contains(redis.address()));
}

TEST_CASE("redis: a restart between calls is not seen: a closed idle connection is replaced", "[redis][failure]") {
  cachet_test::server_process redis("redis-server", cachet_test::redis_args());
  auto f = cachet::memoize([](int x) { return x; }, cachet::redis{.url = "redis://" + redis.address() + "/1"});
  CHECK(f(1) == 1);
  redis.stop();
  redis.start();
  CHECK_NOTHROW(f(2));  // propagate_errors: any failure would throw
  CHECK(f.get(2) == std::optional<int>(2));
}

TEST_CASE("redis: a server slow past command_timeout; a server answering garbage", "[redis][failure]") {
  std::atomic<int> reported{0};
  const auto count = [&](const cachet::error&) { ++reported; };
  SECTION("slow: the command times out, the connection is dropped, later calls work") {
    cachet_test::server_process slow("redis-server", cachet_test::redis_args({"--enable-debug-command", "yes"}));
    const std::string u = "redis://" + slow.address() + "/1";
    auto f = cachet::memoize([](int x) { return x; }, cachet::redis{.url = u, .command_timeout = 100ms});
    auto g = cachet::memoize([](int x) { return x; }, cachet::redis{.url = u, .command_timeout = 100ms},
                             cachet::fail_open{.on_error = count});
    CHECK(f(1) == 1);
    std::thread sleeper([&] { cli_at(slow.port(), "DEBUG SLEEP 0.6"); });
    std::this_thread::sleep_for(150ms);
    const auto start = std::chrono::steady_clock::now();
    CHECK_THAT(message_of<cachet::backend_error>([&] { (void)f.get(1); }),
               Contains("GET") && Contains("timed out") && Contains(slow.address()));
    CHECK(std::chrono::steady_clock::now() - start < 400ms);
    CHECK(g(2) == 2);  // computed
    CHECK(reported >= 1);
    sleeper.join();
    CHECK(eventually([&] { return f.get(1) == std::optional<int>(1); }));
  }
  SECTION("garbage: a backend_error at open; fail_open computes") {
    garbage_server garbage;
    CHECK_THAT(message_of<cachet::backend_error>([&] {
                 cachet::memoize([](int x) { return x; }, cachet::redis{.url = "redis://" + garbage.address()});
               }),
               Contains("PING") && Contains(garbage.address()));
    int calls = 0;
    auto f = cachet::memoize(
        [&](int x) {
          ++calls;
          return x;
        },
        cachet::redis{.url = "redis://" + garbage.address()}, cachet::fail_open{.on_error = count});
    CHECK(f(3) == 3);
    CHECK(f(3) == 3);
    CHECK(calls == 2);
    CHECK(reported >= 1);
  }
}

TEST_CASE("redis: killed mid-run, fail_open keeps answering; the same wrapper writes again after a restart",
          "[redis][failure]") {
  cachet_test::server_process redis("redis-server", cachet_test::redis_args());
  std::atomic<int> calls{0}, reported{0};
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        return x * 3;
      },
      cachet::redis{.url = "redis://" + redis.address() + "/1", .connect_timeout = 200ms, .command_timeout = 200ms},
      cachet::fail_open{.on_error = [&](const cachet::error&) { ++reported; }});
  CHECK(f(1) == 3);
  CHECK(f(1) == 3);
  CHECK(calls == 1);
  redis.stop();
  for (int i = 0; i < 20; ++i) CHECK(f(i) == 3 * i);  // computed, never thrown
  CHECK(calls == 21);
  CHECK(reported >= 20);
  redis.start();  // empty: nothing was saved
  CHECK(eventually(
      [&] {
        f(2);
        return cli_at(redis.port(), "-n 1 EXISTS 2") == "1";
      },
      5s));
  const int before = calls;
  CHECK(f(2) == 6);
  CHECK(calls == before);
}

TEST_CASE("redis: two processes share results", "[redis][processes]") {
  const std::string u = url(13);
  const auto child = cachet_test::spawn([u] {
    auto f = cachet::memoize([](int x) { return x + 1000; }, cachet::redis{.url = u, .prefix = "proc:"});
    return f(5) == 1005 ? 0 : 1;
  });
  REQUIRE(cachet_test::exit_code(child) == 0);
  auto f = cachet::memoize([](int x) { return x; }, cachet::redis{.url = u, .prefix = "proc:"});
  CHECK(f(5) == 1005);  // the child's result
  f.set(600, 6);
  const auto reader = cachet_test::spawn([u] {
    auto g = cachet::memoize([](int x) { return x; }, cachet::redis{.url = u, .prefix = "proc:"});
    return g.get(6) == std::optional<int>(600) ? 0 : 1;
  });
  CHECK(cachet_test::exit_code(reader) == 0);
}

TEST_CASE("redis: threads share one wrapper's pool; a shared pool serves many functions", "[redis][threads]") {
  SECTION("one wrapper, its own pool of 3") {
    std::atomic<int> calls{0}, wrong{0};
    auto f = cachet::memoize(
        [&](int x) {
          ++calls;
          return x * x;
        },
        cachet::redis{.url = url(14), .prefix = "thr:", .pool_size = 3});
    run_threads(8, [&](int t) {  // no Catch2 assertion off the main thread
      for (int i = 0; i < 200; ++i) {
        const int x = (t * 7 + i) % 50;
        if (f(x) != x * x) ++wrong;
      }
    });
    CHECK(wrong == 0);
    CHECK(calls >= 50);
    CHECK(f.storage().pool().open_connections() <= 3u);
    CHECK(f.storage().size() == 50u);
  }
  SECTION("two functions, one pool of 2") {
    const long clients_before = connected_clients();
    cachet::redis_pool pool({.url = url(14), .size = 2});
    auto f = cachet::memoize([](int x) { return x + 1; }, cachet::redis{.pool = pool, .prefix = "pf:"});
    auto g = cachet::memoize([](int x) { return x + 2; }, cachet::redis_hash{.pool = pool, .hash = "pg"});
    std::atomic<long> most{0};
    std::atomic<int> wrong{0};
    run_threads(6, [&](int t) {
      for (int i = 0; i < 150; ++i) {
        if (f(i % 30) != i % 30 + 1 || g(i % 30) != i % 30 + 2) ++wrong;
        if (t == 0 && i % 10 == 0) most = std::max(most.load(), connected_clients() - clients_before);
      }
    });
    CHECK(wrong == 0);
    CHECK(pool.capacity() == 2u);
    CHECK(pool.open_connections() <= 2u);
    CHECK(most <= 2);
    CHECK(connected_clients() - clients_before <= 2);
  }
}
