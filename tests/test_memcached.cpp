// tests/test_memcached.cpp: cachet::memcached on real memcached servers
// (tests/server_fixture.hpp): the conformance suite in both protocols,
// every sub-operation, the key map, expiry (the 30-day rule), the item size
// limit, two servers (ketama, one going down), a server restarted, fail_open,
// threads and processes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/storage/memcached.hpp>

#include "disk_test_support.hpp"
#include "memcached_test_support.hpp"
#include "storage_conformance.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using cachet_test::message_of;
using namespace memcached_test;

namespace {

using store = cachet::detail::memcached_store;

const cachet::time_point t0 = cachet::manual_clock{}.now();
cachet::time_point wall() { return std::chrono::system_clock::now(); }

}  // namespace

TEST_CASE("memcached: storage conformance in both protocols", "[memcached][conformance]") {
  memcached_fixture fixture{.binary = GENERATE(false, true)};
  cachet_conformance::check_laws(fixture);
}

TEST_CASE("memcached: deadlines hold on the caller's clock: the expiry laws pass too", "[memcached][conformance]") {
  STATIC_REQUIRE_FALSE(cachet::storage_traits<memcached_on_any_clock>::own_expiry);
  exact_fixture fixture;
  const auto report = cachet_conformance::check_laws(fixture);
  CHECK(std::find(report.laws.begin(), report.laws.end(), "expiry.after_access") != report.laws.end());
  CHECK(report.skipped.empty());
}

TEST_CASE("memcached: models the store concepts, with the optional batch members", "[memcached]") {
  STATIC_REQUIRE(cachet::bulk_store<store>);
  STATIC_REQUIRE(std::is_nothrow_move_constructible_v<store>);
  STATIC_REQUIRE(cachet::storage_traits<cachet::memcached>::thread_safe);
  STATIC_REQUIRE(cachet::storage_traits<cachet::memcached>::own_expiry);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<cachet::memcached>::typed);
  using traits = cachet::storage_traits<cachet::memcached>;
  STATIC_REQUIRE(traits::native_contains_many<store>);
  STATIC_REQUIRE(traits::native_touch_many<store>);
  STATIC_REQUIRE(traits::get_and_touch<store, std::string>);
  memcached_server a, b;
  auto f = cachet::memoize([](int x) { return x; }, cachet::memcached{.servers = {a.address(), b.address()}});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::coder_type, cachet::cereal_binary>);
  STATIC_REQUIRE(std::is_same_v<decltype(f)::key_policy_type, cachet::text_key>);
  CHECK(f.storage().name() == "memcached " + a.address() + "," + b.address());
}

TEST_CASE("memcached: bad policies are std::invalid_argument", "[memcached][bad input]") {
  CHECK_THROWS_AS(store(cachet::memcached{.servers = {}}), std::invalid_argument);
  CHECK_THROWS_AS(store(cachet::memcached{.servers = {"127.0.0.1:0"}}), std::invalid_argument);
  CHECK_THROWS_AS(store(cachet::memcached{.servers = {"127.0.0.1:x"}}), std::invalid_argument);
  CHECK_THROWS_AS(store(cachet::memcached{.servers = {":11211"}}), std::invalid_argument);
  CHECK_THROWS_AS(store(cachet::memcached{.pool_size = 0}), std::invalid_argument);
  CHECK_THROWS_AS(store(cachet::memcached{.key_prefix = "a b"}), std::invalid_argument);
  CHECK_THROWS_AS(store(cachet::memcached{.key_prefix = std::string(209, 'p')}), std::invalid_argument);
  CHECK_NOTHROW(store(cachet::memcached{.servers = {"localhost", "[::1]:11300"}, .key_prefix = std::string(208, 'p')}));
}

