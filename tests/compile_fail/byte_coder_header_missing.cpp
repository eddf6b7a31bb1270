// expect: cachet::memoize: this byte storage defaults to cachet::cereal_binary: include <cachet/coder/cereal_binary.hpp>
// A byte storage of the user's with no coder named and no cereal header.
#include <cachet/cachet.hpp>

#include "map_store.hpp"

struct bytes_store {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;

  template <class Spec>
  using store_type = map_store<bytes_store, Spec>;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, bytes_store{});
  return f(1);
}
