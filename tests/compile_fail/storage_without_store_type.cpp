// expect: storage_check<no_store_type, 
// expect: cachet::memoize: this storage policy \(see Storage\) has no store type. Expected: `template <class Spec> using store_type = ...
// A storage policy that names its family but makes no store.
#include <cachet/cachet.hpp>

struct no_store_type {
  using cachet_family = cachet::family::storage;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, no_store_type{});
  return f(1);
}
