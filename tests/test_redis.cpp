// tests/test_redis.cpp: cachet::redis and cachet::redis_hash against a real
// redis-server (tests/server_fixture.hpp): the conformance suite (tcp, unix
// socket, shared pools), every sub-operation, server TTLs seen by
// redis-cli, one MGET per get_many, URLs, SELECT, clear and size,
// redis_hash's expiry rule, examples/remote.cpp. Failures, processes and
// threads: tests/test_redis_failures.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <hiredis/hiredis.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/redis.hpp>

#include "disk_test_support.hpp"
#include "redis_test_support.hpp"
#include "storage_conformance.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using namespace redis_test;

namespace {

// Each fixture its own db; each cache its own prefix or hash. The server
// expires by real time: the kit starts its manual clock at the wall
// clock's now for such storages (storage_traits::own_expiry). How a fixture
// connects is a runtime choice, as in the policies, so that each storage
// runs one instantiation of the kit.
enum class connection { own, shared_pool };

//! redis: over tcp, db 1, a prefix per cache; or over the unix socket, db
//! 2, one pool shared by every cache.
struct redis_fixture {
  connection via = connection::own;
  std::string name = via == connection::own ? "redis (tcp, db 1, a prefix per cache)"
                                            : "redis (unix socket, db 2, one shared pool)";
  cachet::redis_pool pool{{.url = "unix://" + socket_path() + "?db=2", .size = 2}};
  int caches = 0;
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    const std::string number = std::to_string(++caches);
    if (via == connection::own)
      return cachet::memoize(std::move(fn), cachet::redis{.url = url(1), .prefix = "c" + number + ":"}, clock, more...);
    return cachet::memoize(std::move(fn), cachet::redis{.pool = pool, .prefix = "u" + number + ":"}, clock, more...);
  }
};

//! redis_hash, db 3 with a connection per cache or db 4 with one shared
//! pool. It compares deadlines with the clock it is given: the kit's own.
struct redis_hash_fixture {
  connection via = connection::own;
  int db = via == connection::own ? 3 : 4;
  std::string name = via == connection::own ? "redis_hash (db 3)" : "redis_hash (db 4, shared pool)";
  cachet::redis_pool pool{{.url = url(db), .size = 3}};
  int caches = 0;
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    const std::string hash = "h" + std::to_string(++caches);
    if (via == connection::own)
      return cachet::memoize(std::move(fn), cachet::redis_hash{.url = url(db), .hash = hash}, clock, more...);
    return cachet::memoize(std::move(fn), cachet::redis_hash{.pool = pool, .hash = hash}, clock, more...);
  }
};

}  // namespace

TEST_CASE("redis_hash: storage conformance with a connection per cache and with a shared pool", "[redis][conformance]") {
  redis_hash_fixture fixture{.via = GENERATE(connection::own, connection::shared_pool)};
  cachet_conformance::check_laws(fixture);
}

TEST_CASE("redis: storage conformance, but for the laws that move time by hand", "[redis][conformance]") {
  STATIC_REQUIRE(cachet::storage_traits<cachet::redis>::own_expiry);
  redis_fixture fixture{.via = GENERATE(connection::own, connection::shared_pool)};
  // The kit skips by itself, for own_expiry, the laws that read an entry
  // past its deadline on the manual clock; "redis: deadlines are server
  // TTLs" checks the same on real time.
  const auto report = cachet_conformance::check_laws(fixture);
  CHECK(report.laws.size() == 20u);  // 28 laws, less the 3 expiry.* and 5 store laws that move the clock
  CHECK(report.skipped.size() == 8u);
}

