// Tests of the expiry policies, driven by manual_clock (no test sleeps):
// expire_after_write, expire_after_access, expire_per_entry, never, huge
// ttls, time arithmetic (NaN and infinite durations, a saturating
// manual_clock), and reclamation of expired entries by lru and dict.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>

#include <atomic>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr auto ns = 1ns;

using seconds_d = std::chrono::duration<double>;
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();
constexpr seconds_d nan_s{nan_v};
constexpr seconds_d inf_s{inf_v};

// A manual clock that counts its reads.
struct counting_clock {
  using cachet_family = cachet::family::clock;
  cachet::manual_clock clock;
  std::shared_ptr<std::atomic<int>> reads = std::make_shared<std::atomic<int>>(0);
  cachet::time_point now() const {
    ++*reads;
    return clock.now();
  }
};

// A function that counts its calls: value = 10 * x.
struct counted {
  std::shared_ptr<int> calls = std::make_shared<int>(0);
  int operator()(int x) const {
    ++*calls;
    return 10 * x;
  }
};

}  // namespace

TEMPLATE_TEST_CASE("expire_after_write: live until ttl - 1ns, gone at ttl", "[expiry][after_write]", cachet::lru,
                   cachet::dict) {
  cachet::manual_clock clock;
  counted fn;
  auto f = cachet::memoize(fn, TestType{}, cachet::expire_after_write{10s}, clock);
  REQUIRE(f(1) == 10);
  clock.advance(10s - ns);
  REQUIRE(f.contains(1));
  REQUIRE(f.get(1) == std::optional<int>(10));
  REQUIRE(f(1) == 10);
  REQUIRE(*fn.calls == 1);  // reads did not extend the entry:
  clock.advance(ns);
  REQUIRE_FALSE(f.contains(1));
  REQUIRE_FALSE(f.get(1));
  REQUIRE(f(1) == 10);
  REQUIRE(*fn.calls == 2);
  // the recomputed entry has a fresh ttl
  clock.advance(10s - ns);
  REQUIRE(f.contains(1));
  clock.advance(ns);
  REQUIRE_FALSE(f.contains(1));
}

TEST_CASE("expire_after_write: set, update and touch renew; a ttl of zero stores nothing", "[expiry][after_write]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize(counted{}, cachet::lru{}, cachet::expire_after_write{10s}, clock);
  f.set(5, 1);
  clock.advance(8s);
  f.update(1);  // rewritten at t=8s
  clock.advance(8s);
  REQUIRE(f.get(1) == std::optional<int>(10));
  REQUIRE(f.touch(1));  // renewed at t=16s until t=26s
  clock.advance(10s - ns);
  REQUIRE(f.contains(1));
  clock.advance(ns);
  REQUIRE_FALSE(f.touch(1));
  REQUIRE_FALSE(f.contains(1));

  auto zero = cachet::memoize(counted{}, cachet::dict{}, cachet::expire_after_write{0s}, clock);
  REQUIRE(zero(3) == 30);
  REQUIRE_FALSE(zero.contains(3));
  REQUIRE(zero.storage().size() == 0);
}

TEST_CASE("expire_after_write: sub-nanosecond ttls round up", "[expiry][after_write]") {
  const cachet::expire_after_write e{std::chrono::duration<double, std::nano>(0.25)};
  REQUIRE(e.ttl == 1ns);
}

TEMPLATE_TEST_CASE("expire_after_access: hits, get and touch extend; contains does not", "[expiry][after_access]",
                   cachet::lru, cachet::dict) {
  cachet::manual_clock clock;
  counted fn;
  auto f = cachet::memoize(fn, TestType{}, cachet::expire_after_access{10s}, clock);
  f(1);                 // t=0, deadline 10s
  clock.advance(9s);
  REQUIRE(f(1) == 10);  // hit at 9s: deadline 19s
  clock.advance(9s);
  REQUIRE(f.get(1));    // get at 18s: deadline 28s
  clock.advance(9s);
  REQUIRE(f.contains(1));  // 27s: live, but not renewed
  REQUIRE(f.touch(1));     // 27s: deadline 37s
  clock.advance(10s - ns);
  REQUIRE(f.contains(1));
  clock.advance(ns);
  REQUIRE_FALSE(f.contains(1));
  REQUIRE(*fn.calls == 1);

  f(2);  // contains alone lets it expire
  for (int i = 0; i < 9; ++i) {
    clock.advance(1s);
    REQUIRE(f.contains(2));
  }
  clock.advance(1s);
  REQUIRE_FALSE(f.contains(2));
}

