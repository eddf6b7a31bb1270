// The error-policy family: propagate_errors (default) and fail_open.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

namespace {

// A byte storage whose every access fails while `down` is set.
struct flaky_storage {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;
  bool* down = nullptr;

  template <class Spec>
  struct store_type {
    using key_type = std::string;
    using value_type = std::string;
    explicit store_type(const flaky_storage& p) : down(p.down) {}
    void check() const {
      if (*down) throw cachet::backend_error("connection refused", "flaky");
    }
    std::optional<std::string> get(const std::string& k, cachet::time_point) {
      check();
      auto it = map.find(k);
      return it == map.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    void set(std::string&& k, std::string&& v, cachet::time_point) {
      check();
      map[std::move(k)] = std::move(v);
    }
    bool erase(const std::string& k) {
      check();
      return map.erase(k) != 0;
    }
    bool contains(const std::string& k, cachet::time_point) {
      check();
      return map.count(k) != 0;
    }
    bool touch(const std::string& k, cachet::time_point, cachet::time_point) { return contains(k, {}); }
    std::size_t size() const { return map.size(); }
    void clear() { map.clear(); }
    std::string name() const { return "flaky"; }
    bool* down;
    std::map<std::string, std::string> map;
  };
};

int calls = 0;
int twice(int x) {
  ++calls;
  return 2 * x;
}

}  // namespace

TEST_CASE("by default a storage failure reaches the caller", "[error_policy]") {
  bool down = true;
  auto f = cachet::memoize(twice, flaky_storage{&down});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::error_policy_type, cachet::propagate_errors>);
  CHECK_THROWS_AS(f(1), cachet::backend_error);
  CHECK_THROWS_AS(f.get(1), cachet::backend_error);
  CHECK_THROWS_AS(f.erase(1), cachet::backend_error);
}

TEST_CASE("fail_open turns a failing storage into misses and reports each failure", "[error_policy]") {
  bool down = false;
  std::vector<std::string> reported;
  auto f = cachet::memoize(twice, flaky_storage{&down},
                           cachet::fail_open{.on_error = [&](const cachet::error& e) { reported.push_back(e.what()); }});
  calls = 0;
  CHECK(f(1) == 2);
  CHECK(f(1) == 2);
  CHECK(calls == 1);  // served from the storage while it works

  down = true;
  CHECK(f(1) == 2);  // a miss: the function runs, its result is returned
  CHECK(calls == 2);
  CHECK_FALSE(f.get(1).has_value());
  CHECK_FALSE(f.contains(1));
  CHECK_FALSE(f.erase(1));
  CHECK_FALSE(f.touch(1));
  f.set(5, 2);  // skipped
  CHECK(f.update(3) == 6);
  const std::vector<int> batch{1, 2, 3};
  CHECK(f.get_many(batch) == std::vector<std::optional<int>>(3));
  CHECK(f.get_or_update_many(batch) == std::vector<int>{2, 4, 6});
  CHECK(f.contains_many(batch) == std::vector<bool>(3, false));
  CHECK(f.erase_many(batch) == std::vector<bool>(3, false));
  CHECK(f.touch_many(batch) == std::vector<bool>(3, false));
  CHECK(reported.size() >= 12);
  CHECK(reported.front().find("connection refused") != std::string::npos);

  down = false;  // nothing stored while down was lost
  CHECK(f.get(1) == 2);
}

TEST_CASE("fail_open treats an undecodable entry as a miss and replaces it", "[error_policy]") {
  int reported = 0;
  auto f = cachet::memoize(twice, cachet::dict{}, cachet::cereal_binary{},
                           cachet::fail_open{.on_error = [&](const cachet::error& e) {
                             ++reported;
                             CHECK(dynamic_cast<const cachet::invalid_data*>(&e) != nullptr);
                           }});
  f(1);
  f(2);
  f.storage().set(f.key(1), "not cereal bytes", cachet::no_deadline);
  CHECK_FALSE(f.get(1).has_value());
  CHECK(reported == 1);

  // In a batch only the bad entry is a miss.
  const auto found = f.get_many(std::vector<int>{1, 2});
  CHECK_FALSE(found[0].has_value());
  CHECK(found[1] == 4);

  calls = 0;
  CHECK(f(1) == 2);  // recomputed and stored over the bad bytes
  CHECK(calls == 1);
  CHECK(f.get(1) == 2);
}

TEST_CASE("fail_open never swallows the function's own exceptions", "[error_policy]") {
  auto f = cachet::memoize([](int) -> int { throw cachet::backend_error("from the function"); }, cachet::lru{},
                           cachet::fail_open{});
  CHECK_THROWS_WITH(f(1), Catch::Contains("from the function"));
}

TEST_CASE("two error policies are rejected at compile time", "[error_policy]") {
  STATIC_REQUIRE(cachet::detail::family_count<cachet::family::error_policy, cachet::fail_open, cachet::lru> == 1);
  STATIC_REQUIRE(cachet::error_policy<cachet::fail_open>);
  STATIC_REQUIRE(cachet::error_policy<cachet::propagate_errors>);
  STATIC_REQUIRE_FALSE(cachet::error_policy<cachet::lru>);
}

namespace {

// A storage whose store cannot be opened while `down` is set (a database
// that is not there yet); counts the attempts.
struct refusing_storage {
  using cachet_family = cachet::family::storage;
  bool* down = nullptr;
  int* attempts = nullptr;

