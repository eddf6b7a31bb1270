// expect: cachet::memoize: name a storage policy, e.g. cachet::lru
// Only the one static_assert is reported: the wrapper's members compile
// against a stand-in store, so no error follows it.
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::never{});
  f.erase(1);
  f.get_many(std::vector<std::tuple<int>>{{1}});
  return f(1);
}
