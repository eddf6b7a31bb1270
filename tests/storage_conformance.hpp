// tests/storage_conformance.hpp: a Catch2 adapter over the storage
// conformance kit, <cachet/testing/storage_conformance.hpp>, which holds the
// laws and documents the fixture.
//
//     struct my_fixture {
//       static constexpr const char* name = "my storage";
//       template <class Fn, class... More>
//       auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
//         return cachet::memoize(std::move(fn), my_storage{}, clock, more...);
//       }
//     };
//     CACHET_STORAGE_CONFORMANCE_TESTS(std::tuple<my_fixture, another_fixture>)
//
// The macro expands to one TEMPLATE_LIST_TEST_CASE (tag [conformance]) that
// default-constructs each fixture, runs every law of the kit against it and
// reports each failed check as a Catch2 failure naming its law. Use it once
// per test executable (fixed name).
#pragma once

#include <catch2/catch.hpp>

#include <type_traits>
#include <utility>

#include <cachet/testing/storage_conformance.hpp>

namespace cachet_conformance {

//! Runs the kit over `fixture`; one Catch2 failure per failed check.
template <class Fixture>
cachet::testing::conformance_report check_laws(Fixture&& fixture, cachet::testing::conformance_options options = {}) {
  auto report = cachet::testing::check_storage(std::forward<Fixture>(fixture), std::move(options));
  INFO("storage: " << report.storage << " (" << report.checks << " checks, " << report.laws.size() << " laws)");
  for (const auto& f : report.failures) {
    INFO("law " << f.law << ", line " << f.line << " of its header (store_laws.hpp for store.*, else wrapper_laws.hpp)");
    FAIL_CHECK(f.check << ": " << f.message);
  }
  CHECK(report.checks > 0u);
  return report;
}

}  // namespace cachet_conformance

//! Expands to the conformance test case over the fixtures of FixtureList,
//! a std::tuple<Fixture...> (a type alias, or the tuple type itself; the
//! parentheses of decltype keep the commas of std::tuple<A, B> together).
#define CACHET_STORAGE_CONFORMANCE_TESTS(...)                                                 \
  TEMPLATE_LIST_TEST_CASE("storage conformance", "[conformance]",                             \
                          std::remove_reference_t<decltype(std::declval<__VA_ARGS__>())>) {   \
    TestType fixture;                                                                         \
    ::cachet_conformance::check_laws(fixture);                                                \
  }
