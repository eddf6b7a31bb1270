// expect: a weigher was named, but this storage \(see Storage\) does not evict by weight
// dict keeps everything: a weigher is one error naming the storage.
#include <cachet/cachet.hpp>

#include <string>

int main() {
  auto f = cachet::memoize([](int x) { return std::to_string(x); }, cachet::dict{},
                           cachet::weigher{[](const std::string& s) { return s.size(); }});
  return static_cast<int>(f(1).size());
}
