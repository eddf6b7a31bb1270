// expect: expiry_check<no_deadline_expiry, int>
// expect: this expiry policy \(see Expiry\) has no usable deadline for the function's result \(see Value\). Expected: `cachet::time_point deadline\(cachet::time_point now, const Value& value\) const`
#include <cachet/cachet.hpp>

struct no_deadline_expiry {
  using cachet_family = cachet::family::expiry;
  static constexpr bool renews_on_access = false;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, no_deadline_expiry{});
  return f(1);
}
