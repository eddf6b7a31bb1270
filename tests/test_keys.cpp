// Tests of the key policies: tuple_key, text_key, hashed_key, custom_key,
// ignore_args; which argument types are keys (containers, maps, optionals,
// Hana structs, in any mix; a property test over random argument lists);
// the ways a user type becomes an argument (key_traits, its key projection,
// Hana structs); member functions.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/define_struct.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <limits>
#include <cstddef>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace keys_test {

struct point {
  BOOST_HANA_DEFINE_STRUCT(point, (int, x), (int, y));
};

struct labelled {
  BOOST_HANA_DEFINE_STRUCT(labelled, (std::string, label), (point, at));
};

// Made usable through key_traits only: no std::hash, no ==, no Hana.
struct money {
  long cents;
  std::string currency;
};

enum class colour { red = 1, green = 7 };

}  // namespace keys_test

template <>
struct cachet::key_traits<keys_test::money> {
  static std::size_t hash(const keys_test::money& m) noexcept {
    return std::hash<long>{}(m.cents) ^ std::hash<std::string>{}(m.currency);
  }
  static bool equal(const keys_test::money& a, const keys_test::money& b) {
    return a.cents == b.cents && a.currency == b.currency;
  }
  static void append_text(std::string& out, const keys_test::money& m) {
    out += std::to_string(m.cents);
    out += m.currency;  // trusted: ISO codes have no special characters
  }
};

using keys_test::colour;
using keys_test::labelled;
using keys_test::money;
using keys_test::point;

namespace {

// The text key of one call of a function taking Params..., with prefix "p".
template <class... Params, class... A>
std::string text_of(const A&... args) {
  const cachet::text_key::bind<Params...> bound(cachet::text_key{"p"});
  return bound.make(args...);
}

}  // namespace

// ------------------------------------------------------------------ tuple_key

TEST_CASE("tuple_key: equal arguments give equal keys, different ones different keys", "[keys][tuple_key]") {
  const cachet::tuple_key::bind<int, std::string> bound(cachet::tuple_key{});
  using hasher = cachet::tuple_key::bind<int, std::string>::hasher;
  using key_equal = cachet::tuple_key::bind<int, std::string>::key_equal;
  STATIC_REQUIRE(std::is_same_v<cachet::tuple_key::bind<int, std::string>::key_type, std::tuple<int, std::string>>);

  const auto a = bound.make(1, std::string("x"));
  const auto b = bound.make(1, "x");
  const auto c = bound.make(2, "x");
  const auto d = bound.make(1, "y");
  REQUIRE(a == b);
  REQUIRE(key_equal{}(a, b));
  REQUIRE(hasher{}(a) == hasher{}(b));
  REQUIRE_FALSE(key_equal{}(a, c));
  REQUIRE_FALSE(key_equal{}(a, d));
}

TEST_CASE("tuple_key: lookup() and make() hash and compare alike for every string form", "[keys][tuple_key]") {
  using bound_t = cachet::tuple_key::bind<const std::string&, int, std::string_view>;
  const bound_t bound(cachet::tuple_key{});
  const bound_t::hasher hash;
  const bound_t::key_equal equal;
  STATIC_REQUIRE(std::is_same_v<bound_t::key_type, std::tuple<std::string, int, std::string>>);

  const char* c_str = "alpha";
  const std::string_view view = "alpha";
  const std::string str = "alpha";
  // A lookup refers to its arguments (it is made and used within one call):
  // they must outlive it, so no temporaries here.
  const int three = 3;
  const auto owned = bound.make(str, three, view);
  const auto by_c_str = bound.lookup(c_str, three, c_str);
  const auto by_view = bound.lookup(view, three, view);
  const auto by_str = bound.lookup(str, three, str);
  // lookups of strings are views: nothing is allocated
  STATIC_REQUIRE(std::is_same_v<std::tuple_element_t<0, std::remove_cvref_t<decltype(by_str)>>, std::string_view>);

  for (const std::size_t h : {hash(by_c_str), hash(by_view), hash(by_str), hash(bound.make(c_str, 3, c_str))})
    REQUIRE(h == hash(owned));
  REQUIRE(equal(owned, by_c_str));
  REQUIRE(equal(owned, by_view));
  REQUIRE(equal(by_str, owned));
  REQUIRE_FALSE(equal(owned, bound.lookup("alphA", 3, view)));
  REQUIRE_FALSE(equal(owned, bound.lookup(str, 4, view)));
}

TEST_CASE("tuple_key: a cache hits whatever string form the call uses", "[keys][tuple_key]") {
  int calls = 0;
  auto f = cachet::memoize([&](const std::string& s) { ++calls; return s.size(); }, cachet::lru{.capacity = 8});
  REQUIRE(f("hello") == 5);
  REQUIRE(f(std::string("hello")) == 5);
  REQUIRE(f.get(std::string_view("hello")) == std::optional<std::size_t>(5));
  REQUIRE(f.contains("hello"));
  REQUIRE(calls == 1);
  REQUIRE(f.key("hello") == std::tuple<std::string>("hello"));
  REQUIRE(f.erase(std::string_view("hello")));
  REQUIRE_FALSE(f.contains(std::string("hello")));
}

// ------------------------------------------------------------------- text_key

TEST_CASE("text_key: numbers, bool, char and enums", "[keys][text_key]") {
  CHECK(text_of<int>(0) == "p:0");
  CHECK(text_of<int>(42) == "p:42");
  CHECK(text_of<int>(-42) == "p:-42");
  CHECK(text_of<int>(INT_MIN) == "p:-2147483648");
  CHECK(text_of<long long>(LLONG_MAX) == "p:9223372036854775807");
  CHECK(text_of<unsigned>(4000000000u) == "p:4000000000");
  CHECK(text_of<double>(1.5) == "p:1.5");
  CHECK(text_of<double>(-0.25) == "p:-0.25");
  CHECK(text_of<double>(0.1) == "p:0.1");
  CHECK(text_of<double>(1e100) == "p:1e+100");
  CHECK(text_of<bool>(true) == "p:true");
  CHECK(text_of<bool>(false) == "p:false");
  CHECK(text_of<char>('x') == "p:x");
  CHECK(text_of<char>(':') == "p:\\:");
  CHECK(text_of<colour>(colour::green) == "p:7");
  CHECK(text_of<int, bool, double>(1, false, 2.5) == "p:1:false:2.5");
}

