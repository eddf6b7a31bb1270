// expect: cachet::ignore_args: a position is out of range: positions count the memoized function's parameters from 0
// The function has two parameters (0 and 1): position 2 does not exist.
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int a, int b) { return a + b; }, cachet::lru{},
                           cachet::ignore_args<2>::over(cachet::tuple_key{}));
  return f(1, 2);
}
