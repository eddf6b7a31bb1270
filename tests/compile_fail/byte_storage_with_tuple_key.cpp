// expect: byte_key_check<false>
// expect: cachet::memoize: this storage keeps bytes, so its key policy must make std::string keys
// A byte storage (typed = false) given tuple_key, whose keys are tuples.
#include <cachet/cachet.hpp>

#include "map_store.hpp"
#include <cachet/coder/cereal_binary.hpp>

struct bytes_store {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;

  template <class Spec>
  using store_type = map_store<bytes_store, Spec>;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, bytes_store{}, cachet::tuple_key{});
  return f(1);
}