TEST_CASE("text_key: strings escape each special character", "[keys][text_key]") {
  CHECK(text_of<std::string>("plain text") == "p:plain text");
  for (const char c : std::string_view("\\:,()[]~")) {
    const std::string arg = std::string("a") + c + "b";
    CAPTURE(arg);
    CHECK(text_of<std::string>(arg) == std::string("p:a\\") + c + "b");
  }
  CHECK(text_of<std::string>("a:b\\c") == "p:a\\:b\\\\c");
  CHECK(text_of<std::string>("") == "p:");
  CHECK(text_of<std::string, std::string>("", "") == "p::");
  CHECK(text_of<const char*>("x") == "p:x");
  CHECK(text_of<std::string_view>(std::string_view("a,b")) == "p:a\\,b");
}

TEST_CASE("text_key: the prefix, and its absence", "[keys][text_key]") {
  const cachet::text_key::bind<int, std::string> none(cachet::text_key{});
  CHECK(none.make(1, "a") == "1:a");
  CHECK(none.make(1, "") == "1:");
  const cachet::text_key::bind<std::string, int> empty_first(cachet::text_key{});
  CHECK(empty_first.make("", 1) == ":1");
  const cachet::text_key::bind<> nullary(cachet::text_key{"only"});
  CHECK(nullary.make() == "only");
}

TEST_CASE("text_key: optionals", "[keys][text_key]") {
  CHECK(text_of<std::optional<int>>(std::optional<int>{}) == "p:~");
  CHECK(text_of<std::optional<int>>(std::optional<int>{5}) == "p:5");
  CHECK(text_of<std::optional<std::string>>(std::optional<std::string>{"~"}) == "p:\\~");
  CHECK(text_of<std::optional<std::string>>(std::optional<std::string>{""}) == "p:");
  using nested = std::optional<std::optional<int>>;
  CHECK(text_of<nested>(nested{}) == "p:~");
  CHECK(text_of<nested>(nested{std::optional<int>{}}) == "p:(~)");
  CHECK(text_of<nested>(nested{std::optional<int>{5}}) == "p:(5)");
}

TEST_CASE("text_key: pairs, tuples, ranges", "[keys][text_key]") {
  CHECK(text_of<std::pair<int, std::string>>(std::pair<int, std::string>{1, "a:b"}) == "p:(1,a\\:b)");
  CHECK(text_of<std::tuple<int, bool, std::string>>(std::tuple<int, bool, std::string>{1, true, "x"}) ==
        "p:(1,true,x)");
  CHECK(text_of<std::vector<int>>(std::vector<int>{1, -2, 3}) == "p:[1,-2,3]");
  CHECK(text_of<std::vector<int>>(std::vector<int>{}) == "p:[]");
  CHECK(text_of<std::vector<std::string>>(std::vector<std::string>{"a,b", "c]"}) == "p:[a\\,b,c\\]]");
  CHECK(text_of<std::vector<std::vector<int>>>(std::vector<std::vector<int>>{{1}, {}, {2, 3}}) == "p:[[1],[],[2,3]]");
  CHECK(text_of<std::map<std::string, int>>(std::map<std::string, int>{{"a", 1}, {"b", 2}}) == "p:[(a,1),(b,2)]");
  CHECK(text_of<std::array<int, 2>>(std::array<int, 2>{4, 5}) == "p:[4,5]");
}

TEST_CASE("text_key: an empty last element of a range is marked by a trailing comma", "[keys][text_key]") {
  using strings = std::vector<std::string>;
  CHECK(text_of<strings>(strings{}) == "p:[]");
  CHECK(text_of<strings>(strings{""}) == "p:[,]");
  CHECK(text_of<strings>(strings{"", ""}) == "p:[,,]");
  CHECK(text_of<strings>(strings{"a", ""}) == "p:[a,,]");
  CHECK(text_of<strings>(strings{"", "a"}) == "p:[,a]");
}

TEST_CASE("text_key: Hana structs and key_traits types", "[keys][text_key]") {
  CHECK(text_of<point>(point{1, -2}) == "p:(1,-2)");
  CHECK(text_of<labelled>(labelled{"a:b", {3, 4}}) == "p:(a\\:b,(3,4))");
  CHECK(text_of<money>(money{1250, "EUR"}) == "p:1250EUR");
  CHECK(text_of<std::vector<point>>(std::vector<point>{{1, 2}, {3, 4}}) == "p:[(1,2),(3,4)]");
}

// ---------------------------------------------------------------- collisions

