// expect: cachet::memoize: two expiry policies were given; name at most one
#include <chrono>

#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::never{}, cachet::lru{},
                           cachet::expire_after_write{std::chrono::seconds{1}});
  return f(1);
}
