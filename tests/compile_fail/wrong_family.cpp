// expect: policy_argument_check<1, my_store, cachet::family::key, cachet::family::storage
// expect: this policy \(see Policy, at Position counted from 0 after the function\) declares the family Declared in its cachet_family, but has the members of a LooksLike policy
// A storage labelled as a key policy: the check names the type, the family
// it declares and the family its members belong to.
#include <cachet/cachet.hpp>

#include "map_store.hpp"

struct my_store {
  using cachet_family = cachet::family::key;  // should be cachet::family::storage

  template <class Spec>
  using store_type = map_store<my_store, Spec>;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::never{}, my_store{});
  return f(1);
}