TEST_CASE("text_key: argument lists that naive formatting merges get different keys", "[keys][text_key]") {
  using S = std::string;
  using strings = std::vector<std::string>;
  using opt = std::optional<std::string>;
  CHECK(text_of<S, S>("a:b", "c") != text_of<S, S>("a", "b:c"));
  CHECK(text_of<S, S>("a\\", "b") != text_of<S, S>("a", "\\b"));
  CHECK(text_of<S, S>("a\\", ":b") != text_of<S, S>("a\\:", "b"));
  CHECK(text_of<S, S>("", "") != text_of<S, S>(":", ""));
  CHECK(text_of<S, S>("", ":") != text_of<S, S>(":", ""));
  CHECK(text_of<strings>(strings{"a,b"}) != text_of<strings>(strings{"a", "b"}));
  CHECK(text_of<strings>(strings{"a]"}) != text_of<strings>(strings{"a"}));
  CHECK(text_of<strings>(strings{}) != text_of<strings>(strings{""}));
  CHECK(text_of<strings>(strings{""}) != text_of<strings>(strings{"", ""}));
  CHECK(text_of<strings>(strings{"", ""}) != text_of<strings>(strings{","}));
  using nested = std::vector<strings>;
  CHECK(text_of<nested>(nested{{}}) != text_of<nested>(nested{{""}}));
  CHECK(text_of<nested>(nested{}) != text_of<nested>(nested{{}}));
  CHECK(text_of<opt>(opt{"~"}) != text_of<opt>(opt{}));
  CHECK(text_of<opt>(opt{""}) != text_of<opt>(opt{}));
  using pair_t = std::pair<S, S>;
  CHECK(text_of<pair_t>(pair_t{"a,b", "c"}) != text_of<pair_t>(pair_t{"a", "b,c"}));
  CHECK(text_of<pair_t>(pair_t{"a)", "b"}) != text_of<pair_t>(pair_t{"a", ")b"}));
  CHECK(text_of<S, int>("1", 2) != text_of<S, int>("1:2", 0));
}

namespace {

std::string random_string(std::mt19937& rng) {
  static constexpr std::string_view alphabet = "ab\\:,()[]~";
  std::uniform_int_distribution<int> length(0, 4);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out;
  for (int n = length(rng); n > 0; --n) out += alphabet[pick(rng)];
  return out;
}

}  // namespace

TEST_CASE("text_key: 20k random (string, int) argument lists, distinct lists give distinct keys", "[keys][text_key]") {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> small(-3, 3);
  std::map<std::string, std::pair<std::string, int>> seen;
  std::size_t distinct_lists = 0;
  std::map<std::pair<std::string, int>, bool> lists;
  for (int i = 0; i < 20000; ++i) {
    const std::pair<std::string, int> args{random_string(rng), small(rng)};
    const std::string key = text_of<std::string, int>(args.first, args.second);
    const auto [it, inserted] = seen.emplace(key, args);
    if (!inserted && it->second != args) FAIL("collision: " << key);
    if (lists.emplace(args, true).second) ++distinct_lists;
  }
  REQUIRE(seen.size() == distinct_lists);
  REQUIRE(distinct_lists > 5000);  // the alphabet is big enough for the check to mean something
}

TEST_CASE("text_key: 20k random nested argument lists, distinct lists give distinct keys", "[keys][text_key]") {
  using args_t = std::tuple<std::vector<std::string>, std::optional<std::string>, std::string>;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> count(0, 3);
  std::bernoulli_distribution engaged(0.7);
  std::map<std::string, args_t> seen;
  std::map<args_t, bool> lists;
  for (int i = 0; i < 20000; ++i) {
    args_t args;
    for (int n = count(rng); n > 0; --n) std::get<0>(args).push_back(random_string(rng));
    if (engaged(rng)) std::get<1>(args) = random_string(rng);
    std::get<2>(args) = random_string(rng);
    const std::string key = std::apply(
        [](const auto&... a) { return text_of<std::vector<std::string>, std::optional<std::string>, std::string>(a...); },
        args);
    const auto [it, inserted] = seen.emplace(key, args);
    if (!inserted && it->second != args) FAIL("collision: " << key);
    lists.emplace(args, true);
  }
  REQUIRE(seen.size() == lists.size());
}

// ----------------------------------------------------------------- hashed_key

