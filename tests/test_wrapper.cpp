// tests/test_wrapper.cpp: cachet::cached and cachet::memoize themselves:
// what can be memoized, the type memoize returns, argument conversions,
// reference results, policy order and defaults, at(), and with_storage.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

using namespace std::chrono_literals;

namespace {

int free_calls = 0;
int twice(int x) {
  ++free_calls;
  return 2 * x;
}
int thrice(int x) noexcept { return 3 * x; }

std::string names[] = {"zero", "one", "two"};
const std::string& name_of(int i) { return names[i]; }
int counter = 0;
int& counter_ref(int) { return ++counter; }

//! A function object with state and a non-const call operator.
struct accumulate {
  int total = 0;
  int operator()(int x) { return total += x; }
};

struct price_list {
  int lookups = 0;
  int price(int id) {
    ++lookups;
    return 100 + id;
  }
};

//! A lock that records whether it is held, to see when the wrapper locks.
struct recording_lock {
  static inline bool held = false;
  static inline int locks = 0;
  void lock() {
    held = true;
    ++locks;
  }
  void unlock() { held = false; }
};
struct recording_sync {
  using cachet_family = cachet::family::sync;
  using lock_type = recording_lock;
};

}  // namespace

TEST_CASE("wrapper: free functions and function pointers", "[wrapper]") {
  free_calls = 0;
  auto f = cachet::memoize(twice, cachet::lru{});
  STATIC_REQUIRE(std::is_same_v<decltype(f), cachet::cached<int (*)(int), cachet::lru>>);
  CHECK(f(3) == 6);
  CHECK(f(3) == 6);
  CHECK(free_calls == 1);

  int (*pointer)(int) = &twice;
  auto g = cachet::memoize(pointer, cachet::dict{});
  STATIC_REQUIRE(std::is_same_v<decltype(g), cachet::cached<int (*)(int), cachet::dict>>);
  CHECK(g(3) == 6);  // a cache of its own
  CHECK(free_calls == 2);

  auto h = cachet::memoize(&thrice, cachet::lru{});
  STATIC_REQUIRE(std::is_same_v<decltype(h)::value_type, int>);
  CHECK(h(4) == 12);
  CHECK(h.contains(4));
}

TEST_CASE("wrapper: lambdas, and the type memoize returns", "[wrapper]") {
  int calls = 0;
  auto square = [&calls](int x) { ++calls; return x * x; };
  auto f = cachet::memoize(square, cachet::lru{.capacity = 8}, cachet::expire_after_write{1min});
  STATIC_REQUIRE(
      std::is_same_v<decltype(f), cachet::cached<decltype(square), cachet::lru, cachet::expire_after_write>>);
  const cachet::dict policy;
  auto g = cachet::memoize(square, policy, cachet::unsynchronized{});  // policies by lvalue, const
  STATIC_REQUIRE(std::is_same_v<decltype(g), cachet::cached<decltype(square), cachet::dict, cachet::unsynchronized>>);
  CHECK(f(5) == 25);
  CHECK(f(5) == 25);
  CHECK(g(5) == 25);
  CHECK(calls == 2);
}

TEST_CASE("wrapper: a function object with state keeps it in the wrapper", "[wrapper]") {
  accumulate original;
  auto f = cachet::memoize(original, cachet::lru{});
  CHECK(f(1) == 1);
  CHECK(f(2) == 3);
  CHECK(f(1) == 1);  // a hit: the state does not move
  CHECK(f.update(1) == 4);
  CHECK(f.execute(10) == 14);
  CHECK(f(10) == 24);
  CHECK(f.get(1) == std::optional<int>(4));
  CHECK(original.total == 0);  // memoize copied it
}

TEST_CASE("wrapper: a member function through a lambda", "[wrapper]") {
  price_list prices;
  auto f = cachet::memoize([&prices](int id) { return prices.price(id); }, cachet::dict{});
  CHECK(f(1) == 101);
  CHECK(f(1) == 101);
  CHECK(f(2) == 102);
  CHECK(prices.lookups == 2);
}

