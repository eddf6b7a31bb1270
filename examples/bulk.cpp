// examples/bulk.cpp: the *_many sub-operations. A two-argument function is
// served from ranges of std::tuple (get_many, get_or_update_many, set_many,
// contains_many, touch_many, erase_many); a one-argument recursive function
// from a plain std::vector<int>; and a function that throws shows what is
// stored when a call fails. Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.
#include <cachet/cachet.hpp>

#include <chrono>
#include <cstddef>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int price_calls = 0;

// The price in cents of `quantity` units of `item`.
int price(std::string item, int quantity) {
  ++price_calls;
  const int unit = item == "apple" ? 40 : item == "pear" ? 55 : 100;
  return unit * quantity;
}

long long fib(int n);
int fib_calls = 0;

// [recursion]
// The default sync policy, cachet::mutex, never holds its lock while the
// function runs, so a memoized function may call itself through its wrapper.
auto memo_fib = cachet::memoize(fib, cachet::lru{.capacity = 128});

long long fib(int n) {
  ++fib_calls;
  return n < 2 ? n : memo_fib(n - 1) + memo_fib(n - 2);
}
// [recursion]

int root_calls = 0;

// The whole square root of n; throws for negative n.
int whole_root(int n) {
  ++root_calls;
  if (n < 0) throw std::domain_error("whole_root: negative argument");
  int r = 0;
  while ((r + 1) * (r + 1) <= n) ++r;
  return r;
}

void two_arguments() {
  std::cout << "A two-argument function over ranges of std::tuple:\n";
  // [bulk-tuples]
  cachet::manual_clock clock;
  auto prices = cachet::memoize(price, cachet::lru{.capacity = 256},
                                cachet::expire_after_write{std::chrono::seconds{30}}, clock);

  using call = std::tuple<std::string, int>;  // the arguments of one call of price
  std::vector<call> orders{{"apple", 3}, {"pear", 2}, {"apple", 3}};
  std::vector<std::optional<int>> before = prices.get_many(orders);  // 3 x std::nullopt
  std::vector<int> totals = prices.get_or_update_many(orders);       // {120, 110, 120}
  // price ran twice: ("apple", 3) appears twice but is computed once
  // [bulk-tuples]
  check(before == std::vector<std::optional<int>>(3), "get_many on an empty cache: nothing, and no call");
  check(totals == std::vector<int>{120, 110, 120} && price_calls == 2,
        "get_or_update_many computed each distinct call once");
  check(prices.get_many(orders) == std::vector<std::optional<int>>{120, 110, 120}, "get_many now finds all three");

  // [bulk-set]
  prices.set_many(std::vector<call>{{"plum", 10}, {"fig", 1}}, std::vector<int>{99, 5});  // no call to price
  std::vector<bool> known = prices.contains_many(std::vector<call>{{"plum", 10}, {"kiwi", 1}});  // {true, false}
  // [bulk-set]
  check(known == std::vector<bool>{true, false} && price_calls == 2, "set_many stored values without calling");
  check(prices("plum", 10) == 99, "and they are served as results");

  // [bulk-touch]
  clock.advance(std::chrono::seconds{20});
  std::vector<bool> renewed = prices.touch_many(std::vector<call>{{"apple", 3}, {"kiwi", 1}});  // {true, false}
  clock.advance(std::chrono::seconds{20});  // 40 s after the writes: only ("apple", 3), touched at 20 s, is live
  // [bulk-touch]
  check(renewed == std::vector<bool>{true, false}, "touch_many renewed the one live entry it was given");
  check(prices.contains_many(std::vector<call>{{"apple", 3}, {"pear", 2}}) == std::vector<bool>{true, false},
        "the touched entry outlived its 30 s; the others expired");

  // [erase-expired]
  std::size_t reclaimed = prices.with_storage([&](auto& store) { return store.erase_expired(clock.now()); });
  // [erase-expired]
  check(reclaimed == 2 && prices.storage().size() == 1,
        "erase_expired reclaimed plum and fig (pear was dropped when contains met it)");

  // [bulk-erase]
  std::vector<bool> erased = prices.erase_many(std::vector<call>{{"apple", 3}, {"apple", 3}});  // {true, false}
  // [bulk-erase]
  check(erased == std::vector<bool>{true, false} && prices.storage().size() == 0,
        "erase_many removed the entry once");
}

void one_argument() {
  std::cout << "A one-argument recursive function over a std::vector<int>:\n";
  // [bulk-one-argument]
  memo_fib(30);  // fib runs 31 times: once for each n in 0..30
  std::vector<long long> values = memo_fib.get_or_update_many(std::vector<int>{10, 20, 30, 31, 31});
  // 10, 20 and 30 hit; 31 is computed once, from the cached 30 and 29
  // [bulk-one-argument]
  check(fib_calls == 32, "fib ran once per distinct n, recursion included");
  check(values == std::vector<long long>{55, 6765, 832040, 1346269, 1346269}, "the values are right");
  check(memo_fib.get_many(std::vector<int>{31, 40}) == std::vector<std::optional<long long>>{1346269, std::nullopt},
        "get_many: 31 is cached, 40 is not");
  check(memo_fib.erase_many(std::vector<int>{31, 40}) == std::vector<bool>{true, false}, "erase_many: 31 removed");

  // [with-storage]
  std::size_t entries = memo_fib.with_storage([](const auto& store) { return store.size(); });  // under the lock
  // [with-storage]
  check(entries == 31, "31 entries are left: 0..30");

  check(memo_fib.update_many(std::vector<int>{5}) == std::vector<long long>{5} && fib_calls == 33,
        "update_many calls the function even for a cached argument");
  check(memo_fib.execute_many(std::vector<int>{6}) == std::vector<long long>{8} && fib_calls == 34,
        "execute_many calls it without touching the cache");
}

void failures_in_calls() {
  std::cout << "A function that throws:\n";
  // [unsynchronized]
  // Used from one thread only: no lock at all.
  auto roots = cachet::memoize(whole_root, cachet::dict{}, cachet::unsynchronized{});
  // [unsynchronized]

  // [throw]
  try {
    roots(-1);  // the exception reaches the caller unchanged
  } catch (const std::domain_error&) {
  }
  bool cached = roots.contains(-1);  // false: nothing is stored when the function throws
  // [throw]
  check(!cached && root_calls == 1, "a call that throws stores nothing");

  // [bulk-throw]
  try {
    roots.get_or_update_many(std::vector<int>{4, 9, -1, 16});
  } catch (const std::domain_error&) {
    // 4 and 9, computed before the throw, are stored; 16 was never reached
  }
  std::vector<bool> stored = roots.contains_many(std::vector<int>{4, 9, -1, 16});  // {true, true, false, false}
  // [bulk-throw]
  check(stored == std::vector<bool>{true, true, false, false} && root_calls == 4,
        "get_or_update_many stored the results computed before the throw");
  check(roots(9) == 3 && root_calls == 4, "and serves them");
}

}  // namespace

int main() {
  two_arguments();
  one_argument();
  failures_in_calls();
  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
