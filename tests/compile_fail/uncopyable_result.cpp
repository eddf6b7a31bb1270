// expect: cachet::memoize: the function's result type must be copyable
#include <memory>

#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return std::make_unique<int>(x); }, cachet::lru{});
  f(1);
  return 0;
}