TEST_CASE("redis: models the store concepts, with the byte storages' defaults", "[redis]") {
  using store =
      cachet::store_for<cachet::redis,
                        cachet::entry_spec<std::string, std::string, std::hash<std::string>, std::equal_to<>, true>>;
  using hash_store =
      cachet::store_for<cachet::redis_hash,
                        cachet::entry_spec<std::string, std::string, std::hash<std::string>, std::equal_to<>, true>>;
  STATIC_REQUIRE(cachet::bulk_store<store>);
  STATIC_REQUIRE(cachet::bulk_store<hash_store>);
  STATIC_REQUIRE(cachet::storage_traits<cachet::redis>::thread_safe);
  STATIC_REQUIRE(cachet::storage_traits<cachet::redis_hash>::thread_safe);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<cachet::redis_hash>::own_expiry);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<cachet::redis>::typed);
  STATIC_REQUIRE(cachet::storage_traits<cachet::redis>::get_and_touch<store, std::string>);
  STATIC_REQUIRE(cachet::storage_traits<cachet::redis_hash>::get_and_touch<hash_store, std::string>);
  auto f = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(7)});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::coder_type, cachet::cereal_binary>);
  STATIC_REQUIRE(std::is_same_v<decltype(f)::key_policy_type, cachet::text_key>);
  CHECK(f.storage().name() == "redis " + server().address() + "/7");
  auto g = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(7), .prefix = "p:"});
  CHECK(g.storage().name() == "redis " + server().address() + "/7 prefix p:");
  auto h = cachet::memoize([](int x) { return x; }, cachet::redis_hash{.url = url(7), .hash = "hh"});
  CHECK(h.storage().name() == "redis " + server().address() + "/7 hash hh");
}

TEST_CASE("redis: URLs", "[redis][url]") {
  using cachet::detail::parse_redis_url;
  const auto tcp = parse_redis_url("redis://alice:p%40ss@cache.local:6380/3");
  CHECK(tcp.host == "cache.local");
  CHECK(tcp.port == 6380);
  CHECK(tcp.db == 3);
  CHECK(tcp.user == "alice");
  CHECK(tcp.password == std::optional<std::string>("p@ss"));
  const auto plain = parse_redis_url("redis://localhost");
  CHECK((plain.port == 6379 && plain.db == 0 && !plain.password && plain.user.empty()));
  const auto password_only = parse_redis_url("redis://:secret@[::1]:7000/");
  CHECK((password_only.host == "::1" && password_only.port == 7000 && password_only.user.empty()));
  CHECK(password_only.address() == "[::1]:7000/0");
  const auto socket = parse_redis_url("unix:///run/redis/redis.sock?db=4");
  CHECK((socket.socket == "/run/redis/redis.sock" && socket.db == 4));
  CHECK(socket.address() == "unix:/run/redis/redis.sock?db=4");
  const auto unix_auth = parse_redis_url("unix://bob:pw@/tmp/r.sock");
  CHECK((unix_auth.socket == "/tmp/r.sock" && unix_auth.user == "bob" && unix_auth.password == "pw"));

  CHECK_THAT(message_of<std::invalid_argument>([] { parse_redis_url("rediss://h:6379"); }), Contains("TLS"));
  for (const char* bad : {"http://h", "redis://", "redis://h:", "redis://h:0", "redis://h:70000", "redis://h/x",
                          "redis://h/-1", "redis://user@h", "redis://[::1", "unix://relative.sock", "unix:///s?x=1",
                          "redis://:pw@h/%zz", "redis://h:12ab"}) {
    INFO(bad);
    CHECK_THAT(message_of<std::invalid_argument>([bad] { parse_redis_url(bad); }), Contains("bad URL"));
  }
  const std::string message =
      message_of<std::invalid_argument>([] { parse_redis_url("redis://alice:hunter2@h:notaport"); });
  CHECK_THAT(message, Contains("redis://alice:***@h:notaport"));
  CHECK_THAT(message, !Contains("hunter2"));
  CHECK_THROWS_AS(cachet::redis_pool({.url = "redis://h", .size = 0}), std::invalid_argument);
  // A URL is a programming error, not a backend failure: fail_open does not hide it.
  CHECK_THROWS_AS(cachet::memoize([](int x) { return x; }, cachet::redis{.url = "rediss://" + server().address()},
                                  cachet::fail_open{}),
                  std::invalid_argument);
  CHECK_THROWS_AS(cachet::memoize([](int x) { return x; },
                                  cachet::redis{.url = url(1), .pool = cachet::redis_pool({.url = url(1)})}),
                  std::invalid_argument);
}

TEST_CASE("redis: keys are readable; redis-cli sees the value and the TTL", "[redis]") {
  auto f = cachet::memoize([](int x) { return "v" + std::to_string(x); },
                           cachet::redis{.url = url(8), .prefix = "ttl:"}, cachet::expire_after_write{1h});
  CHECK(f(7) == "v7");
  CHECK(f.key(7) == "7");
  const long ttl = std::stol(cli(8, "TTL ttl:7"));
  CHECK(ttl > 3590);
  CHECK(ttl <= 3600);
  CHECK_THAT(cli(8, "--raw GET ttl:7"), Contains("v7"));  // the cereal envelope around the string
  auto g = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(8), .prefix = "never:"});
  g(1);
  CHECK(cli(8, "TTL never:1") == "-1");  // no_deadline: no TTL
  CHECK(cli(8, "EXISTS never:1") == "1");
}

