// tests/test_dict.cpp: cachet::dict: unbounded, expiry reclamation, clear,
// and the byte mode (a byte coder: std::string keys -> encoded values).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

using namespace std::chrono_literals;

TEST_CASE("dict: unbounded: ten thousand entries all stay", "[dict]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return 3 * x; }, cachet::dict{}, cachet::unsynchronized{});
  for (int i = 0; i < 10000; ++i) f(i);
  CHECK(f.storage().size() == 10000u);
  int present = 0;
  for (int i = 0; i < 10000; ++i) present += f.get(i) == std::optional<int>(3 * i);
  CHECK(present == 10000);
  for (int i = 0; i < 10000; ++i) f(i);
  CHECK(calls == 10000);
  CHECK(f.storage().name() == "dict");
}

TEST_CASE("dict: identity mode keeps the values themselves under tuple keys", "[dict]") {
  auto f = cachet::memoize(
      [](int x, const std::string& s) { return std::vector<int>(static_cast<std::size_t>(x), int(s.size())); },
      cachet::dict{});
  using F = decltype(f);
  STATIC_REQUIRE(std::is_same_v<F::coder_type, cachet::identity>);
  STATIC_REQUIRE(std::is_same_v<F::key_type, std::tuple<int, std::string>>);
  STATIC_REQUIRE(std::is_same_v<F::store_type::value_type, std::vector<int>>);
  CHECK(f.key(2, "ab") == std::tuple<int, std::string>{2, "ab"});
  CHECK(f(2, "abc") == std::vector<int>{3, 3});
  CHECK(f.get(2, std::string_view("abc")) == std::optional<std::vector<int>>(std::vector<int>{3, 3}));
}

TEST_CASE("dict: expired entries are reclaimed when met and by erase_expired", "[dict][expiry]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return x; }, cachet::dict{}, cachet::expire_after_write{10s},
                           clock);
  for (int k = 1; k <= 6; ++k) f(k);
  clock.advance(5s);
  f(7);
  clock.advance(5s);  // 1..6 expired, 7 live
  CHECK(f.storage().size() == 7u);
  CHECK(f.get(1) == std::nullopt);
  CHECK(f.storage().size() == 6u);
  CHECK_FALSE(f.contains(2));
  CHECK(f.storage().size() == 5u);
  CHECK_FALSE(f.touch(3));
  CHECK(f.storage().size() == 4u);
  CHECK(f(4) == 4);  // a miss: recomputed, and stored again
  CHECK(calls == 8);
  CHECK(f.storage().size() == 4u);
  CHECK(f.storage().erase_expired(clock.now()) == 2u);  // 5 and 6
  CHECK(f.storage().size() == 2u);
  CHECK(f.contains(7));
  CHECK(f.contains(4));
  clock.advance(5s);
  CHECK(f.storage().erase_expired(clock.now()) == 1u);  // 7
  CHECK(f.storage().erase_expired(clock.now()) == 0u);
  CHECK(f.storage().size() == 1u);
}

TEST_CASE("dict: erase_expired does nothing without expiry", "[dict]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::dict{});
  for (int k = 0; k < 10; ++k) f(k);
  CHECK(f.storage().erase_expired(cachet::time_point::max()) == 0u);
  CHECK(f.storage().size() == 10u);
}

TEST_CASE("dict: clear empties it; entries are then computed again", "[dict]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return x + 1; }, cachet::dict{});
  for (int k = 0; k < 100; ++k) f(k);
  f.storage().clear();
  CHECK(f.storage().size() == 0u);
  CHECK(f.get(5) == std::nullopt);
  CHECK(f(5) == 6);
  CHECK(calls == 101);
  CHECK(f.with_storage([](auto& s) { s.clear(); return s.size(); }) == 0u);
  CHECK_FALSE(f.contains(5));
}

TEST_CASE("dict: byte mode keys by text and keeps encoded values", "[dict][bytes]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](int n, const std::string& s) { ++calls; return s + std::to_string(n); },
                           cachet::dict{}, cachet::cereal_binary{});
  using F = decltype(f);
  STATIC_REQUIRE(std::is_same_v<F::coder_type, cachet::cereal_binary>);
  STATIC_REQUIRE(std::is_same_v<F::key_policy_type, cachet::text_key>);
  STATIC_REQUIRE(std::is_same_v<F::key_type, std::string>);
  STATIC_REQUIRE(std::is_same_v<F::store_type::key_type, std::string>);
  STATIC_REQUIRE(std::is_same_v<F::store_type::value_type, std::string>);

  CHECK(f.key(7, "seven") == "7:seven");
  CHECK(f.key(7, "a:b") == "7:a\\:b");  // separators in strings are escaped
  CHECK(f.key(7, "a:b") != f.key(7, "a\\:b"));

  CHECK(f(7, "x") == "x7");
  CHECK(f.storage().size() == 1u);
  CHECK(f(8, "x") == "x8");
  CHECK(f(7, std::string("y")) == "y7");
  CHECK(f.storage().size() == 3u);
  CHECK(f(7, "x") == "x7");
  CHECK(f.storage().size() == 3u);
  CHECK(calls == 3);

  // what the store keeps is the coder's bytes, under the text key
  const auto stored = f.storage().get(std::string("7:x"), cachet::time_point{});
  REQUIRE(stored != nullptr);
  CHECK(*stored == cachet::cereal_binary{}.encode(std::string("x7")));
  CHECK(*stored != "x7");
}

TEST_CASE("dict: byte mode round-trips values", "[dict][bytes]") {
  using table = std::map<std::string, std::vector<int>>;
  auto f = cachet::memoize(
      [](int n) {
        table t;
        for (int i = 0; i < n; ++i) t["key " + std::to_string(i)] = std::vector<int>(static_cast<std::size_t>(i), i);
        return t;
      },
      cachet::dict{}, cachet::cereal_binary{});
  const table fresh = f(5);
  CHECK(fresh.size() == 5u);
  CHECK(f.get(5) == std::optional<table>(fresh));
  CHECK(f(5) == fresh);
  f.set(table{{"", {}}, {"x", {-1, 0, 1}}}, 0);
  CHECK(f.at(0) == table{{"", {}}, {"x", {-1, 0, 1}}});
  CHECK(f.get_many(std::vector<int>{5, 0, 1}) ==
        std::vector<std::optional<table>>{fresh, table{{"", {}}, {"x", {-1, 0, 1}}}, std::nullopt});

  auto text = cachet::memoize([](std::string_view s) { return std::string(s) + "!"; }, cachet::dict{},
                              cachet::cereal_binary{});
  const char raw[] = "bytes \0 with a nul, a colon and \xff";
  const std::string odd(raw, sizeof raw - 1);
  CHECK(text(odd) == odd + "!");
  CHECK(text.get(odd) == std::optional<std::string>(odd + "!"));
  CHECK(text.get(std::string_view(raw)) == std::nullopt);  // the prefix before the nul is another key

  auto d = cachet::memoize([](int x) { return x / 4.0; }, cachet::dict{}, cachet::cereal_binary{});
  CHECK(d(1) == 0.25);
  CHECK(d.get(1) == std::optional<double>(0.25));
}