TEST_CASE("wrapper: memoize<Signature> names one signature of a generic callable", "[wrapper]") {
  int calls = 0;
  auto f = cachet::memoize<long(int)>([&calls](auto x) { ++calls; return x * 2L; }, cachet::lru{});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::value_type, long>);
  STATIC_REQUIRE(std::is_same_v<decltype(f)::key_type, std::tuple<int>>);
  CHECK(f(21) == 42L);
  CHECK(f(short{21}) == 42L);
  CHECK(calls == 1);

  struct overloaded {
    int operator()(int x) const { return x; }
    std::string operator()(const std::string& s) const { return s + s; }
  };
  auto g = cachet::memoize<std::string(const std::string&)>(overloaded{}, cachet::dict{});
  STATIC_REQUIRE(std::is_same_v<decltype(g)::value_type, std::string>);
  CHECK(g("ab") == "abab");
  CHECK(g.contains(std::string_view("ab")));
}

TEST_CASE("wrapper: arguments convert to the parameter types, keyed alike", "[wrapper]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return x + 1; }, cachet::lru{});
  const short s = 3;
  CHECK(f(s) == 4);
  CHECK(f(3) == 4);
  CHECK(f(3L) == 4);
  CHECK(f.get(s) == std::optional<int>(4));
  CHECK(f.key(s) == f.key(3));
  CHECK(calls == 1);

  auto g = cachet::memoize([&calls](double x) { ++calls; return x / 2; }, cachet::dict{});
  CHECK(g(3) == 1.5);
  CHECK(g(3.0) == 1.5);
  CHECK(g.contains(3.0f));
  CHECK(calls == 2);
}

TEST_CASE("wrapper: reference results are cached as values", "[wrapper]") {
  auto f = cachet::memoize(name_of, cachet::dict{});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::value_type, std::string>);
  STATIC_REQUIRE(std::is_same_v<decltype(f(0)), std::string>);
  CHECK(f(0) == "zero");
  names[0] = "changed";
  CHECK(f(0) == "zero");  // a copy was kept
  CHECK(f.update(0) == "changed");
  names[0] = "zero";

  auto g = cachet::memoize(counter_ref, cachet::lru{});
  STATIC_REQUIRE(std::is_same_v<decltype(g)::value_type, int>);
  CHECK(g(1) == 1);
  counter = 50;
  CHECK(g(1) == 1);
}

namespace {

// The same script on a cache of capacity 2 with a 10s expire_after_write.
template <class Cache>
std::vector<int> run_script(Cache& f, cachet::manual_clock& clock) {
  std::vector<int> trace;
  trace.push_back(f(1));
  trace.push_back(f(2));
  trace.push_back(f(3));  // evicts 1
  trace.push_back(f.contains(1));
  clock.advance(9s);
  trace.push_back(f.contains(2));
  clock.advance(1s);
  trace.push_back(f.contains(2));
  trace.push_back(static_cast<int>(f.storage().size()));
  trace.push_back(static_cast<int>(f.storage().capacity()));
  return trace;
}

}  // namespace

TEST_CASE("wrapper: policies given in any order behave the same", "[wrapper]") {
  cachet::manual_clock clock;
  int calls = 0;
  auto fn = [&calls](int x) { ++calls; return 10 * x; };
  auto a = cachet::memoize(fn, cachet::lru{.capacity = 2}, cachet::expire_after_write{10s}, clock,
                           cachet::unsynchronized{}, cachet::sequential{});
  auto b = cachet::memoize(fn, cachet::sequential{}, cachet::unsynchronized{}, clock, cachet::expire_after_write{10s},
                           cachet::lru{.capacity = 2});
  using A = decltype(a);
  using B = decltype(b);
  STATIC_REQUIRE(std::is_same_v<A::storage_type, B::storage_type>);
  STATIC_REQUIRE(std::is_same_v<A::expiry_type, B::expiry_type>);
  STATIC_REQUIRE(std::is_same_v<A::clock_type, B::clock_type>);
  STATIC_REQUIRE(std::is_same_v<A::sync_type, B::sync_type>);
  STATIC_REQUIRE(std::is_same_v<A::bulk_type, B::bulk_type>);
  STATIC_REQUIRE(std::is_same_v<A::key_policy_type, B::key_policy_type>);
  STATIC_REQUIRE(std::is_same_v<A::coder_type, B::coder_type>);
  STATIC_REQUIRE(std::is_same_v<A::store_type, B::store_type>);
  STATIC_REQUIRE(std::is_same_v<B::bulk_type, cachet::sequential>);

  const std::vector<int> expected{10, 20, 30, 0, 1, 0, 1, 2};
  CHECK(run_script(a, clock) == expected);
  CHECK(run_script(b, clock) == expected);
  CHECK(calls == 6);
}

