// expect: expiry_check<sliding_by_value, int>
// expect: renews on access, so it needs the deadline without the value. Expected: `cachet::time_point deadline\(cachet::time_point now\) const`
#include <cachet/cachet.hpp>

struct sliding_by_value {
  using cachet_family = cachet::family::expiry;
  static constexpr bool renews_on_access = true;
  cachet::time_point deadline(cachet::time_point now, int v) const { return now + std::chrono::seconds{v}; }
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, sliding_by_value{});
  return f(1);
}
