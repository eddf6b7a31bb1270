// expect: store_members_check<no_touch, 
// expect: has no usable touch. Expected: `bool touch\(const key_type& key, cachet::time_point now, cachet::time_point deadline\)`
// A storage whose store has no touch.
#include <cachet/cachet.hpp>

#include "map_store.hpp"

struct no_touch {
  using cachet_family = cachet::family::storage;

  template <class Spec>
  using store_type = map_store<no_touch, Spec, drop::touch>;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, no_touch{});
  f.touch(1);
  return f(1);
}
