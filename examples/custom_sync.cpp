// examples/custom_sync.cpp: a sync policy written by a user.
//   - spin: a sync policy whose lock_type is a spinlock on std::atomic_flag,
//     for a cache whose store calls are short; it counts how often it is
//     taken. Two threads call one cache; the memoized function runs
//     unlocked, so the lock is held only around store accesses.
// Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

#include <cachet/cachet.hpp>

#include <atomic>
#include <iostream>
#include <string>
#include <thread>

std::atomic<long> spin_acquisitions{0};  // how often a spin lock was taken

// [spin-sync]
// A sync policy: a spinlock around each store access. C++20's atomic_flag
// starts clear and can wait, so a waiting thread sleeps instead of spinning.
struct spin {
  using cachet_family = cachet::family::sync;

  class lock_type {
   public:
    void lock() {
      while (held_.test_and_set(std::memory_order_acquire)) held_.wait(true, std::memory_order_relaxed);
      spin_acquisitions.fetch_add(1, std::memory_order_relaxed);
    }
    void unlock() {
      held_.clear(std::memory_order_release);
      held_.notify_one();
    }

   private:
    std::atomic_flag held_;
  };
};
// [spin-sync]

static_assert(cachet::sync_policy<spin>);

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

long square(int n) { return long{n} * n; }

}  // namespace

int main() {
  std::cout << "A sync policy (spin) used from two threads:\n";
  // [use-spin-sync]
  auto squares = cachet::memoize(square, cachet::lru{.capacity = 1000}, spin{});

  std::atomic<long> sum{0};
  auto work = [&] {
    for (int round = 0; round < 50; ++round)
      for (int n = 0; n < 100; ++n) sum += squares(n);  // both threads share the 100 entries
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  // [use-spin-sync]
  check(sum == 2 * 50 * 328350, "every result is right: 2 threads x 50 rounds x (0^2 + ... + 99^2)");
  check(squares.storage().size() == 100, "one entry per argument");
  check(spin_acquisitions >= 2 * 50 * 100, "the lock was taken at least once per call (twice on a miss)");
  const long before = spin_acquisitions;
  squares.with_storage([](const auto& store) { return store.size(); });
  check(spin_acquisitions == before + 1, "with_storage holds the same lock");

  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