TEST_CASE("expire_after_access: get_many and get_or_update_many extend too", "[expiry][after_access]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize(counted{}, cachet::lru{}, cachet::expire_after_access{10s}, clock);
  const std::vector<std::tuple<int>> calls{{1}, {2}};
  f.get_or_update_many(calls);
  clock.advance(9s);
  f.get_many(std::vector<std::tuple<int>>{{1}});
  f.get_or_update_many(std::vector<std::tuple<int>>{{2}});
  clock.advance(9s);
  REQUIRE(f.contains_many(calls) == std::vector<bool>{true, true});
  clock.advance(1s);
  REQUIRE(f.contains_many(calls) == std::vector<bool>{false, false});
}

TEST_CASE("expire_per_entry: the ttl comes from the value", "[expiry][per_entry]") {
  cachet::manual_clock clock;
  counted fn;
  // value 10*x lives x seconds; x <= 0: not stored
  auto f = cachet::memoize(fn, cachet::lru{}, cachet::expire_per_entry{[](int v) { return std::chrono::seconds{v / 10}; }},
                           clock);
  REQUIRE(f(1) == 10);
  REQUIRE(f(3) == 30);
  clock.advance(1s - ns);
  REQUIRE(f.contains(1));
  clock.advance(ns);
  REQUIRE_FALSE(f.contains(1));
  REQUIRE(f.contains(3));
  clock.advance(2s);
  REQUIRE_FALSE(f.contains(3));

  REQUIRE(f(0) == 0);    // zero ttl: returned, not stored
  REQUIRE(f(-2) == -20); // negative ttl: returned, not stored
  REQUIRE_FALSE(f.contains(0));
  REQUIRE_FALSE(f.contains(-2));
  f.set(0, 7);  // set follows the same rule
  REQUIRE_FALSE(f.contains(7));
  const int before = *fn.calls;
  REQUIRE(f(0) == 0);
  REQUIRE(*fn.calls == before + 1);  // recomputed every time
}

TEST_CASE("expire_per_entry: touch recomputes the ttl from the value", "[expiry][per_entry]") {
  cachet::manual_clock clock;
  auto scale = std::make_shared<int>(1);  // seconds of life per unit of value
  auto f = cachet::memoize([](int x) { return x; }, cachet::dict{},
                           cachet::expire_per_entry{[scale](int v) { return std::chrono::seconds{v * *scale}; }},
                           clock);
  f(5);  // t=0: lives until 5s
  clock.advance(4s);
  REQUIRE(f.touch(5));  // t=4: until 9s
  clock.advance(5s - ns);
  REQUIRE(f.contains(5));
  *scale = 0;  // now the value's ttl is zero: touch drops the entry
  REQUIRE_FALSE(f.touch(5));
  REQUIRE_FALSE(f.contains(5));
  REQUIRE(f.storage().size() == 0);
  *scale = 2;
  f(4);
  REQUIRE(f.touch_many(std::vector<std::tuple<int>>{{4}, {6}}) == std::vector<bool>{true, false});
}

