// examples/production.cpp: the production controls of docs/production.md,
// one block each: single flight, sharded locks, stats, a removal listener,
// results not worth caching, negative caching, TTL jitter, stale-on-error,
// refresh-ahead, weights. Built
// and run by ctest (example.production); each block checks what it shows.
// The docs copy the regions between `// [name]` marks.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>

using namespace std::chrono_literals;

// [result-traits]
namespace service {
// A lookup's outcome: a value, or why there is none.
template <class T>
struct lookup_result {
  std::optional<T> value;
  std::string error;
};
}  // namespace service

// Errors are returned, not cached.
template <class T>
struct cachet::result_traits<service::lookup_result<T>> {
  static bool worth_caching(const service::lookup_result<T>& r) noexcept { return r.value.has_value(); }
};
// [result-traits]

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "production example: %s failed\n", what);
    ++failures;
  }
}

std::optional<std::string> lookup_user(int id) {
  if (id > 100) return std::nullopt;  // not found (yet): ask again later
  return "user-" + std::to_string(id);
}

std::string render_page(int kib) { return std::string(static_cast<std::size_t>(kib) * 1024, '.'); }

int fetch_price(int item) { return item * 100; }

}  // namespace

int main() {
  {
    std::atomic<int> calls{0};
    // [single-flight]
    auto slow_square = cachet::memoize(
        [&](int x) {
          ++calls;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // an expensive call
          return x * x;
        },
        cachet::lru{.capacity = 100});  // cachet::mutex, the default sync: one computation per key
    // [single-flight]
    std::latch start(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&] {
        start.arrive_and_wait();
        (void)slow_square(12);  // 8 threads miss 12 at once
      });
    for (auto& t : threads) t.join();
    check(calls == 1, "single flight");
  }

  {
    // [sharded]
    auto prices = cachet::memoize(fetch_price, cachet::lru{.capacity = 100'000}, cachet::sharded<16>{});
    // [sharded]
    check(prices(3) == 300 && prices.storage().capacity() == 100'000, "sharded");
  }

  {
    // [stats]
    auto twice = cachet::memoize([](int x) { return 2 * x; }, cachet::lru{.capacity = 2}, cachet::record_stats{});
    for (int x : {1, 2, 1, 3, 1}) twice(x);
    const cachet::cache_stats s = twice.stats();  // hits 2, misses 3, loads 3, evictions 1
    // [stats]
    std::printf("hits %llu, misses %llu, loads %llu, evictions %llu, hit rate %.2f\n",
                static_cast<unsigned long long>(s.hits), static_cast<unsigned long long>(s.misses),
                static_cast<unsigned long long>(s.loads), static_cast<unsigned long long>(s.evictions),
                s.hit_rate());
    check(s.hits == 2 && s.misses == 3 && s.loads == 3 && s.evictions == 1, "stats");
  }

  {
    std::vector<std::string> removed;
    // [listener]
    auto names = cachet::memoize(
        [](int id) { return "user-" + std::to_string(id); }, cachet::lru{.capacity = 2},
        cachet::removal_listener{[&](const std::tuple<int>& key, const std::string& name, cachet::removal_cause why) {
          removed.push_back(std::to_string(std::get<0>(key)) + " " + name + " " + cachet::to_string(why));
        }});
    names(1);
    names(2);
    names(3);        // "1 user-1 evicted"
    names.erase(2);  // "2 user-2 erased"
    // [listener]
    check(removed == std::vector<std::string>{"1 user-1 evicted", "2 user-2 erased"}, "listener");
  }

  {
    int lookups = 0;
    // [not-worth-caching]
    auto find_user = cachet::memoize(
        [&](int id) {
          ++lookups;
          return lookup_user(id);  // std::optional<std::string>
        },
        cachet::lru{.capacity = 100});
    find_user(7);
    find_user(7);    // a hit
    find_user(500);  // empty: returned, not stored
    find_user(500);  // computed again
    // [not-worth-caching]
    check(lookups == 3, "results not worth caching");

    int loads = 0;
    auto load = cachet::memoize(
        [&](int id) {
          ++loads;
          return service::lookup_result<int>{id > 0 ? std::optional<int>(id) : std::nullopt, id > 0 ? "" : "bad id"};
        },
        cachet::dict{});
    load(-1);
    load(-1);
    check(loads == 2, "result_traits specialisation");
  }

  {
    cachet::manual_clock clock;  // the example moves time by hand
    int lookups = 0;
    const auto counted_lookup = [&](int id) {
      ++lookups;
      return lookup_user(id);
    };
    // [negative-caching]
    auto find_user = cachet::memoize(counted_lookup, cachet::lru{.capacity = 10'000}, cachet::expire_after_write{5min},
                                     cachet::expiry_options{.negative_ttl = 30s}, clock);
    find_user(500);
    find_user(500);  // the negative entry answers
    clock.advance(31s);
    find_user(500);  // expired: asked again
    // [negative-caching]
    check(lookups == 2, "negative caching");
  }

  {
    cachet::manual_clock clock;
    // [jitter]
    auto prices = cachet::memoize(fetch_price, cachet::dict{}, cachet::expire_after_write{10min},
                                  cachet::expiry_options{.jitter = 0.1}, clock);
    // [jitter]
    for (int item = 0; item < 100; ++item) prices(item);
    clock.advance(570s);  // 9.5 min: some have expired, not all
    int live = 0;
    for (int item = 0; item < 100; ++item) live += prices.contains(item) ? 1 : 0;
    clock.advance(30s);  // 10 min: all have
    int live_at_ttl = 0;
    for (int item = 0; item < 100; ++item) live_at_ttl += prices.contains(item) ? 1 : 0;
    check(live > 0 && live < 100 && live_at_ttl == 0, "jitter");
  }

  {
    cachet::manual_clock clock;
    bool rates_down = false;
    const auto fetch_rate = [&](const std::string& currency) {
      if (rates_down) throw std::runtime_error("the rates service is down");
      return currency == "EUR" ? 1.08 : 1.0;
    };
    int reported = 0;
    // [stale-if-error]
    auto rate = cachet::memoize(fetch_rate, cachet::lru{.capacity = 100}, cachet::expire_after_write{1min},
                                cachet::expiry_options{.stale_if_error = 1h,
                                                       .on_error = [&](std::exception_ptr) { ++reported; }},
                                clock);
    rate("EUR");          // computed: 1.08
    clock.advance(2min);  // expired; kept, stale, for an hour
    rates_down = true;
    rate("EUR");  // the service throws: the stale 1.08 is returned and on_error hears of it
    // [stale-if-error]
    check(rate("EUR") == 1.08 && reported == 2 && !rate.get("EUR"), "stale-if-error");
  }

  {
    cachet::manual_clock clock;
    std::atomic<int> version = 0;
    // [refresh-ahead]
    auto config = cachet::memoize(
        [&](const std::string& name) { return name + " v" + std::to_string(++version); },
        cachet::lru{.capacity = 100}, cachet::expire_after_write{10min},
        cachet::expiry_options{.refresh_after = 5min}, clock);
    config("flags");      // computed: "flags v1"
    clock.advance(6min);  // older than refresh_after
    config("flags");      // "flags v1" at once; "flags v2" is computed on the refresh thread
    // [refresh-ahead]
    for (int i = 0; i < 10'000 && config.get("flags") != "flags v2"; ++i) std::this_thread::sleep_for(1ms);
    check(config.get("flags") == "flags v2" && version == 2, "refresh-ahead");
  }

  {
    // [weights]
    auto pages = cachet::memoize(render_page, cachet::lru{.max_weight = 64 << 20},
                                 cachet::weigher{[](const std::string& html) { return html.size(); }});
    // [weights]
    for (int kib = 1; kib <= 1024; ++kib) pages(kib);  // 512 MiB in all: the least recently used go
    (void)pages(100 * 1024);  // 100 MiB: heavier than the maximum, returned but not stored
    check(pages.storage().total_weight() <= (64 << 20) && !pages.contains(100 * 1024), "weights");
  }

  if (failures == 0) std::puts("production example: all checks passed");
  return failures;
}
