// tests/test_w_tinylfu_admission.cpp: what decides w_tinylfu's admission:
// the frequency sketch (frequency_sketch.hpp: counters, doorkeeper, aging,
// batched increments), Caffeine's admission rule (admission.hpp), and the
// window's sizing by ghosts (window_sizer.hpp). The store and its reference
// model are in test_w_tinylfu.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include <cachet/storage/w_tinylfu/admission.hpp>
#include <cachet/storage/w_tinylfu/frequency_sketch.hpp>
#include <cachet/storage/w_tinylfu/window_sizer.hpp>

TEST_CASE("w_tinylfu: the sketch never underestimates, ages at its sample size, and has a doorkeeper",
          "[w_tinylfu][sketch]") {
  using cachet::detail::frequency_sketch;
  SECTION("sizes") {
    frequency_sketch s(1000);
    CHECK(s.width() == 4 * 1024);  // 4 x bit_ceil(1000): 16 counters an entry, as Caffeine
    CHECK(s.sample_size() == 10000);  // 10 x, as Caffeine
    CHECK(s.bytes() == 3 * 4096);  // 4 rows of 4 bits, and 8 doorkeeper bits, per column
    CHECK(frequency_sketch(1).width() == 64);
  }
  SECTION("estimates are at least the true count of returns, up to 15, among many other keys") {
    frequency_sketch s(512);
    std::mt19937_64 rng(7);
    std::map<std::uint64_t, unsigned> truth;
    const std::vector<std::uint64_t> tracked{1, 2, 3, 42, 1u << 20, 0xdead'beefu};
    for (int round = 0; round < 20; ++round) {
      for (std::size_t t = 0; t < tracked.size(); ++t)
        if (round < static_cast<int>(3 + 2 * t)) {
          s.increment(tracked[t]);
          ++truth[tracked[t]];
        }
      for (int noise = 0; noise < 100; ++noise) s.increment(rng());  // below the sample size: no aging
    }
    REQUIRE(s.additions() < s.sample_size());
    for (const auto& [hash, count] : truth) {
      INFO("hash " << hash << ", count " << count);
      CHECK(s.seen(hash));
      CHECK(s.estimate(hash) >= std::min(count - 1, 15u));  // the first occurrence is the doorkeeper's
      CHECK(s.estimate(hash) <= 15u);
    }
    CHECK(s.estimate(1) <= 2 + 2);  // 3 increments, 2 of them counted; a little noise at most
  }
  SECTION("the doorkeeper takes the first occurrence; counters take the rest") {
    frequency_sketch s(1024);
    CHECK(s.estimate(99) == 0);
    CHECK_FALSE(s.seen(99));
    s.increment(99);
    CHECK(s.seen(99));
    CHECK(s.estimate(99) == 0);  // the doorkeeper's: seen once is not counted
    s.increment(99);
    s.increment(99);
    CHECK(s.estimate(99) == 2);
    for (int i = 0; i < 40; ++i) s.increment(99);
    CHECK(s.estimate(99) == 15);  // saturated
    // As Caffeine: only increments that add count toward the sample (the
    // doorkeeper's one, then 15 in the counters; the rest add nothing).
    CHECK(s.additions() == 16);
  }
  SECTION("at the sample size every counter halves and the doorkeeper is cleared") {
    frequency_sketch s(64);  // sample size 640
    for (int i = 0; i < 9; ++i) s.increment(5);  // doorkeeper + 8
    s.increment(6);                              // doorkeeper only
    CHECK(s.estimate(5) == 8);
    CHECK(s.estimate(6) == 0);
    CHECK(s.seen(6));
    std::uint64_t other = 1'000'000;
    while (s.additions() + 1 < s.sample_size()) s.increment(other++);
    CHECK(s.estimate(5) >= 8);
    s.increment(other++);  // the 640th: aging
    // Halved, less a quarter of the odd counters (the counts halving truncated, per row).
    CHECK(s.additions() <= 320);
    CHECK(s.additions() >= 320 - s.width());
    CHECK(s.estimate(5) >= 4);  // 8 / 2, with noise from the 630 others (those the doorkeeper let by)
    CHECK(s.estimate(5) <= 6);
    CHECK(s.estimate(6) <= 1);
    CHECK_FALSE(s.seen(5));  // the doorkeeper starts again
    CHECK_FALSE(s.seen(6));
    s.clear();
    CHECK(s.estimate(5) == 0);
    CHECK(s.additions() == 0);
  }
  SECTION("increment(hash, n) leaves what n increments leave; era() counts the agings") {
    frequency_sketch one_by_one(256), batched(256);  // sample size 2560: no aging below
    std::mt19937_64 rng(11);
    for (int step = 0; step < 300; ++step) {
      const std::uint64_t hash = rng() % 64;  // keys come back: doorkeeper, counters, saturation
      const unsigned times = static_cast<unsigned>(rng() % 17);
      for (unsigned t = 0; t < times; ++t) one_by_one.increment(hash);
      batched.increment(hash, times);
      REQUIRE(batched.additions() == one_by_one.additions());
    }
    REQUIRE(batched.additions() < batched.sample_size());
    for (std::uint64_t hash = 0; hash < 64; ++hash) {
      CHECK(batched.estimate(hash) == one_by_one.estimate(hash));
      CHECK(batched.seen(hash) == one_by_one.seen(hash));
    }
    CHECK(batched.era() == 0);
    for (std::uint64_t other = 1'000'000; batched.era() == 0; ++other) batched.increment(other, 2);
    CHECK(batched.additions() < batched.sample_size() / 2 + 2);  // aged once, just now
  }
}

TEST_CASE("w_tinylfu: admission takes the more used; a warm candidate now and then at random", "[w_tinylfu]") {
  cachet::detail::admission a;
  CHECK(a.admit(3, 2));
  CHECK(a.admit(15, 0));
  int cold_admitted = 0;
  int warm_admitted = 0;
  for (int i = 0; i < 128 * 100; ++i) {
    cold_admitted += a.admit(5, 5) + a.admit(0, 0) + a.admit(5, 15);  // not warm: a tie or less loses
    warm_admitted += a.admit(6, 9);
  }
  CHECK(cold_admitted == 0);
  CHECK(warm_admitted >= 50);  // about one in 128: 100 expected
  CHECK(warm_admitted <= 150);
  // The draws are a fixed sequence: two admissions decide alike.
  cachet::detail::admission b;
  cachet::detail::admission c;
  for (int i = 0; i < 1000; ++i) REQUIRE(b.admit(7, 7) == c.admit(7, 7));
}


TEST_CASE("w_tinylfu: the window sizer grows on keys the window let go, shrinks on keys main evicted",
          "[w_tinylfu][window]") {
  using cachet::detail::window_sizer;
  SECTION("a miss on a key that was never let go asks nothing") {
    window_sizer<false> sizer(1000);
    CHECK(sizer.floor() == 10);  // 1% of the cache
    CHECK(sizer.on_miss(7, 1, 10) == 0);
  }
  SECTION("one step a returning key while both ghosts are alike, and each ghost is taken once") {
    window_sizer<false> sizer(1000);
    sizer.window_let_go(1, 1);
    sizer.main_evicted(2, 1);
    CHECK(sizer.on_miss(1, 1, 10) == 1);
    CHECK(sizer.on_miss(1, 1, 11) == 0);  // forgotten once it came back
    CHECK(sizer.on_miss(2, 1, 11) == -1);
    CHECK(sizer.on_miss(2, 1, 10) == 0);
  }
  SECTION("the rarer signal weighs as much as the common one (ARC's step)") {
    window_sizer<false> sizer(1000);
    for (std::uint64_t h = 100; h < 140; ++h) sizer.window_let_go(h, 1);  // 40 let go
    for (std::uint64_t h = 200; h < 210; ++h) sizer.main_evicted(h, 1);   // 10 evicted
    CHECK(sizer.on_miss(200, 1, 500) == -4);  // 40 / 10
    // 39 let go, 9 evicted now: a return from the larger ghost is one step
    CHECK(sizer.on_miss(100, 1, 496) == 1);
  }
  SECTION("fractions of a step wait for the next signal") {
    window_sizer<false> sizer(1000);
    for (std::uint64_t h = 100; h < 104; ++h) sizer.window_let_go(h, 1);
    for (std::uint64_t h = 200; h < 210; ++h) sizer.main_evicted(h, 1);
    // evicted / let go = 2.5: the first return grows by 2 and keeps half a step
    CHECK(sizer.on_miss(100, 1, 50) == 2);
    // 10 / 3: 3.33 + 0.5, so 3 now and 0.83 kept
    CHECK(sizer.on_miss(101, 1, 52) == 3);
  }
  SECTION("the window never shrinks below 1% of the cache") {
    window_sizer<false> sizer(1000);
    for (std::uint64_t h = 1; h <= 5; ++h) sizer.main_evicted(h, 1);
    CHECK(sizer.on_miss(1, 1, 12) == -1);
    CHECK(sizer.on_miss(2, 1, 11) == -1);
    CHECK(sizer.on_miss(3, 1, 10) == 0);  // at the floor
    CHECK(window_sizer<false>(50).floor() == 1);
  }
  SECTION("each ghost keeps the newest 5% of the cache") {
    window_sizer<false> sizer(200);  // 10 hashes a ghost
    for (std::uint64_t h = 0; h < 30; ++h) sizer.window_let_go(h, 1);
    for (std::uint64_t h = 0; h < 20; ++h) CHECK(sizer.on_miss(h, 1, 2) == 0);
    for (std::uint64_t h = 20; h < 30; ++h) CHECK(sizer.on_miss(h, 1, 2) == 1);
  }
  SECTION("weighted: ghosts hold 5% of the weight and a step is the returning entry's weight") {
    window_sizer<true> sizer(10000);  // 500 of weight a ghost
    sizer.window_let_go(1, 300);
    sizer.window_let_go(2, 300);  // 600 > 500: hash 1 is forgotten
    sizer.main_evicted(3, 100);
    CHECK(sizer.on_miss(1, 300, 100) == 0);
    CHECK(sizer.on_miss(2, 300, 100) == 300);
    CHECK(sizer.on_miss(3, 50, 400) == -50);
  }
}
