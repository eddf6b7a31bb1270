// expect: key_check<no_bind, int>
// expect: this key policy \(see Key\) has no bind. Expected: `template <class... Params> struct bind`
#include <cachet/cachet.hpp>

struct no_bind {
  using cachet_family = cachet::family::key;
  template <class... A>
  int make(const A&...) const { return 0; }
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, no_bind{});
  return f(1);
}
