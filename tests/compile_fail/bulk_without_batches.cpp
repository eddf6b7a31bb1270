// expect: bulk_check<no_batches>
// expect: this bulk policy \(see Bulk\) has no batches. Expected: `static constexpr bool batches
#include <cachet/cachet.hpp>

struct no_batches {
  using cachet_family = cachet::family::bulk;
  static constexpr int batch_size = 16;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, no_batches{});
  return f(1);
}