TEST_CASE("huge ttls saturate instead of overflowing", "[expiry][overflow]") {
  cachet::manual_clock clock;
  const cachet::expire_after_write write_max{std::chrono::hours::max()};
  REQUIRE(write_max.ttl == cachet::duration::max());
  REQUIRE(write_max.deadline(clock.now()) == cachet::no_deadline);
  REQUIRE(cachet::expire_after_access{std::chrono::hours::max()}.ttl == cachet::duration::max());
  REQUIRE(cachet::add_saturating(clock.now(), std::chrono::hours::max()) == cachet::no_deadline);
  REQUIRE(cachet::add_saturating(clock.now(), std::chrono::duration<double>(1e300)) == cachet::no_deadline);
  REQUIRE(cachet::add_saturating(cachet::no_deadline - 1s, 1h) == cachet::no_deadline);

  auto a = cachet::memoize(counted{}, cachet::lru{}, cachet::expire_after_write{std::chrono::hours::max()}, clock);
  auto b = cachet::memoize(counted{}, cachet::dict{}, cachet::expire_after_access{std::chrono::years::max()}, clock);
  auto c = cachet::memoize(counted{}, cachet::lru{},
                           cachet::expire_per_entry{[](int) { return std::chrono::hours::max(); }}, clock);
  a(1);
  b(1);
  c(1);
  REQUIRE(b(1) == 10);  // a renewal at a huge ttl saturates too
  REQUIRE(c.touch(1));
  clock.advance(24h * 365 * 100);
  REQUIRE(a.contains(1));
  REQUIRE(b.contains(1));
  REQUIRE(c.contains(1));
  // near the end of time, a short ttl saturates as well
  clock.set(cachet::no_deadline - 1s);
  auto d = cachet::memoize(counted{}, cachet::lru{}, cachet::expire_after_write{1h}, clock);
  d(1);
  REQUIRE(d.contains(1));
}

TEST_CASE("ceil_saturating and add_saturating: NaN and infinite durations are defined", "[expiry][time]") {
  using cachet::detail::ceil_saturating;
  // In a constant expression undefined behaviour does not compile: these
  // prove that no NaN or out-of-range value reaches an integer conversion.
  STATIC_REQUIRE(ceil_saturating(nan_s) == cachet::duration::zero());
  STATIC_REQUIRE(ceil_saturating(inf_s) == cachet::duration::max());
  STATIC_REQUIRE(ceil_saturating(-inf_s) == cachet::duration::min());
  STATIC_REQUIRE(ceil_saturating(std::chrono::duration<double, std::nano>(9223372036854775807.0)) ==
                 cachet::duration::max());
  STATIC_REQUIRE(ceil_saturating(std::chrono::duration<double, std::nano>(-9223372036854775808.0)) ==
                 cachet::duration::min());
  STATIC_REQUIRE(ceil_saturating(std::chrono::hours::max()) == cachet::duration::max());
  STATIC_REQUIRE(ceil_saturating(std::chrono::hours::min()) == cachet::duration::min());
  // rounding up, as std::chrono::ceil does
  STATIC_REQUIRE(ceil_saturating(seconds_d(-1.5)) == -1500ms);
  STATIC_REQUIRE(ceil_saturating(std::chrono::duration<double, std::nano>(-0.5)) == 0ns);
  STATIC_REQUIRE(ceil_saturating(std::chrono::duration<double, std::nano>(2.000001)) == 3ns);
  STATIC_REQUIRE(ceil_saturating(seconds_d(0.1)) == std::chrono::ceil<cachet::duration>(seconds_d(0.1)));

  // the same at run time, in every floating type and unit
  REQUIRE(ceil_saturating(nan_s) == cachet::duration::zero());
  REQUIRE(ceil_saturating(std::chrono::duration<float, std::ratio<3600>>(std::numeric_limits<float>::quiet_NaN())) ==
          cachet::duration::zero());
  REQUIRE(ceil_saturating(std::chrono::duration<long double, std::pico>(
              std::numeric_limits<long double>::quiet_NaN())) == cachet::duration::zero());
  REQUIRE(ceil_saturating(std::chrono::duration<float, std::ratio<3600>>(std::numeric_limits<float>::infinity())) ==
          cachet::duration::max());
  REQUIRE(ceil_saturating(std::chrono::duration<long double>(-std::numeric_limits<long double>::infinity())) ==
          cachet::duration::min());

  const cachet::time_point now = cachet::manual_clock{}.now();
  REQUIRE(cachet::add_saturating(now, nan_s) == now);  // a NaN adds nothing
  REQUIRE(cachet::add_saturating(now, inf_s) == cachet::no_deadline);
  REQUIRE(cachet::add_saturating(now, -inf_s) == cachet::time_point::min());
  REQUIRE(cachet::add_saturating(cachet::time_point::min(), -1h) == cachet::time_point::min());
  REQUIRE(cachet::add_saturating(cachet::time_point::min(), std::chrono::hours::min()) == cachet::time_point::min());
  // a saturated ttl is "forever" from any time, before 1970 too
  const cachet::time_point before_1970 = cachet::time_point{} - 24h * 365;
  REQUIRE(cachet::add_saturating(before_1970, std::chrono::hours::max()) == cachet::no_deadline);
  REQUIRE(cachet::add_saturating(before_1970, inf_s) == cachet::no_deadline);
  REQUIRE(cachet::expire_after_write{std::chrono::hours::max()}.deadline(before_1970) == cachet::no_deadline);
  REQUIRE(cachet::add_saturating(now, std::chrono::hours::min()) == cachet::time_point::min());
}

