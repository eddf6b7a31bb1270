// Tests of the key policies: tuple_key, text_key, hashed_key, custom_key,
// ignore_args, and float arguments under each. Which argument types are
// keys, and member functions: test_key_arguments.cpp.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

#include "keys_test_types.hpp"

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
