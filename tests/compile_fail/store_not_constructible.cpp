// expect: store_shape_check<needs_int, 
// expect: cannot be made from the policy. Expected: `explicit store_type\(const Storage& policy\)`
// A store whose constructor takes something else than the policy.
#include <cachet/cachet.hpp>

#include "map_store.hpp"

struct needs_int {
  using cachet_family = cachet::family::storage;

  template <class Spec>
  using store_type = map_store<needs_int, Spec, drop::constructor>;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, needs_int{});
  return f(1);
}