TEST_CASE("expire_after_write and expire_after_access reject NaN and infinite ttls", "[expiry][time]") {
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_AS(cachet::expire_after_write{nan_s}, std::invalid_argument);
  REQUIRE_THROWS_AS(cachet::expire_after_write{inf_s}, std::invalid_argument);
  REQUIRE_THROWS_AS(cachet::expire_after_write{-inf_s}, std::invalid_argument);
  REQUIRE_THROWS_AS(cachet::expire_after_access{nan_s}, std::invalid_argument);
  REQUIRE_THROWS_AS(cachet::expire_after_access{inf_s}, std::invalid_argument);
  REQUIRE_THROWS_AS(cachet::expire_after_access{-inf_s}, std::invalid_argument);
  // the message names the policy
  REQUIRE_THROWS_WITH(cachet::expire_after_write{nan_s}, Contains("cachet::expire_after_write") && Contains("NaN"));
  REQUIRE_THROWS_WITH(cachet::expire_after_access{inf_s},
                      Contains("cachet::expire_after_access") && Contains("infinite"));
  using float_ms = std::chrono::duration<float, std::milli>;
  using long_double_days = std::chrono::duration<long double, std::ratio<86400>>;
  REQUIRE_THROWS_AS(cachet::expire_after_write{float_ms(std::numeric_limits<float>::quiet_NaN())},
                    std::invalid_argument);
  REQUIRE_THROWS_AS(cachet::expire_after_access{long_double_days(std::numeric_limits<long double>::infinity())},
                    std::invalid_argument);

  // huge finite ttls still saturate to "never"
  REQUIRE(cachet::expire_after_write{seconds_d(1e300)}.ttl == cachet::duration::max());
  REQUIRE(cachet::expire_after_access{seconds_d(std::numeric_limits<double>::max())}.ttl == cachet::duration::max());
  REQUIRE_NOTHROW(cachet::expire_after_write{std::chrono::hours::max()});

  // a negative ttl, like zero: returned, not stored
  cachet::manual_clock clock;
  counted fn;
  auto f = cachet::memoize(fn, cachet::lru{}, cachet::expire_after_access{seconds_d(-5)}, clock);
  REQUIRE(f(2) == 20);
  REQUIRE_FALSE(f.contains(2));
  REQUIRE(f(2) == 20);
  REQUIRE(*fn.calls == 2);
}

