// expect: cachet::memoize: this removal listener \(see Listener\) cannot be called as listener\(key, value, cachet::removal_cause\)
// A listener that takes the wrong value type: one message names the expected call.
#include <cachet/cachet.hpp>

#include <string>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 4},
                           cachet::removal_listener{[](const std::string&, const std::string&) {}});
  return f(1);
}
