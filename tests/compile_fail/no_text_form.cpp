// expect: text_key_argument_check<0, opaque>
// expect: cachet::text_key: this argument type \(see Argument, at Position counted from 0\) has no text form
// A byte store (dict with a byte coder) keys by text_key; opaque has no
// text form (no key_traits<opaque>::append_text, not a Hana struct).
#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

struct opaque {
  int v;
};

int main() {
  auto f = cachet::memoize([](opaque o) { return o.v; }, cachet::dict{}, cachet::cereal_binary{});
  return f(opaque{2});
}