TEST_CASE("hashed_key: prefix, then 40 hex digits of the SHA-1 of the text key", "[keys][hashed_key]") {
  const cachet::hashed_key::bind<std::string> one(cachet::hashed_key{"user"});
  // SHA-1("abc"), the FIPS 180 test vector: the text key of ("abc") is "abc".
  CHECK(one.make("abc") == "user:a9993e364706816aba3e25717850c26c9cd0d89d");
  const cachet::hashed_key::bind<std::string> bare(cachet::hashed_key{});
  CHECK(bare.make("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");

  const cachet::hashed_key::bind<std::string, int> two(cachet::hashed_key{"fn"});
  const std::string long_arg(10000, ':');
  for (const std::string& key : {two.make("", 0), two.make("x", -1), two.make(long_arg, 7)}) {
    CAPTURE(key);
    REQUIRE(key.size() == 3 + 40);
    REQUIRE(key.starts_with("fn:"));
    REQUIRE(key.find_first_not_of("0123456789abcdef", 3) == std::string::npos);
  }
  CHECK(two.make("x", 1) == two.make(std::string_view("x"), 1));
  CHECK(two.lookup("x", 1) == two.make("x", 1));
  CHECK(two.make("x", 1) != two.make("x", 2));
  CHECK(two.make("a:b", 1) != two.make("a", 1));
  CHECK(two.make(long_arg, 7) != two.make(long_arg + ":", 7));
}

TEST_CASE("hashed_key: works as the key of a byte store", "[keys][hashed_key]") {
  int calls = 0;
  auto f = cachet::memoize([&](const std::string& s, int n) { ++calls; return s.size() * n; }, cachet::dict{},
                           cachet::cereal_binary{}, cachet::hashed_key{"len"});
  REQUIRE(f("abcd", 2) == 8);
  REQUIRE(f.get(std::string_view("abcd"), 2) == std::optional<std::size_t>(8));
  REQUIRE(f("abcd", 3) == 12);
  REQUIRE(calls == 2);
  REQUIRE(f.key("abcd", 2).size() == 44);
  REQUIRE(f.storage().size() == 2);
}

// ----------------------------------------------------------------- custom_key

TEST_CASE("custom_key: a key that ignores an argument", "[keys][custom_key]") {
  int calls = 0;
  auto greet = [&](int user, const std::string& lang) { ++calls; return std::to_string(user) + lang; };
  auto f = cachet::memoize(greet, cachet::lru{.capacity = 4},
                           cachet::custom_key{[](int user, const std::string&) { return user; }});
  REQUIRE(f(1, "en") == "1en");
  REQUIRE(f(1, "fr") == "1en");  // the language is not part of the key
  REQUIRE(f(2, "fr") == "2fr");
  REQUIRE(calls == 2);
  REQUIRE(f.key(1, "zz") == 1);

  auto g = cachet::memoize(greet, cachet::dict{}, cachet::cereal_binary{},
                           cachet::custom_key{[](int user, const std::string&) { return "u" + std::to_string(user); }});
  REQUIRE(g(5, "en") == "5en");
  REQUIRE(g(5, "de") == "5en");
  REQUIRE(g.key(5, "de") == "u5");
  REQUIRE(g.storage().size() == 1);
}

// ------------------------------------------------------------- user types

TEMPLATE_TEST_CASE("user argument types: key_traits and Hana structs work with tuple_key on lru", "[keys][user]",
                   money, point) {
  const auto make = [](int i) {
    if constexpr (std::is_same_v<TestType, money>)
      return money{i, "EUR"};
    else
      return point{i, -i};
  };
  int calls = 0;
  auto f = cachet::memoize([&](const TestType&, int n) { ++calls; return n; }, cachet::lru{.capacity = 16});
  REQUIRE(f(make(1), 10) == 10);
  REQUIRE(f(make(1), 10) == 10);
  REQUIRE(f(make(2), 10) == 10);
  REQUIRE(calls == 2);
  REQUIRE(f.contains(make(1), 10));
  REQUIRE_FALSE(f.contains(make(3), 10));
  REQUIRE(f.erase(make(2), 10));
  REQUIRE(f.storage().size() == 1);
}

TEMPLATE_TEST_CASE("user argument types: key_traits and Hana structs work with text_key on dict + cereal_binary",
                   "[keys][user]", money, point) {
  const auto make = [](int i) {
    if constexpr (std::is_same_v<TestType, money>)
      return money{i, "USD"};
    else
      return point{i, i + 1};
  };
  int calls = 0;
  auto f = cachet::memoize([&](const TestType&) { ++calls; return std::string("v"); }, cachet::dict{},
                           cachet::cereal_binary{}, cachet::text_key{"t"});
  REQUIRE(f(make(7)) == "v");
  REQUIRE(f(make(7)) == "v");
  REQUIRE(calls == 1);
  REQUIRE(f.key(make(7)) == (std::is_same_v<TestType, money> ? "t:7USD" : "t:(7,8)"));
  REQUIRE(f.storage().get(f.key(make(7)), cachet::time_point{}) != nullptr);
}

TEST_CASE("user argument types: Hana struct members decide equality and hashing", "[keys][user]") {
  const cachet::tuple_key::bind<labelled> bound(cachet::tuple_key{});
  const auto a = bound.make(labelled{"x", {1, 2}});
  const auto b = bound.make(labelled{"x", {1, 2}});
  const auto c = bound.make(labelled{"x", {1, 3}});
  using bound_t = cachet::tuple_key::bind<labelled>;
  REQUIRE(bound_t::key_equal{}(a, b));
  REQUIRE(bound_t::hasher{}(a) == bound_t::hasher{}(b));
  REQUIRE_FALSE(bound_t::key_equal{}(a, c));
}

// ------------------------------------------------------ any argument type

namespace keys_test {

// [vector_argument]
int sum(const std::vector<int>& values) {
  int total = 0;
  for (const int v : values) total += v;
  return total;
}
// [vector_argument]

}  // namespace keys_test

TEST_CASE("any argument: a function of a std::vector memoizes with the default key", "[keys][any]") {
  // [vector_argument_use]
  auto f = cachet::memoize(keys_test::sum, cachet::lru{.capacity = 8});
  f(std::vector<int>{1, 2});  // the key is a std::tuple<std::vector<int>>
  // [vector_argument_use]
  REQUIRE(f(std::vector<int>{1, 2}) == 3);
  REQUIRE(f.contains(std::vector<int>{1, 2}));
  REQUIRE_FALSE(f.contains(std::vector<int>{2, 1}));
  STATIC_REQUIRE(std::is_same_v<decltype(f)::key_type, std::tuple<std::vector<int>>>);
  // A hit looks the caller's vector up in place: the lookup holds a reference.
  const cachet::tuple_key::bind<const std::vector<int>&> bound(cachet::tuple_key{});
  const std::vector<int> v{1, 2};
  STATIC_REQUIRE(std::is_same_v<decltype(bound.lookup(v)), std::tuple<const std::vector<int>&>>);
}

TEST_CASE("any argument: std::span is kept as a std::vector, and looked up as it is", "[keys][any]") {
  int calls = 0;
  auto f = cachet::memoize([&](std::span<const int> s) { ++calls; return static_cast<int>(s.size()); },
                           cachet::lru{.capacity = 8});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::key_type, std::tuple<std::vector<int>>>);
  const std::array<int, 3> a{1, 2, 3};
  const std::vector<int> v{1, 2, 3};
  REQUIRE(f(a) == 3);
  REQUIRE(f(std::span<const int>(v)) == 3);
  REQUIRE(f.contains(v));
  REQUIRE(calls == 1);
  const cachet::tuple_key::bind<std::span<const int>> bound(cachet::tuple_key{});
  STATIC_REQUIRE(std::is_same_v<decltype(bound.lookup(a)), std::tuple<std::span<const int>>>);
  using bound_t = cachet::tuple_key::bind<std::span<const int>>;
  REQUIRE(bound_t::hasher{}(bound.lookup(a)) == bound_t::hasher{}(bound.make(v)));
  REQUIRE(bound_t::key_equal{}(bound.make(v), bound.lookup(a)));
  CHECK(text_of<std::span<const int>>(std::span<const int>(v)) == "p:[1,2,3]");
}

