// expect: sync_lock_check<half_lock>
// expect: the lock_type of this sync policy \(see Sync\) must be default-constructible, with `void lock\(\)` and `void unlock\(\)`
#include <cachet/cachet.hpp>

struct half_lock {
  using cachet_family = cachet::family::sync;
  struct lock_type {
    void lock() {}
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, half_lock{});
  return f(1);
}
