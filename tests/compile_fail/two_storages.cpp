// expect: one_policy_per_family_check<cachet::family::storage, std::tuple<cachet::lru, cachet::dict> ?>
// expect: cachet::memoize: several policies of one family were given \(see Family, and the policy types in PoliciesOfFamily\)
// Both policy types are named in the instantiation line.
#include <cachet/cachet.hpp>

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, cachet::dict{});
  return f(1);
}
