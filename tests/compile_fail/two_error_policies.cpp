// expect: one_policy_per_family_check<cachet::family::error_policy, std::tuple<cachet::fail_open, cachet::propagate_errors> ?>
// expect: several policies of one family were given
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::dict{}, cachet::fail_open{}, cachet::propagate_errors{});
  return f(1);
}