TEST_CASE("memcached: every store member on one server", "[memcached]") {
  memcached_server server;
  for (const bool binary : {false, true}) {
    INFO("binary protocol: " << binary);
    store s(server.policy(binary));
    s.clear();
    const auto now = wall();
    s.set("a", "1", now + 1h);
    s.set("b", "2", cachet::no_deadline);
    CHECK(s.get("a", now) == std::optional<std::string>("1"));
    CHECK(s.get("a", now + 1h) == std::nullopt);  // the deadline is exact, on the caller's clock
    CHECK(s.contains("b", now));
    CHECK_FALSE(s.contains("c", now));
    CHECK(s.size() == 2u);
    CHECK(s.touch("a", now, now + 2h));
    CHECK(s.get("a", now + 90min) == std::optional<std::string>("1"));
    CHECK(s.get_and_touch("a", now, now + 10min) == std::optional<std::string>("1"));
    CHECK_FALSE(s.contains("a", now + 10min));
    CHECK_FALSE(s.touch("c", now, now + 1h));
    CHECK_FALSE(s.contains("c", now));  // touch creates nothing
    const std::vector<std::string> keys{"a", "b", "c", "a"};
    CHECK(s.get_many(keys, now) == std::vector<std::optional<std::string>>{"1", "2", std::nullopt, "1"});
    CHECK(s.contains_many(keys, now) == std::vector<bool>{true, true, false, true});
    CHECK(s.touch_many(keys, now, now + 1min) == std::vector<bool>{true, true, false, true});
    CHECK(s.get_many(keys, now + 1min) == std::vector<std::optional<std::string>>{std::nullopt, std::nullopt, std::nullopt, std::nullopt});
    std::vector<cachet::entry<std::string, std::string>> entries{{"x", "X", now + 1h}, {"y", "Y", cachet::no_deadline}};
    s.set_many(entries);
    CHECK(s.erase_many(std::vector<std::string>{"x", "z", "x"}) == std::vector<bool>{true, false, false});
    CHECK(s.get("y", now) == std::optional<std::string>("Y"));
    CHECK(s.erase("y"));
    CHECK_FALSE(s.erase("y"));
    s.clear();
    CHECK(s.size() == 0u);
  }
}

TEST_CASE("memcached: expiry: the server's expiration and the 30-day rule", "[memcached][expiry]") {
  using cachet::detail::memcached_expiration;
  const auto now = wall();
  const std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  CHECK(memcached_expiration(cachet::no_deadline, now) == 0);
  CHECK(memcached_expiration(now + 10s, now) == 11);                   // whole seconds, rounded up, + 1
  CHECK(memcached_expiration(now + 10s + 1ns, now) == 12);
  CHECK(memcached_expiration(now + 24h * 30 - 1s, now) == 30 * 24 * 3600);  // the largest relative one
  CHECK(memcached_expiration(now + 24h * 40, now) == now_s + 40 * 24 * 3600 + 1);  // absolute Unix time
  CHECK(memcached_expiration(now - 1s, now) == cachet::detail::memcached_expired_grace);
  CHECK(memcached_expiration(now + 24h * 365 * 100, now) == 0);  // past 2038: the header bounds it

  memcached_server server;
  store s(server.policy());
  s.set("forty days", "kept", now + 24h * 40);  // as a relative time it would be 1970 + 40 days: gone at once
  s.set("one second", "short", wall() + 1s);
  CHECK(s.get("forty days", now) == std::optional<std::string>("kept"));
  CHECK(s.get("forty days", now + 24h * 40 - 1s) == std::optional<std::string>("kept"));
  CHECK(s.get("forty days", now + 24h * 40) == std::nullopt);
  CHECK(s.get("one second", t0) == std::optional<std::string>("short"));  // live on a clock of 2020
  // The server drops it on its own real-time clock, whatever the reader's clock says.
  CHECK(eventually([&] { return !s.get("one second", t0); }, 6s));
  CHECK(s.get("forty days", now) == std::optional<std::string>("kept"));
}

