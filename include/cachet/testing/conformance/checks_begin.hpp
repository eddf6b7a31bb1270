// cachet/testing/conformance/checks_begin.hpp: the check macros of the
// storage conformance kit's law headers (CACHET_CONFORMANCE_CHECK_ and its
// kin), each a call on the law's detail::checker `chk`. Deliberately without
// an include guard: a law header includes it first and checks_end.hpp last,
// so that the macros do not outlive the laws. Not to be nested.
#include <cachet/testing/conformance/report.hpp>

// The checks decompose `a == b` as `decomposer{} <= a == b` to show both
// sides (as Catch2 does); GCC would suggest parentheses.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wparentheses"
#endif

#define CACHET_CONFORMANCE_CHECK_(...)                                                                         \
  chk.check([&]() -> ::cachet::testing::detail::outcome { return ::cachet::testing::detail::decomposer{} <= __VA_ARGS__; }, \
            true, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_CHECK_FALSE_(...)                                                                   \
  chk.check([&]() -> ::cachet::testing::detail::outcome { return ::cachet::testing::detail::decomposer{} <= __VA_ARGS__; }, \
            false, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_THROWS_(type, ...) \
  chk.throws<type>([&] { (void)(__VA_ARGS__); }, #type, nullptr, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_THROWS_WITH_(type, what, ...) \
  chk.throws<type>([&] { (void)(__VA_ARGS__); }, #type, what, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_NO_THROW_(...) chk.no_throw([&] { (void)(__VA_ARGS__); }, #__VA_ARGS__, __LINE__)