TEMPLATE_TEST_CASE("expire_per_entry: a NaN ttl is not stored, +infinity never expires", "[expiry][per_entry][time]",
                   cachet::lru, cachet::dict) {
  cachet::manual_clock clock;
  counted fn;
  // value 10: NaN, 20: +infinity, 30: -infinity, else value / 10 seconds
  const auto ttl_of = [](int v) {
    switch (v) {
      case 10: return nan_s;
      case 20: return inf_s;
      case 30: return -inf_s;
      default: return seconds_d(v / 10);
    }
  };
  const cachet::expire_per_entry policy{ttl_of};
  const cachet::time_point now = clock.now();
  REQUIRE(policy.deadline(now, 10) == now);  // as a deadline: do not store
  REQUIRE(policy.deadline(now, 20) == cachet::no_deadline);
  REQUIRE(policy.deadline(now, 30) == now);
  REQUIRE(policy.deadline(now, 40) == now + 4s);

  auto f = cachet::memoize(fn, TestType{}, policy, clock);
  REQUIRE(f(1) == 10);  // the result of the call is never lost
  REQUIRE_FALSE(f.contains(1));
  REQUIRE(f(1) == 10);
  REQUIRE(*fn.calls == 2);
  REQUIRE(f(2) == 20);
  REQUIRE(f(3) == 30);
  REQUIRE_FALSE(f.contains(3));
  REQUIRE(f(4) == 40);
  REQUIRE(f.storage().size() == 2);
  clock.advance(24h * 365 * 200);
  REQUIRE(f.contains(2));
  REQUIRE_FALSE(f.contains(4));
  REQUIRE(f.touch(2));
  f.set(99, 10);  // set follows the same rule
  REQUIRE_FALSE(f.contains(99));
}

TEST_CASE("manual_clock saturates at the ends of time instead of wrapping", "[clock][time]") {
  const cachet::time_point start = cachet::manual_clock{}.now();
  {
    cachet::manual_clock clock;
    clock.advance(std::chrono::hours::max());
    REQUIRE(clock.now() == cachet::time_point::max());
    clock.advance(1ns);  // stays at the end instead of wrapping to the past
    REQUIRE(clock.now() == cachet::time_point::max());
    clock.advance(std::chrono::years::max());
    REQUIRE(clock.now() == cachet::time_point::max());
    clock.advance(cachet::duration::max());
    REQUIRE(clock.now() == cachet::time_point::max());
    clock.advance(inf_s);
    REQUIRE(clock.now() == cachet::time_point::max());
  }
  {
    cachet::manual_clock clock;
    clock.advance(inf_s);
    REQUIRE(clock.now() == cachet::time_point::max());
    clock.advance(-1s);  // and can come back
    REQUIRE(clock.now() == cachet::time_point::max() - 1s);
  }
  {
    cachet::manual_clock clock;
    clock.advance(seconds_d(1e300));
    REQUIRE(clock.now() == cachet::time_point::max());
  }
  {  // back in time, saturating at min
    cachet::manual_clock clock;
    clock.advance(-5s);
    REQUIRE(clock.now() == start - 5s);
    clock.set(cachet::time_point::min() + 1s);
    clock.advance(-2s);
    REQUIRE(clock.now() == cachet::time_point::min());
    clock.advance(std::chrono::hours::min());
    REQUIRE(clock.now() == cachet::time_point::min());
    clock.advance(-inf_s);
    REQUIRE(clock.now() == cachet::time_point::min());
  }
  {  // copies share the saturated time; sub-tick steps round up like ttls
    cachet::manual_clock clock;
    const cachet::manual_clock copy = clock;
    clock.advance(std::chrono::duration<double, std::nano>(0.5));
    REQUIRE(copy.now() == start + 1ns);
    clock.advance(std::chrono::duration<long long, std::pico>(1));
    REQUIRE(copy.now() == start + 2ns);
    clock.set(cachet::time_point::max() - 1ns);
    clock.advance(2ns);
    REQUIRE(copy.now() == cachet::time_point::max());
  }
  {  // a NaN step is a mistake: rejected, the clock does not move
    cachet::manual_clock clock;
    REQUIRE_THROWS_AS(clock.advance(nan_s), std::invalid_argument);
    REQUIRE_THROWS_WITH(clock.advance(nan_s), Catch::Matchers::Contains("cachet::manual_clock::advance"));
    REQUIRE(clock.now() == start);
  }
  // advance is noexcept for integer durations, which cannot be NaN
  cachet::manual_clock clock;
  const std::chrono::hours integral{1};
  const seconds_d floating{1};
  STATIC_REQUIRE(noexcept(clock.advance(integral)));
  STATIC_REQUIRE_FALSE(noexcept(clock.advance(floating)));
}