TEST_CASE("wrapper: families not named get their defaults", "[wrapper]") {
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{});
  using F = decltype(f);
  STATIC_REQUIRE(std::is_same_v<F::storage_type, cachet::lru>);
  STATIC_REQUIRE(std::is_same_v<F::sync_type, cachet::mutex>);
  STATIC_REQUIRE(std::is_same_v<F::expiry_type, cachet::never>);
  STATIC_REQUIRE(std::is_same_v<F::key_policy_type, cachet::tuple_key>);
  STATIC_REQUIRE(std::is_same_v<F::coder_type, cachet::identity>);
  STATIC_REQUIRE(std::is_same_v<F::clock_type, cachet::system_clock>);
  STATIC_REQUIRE(std::is_same_v<F::bulk_type, cachet::batched>);
  STATIC_REQUIRE(std::is_same_v<F::key_type, std::tuple<int>>);
  CHECK(f.storage().capacity() == cachet::lru{}.capacity);

  auto g = cachet::memoize([](int x) { return x; }, cachet::dict{});
  using G = decltype(g);
  STATIC_REQUIRE(std::is_same_v<G::sync_type, cachet::mutex>);
  STATIC_REQUIRE(std::is_same_v<G::expiry_type, cachet::never>);
  STATIC_REQUIRE(std::is_same_v<G::coder_type, cachet::identity>);
  STATIC_REQUIRE(std::is_same_v<G::key_policy_type, cachet::tuple_key>);

  auto h = cachet::memoize([](int x) { return x; }, cachet::dict{}, cachet::cereal_binary{});
  using H = decltype(h);
  STATIC_REQUIRE(std::is_same_v<H::key_policy_type, cachet::text_key>);  // a byte coder: text keys
  STATIC_REQUIRE(std::is_same_v<H::key_type, std::string>);
  CHECK(h.key(12) == "12");
}

TEST_CASE("wrapper: at() returns a live value or throws entry_not_found naming the key", "[wrapper]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](int n, const std::string& s) { ++calls; return s + std::to_string(n); },
                           cachet::lru{});
  f(1, "one");
  CHECK(f.at(1, "one") == "one1");
  try {
    (void)f.at(7, "seven");
    FAIL("at() found an entry that was never stored");
  } catch (const cachet::entry_not_found& e) {
    CHECK(e.storage() == "lru");
    CHECK_THAT(e.key(), Catch::Matchers::Contains("7") && Catch::Matchers::Contains("seven"));
    CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(e.key()) && Catch::Matchers::Contains("lru"));
  }
  CHECK(calls == 1);  // at() never computes
  CHECK_FALSE(f.contains(7, "seven"));

  auto g = cachet::memoize([](int n, const std::string& s) { return s + std::to_string(n); }, cachet::dict{},
                           cachet::cereal_binary{});
  try {
    (void)g.at(7, "seven");
    FAIL("at() found an entry that was never stored");
  } catch (const cachet::error& e) {  // entry_not_found is a cachet::error
    CHECK(dynamic_cast<const cachet::entry_not_found*>(&e) != nullptr);
    CHECK(e.key() == "7:seven");
    CHECK(e.storage() == "dict");
  }
}

TEST_CASE("wrapper: with_storage runs under the lock; the function runs without it", "[wrapper]") {
  bool held_while_computing = true;
  auto f = cachet::memoize(
      [&held_while_computing](int x) {
        held_while_computing = recording_lock::held;
        return x;
      },
      cachet::lru{}, recording_sync{});
  CHECK(f(1) == 1);
  CHECK_FALSE(held_while_computing);
  CHECK_FALSE(recording_lock::held);

  const auto [held, size] = f.with_storage([](auto& s) { return std::pair{recording_lock::held, s.size()}; });
  CHECK(held);
  CHECK(size == 1u);
  CHECK_FALSE(recording_lock::held);

  auto& store = f.with_storage([](auto& s) -> auto& { return s; });  // a reference passes through
  CHECK(&store == &f.storage());

  const int before = recording_lock::locks;
  f.get_many(std::vector<int>{1, 2, 3, 4});
  f.contains_many(std::vector<int>{1, 2, 3, 4});
  CHECK(recording_lock::locks == before + 2);  // one lock per bulk call, not per key
}
