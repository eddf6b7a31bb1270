// expect: clock_check<steady_clock_policy>
// expect: this clock policy \(see Clock\) has no usable now. Expected: `cachet::time_point now\(\) const`
#include <chrono>

#include <cachet/cachet.hpp>

struct steady_clock_policy {
  using cachet_family = cachet::family::clock;
  std::chrono::steady_clock::time_point now() const { return std::chrono::steady_clock::now(); }
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, steady_clock_policy{});
  return f(1);
}
