// expect: tuple_key_argument_check<2, opaque>
// expect: cachet::tuple_key: this argument type \(see Argument, at Position counted from 0\) cannot form a key
// Ignoring argument 0 leaves argument 2, which is not a key: the message
// names it by its position among the function's parameters (2).
#include <cachet/cachet.hpp>

struct opaque {
  int v;
};

int main() {
  auto f = cachet::memoize([](int, int b, opaque o) { return b + o.v; }, cachet::lru{},
                           cachet::ignore_args<0>::over(cachet::tuple_key{}));
  return f(1, 2, opaque{3});
}
