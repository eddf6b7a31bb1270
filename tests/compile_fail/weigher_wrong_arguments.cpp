// expect: this weigher \(see Weigher\) cannot be called as weigh\(key, value\) or weigh\(value\)
// A weigher of (argument, value): the key it gets is the stored key, here
// std::tuple<int>, so this is one error saying what Key is.
#include <cachet/cachet.hpp>

#include <string>

int main() {
  auto f = cachet::memoize([](int x) { return std::to_string(x); }, cachet::lru{.max_weight = 100},
                           cachet::weigher{[](const int& x, const std::string& s) { return s.size() + x; }});
  return static_cast<int>(f(1).size());
}