TEST_CASE("memcached: keys of any bytes and length map to distinct safe keys", "[memcached][keys]") {
  using cachet::detail::memcached_key;
  const std::string long_key(1000, 'k');
  const std::vector<std::string> keys{
      "plain", "with space", "with\nnewline", "tab\there", std::string("nul\0byte", 8), "%", "%25", "%20", "with%20space",
      "%HABC", "%N", "", long_key, long_key + "x", std::string(250, 'e'), std::string(251, 'e'),
      std::string(84, ' '),  // 252 bytes escaped: hashed
      std::string(83, ' '), "caf\xc3\xa9"};
  std::set<std::string> mapped;
  for (const auto& k : keys) {
    const std::string m = memcached_key("app:", k);
    CHECK(m.size() <= 250u);
    CHECK(m.starts_with("app:"));
    for (const char c : m) CHECK((static_cast<unsigned char>(c) > 0x20 && c != 0x7F));
    mapped.insert(m);
  }
  CHECK(mapped.size() == keys.size());  // no two keys share one
  CHECK(memcached_key("", "with space") == "with%20space");
  CHECK(memcached_key("", "%20") == "%2520");
  CHECK(memcached_key("", long_key).starts_with("%H"));
  CHECK(memcached_key("", std::string(250, 'e')) == std::string(250, 'e'));

  memcached_server server;
  for (const bool binary : {false, true}) {
    store s(cachet::memcached{.servers = {server.address()}, .binary_protocol = binary, .key_prefix = "app:"});
    s.clear();
    for (std::size_t i = 0; i < keys.size(); ++i) s.set(keys[i], "value " + std::to_string(i), cachet::no_deadline);
    for (std::size_t i = 0; i < keys.size(); ++i)
      CHECK(s.get(keys[i], t0) == std::optional<std::string>("value " + std::to_string(i)));
    CHECK(s.size() == keys.size());
    CHECK(s.get_many(keys, t0).size() == keys.size());
    CHECK(s.get_many(keys, t0)[12] == std::optional<std::string>("value 12"));
  }
  // Through the wrapper: a long text argument and one with spaces.
  auto f = cachet::memoize([](const std::string& s) { return s.size(); }, server.policy());
  CHECK(f(long_key) == 1000u);
  CHECK(f.contains(long_key));
  CHECK(f("a b\nc") == 5u);
  CHECK(f.contains("a b\nc"));
  CHECK_FALSE(f.contains("a b c"));
}

TEST_CASE("memcached: a value over the item size limit is an error naming the limit", "[memcached][limits]") {
  memcached_server server({"-I", "1m"});
  const std::string big(2 << 20, 'b');
  for (const bool binary : {false, true}) {
    INFO("binary protocol: " << binary);
    store s(cachet::memcached{.servers = {server.address()}, .binary_protocol = binary, .pool_size = 1});
    s.set("other", "kept", cachet::no_deadline);
    s.set("big", "old", cachet::no_deadline);
    const std::string message = message_of<cachet::backend_error>([&] { s.set("big", big, cachet::no_deadline); });
    CHECK_THAT(message, Contains("value of 2097152 bytes is over the server's item size limit (1 MiB)") &&
                            Contains(server.address()) && Contains("set") && Contains("(key big)"));
    CHECK(message.size() < 1000u);  // never the value
    CHECK(s.get("big", t0) == std::nullopt);  // no stale value
    CHECK(s.get("other", t0) == std::optional<std::string>("kept"));
    s.set("after", "fine", cachet::no_deadline);  // the connection goes on
    CHECK(s.get("after", t0) == std::optional<std::string>("fine"));
  }
  // Under fail_open: reported, computed, not stored; the other entries stay.
  std::vector<std::string> reported;
  auto f = cachet::memoize([&](int n) { return std::string(static_cast<std::size_t>(n), 'v'); }, server.policy(),
                           cachet::fail_open{.on_error = [&](const cachet::error& e) { reported.push_back(e.what()); }});
  CHECK(f(10) == std::string(10, 'v'));
  CHECK(f(2 << 20).size() == std::size_t{2} << 20);
  REQUIRE(reported.size() == 1u);
  CHECK_THAT(reported[0], Contains("item size limit (1 MiB)"));
  CHECK_FALSE(f.contains(2 << 20));
  CHECK(f.contains(10));
}

