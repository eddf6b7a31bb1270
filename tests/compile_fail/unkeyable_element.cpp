// expect: tuple_key_argument_check<0, std::vector<opaque
// expect: cachet::tuple_key: this argument type \(see Argument, at Position counted from 0\) cannot form a key: it, or a part of it, has no hash or no ==
// A container is a key when its elements are: a vector of opaque values is
// not, and the message names the parameter (0) and its type.
#include <cachet/cachet.hpp>

#include <vector>

struct opaque {
  int v;
};

int main() {
  auto f = cachet::memoize([](const std::vector<opaque>& v) { return static_cast<int>(v.size()); }, cachet::lru{});
  return f(std::vector<opaque>{});
}
