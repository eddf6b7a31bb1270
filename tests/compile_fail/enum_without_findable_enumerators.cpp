// expect: no enumerator of this enum \(which has no fixed underlying type\) lies in \[-128, 255\]
// An enum without a fixed underlying type whose enumerators all lie outside
// the values cachet probes: its valid values cannot be found, so decoding
// it asks for cachet::enum_bounds instead of risking undefined behaviour.
#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

enum status { ok = 1000, missing = 1001 };

int main() {
  auto f = cachet::memoize([](int) { return ok; }, cachet::dict{}, cachet::cereal_binary{});
  return f(1) == ok ? 0 : 1;
}