TEST_CASE("memcached: an item another client wrote is invalid_data", "[memcached][bad input]") {
  memcached_server server;
  auto f = cachet::memoize([](int x) { return x; }, server.policy());
  set_raw(server.address(), f.storage().server_key(f.key(1)), "12345678plain", 0);
  CHECK_THAT(message_of<cachet::invalid_data>([&] { (void)f.get(1); }), Contains("not an entry cachet wrote"));
  set_raw(server.address(), f.storage().server_key(f.key(2)), "short", cachet::detail::memcached_entry_flags);
  CHECK_THROWS_AS(f.storage().get(f.key(2), t0), cachet::invalid_data);
  f.update(1);  // recomputes and replaces it
  CHECK(f.get(1) == std::optional<int>(1));
  // cachet's header, then bytes the coder does not read: the coder's invalid_data.
  set_raw(server.address(), f.storage().server_key(f.key(3)), cachet::detail::memcached_frame(cachet::no_deadline, "junk"),
          cachet::detail::memcached_entry_flags);
  CHECK_THAT(message_of<cachet::invalid_data>([&] { (void)f(3); }), Contains(f.storage().name()));
  // A batch that meets one throws, and leaves no answer behind on its connection.
  store s(cachet::memcached{.servers = {server.address()}, .pool_size = 1});
  s.set("k1", "v1", cachet::no_deadline);
  s.set("k2", "v2", cachet::no_deadline);
  set_raw(server.address(), s.server_key("bad"), "x", 7);
  CHECK_THROWS_AS(s.get_many(std::vector<std::string>{"k1", "bad", "k2"}, t0), cachet::invalid_data);
  CHECK(s.get("k2", t0) == std::optional<std::string>("v2"));
  CHECK(s.get_many(std::vector<std::string>{"k1", "k2"}, t0) == std::vector<std::optional<std::string>>{"v1", "v2"});
}

