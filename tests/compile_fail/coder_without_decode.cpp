// expect: coder_check<encode_only, int>
// expect: this coder policy \(see Coder\) cannot decode the function's result \(see Value\). Expected: `template <class T> T decode\(std::string_view bytes\) const`
#include <string>

#include <cachet/cachet.hpp>

struct encode_only {
  using cachet_family = cachet::family::coder;
  std::string encode(int v) const { return std::to_string(v); }
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::dict{}, encode_only{});
  return f(1);
}
