// examples/custom_expiry.cpp: an expiry policy written by a user.
//   - until_next_hour: every entry expires at the next full hour (UTC), as
//     for rates published once an hour. Its minimal definition is
//     cachet_family and deadline(now, value); cachet::expiry_traits fills in
//     the rest, shown here. Run on a cachet::manual_clock: nothing sleeps.
// Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

#include <cachet/cachet.hpp>

#include <chrono>
#include <iostream>
#include <string>

// [until-next-hour]
// Entries expire at the next full hour after they are written.
struct until_next_hour {
  using cachet_family = cachet::family::expiry;

  template <class Value>
  cachet::time_point deadline(cachet::time_point now, const Value&) const {
    return std::chrono::floor<std::chrono::hours>(now) + std::chrono::hours{1};
  }
};
// [until-next-hour]

// [expiry-traits]
// What the wrapper reads of it beyond deadline(now, value), all defaults:
using hourly = cachet::expiry_traits<until_next_hour>;
static_assert(hourly::expires);              // entries carry deadlines; the clock is read
static_assert(!hourly::renews_on_access);    // a hit does not push the deadline
static_assert(!hourly::value_independent);   // no deadline(now): touch reads the value first
static_assert(cachet::expiry_policy_for<until_next_hour, double>);
// [expiry-traits]

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int fetches = 0;
double exchange_rate(const std::string& from, const std::string& to) {
  ++fetches;
  return from == to ? 1.0 : 1.08;
}

}  // namespace

int main() {
  using namespace std::chrono_literals;
  std::cout << "An expiry policy (until_next_hour) on a manual clock:\n";
  // [use-until-next-hour]
  cachet::manual_clock clock{cachet::time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / 2}} + 10h + 59min};
  auto rates = cachet::memoize(exchange_rate, cachet::lru{.capacity = 256}, until_next_hour{}, clock);

  rates("EUR", "USD");   // 10:59: a miss, kept until 11:00
  clock.advance(59s);
  rates("EUR", "USD");   // 10:59:59: a hit
  clock.advance(1s);
  rates("EUR", "USD");   // 11:00: expired, fetched again and kept until 12:00
  // [use-until-next-hour]
  check(fetches == 2, "fetched at 10:59 and again at 11:00, served from the cache at 10:59:59");
  clock.advance(59min + 59s);
  check(rates.contains("EUR", "USD"), "11:59:59: the 11:00 entry is live");
  check(rates.touch("EUR", "USD"), "touch renews it, to the next full hour after 11:59:59: 12:00");
  clock.advance(1s);
  check(!rates.contains("EUR", "USD") && fetches == 2, "12:00: expired (touch renewed it only to 12:00)");

  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
