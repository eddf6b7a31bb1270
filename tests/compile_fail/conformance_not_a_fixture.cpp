// expect: cachet::testing::check_storage: the argument is not a fixture\. Pass one of:
// expect: a callable taking nothing and returning a storage policy
// An int is not a fixture: the kit's static_assert names the three forms it
// accepts (a storage policy, a callable returning one, an object with a
// memoize member template), instead of an error deep inside a law.
#include <cachet/testing/storage_conformance.hpp>

int main() {
  const auto report = cachet::testing::check_storage(42);
  return report.ok() ? 0 : 1;
}
