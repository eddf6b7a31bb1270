// bench/baselines/plain_call.hpp: the functions every benchmark memoizes,
// and calling them directly: the cost of a miss without any cache.
//
// They are cheap on purpose (a few instructions, kept out of line) so that a
// benchmark measures the cache, not the function. Each counts its calls, so
// a benchmark can check that its "hits" really were hits.
#pragma once

#include <cstdint>
#include <string_view>

namespace baseline {

inline std::uint64_t calls = 0;  // calls of either function, ever

[[gnu::noinline]] inline int compute_int(int x) noexcept {
  ++calls;
  return x * 3 + 1;
}

[[gnu::noinline]] inline int compute_string(std::string_view s) noexcept {
  ++calls;
  return static_cast<int>(s.size()) + s.front() + s.back();
}

//! The memoized functions as function objects, so that each wrapper's call is
//! a direct call: int -> int and std::string_view -> int.
struct int_fn {
  int operator()(int x) const noexcept { return compute_int(x); }
};
struct dense_fn {
  int operator()(std::uint64_t x) const noexcept { return compute_int(static_cast<int>(x)); }
};
struct string_fn {
  int operator()(std::string_view s) const noexcept { return compute_string(s); }
};

}  // namespace baseline
