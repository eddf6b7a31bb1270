// expect: one_policy_per_family_check<cachet::family::expiry, std::tuple<cachet::never, cachet::expire_after_write> ?>
// expect: several policies of one family were given
#include <chrono>

#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::never{}, cachet::lru{},
                           cachet::expire_after_write{std::chrono::seconds{1}});
  return f(1);
}
