// expect: error_policy_check<silent>
// expect: this error policy \(see ErrorPolicy\) has no usable report. Expected: `void report\(const cachet::error& e\) const`
#include <cachet/cachet.hpp>

struct silent {
  using cachet_family = cachet::family::error_policy;
  static constexpr bool fails_open = true;
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::dict{}, silent{});
  return f(1);
}