TEST_CASE("any argument: containers of borrowed strings are kept owning", "[keys][any]") {
  using bound_t = cachet::tuple_key::bind<std::vector<std::string_view>, std::optional<const char*>,
                                          std::pair<std::string_view, int>, std::map<std::string_view, int>>;
  STATIC_REQUIRE(std::is_same_v<bound_t::key_type,
                                std::tuple<std::vector<std::string>, std::optional<std::string>,
                                           std::pair<std::string, int>, std::vector<std::pair<const std::string, int>>>>);
  const bound_t bound(cachet::tuple_key{});
  std::string text = "abc";
  const auto key = bound.make(std::vector<std::string_view>{text}, std::optional<const char*>(text.c_str()),
                              std::pair<std::string_view, int>(text, 1), std::map<std::string_view, int>{{text, 2}});
  const auto same = bound.make(std::vector<std::string_view>{"abc"}, std::optional<const char*>("abc"),
                               std::pair<std::string_view, int>("abc", 1), std::map<std::string_view, int>{{"abc", 2}});
  text = "xyz";  // the key does not see it
  REQUIRE(bound_t::key_equal{}(key, same));
  REQUIRE(bound_t::hasher{}(key) == bound_t::hasher{}(same));
  REQUIRE(std::get<0>(key).front() == "abc");
}

TEST_CASE("any argument: unordered containers key alike whatever their iteration order", "[keys][any]") {
  using map_t = std::unordered_map<std::string, int>;
  using set_t = std::unordered_multiset<int>;
  map_t a;
  map_t b;
  b.reserve(512);  // other buckets: another iteration order
  for (int i = 0; i < 40; ++i) a.emplace("k" + std::to_string(i), i);
  for (int i = 39; i >= 0; --i) b.emplace("k" + std::to_string(i), i);
  REQUIRE(!std::equal(a.begin(), a.end(), b.begin()));  // the test means something

  using bound_t = cachet::tuple_key::bind<const map_t&, set_t>;
  const bound_t bound(cachet::tuple_key{});
  const auto ka = bound.make(a, set_t{1, 1, 2});
  const auto kb = bound.make(b, set_t{2, 1, 1});
  REQUIRE(bound_t::key_equal{}(ka, kb));
  REQUIRE(bound_t::hasher{}(ka) == bound_t::hasher{}(kb));
  REQUIRE(bound_t::hasher{}(bound.lookup(b, set_t{1, 2, 1})) == bound_t::hasher{}(ka));
  REQUIRE_FALSE(bound_t::key_equal{}(ka, bound.make(a, set_t{1, 2, 2})));
  map_t c = a;
  c["k3"] = 4;
  REQUIRE_FALSE(bound_t::key_equal{}(ka, bound.make(c, set_t{1, 1, 2})));

  CHECK(text_of<const map_t&>(a) == text_of<const map_t&>(b));
  CHECK(text_of<map_t>(map_t{{"b", 2}, {"a", 1}}) == "p:[(a,1),(b,2)]");
  CHECK(text_of<std::unordered_set<std::string>>(std::unordered_set<std::string>{""}) == "p:[,]");
  CHECK(text_of<std::unordered_set<std::string>>(std::unordered_set<std::string>{}) == "p:[]");
}

TEST_CASE("any argument: every kind of argument in one text key", "[keys][any][text_key]") {
  CHECK(text_of<std::list<std::optional<std::string>>>(std::list<std::optional<std::string>>{std::nullopt, "", "a"}) ==
        "p:[~,,a]");
  CHECK(text_of<std::deque<int>, std::set<std::string>>(std::deque<int>{3, 1}, std::set<std::string>{"b", "a"}) ==
        "p:[3,1]:[a,b]");
  CHECK(text_of<std::optional<std::pair<int, std::string>>>(std::optional<std::pair<int, std::string>>({1, "x"})) ==
        "p:(1,x)");
  CHECK(text_of<std::tuple<colour, point>>(std::tuple<colour, point>{colour::red, {1, 2}}) == "p:(1,(1,2))");
  CHECK(text_of<std::map<std::string, std::vector<int>>>(std::map<std::string, std::vector<int>>{{"a", {}}}) ==
        "p:[(a,[])]");
  CHECK(text_of<std::string_view, const char*>(std::string_view("a"), "b") == "p:a:b");
}

// ------------------------------------------------------------ property test

namespace keys_test {

struct record {
  BOOST_HANA_DEFINE_STRUCT(record, (std::string, name), (std::vector<int>, values));
  bool operator==(const record&) const = default;  // the reference the keys are checked against
};

using property_args =
    std::tuple<std::vector<std::string>, std::map<std::string, int>, std::optional<std::pair<int, std::string>>,
               std::tuple<int, std::string>, colour, record, std::list<std::optional<std::string>>, std::string,
               std::unordered_map<std::string, int>, std::set<std::string>>;

// Small domains, so that random lists often share parts; strings from the
// characters text_key escapes, empty ones included.
struct drawer {
  std::mt19937 rng;

  int number(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); }
  bool coin() { return number(0, 1) == 1; }
  std::string text() {
    static constexpr std::string_view alphabet = "a\\:,()[]~";
    std::string out;
    for (int n = number(0, 2); n > 0; --n) out += alphabet[static_cast<std::size_t>(number(0, 8))];
    return out;
  }
  template <class F>
  auto many(int most, F&& f) {
    std::vector<decltype(f())> out;
    for (int n = number(0, most); n > 0; --n) out.push_back(f());
    return out;
  }

