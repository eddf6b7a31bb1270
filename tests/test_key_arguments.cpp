// Tests of which argument types are keys (containers, maps, optionals,
// Hana structs, in any mix; a property test over random argument lists),
// the ways a user type becomes an argument (key_traits, its key projection,
// Hana structs) and member functions. The key policies: test_keys.cpp.
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
