// expect: store_members_check<no_erase, 
// expect: cachet::memoize: the store of this storage policy \(see Storage and Store\) has no usable erase. Expected: `bool erase\(const key_type& key\)`
// A storage whose store has no erase: the one member missing is named, with
// its signature, and the policy type appears in the instantiation line.
#include <cachet/cachet.hpp>

#include "map_store.hpp"

struct no_erase {
  using cachet_family = cachet::family::storage;

  template <class Spec>
  using store_type = map_store<no_erase, Spec, drop::erase>;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, no_erase{});
  f.erase(1);
  return f(1);
}