  template <class Spec>
  struct store_type : std::map<typename Spec::key_type, typename Spec::value_type> {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(const refusing_storage& policy) {
      ++*policy.attempts;
      if (*policy.down) throw cachet::backend_error("cannot open", "refusing");
    }
    const value_type* get(const key_type& k, cachet::time_point) {
      const auto it = this->find(k);
      return it == this->end() ? nullptr : &it->second;
    }
    void set(key_type&& k, value_type&& v, cachet::time_point) { this->insert_or_assign(std::move(k), std::move(v)); }
    bool erase(const key_type& k) { return this->std::map<key_type, value_type>::erase(k) != 0; }
    bool contains(const key_type& k, cachet::time_point) { return this->count(k) != 0; }
    bool touch(const key_type& k, cachet::time_point, cachet::time_point) { return this->count(k) != 0; }
    std::string name() const { return "refusing"; }
  };
};

}  // namespace

TEST_CASE("fail_open covers opening: a store that cannot be opened is retried after reopen_after",
          "[error_policy][open]") {
  using namespace std::chrono_literals;
  bool down = true;
  int attempts = 0, calls = 0;
  std::vector<std::string> reported;
  cachet::manual_clock clock;
  const auto square = [&calls](int x) { return ++calls, x * x; };

  SECTION("propagate_errors: memoize throws") {
    CHECK_THROWS_AS(cachet::memoize(square, refusing_storage{&down, &attempts}), cachet::backend_error);
  }
  SECTION("fail_open: the cache is made, calls are computed and reported, opening is retried") {
    auto f = cachet::memoize(
        square, refusing_storage{&down, &attempts}, clock,
        cachet::fail_open{.on_error = [&](const cachet::error& e) { reported.push_back(e.what()); },
                          .reopen_after = 10s});
    CHECK(attempts == 1);
    CHECK(reported.size() == 1);
    CHECK(f(3) == 9);
    CHECK(f(3) == 9);
    CHECK(calls == 2);  // nothing stored
    CHECK_FALSE(f.contains(3));
    CHECK_THROWS_AS(f.storage(), cachet::backend_error);
    CHECK(attempts == 1);  // not retried before reopen_after

    down = false;
    clock.advance(9s);
    CHECK(f(3) == 9);
    CHECK(attempts == 1);
    clock.advance(1s);
    CHECK(f(3) == 9);  // opened now, and stored
    CHECK(attempts == 2);
    CHECK(f(3) == 9);
    CHECK(calls == 4);
    CHECK(f.contains(3));
    CHECK(f.storage().size() == 1);
  }
  SECTION("fail_open: a failed retry waits reopen_after again") {
    auto f = cachet::memoize(square, refusing_storage{&down, &attempts}, clock, cachet::fail_open{.reopen_after = 5s});
    clock.advance(5s);
    CHECK(f(2) == 4);
    CHECK(attempts == 2);
    clock.advance(4s);
    CHECK(f(2) == 4);
    CHECK(attempts == 2);
    down = false;
    clock.advance(1s);
    CHECK(f(2) == 4);
    CHECK(attempts == 3);
    CHECK(f.get(2) == 4);
  }
}

namespace {

// A typed storage that records the store_options the cache opened it with.
struct options_recording_storage {
  using cachet_family = cachet::family::storage;
  std::optional<std::chrono::nanoseconds>* seen = nullptr;

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    store_type(const options_recording_storage& p, const cachet::store_options& options) {
      *p.seen = options.lock_wait;
    }
    explicit store_type(const options_recording_storage& p) : store_type(p, cachet::store_options{}) {
      *p.seen = std::chrono::hours{1};  // tells that the options were not given
    }
    std::optional<value_type> get(const key_type&, cachet::time_point) { return std::nullopt; }
    void set(key_type&&, value_type&&, cachet::time_point) {}
    bool erase(const key_type&) { return false; }
    bool contains(const key_type&, cachet::time_point) { return false; }
    bool touch(const key_type&, cachet::time_point, cachet::time_point) { return false; }
    std::size_t size() const { return 0; }
    void clear() {}
    std::string name() const { return "recording"; }
  };
};

struct patient_policy {
  using cachet_family = cachet::family::error_policy;
  static constexpr bool fails_open = false;
  std::chrono::seconds lock_wait{3};
  void report(const cachet::error&) const {}
};

}  // namespace

TEST_CASE("the error policy's lock_wait reaches stores that take store_options", "[error_policy]") {
  using namespace std::chrono_literals;
  CHECK_FALSE(cachet::error_policy_traits<cachet::propagate_errors>::lock_wait({}).has_value());
  CHECK(cachet::error_policy_traits<cachet::fail_open>::lock_wait({}) == 100ms);
  CHECK(cachet::error_policy_traits<cachet::fail_open>::lock_wait({.lock_wait = 7ms}) == 7ms);
  std::optional<std::chrono::nanoseconds> seen;
  const auto id = [](int x) { return x; };
  { [[maybe_unused]] auto f = cachet::memoize(id, options_recording_storage{&seen}); }
  CHECK_FALSE(seen.has_value());  // propagate_errors: no bound beyond the store's own
  { [[maybe_unused]] auto f = cachet::memoize(id, options_recording_storage{&seen}, cachet::fail_open{.lock_wait = 20ms}); }
  CHECK(seen == 20ms);
  { [[maybe_unused]] auto f = cachet::memoize(id, options_recording_storage{&seen}, patient_policy{}); }
  CHECK(seen == 3s);
}