  void draw(property_args& a, int part) {
    switch (part) {
      case 0: std::get<0>(a) = many(2, [&] { return text(); }); break;
      case 1: {
        std::get<1>(a).clear();
        for (const auto& k : many(2, [&] { return text(); })) std::get<1>(a)[k] = number(0, 1);
        break;
      }
      case 2:
        std::get<2>(a) = coin() ? std::nullopt : std::optional<std::pair<int, std::string>>({number(0, 1), text()});
        break;
      case 3: std::get<3>(a) = {number(-1, 1), text()}; break;
      case 4: std::get<4>(a) = coin() ? colour::red : colour::green; break;
      case 5: std::get<5>(a) = record{text(), many(2, [&] { return number(0, 1); })}; break;
      case 6: {
        auto& l = std::get<6>(a);
        l.clear();
        for (int n = number(0, 2); n > 0; --n) l.push_back(coin() ? std::nullopt : std::optional<std::string>(text()));
        break;
      }
      case 7: std::get<7>(a) = text(); break;
      case 8: {
        std::get<8>(a).clear();
        for (const auto& k : many(3, [&] { return text(); })) std::get<8>(a)[k] = number(0, 1);
        break;
      }
      default: {
        std::get<9>(a).clear();
        for (const auto& k : many(2, [&] { return text(); })) std::get<9>(a).insert(k);
        break;
      }
    }
  }
  property_args draw() {
    property_args a;
    for (int part = 0; part < 10; ++part) draw(a, part);
    return a;
  }
};

// The same argument list built another way: the unordered map filled in
// reverse into more buckets, so that it iterates in another order.
property_args rebuilt(const property_args& a) {
  property_args b = a;
  std::unordered_map<std::string, int> other;
  other.reserve(64);
  std::vector<std::pair<std::string, int>> items(std::get<8>(a).begin(), std::get<8>(a).end());
  for (auto it = items.rbegin(); it != items.rend(); ++it) other.emplace(*it);
  std::get<8>(b) = std::move(other);
  return b;
}

}  // namespace keys_test

TEST_CASE("property: random argument lists get equal keys exactly when they are equal", "[keys][property]") {
  using keys_test::property_args;
  using tuple_bound = std::remove_cvref_t<decltype(std::apply(
      []<class... P>(const P&...) { return std::type_identity<cachet::tuple_key::bind<const P&...>>{}; },
      std::declval<property_args>()))>::type;
  using text_bound = std::remove_cvref_t<decltype(std::apply(
      []<class... P>(const P&...) { return std::type_identity<cachet::text_key::bind<const P&...>>{}; },
      std::declval<property_args>()))>::type;
  const tuple_bound tuple_keys(cachet::tuple_key{});
  const text_bound text_keys(cachet::text_key{"p"});
  const typename tuple_bound::hasher hash;
  const typename tuple_bound::key_equal equal;
  const auto tuple_key_of = [&](const property_args& a) {
    return std::apply([&](const auto&... x) { return tuple_keys.make(x...); }, a);
  };
  const auto text_key_of = [&](const property_args& a) {
    return std::apply([&](const auto&... x) { return text_keys.make(x...); }, a);
  };

  keys_test::drawer draw{std::mt19937(20261129)};
  std::vector<property_args> distinct;  // every list drawn, once
  std::vector<std::string> texts;       // their text keys
  std::vector<typename tuple_bound::key_type> keys;
  for (int i = 0; i < 3000; ++i) {
    const property_args a = draw.draw();
    // Equal lists, built apart: equal keys, equal hashes, equal lookups.
    const property_args b = keys_test::rebuilt(a);
    const auto key = tuple_key_of(a);
    REQUIRE(equal(key, tuple_key_of(b)));
    REQUIRE(hash(key) == hash(tuple_key_of(b)));
    const auto lookup = std::apply([&](const auto&... x) { return tuple_keys.lookup(x...); }, b);
    REQUIRE(hash(lookup) == hash(key));
    REQUIRE(equal(key, lookup));
    REQUIRE(text_key_of(a) == text_key_of(b));
    // A list differing in one part (or equal by chance): keys follow ==.
    property_args c = a;
    draw.draw(c, draw.number(0, 9));
    CAPTURE(i, text_key_of(a), text_key_of(c));
    REQUIRE(equal(key, tuple_key_of(c)) == (a == c));
    REQUIRE((text_key_of(a) == text_key_of(c)) == (a == c));
    if (a == c) REQUIRE(hash(key) == hash(tuple_key_of(c)));

    if (std::find(distinct.begin(), distinct.end(), a) == distinct.end()) {
      distinct.push_back(a);
      texts.push_back(text_key_of(a));
      keys.push_back(key);
    }
  }
  // Distinct lists: distinct text keys, and tuple keys no two of which are equal.
  std::sort(texts.begin(), texts.end());
  REQUIRE(std::adjacent_find(texts.begin(), texts.end()) == texts.end());
  std::unordered_set<typename tuple_bound::key_type, typename tuple_bound::hasher, typename tuple_bound::key_equal>
      unique_keys(keys.begin(), keys.end());
  REQUIRE(unique_keys.size() == keys.size());
  REQUIRE(keys.size() > 2000);
}

// ------------------------------------------------- member functions, key()

namespace keys_test {

// [key_projection]
// A repository holds a connection: it cannot be copied into a key. Its id
// stands for it.
class repo {
 public:
  explicit repo(int id) : id_(id) {}
  repo(const repo&) = delete;
  repo& operator=(const repo&) = delete;

  int id() const { return id_; }
  int score(int user) const { return id_ * 100 + user; }

 private:
  int id_;
};
// [key_projection]

struct counter {
  int calls = 0;
  int next(int step) { return calls += step; }
};

}  // namespace keys_test

// [key_projection]
template <>
struct cachet::key_traits<keys_test::repo> {
  static int key(const keys_test::repo& r) { return r.id(); }  // the key keeps r.id(), not r
};
// [key_projection]

template <>
struct cachet::key_traits<keys_test::counter> {
  static const keys_test::counter* key(const keys_test::counter& c) { return &c; }  // by identity
};

