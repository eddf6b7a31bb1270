// examples/remote.cpp: memoized functions whose cache lives on a Redis
// server: one connection pool shared by every function, entries readable in
// redis-cli with their time to live, a cache in one hash, and a cache that
// fails open when the server is gone. Exits 1 if anything it claims does
// not hold (tests/test_redis.cpp runs it against its own redis-server).
//
// Usage: remote [URL]   (default redis://127.0.0.1:6379/0; unix:///path.sock?db=N works too)
//
// Snippets between `// [name]` markers are copied into docs/remote.md;
// scripts/check_docs.py checks that the copies stay verbatim.
#include <cachet/cachet.hpp>
#include <cachet/storage/redis.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace {

int calls = 0;  // how many times the functions really ran
int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

std::string fetch_profile(int user) {
  ++calls;
  return "profile of user " + std::to_string(user);
}

double exchange_rate(std::string from, std::string to) {
  ++calls;
  return from == to ? 1.0 : 0.5;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "redis://127.0.0.1:6379/0";
  try {
    // [remote-pool]
    // One pool for the whole program: every function below shares its 4 connections.
    cachet::redis_pool pool({.url = url, .size = 4, .connect_timeout = std::chrono::milliseconds{500},
                             .command_timeout = std::chrono::milliseconds{500}});

    // One string key per entry ("example:profile:<user>"), the deadline as its TTL.
    auto profiles = cachet::memoize(fetch_profile, cachet::redis{.pool = pool, .prefix = "example:profile:"},
                                    cachet::expire_after_write{std::chrono::minutes{10}});

    // Every entry a field of the hash "example:rates"; reads renew the deadline.
    auto rates = cachet::memoize(exchange_rate, cachet::redis_hash{.pool = pool, .hash = "example:rates"},
                                 cachet::expire_after_access{std::chrono::hours{1}});
    // [remote-pool]
    profiles.erase(7);
    rates.erase("EUR", "USD");

    std::cout << "cachet::redis on " << profiles.storage().name() << '\n';
    check(profiles(7) == "profile of user 7" && calls == 1, "a miss calls the function");
    check(profiles(7) == "profile of user 7" && calls == 1, "a hit is served by Redis");
    // [remote-key]
    // The key as redis-cli sees it: redis-cli GET example:profile:7, TTL example:profile:7
    const std::string key = "example:profile:" + profiles.key(7);
    // [remote-key]
    check(key == "example:profile:7", "the key is readable: " + key);

    std::cout << "cachet::redis_hash on " << rates.storage().name() << '\n';
    check(rates("EUR", "USD") == 0.5 && calls == 2, "a miss calls the function");
    check(rates("EUR", "USD") == 0.5 && calls == 2, "a hit is served from the hash");
    check(rates.storage().size() == 1u, "the hash holds one field (HLEN)");
    check(pool.open_connections() <= pool.capacity(), "the functions share the pool's connections");
  } catch (const cachet::backend_error& e) {
    std::cout << "  FAILED: " << e.what() << '\n';
    return 1;
  }

  // [remote-fail-open]
  // A server that cannot be reached: every call computes its result, and reports.
  const auto report = [](const cachet::error& e) { std::cout << "  reported: " << e.what() << '\n'; };
  auto offline = cachet::memoize(
      fetch_profile, cachet::redis{.url = "redis://127.0.0.1:1/0", .connect_timeout = std::chrono::milliseconds{100}},
      cachet::fail_open{.on_error = report});
  const std::string profile = offline(8);  // computed; nothing stored
  // [remote-fail-open]
  check(profile == "profile of user 8" && calls == 3, "without a server, calls still answer");

  std::cout << (failures == 0 ? "all claims hold\n" : "some claims failed\n");
  return failures == 0 ? 0 : 1;
}