TEST_CASE("a cache on a manual_clock advanced past the end of time", "[expiry][clock][time]") {
  cachet::manual_clock clock;
  counted fn;
  auto f = cachet::memoize(fn, cachet::lru{}, cachet::expire_after_write{1h}, clock);
  auto never_expires = cachet::memoize(fn, cachet::dict{}, cachet::expire_after_write{std::chrono::hours::max()}, clock);
  f(1);
  never_expires(1);
  clock.advance(std::chrono::hours::max());  // not wrapped into the entry's life
  REQUIRE(clock.now() == cachet::time_point::max());
  REQUIRE_FALSE(f.contains(1));
  // At time_point::max() itself every deadline, no_deadline included, is
  // reached: nothing is live there, and nothing is stored.
  REQUIRE_FALSE(never_expires.contains(1));
  REQUIRE(f(1) == 10);
  REQUIRE_FALSE(f.contains(1));
  clock.advance(-1s);  // one second before the end, huge ttls saturate again
  REQUIRE(never_expires(1) == 10);
  REQUIRE(never_expires.contains(1));
}

TEST_CASE("never: the clock is never read; other policies read it", "[expiry][never]") {
  const auto exercise = [](auto& f) {
    const std::vector<std::tuple<int>> calls{{1}, {2}, {3}};
    for (int i = 0; i < 50; ++i) {
      f(i % 7);
      (void)f.get(i % 5);
      (void)f.contains(i);
      (void)f.touch(i);
      f.set(i, i + 100);
      f.update(i % 3);
      (void)f.erase(i % 11);
    }
    f.get_many(calls);
    f.get_or_update_many(calls);
    f.update_many(calls);
    f.set_many(calls, std::vector<int>{1, 2, 3});
    f.contains_many(calls);
    f.touch_many(calls);
    f.erase_many(calls);
  };
  counting_clock never_clock;
  auto f = cachet::memoize(counted{}, cachet::lru{.capacity = 8}, cachet::never{}, never_clock);
  exercise(f);
  auto g = cachet::memoize(counted{}, cachet::dict{}, never_clock);  // never is the default
  exercise(g);
  REQUIRE(*never_clock.reads == 0);

  counting_clock write_clock;
  auto h = cachet::memoize(counted{}, cachet::lru{.capacity = 8}, cachet::expire_after_write{1h}, write_clock);
  exercise(h);
  REQUIRE(*write_clock.reads > 0);
}

TEMPLATE_TEST_CASE("lru and dict reclaim expired entries", "[expiry][reclaim]", cachet::lru, cachet::dict) {
  cachet::manual_clock clock;
  auto f = cachet::memoize(counted{}, TestType{}, cachet::expire_after_write{10s}, clock);
  for (int i = 0; i < 10; ++i) f(i);
  clock.advance(5s);
  for (int i = 10; i < 15; ++i) f(i);
  REQUIRE(f.storage().size() == 15);
  clock.advance(5s);  // 0..9 expired, not yet reclaimed
  REQUIRE(f.storage().size() == 15);
  REQUIRE_FALSE(f.get(0));  // met by get
  REQUIRE(f.storage().size() == 14);
  REQUIRE_FALSE(f.contains(1));  // met by contains
  REQUIRE(f.storage().size() == 13);
  REQUIRE_FALSE(f.touch(2));  // met by touch
  REQUIRE(f.storage().size() == 12);
  REQUIRE(f.storage().erase_expired(clock.now()) == 7);  // the rest at once
  REQUIRE(f.storage().size() == 5);
  for (int i = 10; i < 15; ++i) REQUIRE(f.contains(i));
  clock.advance(5s);
  REQUIRE(f.with_storage([&](auto& s) { return s.erase_expired(clock.now()); }) == 5);
  REQUIRE(f.storage().size() == 0);
}