TEST_CASE("member functions: memoize(&repo::score) is called as f(r, args...)", "[keys][member]") {
  const keys_test::repo r(5);
  // [member_function]
  auto score = cachet::memoize(&keys_test::repo::score, cachet::lru{.capacity = 64});
  score(r, 7);  // r.score(7); the key is (r.id(), 7)
  // [member_function]
  REQUIRE(score(r, 7) == 507);
  STATIC_REQUIRE(std::is_same_v<decltype(score)::key_type, std::tuple<int, int>>);
  REQUIRE(score.key(r, 7) == std::tuple<int, int>(5, 7));
  const keys_test::repo same_id(5);
  REQUIRE(score.contains(same_id, 7));  // the same id: the same key
  REQUIRE_FALSE(score.contains(keys_test::repo(6), 7));
  REQUIRE(score.storage().size() == 1);

  auto by_text = cachet::memoize(&keys_test::repo::score, cachet::dict{}, cachet::cereal_binary{});
  REQUIRE(by_text(r, 7) == 507);
  REQUIRE(by_text.key(r, 7) == "5:7");
  REQUIRE(by_text.contains(same_id, 7));
}

TEST_CASE("member functions: a non-const member function takes the object as C&", "[keys][member]") {
  keys_test::counter c;
  auto next = cachet::memoize(&keys_test::counter::next, cachet::lru{.capacity = 4});
  STATIC_REQUIRE(std::is_same_v<cachet::detail::signature_of<decltype(&keys_test::counter::next)>::type,
                                int(keys_test::counter&, int)>);
  STATIC_REQUIRE(std::is_same_v<cachet::detail::signature_of<decltype(&keys_test::repo::score)>::type,
                                int(const keys_test::repo&, int)>);
  REQUIRE(next(c, 2) == 2);
  REQUIRE(next(c, 2) == 2);  // cached
  REQUIRE(c.calls == 2);
  REQUIRE(next(c, 3) == 5);
}

namespace keys_test {
struct qualified {
  int a(int) & { return 1; }
  int b(int) const& noexcept { return 2; }
  int c(int) && { return 3; }
  int d(int) volatile { return 4; }
  int e(int) const noexcept { return 5; }
};
}  // namespace keys_test

TEST_CASE("member functions: every qualifier, and pointers to data members", "[keys][member]") {
  using keys_test::qualified;
  using cachet::detail::signature_of;
  STATIC_REQUIRE(std::is_same_v<signature_of<decltype(&qualified::a)>::type, int(qualified&, int)>);
  STATIC_REQUIRE(std::is_same_v<signature_of<decltype(&qualified::b)>::type, int(const qualified&, int)>);
  STATIC_REQUIRE(std::is_same_v<signature_of<decltype(&qualified::c)>::type, int(qualified&&, int)>);
  STATIC_REQUIRE(std::is_same_v<signature_of<decltype(&qualified::d)>::type, int(volatile qualified&, int)>);
  STATIC_REQUIRE(std::is_same_v<signature_of<decltype(&qualified::e)>::type, int(const qualified&, int)>);
  STATIC_REQUIRE(std::is_same_v<signature_of<decltype(&point::x)>::type, int(const point&)>);

  auto x_of = cachet::memoize(&point::x, cachet::lru{.capacity = 4});
  REQUIRE(x_of(point{3, 4}) == 3);
  REQUIRE(x_of.contains(point{3, 4}));
}

TEST_CASE("key_traits: key() inside containers and Hana structs, and with hashed_key", "[keys][user]") {
  using bound_t = cachet::tuple_key::bind<std::optional<std::vector<keys_test::counter>>>;
  STATIC_REQUIRE(std::is_same_v<bound_t::key_type, std::tuple<std::optional<std::vector<const keys_test::counter*>>>>);
  const keys_test::repo r(42);
  const cachet::hashed_key::bind<const keys_test::repo&> hashed(cachet::hashed_key{});
  const cachet::text_key::bind<const keys_test::repo&> text(cachet::text_key{});
  REQUIRE(text.make(r) == "42");
  REQUIRE(hashed.make(r).size() == 40);
}

// ---------------------------------------------------------------- ignore_args

namespace keys_test {

// [ignore_args]
std::string render(int page, std::ostream& log, const std::string& lang) {
  log << "rendering " << page << '\n';
  return std::to_string(page) + lang;
}
// [ignore_args]

}  // namespace keys_test

TEST_CASE("ignore_args: the ignored arguments are not part of the key", "[keys][ignore_args]") {
  std::ostringstream log;
  std::ostringstream other_log;
  // [ignore_args]
  // The log (argument 1) is not part of the key.
  auto pages = cachet::memoize(keys_test::render, cachet::lru{.capacity = 64},
                               cachet::ignore_args<1>::over(cachet::tuple_key{}));
  pages(3, log, "en");
  pages(3, other_log, "en");  // a hit
  // [ignore_args]
  REQUIRE(pages(3, log, "en") == "3en");
  REQUIRE(log.str() == "rendering 3\n");
  REQUIRE(other_log.str().empty());
  STATIC_REQUIRE(std::is_same_v<decltype(pages)::key_type, std::tuple<int, std::string>>);
  REQUIRE(pages.key(3, log, "en") == std::tuple<int, std::string>(3, "en"));
  REQUIRE(pages.contains(3, other_log, std::string_view("en")));

  // [ignore_args_text]
  auto texts = cachet::memoize(keys_test::render, cachet::dict{}, cachet::cereal_binary{},
                               cachet::ignore_args<1>::over(cachet::text_key{"page"}));
  // [ignore_args_text]
  REQUIRE(texts(4, log, "fr") == "4fr");
  REQUIRE(texts.key(4, other_log, "fr") == "page:4:fr");
  REQUIRE(texts.contains(4, other_log, "fr"));
}

