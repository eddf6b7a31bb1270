// Consumer test program: exits 0 when cachet works from this project.
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x * 2; }, cachet::lru{.capacity = 16});
  return f(21) == 42 && f.contains(21) ? 0 : 1;
}
