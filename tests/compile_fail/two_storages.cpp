// expect: cachet::memoize: two storage policies were given; name at most one
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, cachet::dict{});
  return f(1);
}
