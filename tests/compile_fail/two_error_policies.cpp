// expect: two error policies were given
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, cachet::fail_open{}, cachet::propagate_errors{});
  return f(1);
}
