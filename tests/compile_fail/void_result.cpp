// expect: cachet::memoize: the function returns void; there is nothing to cache
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int) {}, cachet::lru{});
  f(1);
  (void)f.get(1);
}
