// expect: tuple_key_argument_check<1, opaque>
// expect: cachet::tuple_key: this argument type \(see Argument, at Position counted from 0\) cannot form a key: it, or a part of it, has no hash or no ==
// The second parameter has neither a hash nor ==: one static_assert, and
// GCC names the check's Position (1) and Argument (opaque) in the "In
// instantiation of" line.
#include <cachet/cachet.hpp>

struct opaque {
  int v;
};

int main() {
  auto f = cachet::memoize([](int, opaque o) { return o.v; }, cachet::lru{});
  return f(1, opaque{2});
}