TEST_CASE("redis: deadlines are server TTLs on real time", "[redis][expiry]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(9), .prefix = "rt:"});
  auto& s = f.storage();
  const auto soon = [] { return std::chrono::system_clock::now() + 150ms; };
  const auto t = std::chrono::system_clock::now();
  s.set(f.key(1), "one", soon());
  s.set(f.key(2), "two", cachet::no_deadline);
  s.set(f.key(3), "past", t - 1s);  // stores nothing
  CHECK(s.get(f.key(1), t) == std::optional<std::string>("one"));
  CHECK(s.contains(f.key(1), t));
  CHECK_FALSE(s.contains(f.key(3), t));
  CHECK(pttl(9, "rt:1") > 0);
  CHECK(eventually([&] { return !s.contains(f.key(1), t); }));
  CHECK(s.get(f.key(2), t) == std::optional<std::string>("two"));

  SECTION("set with a deadline past deletes the old value") {
    s.set(f.key(2), "stale", t - 1s);
    CHECK_FALSE(s.contains(f.key(2), t));
  }
  SECTION("touch renews, sets a TTL or removes it; never creates") {
    CHECK(s.touch(f.key(2), t, soon()));
    CHECK(pttl(9, "rt:2") > 0);
    CHECK(s.touch(f.key(2), t, cachet::no_deadline));
    CHECK(pttl(9, "rt:2") == -1);
    CHECK_FALSE(s.touch(f.key(4), t, soon()));
    CHECK_FALSE(s.contains(f.key(4), t));
    CHECK(s.touch(f.key(2), t, t - 1s));  // a deadline past: gone at once
    CHECK_FALSE(s.contains(f.key(2), t));
  }
  SECTION("get_and_touch renews in the read (GETEX)") {
    const long before = command_calls("getex");
    s.set(f.key(5), "five", soon());
    CHECK(s.get_and_touch(f.key(5), t, t + 1h) == std::optional<std::string>("five"));
    CHECK(pttl(9, "rt:5") > 3500 * 1000);
    CHECK(s.get_and_touch(f.key(5), t, cachet::no_deadline) == std::optional<std::string>("five"));
    CHECK(pttl(9, "rt:5") == -1);
    CHECK(s.get_and_touch(f.key(6), t, t + 1h) == std::nullopt);
    CHECK(command_calls("getex") == before + 3);
    CHECK(s.get_and_touch(f.key(5), t, t - 1s) == std::optional<std::string>("five"));  // GETDEL
    CHECK_FALSE(s.contains(f.key(5), t));
  }
  SECTION("bulk: each entry its own TTL; answers per key") {
    std::vector<cachet::entry<std::string, std::string>> entries{
        {f.key(10), "a", soon()}, {f.key(11), "b", cachet::no_deadline}, {f.key(12), "c", t - 1s}};
    s.set_many(entries);
    const std::vector<std::string> keys{f.key(10), f.key(11), f.key(12), f.key(10)};
    CHECK(s.get_many(keys, t) == std::vector<std::optional<std::string>>{"a", "b", std::nullopt, "a"});
    CHECK(s.contains_many(keys, t) == std::vector<bool>{true, true, false, true});
    CHECK(s.touch_many(keys, t, t + 1h) == std::vector<bool>{true, true, false, true});
    CHECK(pttl(9, "rt:11") > 0);
    CHECK(s.erase_many(keys) == std::vector<bool>{true, true, false, false});
  }
}

TEST_CASE("redis: a sliding expiry renews through the wrapper in one round trip", "[redis][expiry]") {
  int calls = 0;
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        return x;
      },
      cachet::redis{.url = url(9), .prefix = "slide:"}, cachet::expire_after_access{300ms});
  CHECK(f(1) == 1);
  const long gets = command_calls("get"), getexes = command_calls("getex");
  for (int i = 0; i < 6; ++i) {  // 600 ms in all, each read renewing its 300 ms
    std::this_thread::sleep_for(100ms);
    CHECK(f(1) == 1);
  }
  CHECK(calls == 1);
  CHECK(command_calls("getex") == getexes + 6);
  CHECK(command_calls("get") == gets);
  CHECK(eventually([&] { return cli(9, "EXISTS slide:1") == "0"; }));
}