TEST_CASE("ignore_args: several positions; the named adaptor type; the default key", "[keys][ignore_args]") {
  const cachet::ignore_args_over<cachet::text_key, 0, 2> policy{cachet::text_key{"p"}};
  const decltype(policy)::bind<std::ostream&, int, const std::string&, std::string> bound(policy);
  std::ostringstream log;
  REQUIRE(bound.make(log, 1, "x", "y") == "p:1:y");
  REQUIRE(bound.lookup(log, 1, "x", "y") == "p:1:y");

  const auto all_ignored = cachet::ignore_args<0>::over(cachet::tuple_key{});
  const decltype(all_ignored)::bind<std::ostream&> none(all_ignored);
  REQUIRE(none.make(log) == std::tuple<>());

  // With the inner key left to the storage: the wrapper resolves it so.
  using cachet::detail::with_default_key_t;
  STATIC_REQUIRE(std::is_same_v<with_default_key_t<cachet::ignore_args<1>, cachet::tuple_key>,
                                cachet::ignore_args_over<cachet::tuple_key, 1>>);
  STATIC_REQUIRE(std::is_same_v<with_default_key_t<cachet::ignore_args<0, 2>, cachet::text_key>,
                                cachet::ignore_args_over<cachet::text_key, 0, 2>>);
  STATIC_REQUIRE(std::is_same_v<with_default_key_t<cachet::text_key, cachet::tuple_key>, cachet::text_key>);
  STATIC_REQUIRE(std::is_same_v<with_default_key_t<cachet::ignore_args_over<cachet::text_key, 1>, cachet::tuple_key>,
                                cachet::ignore_args_over<cachet::text_key, 1>>);
  using resolved = with_default_key_t<cachet::ignore_args<1>, cachet::tuple_key>;
  const resolved::bind<int, std::ostream&> from_default(cachet::ignore_args<1>{});  // as the wrapper builds it
  REQUIRE(from_default.make(7, log) == std::tuple<int>(7));
  STATIC_REQUIRE(cachet::key_policy_for<resolved, int, std::ostream&>);
}

// ------------------------------------------------------ BOOST_HANA_ADAPT_STRUCT

namespace keys_test {
struct adapted {
  int number;
  std::string name;
};
}  // namespace keys_test
BOOST_HANA_ADAPT_STRUCT(keys_test::adapted, number, name);

TEST_CASE("user argument types: structs adapted with BOOST_HANA_ADAPT_STRUCT", "[keys][user]") {
  using keys_test::adapted;
  CHECK(text_of<adapted>(adapted{1, "a:b"}) == "p:(1,a\\:b)");
  using bound_t = cachet::tuple_key::bind<adapted>;
  const bound_t bound(cachet::tuple_key{});
  REQUIRE(bound_t::key_equal{}(bound.make(adapted{1, "x"}), bound.make(adapted{1, "x"})));
  REQUIRE(bound_t::hasher{}(bound.make(adapted{1, "x"})) == bound_t::hasher{}(bound.make(adapted{1, "x"})));
  REQUIRE_FALSE(bound_t::key_equal{}(bound.make(adapted{1, "x"}), bound.make(adapted{2, "x"})));
}

TEST_CASE("float arguments: -0.0 and 0.0 are two keys, every NaN is one", "[keys][float]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double negative_nan = -std::numeric_limits<double>::quiet_NaN();
  int calls = 0;
  const auto inverse = [&calls](double x) { return ++calls, 1.0 / x; };

  SECTION("tuple_key (lru)") {
    auto f = cachet::memoize(inverse, cachet::lru{.capacity = 200});
    CHECK(f(0.0) == std::numeric_limits<double>::infinity());
    CHECK(f(-0.0) == -std::numeric_limits<double>::infinity());  // not the stored f(0.0)
    CHECK(calls == 2);
    for (int i = 0; i < 100; ++i) f(static_cast<double>(i + 1));  // 100 hot keys
    calls = 0;
    for (int i = 0; i < 100; ++i) CHECK(std::isnan(f(i % 2 == 0 ? nan : negative_nan)));
    CHECK(calls == 1);  // one NaN entry, found by every later NaN call
    CHECK(f.storage().size() == 103);
    calls = 0;
    for (int i = 0; i < 100; ++i) f(static_cast<double>(i + 1));
    CHECK(calls == 0);  // NaN calls flushed none of them
  }
  SECTION("text_key (dict with a byte coder)") {
    auto f = cachet::memoize(inverse, cachet::dict{}, cachet::cereal_binary{});
    CHECK(f.key(0.0) != f.key(-0.0));
    CHECK(f.key(nan) == f.key(negative_nan));
    CHECK(f.key(nan) == "nan");
    for (int i = 0; i < 1000; ++i) f(nan);
    CHECK(calls == 1);
    CHECK(f.storage().size() == 1);
    CHECK(f(-0.0) == -std::numeric_limits<double>::infinity());
    CHECK(f(0.0) == std::numeric_limits<double>::infinity());
    CHECK(f.storage().size() == 3);
  }
  SECTION("inside containers and optionals, and for float") {
    using bound_t = cachet::tuple_key::bind<const std::vector<double>&, std::optional<float>>;
    const bound_t bound(cachet::tuple_key{});
    const bound_t::key_equal equal;
    const bound_t::hasher hash;
    const std::optional<float> fnan = std::numeric_limits<float>::quiet_NaN();
    const std::optional<float> fzero = 0.0f, fnegzero = -0.0f;
    const std::vector<double> a{nan, 0.0}, b{negative_nan, 0.0}, c{nan, -0.0};
    CHECK(equal(bound.make(a, fnan), bound.make(b, fnan)));
    CHECK(hash(bound.make(a, fnan)) == hash(bound.make(b, fnan)));
    CHECK_FALSE(equal(bound.make(a, fnan), bound.make(c, fnan)));
    CHECK_FALSE(equal(bound.make(a, fzero), bound.make(a, fnegzero)));
    CHECK(hash(bound.make(a, fzero)) != hash(bound.make(a, fnegzero)));
    const cachet::hashed_key::bind<double> hashed(cachet::hashed_key{});
    CHECK(hashed.make(0.0) != hashed.make(-0.0));
    CHECK(hashed.make(nan) == hashed.make(negative_nan));
  }
}