TEST_CASE("memcached: get_many, contains_many and a batched get are one round trip", "[memcached][bulk]") {
  // Text protocol: a multi-get is one "get k1 k2 ..." line per server, so a
  // burst of requests after an answer is a round trip. (The binary protocol
  // pipelines quiet GETKQs then a NOOP; the server may answer the first
  // before the NOOP is sent, which a byte-counting proxy cannot tell from a
  // second round trip.)
  memcached_server server;
  {
    counting_proxy proxy(server.port());
    const bool binary = false;
    store s(cachet::memcached{.servers = {proxy.address()}, .binary_protocol = binary, .pool_size = 1});
    std::vector<std::string> keys;
    for (int i = 0; i < 16; ++i) keys.push_back("key " + std::to_string(i));
    for (int i = 0; i < 16; i += 2) s.set(keys[static_cast<std::size_t>(i)], "v", cachet::no_deadline);
    int before = proxy.round_trips();
    const auto got = s.get_many(keys, t0);
    CHECK(proxy.round_trips() - before == 1);
    CHECK(std::count(got.begin(), got.end(), std::optional<std::string>("v")) == 8);
    before = proxy.round_trips();
    CHECK(s.contains_many(keys, t0)[0]);
    CHECK(proxy.round_trips() - before == 1);
    before = proxy.round_trips();
    (void)s.get("key 0", t0);
    CHECK(proxy.round_trips() - before == 1);  // the proxy counts what it should

    auto f = cachet::memoize([](int x) { return x; },
                             cachet::memcached{.servers = {proxy.address()}, .binary_protocol = binary, .pool_size = 1},
                             cachet::batched{});
    std::vector<int> calls{1, 2, 3, 4, 5, 6, 7, 8};
    (void)f.get_or_update_many(calls);
    before = proxy.round_trips();
    CHECK(f.get_many(calls) == std::vector<std::optional<int>>{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(proxy.round_trips() - before == 1);

    // A sliding expiry's hit renews in get_and_touch: gets then cas.
    auto g = cachet::memoize([](int x) { return x; }, cachet::memcached{.servers = {proxy.address()}, .pool_size = 1},
                             cachet::expire_after_access{1h});
    (void)g(1);
    before = proxy.round_trips();
    CHECK(g(1) == 1);
    CHECK(proxy.round_trips() - before == 2);
  }
}

TEST_CASE("memcached: two servers share the keys; one going down leaves the other serving", "[memcached][servers]") {
  memcached_server a, b;
  const cachet::memcached two{.servers = {a.address(), b.address()}, .server_failure_limit = 1,
                              .retry_timeout = std::chrono::seconds{60}};
  SECTION("ketama: a third server takes about a third of the keys, from both") {
    cachet::detail::memcached_client with2(two, "2"), with3(cachet::memcached{.servers = {a.address(), b.address(), "127.0.0.1:1"}}, "3");
    auto l2 = with2.borrow();
    auto l3 = with3.borrow();
    int moved = 0;
    for (int i = 0; i < 1000; ++i) {
      const std::string k = "key:" + std::to_string(i);
      const std::string before = cachet::detail::memcached_client::server_of(l2.get(), k);
      const std::string after = cachet::detail::memcached_client::server_of(l3.get(), k);
      if (before != after) {
        ++moved;
        CHECK(after == "127.0.0.1:1");  // keys move only to the new server
      }
    }
    CHECK(moved > 150);
    CHECK(moved < 500);
  }
  SECTION("both receive keys; after b dies, fail_open answers throughout and a takes b's keys") {
    int calls = 0, reported = 0;
    auto f = cachet::memoize([&](int x) { ++calls; return x * 2; }, two,
                             cachet::fail_open{.on_error = [&](const cachet::error&) { ++reported; }});
    for (int i = 0; i < 100; ++i) CHECK(f(i) == 2 * i);
    CHECK(stat_of(a.address(), "curr_items") > 10u);
    CHECK(stat_of(b.address(), "curr_items") > 10u);
    CHECK(stat_of(a.address(), "curr_items") + stat_of(b.address(), "curr_items") == 100u);
    CHECK(reported == 0);
    b.stop();
    calls = 0;
    for (int i = 0; i < 100; ++i) CHECK(f(i) == 2 * i);  // no exception, right answers
    CHECK(reported >= 1);
    CHECK(calls < 100);  // a's entries were still served
    calls = 0;
    for (int i = 0; i < 100; ++i) CHECK(f(i) == 2 * i);
    CHECK(calls <= 2);  // the writes of the calls that met the failure may have been lost
    calls = 0;
    const int before = reported;
    for (int i = 0; i < 100; ++i) CHECK(f(i) == 2 * i);
    CHECK(calls == 0);  // b's keys now live on a
    CHECK(reported == before);
    CHECK(stat_of(a.address(), "curr_items") == 100u);
  }
  SECTION("with the default failure limit, b's keys move to a within about a second") {
    // libmemcached counts failures on whole-second timers: real time, not the cache's clock.
    int calls = 0;
    auto f = cachet::memoize([&](int x) { ++calls; return x * 2; }, cachet::memcached{.servers = {a.address(), b.address()}},
                             cachet::fail_open{});
    for (int i = 0; i < 100; ++i) CHECK(f(i) == 2 * i);
    b.stop();
    const auto start = std::chrono::steady_clock::now();
    auto waited = std::chrono::steady_clock::duration::zero();
    for (bool all_hits = false; !all_hits && waited < std::chrono::seconds{6};
         waited = std::chrono::steady_clock::now() - start) {
      calls = 0;
      for (int i = 0; i < 100; ++i) CHECK(f(i) == 2 * i);
      all_hits = calls == 0;
      UNSCOPED_INFO("round after " << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s: " << calls << " calls");
      if (!all_hits) std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    CHECK(calls == 0);
    CHECK(waited < std::chrono::milliseconds{2000});  // ejected after 2 failures, at most a second apart
    CHECK(stat_of(a.address(), "curr_items") == 100u);
  }
}

TEST_CASE("memcached: a server killed and restarted: fail_open keeps answering, then writes again", "[memcached][servers]") {
  memcached_server server;
  std::vector<std::string> reported;
  for (const bool binary : {false, true}) {
    INFO("binary protocol: " << binary);
    int calls = 0;
    auto f = cachet::memoize([&](int x) { ++calls; return x + 1; },
                             cachet::memcached{.servers = {server.address()}, .binary_protocol = binary,
                                               .retry_timeout = std::chrono::seconds{1}},
                             cachet::fail_open{.on_error = [&](const cachet::error& e) { reported.push_back(e.what()); }});
    CHECK(f(1) == 2);
    server.stop();
    CHECK(f(1) == 2);
    CHECK(f(2) == 3);
    CHECK(calls == 3);
    REQUIRE_FALSE(reported.empty());
    CHECK_THAT(reported.back(), Contains(server.address()));
    server.start();
    CHECK(eventually([&] { return f(3) == 4 && f.contains(3); }));  // the same wrapper writes again
    CHECK(f.get(3) == std::optional<int>(4));
  }
}

TEST_CASE("memcached: failures are backend_errors naming the server and the command", "[memcached][errors]") {
  SECTION("a server that is down") {
    memcached_server server;
    auto f = cachet::memoize([](int x) { return x; }, server.policy());
    server.stop();
    CHECK_THAT(message_of<cachet::backend_error>([&] { (void)f(1); }), Contains(server.address()) && Contains("get"));
    CHECK_THAT(message_of<cachet::backend_error>([&] { f.set(5, 1); }), Contains(server.address()) && Contains("set"));
    CHECK_THAT(message_of<cachet::backend_error>([&] { (void)f.get_many(std::vector<int>{1, 2}); }),
               Contains(server.address()));
  }
  SECTION("a server that never answers: the poll timeout") {
    tcp_listener silent(hang);
    auto f = cachet::memoize([](int x) { return x; },
                             cachet::memcached{.servers = {silent.address()}, .poll_timeout = 200ms});
    const auto start = std::chrono::steady_clock::now();
    CHECK_THAT(message_of<cachet::backend_error>([&] { (void)f.get(1); }), Contains(silent.address()));
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    int reported = 0;
    auto g = cachet::memoize([](int x) { return x; },
                             cachet::memcached{.servers = {silent.address()}, .poll_timeout = 200ms},
                             cachet::fail_open{.on_error = [&](const cachet::error&) { ++reported; }});
    CHECK(g(7) == 7);
    CHECK(reported >= 1);
  }
  SECTION("a server that answers garbage") {
    for (const bool binary : {false, true}) {
      tcp_listener liar(babble);
      auto f = cachet::memoize([](int x) { return x; },
                               cachet::memcached{.servers = {liar.address()}, .binary_protocol = binary, .poll_timeout = 500ms});
      CHECK_THAT(message_of<cachet::backend_error>([&] { (void)f.get(1); }), Contains(liar.address()));
      auto g = cachet::memoize([](int x) { return x; }, cachet::memcached{.servers = {liar.address()}, .binary_protocol = binary, .poll_timeout = 500ms},
                               cachet::fail_open{});
      CHECK(g(9) == 9);
    }
  }
}

TEST_CASE("memcached: several threads on one wrapper", "[memcached][threads]") {
  memcached_server server;
  std::atomic<int> calls{0};
  auto f = cachet::memoize([&](int x) { ++calls; return std::to_string(x); },
                           cachet::memcached{.servers = {server.address()}, .pool_size = 3});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const int x = (i * 7 + t) % 50;
        if (f(x) != std::to_string(x)) ++wrong;
        if (i % 50 == 0 && f.get_many(std::vector<int>{x, x + 1})[0] != std::to_string(x)) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  CHECK(calls >= 50);
  CHECK(calls < 8 * 50);  // most calls were hits
  CHECK(stat_of(server.address(), "curr_items") == 50u);
}

TEST_CASE("memcached: two processes share results", "[memcached][process]") {
  memcached_server server;
  const auto fn = [](int x) { return "computed " + std::to_string(x); };
  const cachet::memcached policy = server.policy();
  const pid_t writer = cachet_test::spawn([&] {
    auto f = cachet::memoize(fn, policy);
    f.set("from the child", 1);
    return f(2) == "computed 2" ? 0 : 2;
  });
  REQUIRE(cachet_test::exit_code(writer) == 0);
  auto f = cachet::memoize(fn, policy);
  CHECK(f.get(1) == std::optional<std::string>("from the child"));
  CHECK(f.get(2) == std::optional<std::string>("computed 2"));
  f.set("from the parent", 3);
  const pid_t reader = cachet_test::spawn([&] { return cachet::memoize(fn, policy).get(3) == "from the parent" ? 0 : 2; });
  CHECK(cachet_test::exit_code(reader) == 0);
}