TEST_CASE("redis: get_many is one MGET", "[redis][bulk]") {
  int calls = 0;
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        return x * 2;
      },
      cachet::redis{.url = url(10), .prefix = "bulk:"});
  std::vector<int> xs;
  for (int i = 0; i < 100; ++i) xs.push_back(i);
  f.set_many(xs, xs);
  const long mgets = command_calls("mget");
  const auto found = f.get_many(xs);
  CHECK(command_calls("mget") == mgets + 1);
  REQUIRE(found.size() == 100u);
  CHECK(found[42] == std::optional<int>(42));
  std::vector<std::string> many;
  for (int i = 0; i < 10000; ++i) many.push_back("bulk:" + std::to_string(i));
  CHECK(f.storage().get_many(many, {}).size() == 10000u);
  CHECK(command_calls("mget") == mgets + 1 + 3);  // chunks of 4096
  CHECK(calls == 0);
}

TEST_CASE("redis: SELECT isolates dbs", "[redis]") {
  auto five = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(5), .prefix = "iso:"});
  auto six = cachet::memoize([](int x) { return -x; }, cachet::redis{.url = url(6), .prefix = "iso:"});
  CHECK(five(1) == 1);
  CHECK(six(1) == -1);
  CHECK(five.get(1) == std::optional<int>(1));
  six.storage().clear();
  CHECK(five.get(1) == std::optional<int>(1));
  CHECK(cli(5, "EXISTS iso:1") == "1");
  CHECK(cli(6, "EXISTS iso:1") == "0");
}

TEST_CASE("redis: clear and size keep to the prefix; FLUSHDB without one", "[redis]") {
  auto a = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(11), .prefix = "a*["});
  auto b = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(11), .prefix = "b:"});
  for (int i = 0; i < 2500; ++i) a(i);  // more than one SCAN page
  b(1);
  CHECK(a.storage().size() == 2500u);
  CHECK(b.storage().size() == 1u);
  a.storage().clear();
  CHECK(a.storage().size() == 0u);
  CHECK(b.get(1) == std::optional<int>(1));
  auto whole = cachet::memoize([](int x) { return x; }, cachet::redis{.url = url(11)});
  CHECK(whole.storage().size() == 1u);
  whole.storage().clear();
  CHECK(cli(11, "DBSIZE") == "0");
}

TEST_CASE("redis_hash: deadlines live in the fields; expired fields are misses and deleted", "[redis][hash]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return x; }, cachet::redis_hash{.url = url(12), .hash = "exp"}, clock,
                           cachet::expire_after_write{10s});
  f(1);
  f(2);
  CHECK(cli(12, "HLEN exp") == "2");
  CHECK(cli(12, "TTL exp") == "-1");  // the hash itself never expires
  CHECK(cli(12, "HSTRLEN exp 1") == std::to_string(8 + cachet::cereal_binary{}.encode(1).size()));
  clock.advance(10s);
  CHECK(f.get(1) == std::nullopt);  // a miss, and deleted
  CHECK(cli(12, "HEXISTS exp 1") == "0");
  CHECK(cli(12, "HEXISTS exp 2") == "1");  // expired too, not met yet
  CHECK(f.storage().erase_expired(clock.now()) == 1u);
  CHECK(cli(12, "HLEN exp") == "0");
  cli(12, "HSET exp 3 short");
  CHECK_THROWS_AS(f.get(3), cachet::invalid_data);
  f.storage().clear();
  CHECK(cli(12, "EXISTS exp") == "0");
}

#ifdef CACHET_REMOTE_EXAMPLE
TEST_CASE("redis: examples/remote.cpp runs against the test's server", "[redis][example]") {
  const auto [status, out] = run_command(std::string(CACHET_REMOTE_EXAMPLE) + " " + url(15));
  INFO(out);
  CHECK(status == 0);
  CHECK_THAT(out, Contains("all claims hold") && Contains("reported: "));
  CHECK(cli(15, "EXISTS example:profile:7") == "1");
  CHECK(std::stol(cli(15, "TTL example:profile:7")) > 500);
  CHECK(cli(15, "HEXISTS example:rates EUR:USD") == "1");
}
#endif
