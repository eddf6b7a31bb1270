// expect: sync_check<no_lock_type>
// expect: this sync policy \(see Sync\) has no lock type. Expected: `using lock_type = ...
#include <cachet/cachet.hpp>

struct no_lock_type {
  using cachet_family = cachet::family::sync;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, no_lock_type{});
  return f(1);
}
