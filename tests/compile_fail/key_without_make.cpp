// expect: bound_key_members_check<no_make, 
// expect: has no usable make. Expected: `template <class... A> key_type make\(const A&... args\) const`
#include <cstddef>
#include <functional>

#include <cachet/cachet.hpp>

struct no_make {
  using cachet_family = cachet::family::key;
  template <class... Params>
  struct bind {
    using key_type = int;
    using hasher = std::hash<int>;
    using key_equal = std::equal_to<>;
    explicit bind(const no_make&) {}
    template <class... A>
    int lookup(const A&...) const { return 0; }
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, no_make{});
  return f(1);
}
