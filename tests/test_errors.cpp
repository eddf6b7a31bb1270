// Tests of cachet's errors: the hierarchy, the messages, entry_not_found,
// and what a throwing function leaves in the cache.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

// Throws std::domain_error for x == 3; counts its calls.
struct picky {
  int* calls;
  int operator()(int x) const {
    ++*calls;
    if (x == 3) throw std::domain_error("three is not allowed");
    return x * 10;
  }
};

using calls_t = std::vector<std::tuple<int>>;

}  // namespace

TEST_CASE("errors: the hierarchy", "[errors]") {
  STATIC_REQUIRE(std::is_base_of_v<std::runtime_error, cachet::error>);
  STATIC_REQUIRE(std::is_base_of_v<cachet::error, cachet::backend_error>);
  STATIC_REQUIRE(std::is_base_of_v<cachet::error, cachet::invalid_data>);
  STATIC_REQUIRE(std::is_base_of_v<cachet::error, cachet::closed_storage>);
  STATIC_REQUIRE(std::is_base_of_v<cachet::error, cachet::entry_not_found>);
  STATIC_REQUIRE_FALSE(std::is_base_of_v<cachet::invalid_data, cachet::backend_error>);
  STATIC_REQUIRE_FALSE(std::is_base_of_v<cachet::entry_not_found, cachet::invalid_data>);
  // each can be caught as cachet::error and as std::exception
  REQUIRE_THROWS_AS(throw cachet::backend_error("down", "redis"), cachet::error);
  REQUIRE_THROWS_AS(throw cachet::closed_storage("closed"), std::exception);
}

TEST_CASE("errors: messages name the storage and the key; reason() is the bare reason", "[errors]") {
  const cachet::invalid_data full("value does not decode", "dict", "fn:1:a");
  CHECK(std::string(full.what()) == "cachet: dict: value does not decode (key fn:1:a)");
  CHECK(full.reason() == "value does not decode");
  CHECK(full.storage() == "dict");
  CHECK(full.key() == "fn:1:a");

  const cachet::backend_error no_key("connection refused", "redis://localhost:6379");
  CHECK(std::string(no_key.what()) == "cachet: redis://localhost:6379: connection refused");
  CHECK(no_key.key().empty());

  const cachet::error bare("something");
  CHECK(std::string(bare.what()) == "cachet: something");
  CHECK(bare.storage().empty());
  CHECK(bare.reason() == "something");
}

TEST_CASE("errors: at() on a missing entry throws entry_not_found with storage and key", "[errors][at]") {
  int calls = 0;
  auto f = cachet::memoize([&](int x, const std::string& s) { ++calls; return s + std::to_string(x); },
                           cachet::lru{.capacity = 4});
  try {
    (void)f.at(1, "a");
    FAIL("at() returned for a missing entry");
  } catch (const cachet::entry_not_found& e) {
    CHECK(e.storage() == "lru");
    CHECK(e.key() == "(1,a)");
    CHECK(std::string(e.what()) == "cachet: lru: " + e.reason() + " (key (1,a))");
  }
  REQUIRE(calls == 0);  // at() never computes
  f(1, "a");
  REQUIRE(f.at(1, "a") == "a1");

  auto g = cachet::memoize([](int x) { return x; }, cachet::dict{}, cachet::cereal_binary{}, cachet::text_key{"g"});
  try {
    (void)g.at(7);
    FAIL("at() returned for a missing entry");
  } catch (const cachet::entry_not_found& e) {
    CHECK(e.storage() == "dict");
    CHECK(e.key() == "g:7");
  }
  // an expired entry is missing too
  cachet::manual_clock clock;
  auto h = cachet::memoize([](int x) { return x; }, cachet::lru{}, cachet::expire_after_write{std::chrono::seconds{1}},
                           clock);
  h(1);
  clock.advance(std::chrono::seconds{1});
  REQUIRE_THROWS_AS(h.at(1), cachet::entry_not_found);
}

TEMPLATE_TEST_CASE("errors: a throwing function stores nothing and its exception passes unchanged",
                   "[errors][throwing]", cachet::lru, cachet::dict) {
  int calls = 0;
  auto f = cachet::memoize(picky{&calls}, TestType{});
  const auto same_exception = [](auto&& op) {
    try {
      op();
      FAIL("no exception");
    } catch (const std::domain_error& e) {
      CHECK(std::string(e.what()) == "three is not allowed");
    }
  };
  same_exception([&] { f(3); });
  same_exception([&] { f.update(3); });
  same_exception([&] { f.execute(3); });
  REQUIRE_FALSE(f.contains(3));
  REQUIRE(f.storage().size() == 0);
  REQUIRE(calls == 3);

  // an entry written before survives a failed update of the same key
  f.set(30, 3);
  same_exception([&] { f.update(3); });
  REQUIRE(f.get(3) == std::optional<int>(30));
  REQUIRE(f(3) == 30);  // a hit never calls the function

  // a cachet::error thrown by the function is not rewrapped
  auto g = cachet::memoize([](int) -> int { throw cachet::backend_error("inner", "upstream", "k"); }, TestType{});
  try {
    g(1);
    FAIL("no exception");
  } catch (const cachet::backend_error& e) {
    CHECK(e.storage() == "upstream");
    CHECK(e.key() == "k");
  }
}

TEMPLATE_TEST_CASE("errors: update_many stores the results computed before the throw", "[errors][throwing]",
                   cachet::lru, cachet::dict) {
  int calls = 0;
  auto f = cachet::memoize(picky{&calls}, TestType{});
  REQUIRE_THROWS_AS(f.update_many(calls_t{{1}, {2}, {3}, {4}}), std::domain_error);
  REQUIRE(calls == 3);  // 4 was never called
  REQUIRE(f.get(1) == std::optional<int>(10));
  REQUIRE(f.get(2) == std::optional<int>(20));
  REQUIRE_FALSE(f.contains(3));
  REQUIRE_FALSE(f.contains(4));
  REQUIRE(f.storage().size() == 2);
}

TEMPLATE_TEST_CASE("errors: get_or_update_many stores the results computed before the throw", "[errors][throwing]",
                   cachet::lru, cachet::dict) {
  int calls = 0;
  auto f = cachet::memoize(picky{&calls}, TestType{});
  f.set(-5, 5);
  try {
    f.get_or_update_many(calls_t{{5}, {1}, {1}, {2}, {3}, {4}});
    FAIL("no exception");
  } catch (const std::domain_error& e) {
    CHECK(std::string(e.what()) == "three is not allowed");
  }
  REQUIRE(calls == 3);  // 1, 2 and 3 (the repeat of 1 and the hit on 5 call nothing)
  REQUIRE(f.get(5) == std::optional<int>(-5));
  REQUIRE(f.get(1) == std::optional<int>(10));
  REQUIRE(f.get(2) == std::optional<int>(20));
  REQUIRE_FALSE(f.contains(3));
  REQUIRE_FALSE(f.contains(4));
  REQUIRE(f.storage().size() == 3);
}

TEST_CASE("errors: a throwing function on a byte store stores nothing either", "[errors][throwing]") {
  int calls = 0;
  auto f = cachet::memoize(picky{&calls}, cachet::dict{}, cachet::cereal_binary{});
  REQUIRE_THROWS_AS(f(3), std::domain_error);
  REQUIRE_THROWS_AS(f.update_many(calls_t{{1}, {3}}), std::domain_error);
  REQUIRE(f.storage().size() == 1);
  REQUIRE(f.get(1) == std::optional<int>(10));
}
