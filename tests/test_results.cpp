// tests/test_results.cpp: results not worth caching (cachet::result_traits):
// an empty std::optional is returned but not stored, by f(...), update and
// the _many forms, on typed and byte storages; set() stores what it is
// given; a user's specialisation for an expected-like type keeps errors out
// of the cache.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

namespace results_test {

// An expected-like result: a value or an error message.
struct lookup_result {
  int value = 0;
  std::string error;
  bool ok() const { return error.empty(); }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(value, error);
  }
};

}  // namespace results_test

template <>
struct cachet::result_traits<results_test::lookup_result> {
  static bool worth_caching(const results_test::lookup_result& r) noexcept { return r.ok(); }
};

namespace {

// A lookup that finds even numbers only; counts its calls.
struct find_even {
  int* calls;
  std::optional<int> operator()(int x) const {
    ++*calls;
    if (x % 2 != 0) return std::nullopt;
    return x * 10;
  }
};

template <class... Policies>
void check_empty_optional_not_stored(const Policies&... policies) {
  int calls = 0;
  auto f = cachet::memoize(find_even{&calls}, policies...);
  CHECK(f(3) == std::nullopt);
  CHECK(f(3) == std::nullopt);
  CHECK(calls == 2);  // computed again: nothing was stored
  CHECK_FALSE(f.contains(3));
  CHECK(f.get(3) == std::nullopt);

  CHECK(f(4) == 40);
  CHECK(f(4) == 40);
  CHECK(calls == 3);
  CHECK(f.contains(4));

  calls = 0;
  CHECK(f.update(5) == std::nullopt);
  CHECK_FALSE(f.contains(5));
  CHECK(f.update(6) == 60);
  CHECK(f.contains(6));

  const std::vector<int> calls_in{7, 8, 7, 9};
  const auto got = f.get_or_update_many(calls_in);
  CHECK(got == std::vector<std::optional<int>>{std::nullopt, 80, std::nullopt, std::nullopt});
  CHECK_FALSE(f.contains(7));
  CHECK(f.contains(8));
  CHECK_FALSE(f.contains(9));

  const auto updated = f.update_many(std::vector<int>{11, 12});
  CHECK(updated == std::vector<std::optional<int>>{std::nullopt, 120});
  CHECK_FALSE(f.contains(11));
  CHECK(f.contains(12));

  // set() stores what it is given, an empty optional included: a hit.
  f.set(std::nullopt, 13);
  REQUIRE(f.contains(13));
  const int before = calls;
  CHECK(f(13) == std::nullopt);
  CHECK(calls == before);
  f.set_many(std::vector<int>{15}, std::vector<std::optional<int>>{std::nullopt});
  CHECK(f.contains(15));
}

}  // namespace

TEST_CASE("results: an empty optional is returned, not stored (lru)", "[results]") {
  check_empty_optional_not_stored(cachet::lru{.capacity = 64});
}

TEST_CASE("results: an empty optional is returned, not stored (dict)", "[results]") {
  check_empty_optional_not_stored(cachet::dict{});
}

TEST_CASE("results: an empty optional is returned, not stored (bytes through a coder)", "[results]") {
  check_empty_optional_not_stored(cachet::dict{}, cachet::cereal_binary{}, cachet::text_key{"even"});
}

TEST_CASE("results: unsynchronized and expiring caches follow the same rule", "[results]") {
  cachet::manual_clock clock;
  check_empty_optional_not_stored(cachet::lru{.capacity = 64}, cachet::unsynchronized{},
                                  cachet::expire_after_write{std::chrono::seconds(60)}, clock);
}

TEST_CASE("results: a specialised result_traits keeps errors out of the cache", "[results]") {
  int calls = 0;
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        return x < 0 ? results_test::lookup_result{0, "negative"} : results_test::lookup_result{x, ""};
      },
      cachet::lru{.capacity = 8});
  CHECK(f(-1).error == "negative");
  CHECK(f(-1).error == "negative");
  CHECK(calls == 2);
  CHECK(f(2).value == 2);
  CHECK(f(2).value == 2);
  CHECK(calls == 3);
  CHECK_FALSE(f.contains(-1));
  CHECK(f.contains(2));
}

TEST_CASE("results: the primary template keeps every result", "[results]") {
  STATIC_REQUIRE(cachet::result_traits<int>::worth_caching(0));
  STATIC_REQUIRE(!cachet::result_traits<std::optional<int>>::worth_caching(std::nullopt));
  STATIC_REQUIRE(cachet::result_traits<std::optional<int>>::worth_caching(std::optional<int>(0)));
}
