// expect: policy_argument_check<1, int(, void, void)?>
// expect: cachet::memoize: an argument after the function is not a cachet policy
// An int among the policies: memoize names its position (1, after lru) and type.
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, 42);
  return f(1);
}
