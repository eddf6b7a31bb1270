// Tests of user-written policies of each family but storage: a key policy,
// expiry policies, a clock, a sync policy (a counting lock, which also shows
// that no lock is held while the function runs) and bulk policies.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

using namespace std::chrono_literals;

namespace custom_test {

// ---- a key policy: strings compared without regard to case ----
struct case_blind_key {
  using cachet_family = cachet::family::key;
  std::string prefix;

  template <class... Params>
  struct bind {
    static_assert(sizeof...(Params) == 1, "case_blind_key keys one string argument");
    using key_type = std::string;
    struct hasher {
      using is_transparent = void;
      std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using key_equal = std::equal_to<>;

    explicit bind(const case_blind_key& policy) : prefix(policy.prefix) {}
    std::string make(std::string_view s) const {
      std::string out = prefix;
      for (const char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return out;
    }
    std::string lookup(std::string_view s) const { return make(s); }
    std::string prefix;
  };
};

// ---- an expiry policy: entries expire at the next whole minute ----
struct until_next_minute {
  using cachet_family = cachet::family::expiry;
  static constexpr bool expires = true;
  static constexpr bool renews_on_access = false;
  template <class... Value>
  cachet::time_point deadline(cachet::time_point now, const Value&...) const {
    return std::chrono::floor<std::chrono::minutes>(now) + 1min;
  }
};

// ---- an expiry policy from the value, without deadline(now): touch must
// read the value. Strings live one second per character.
struct by_length {
  using cachet_family = cachet::family::expiry;
  static constexpr bool expires = true;
  static constexpr bool renews_on_access = false;
  cachet::time_point deadline(cachet::time_point now, const std::string& v) const {
    return now + std::chrono::seconds{v.size()};
  }
};

// ---- a clock: simulated seconds in a shared double ----
struct simulated_clock {
  using cachet_family = cachet::family::clock;
  std::shared_ptr<double> seconds = std::make_shared<double>(1000.0);
  cachet::time_point now() const {
    return cachet::time_point{std::chrono::round<cachet::duration>(std::chrono::duration<double>(*seconds))};
  }
};

// ---- a sync policy: a lock that counts and checks its use ----
struct lock_stats {
  std::atomic<int> locks{0};
  std::atomic<int> unlocks{0};
  std::atomic<int> nested{0};
  std::atomic<bool> held{false};
};
inline lock_stats stats;

struct counting_lock {
  void lock() {
    if (stats.held.exchange(true)) ++stats.nested;
    ++stats.locks;
  }
  void unlock() {
    stats.held = false;
    ++stats.unlocks;
  }
};

struct counting_sync {
  using cachet_family = cachet::family::sync;
  using lock_type = counting_lock;
};

// ---- bulk policies, and a store with bulk members that counts its calls ----
struct batch_all {
  using cachet_family = cachet::family::bulk;
  static constexpr bool batches = true;
};
struct one_at_a_time {
  using cachet_family = cachet::family::bulk;
  static constexpr bool batches = false;
};

struct store_calls {
  int get = 0, set = 0, erase = 0, get_many = 0, set_many = 0, erase_many = 0;
};

template <class Spec>
class counted_map_store;

struct counted_map {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = true;
  std::shared_ptr<store_calls> calls = std::make_shared<store_calls>();
  template <class Spec>
  using store_type = counted_map_store<Spec>;
};

template <class Spec>
class counted_map_store {
 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  explicit counted_map_store(const counted_map& policy) : calls_(policy.calls) {}

  const value_type* get(const key_type& k, cachet::time_point now) {
    ++calls_->get;
    const auto it = map_.find(k);
    return it == map_.end() || it->second.second <= now ? nullptr : &it->second.first;
  }
  void set(key_type&& k, value_type&& v, cachet::time_point d) {
    ++calls_->set;
    map_.insert_or_assign(std::move(k), std::pair{std::move(v), d});
  }
  bool erase(const key_type& k) {
    ++calls_->erase;
    return map_.erase(k) != 0;
  }
  bool contains(const key_type& k, cachet::time_point now) {
    const auto it = map_.find(k);
    return it != map_.end() && it->second.second > now;
  }
  bool touch(const key_type& k, cachet::time_point now, cachet::time_point d) {
    if (!contains(k, now)) return false;
    map_[k].second = d;
    return true;
  }
  std::size_t size() const { return map_.size(); }
  void clear() { map_.clear(); }
  std::string name() const { return "counted_map"; }

  std::vector<std::optional<value_type>> get_many(std::span<const key_type> keys, cachet::time_point now) {
    ++calls_->get_many;
    std::vector<std::optional<value_type>> out;
    for (const auto& k : keys) {
      const auto it = map_.find(k);
      if (it != map_.end() && it->second.second > now)
        out.emplace_back(it->second.first);
      else
        out.emplace_back();
    }
    return out;
  }
  void set_many(std::span<cachet::entry<key_type, value_type>> entries) {
    ++calls_->set_many;
    for (auto& e : entries) map_.insert_or_assign(std::move(e.key), std::pair{std::move(e.value), e.deadline});
  }
  std::vector<bool> erase_many(std::span<const key_type> keys) {
    ++calls_->erase_many;
    std::vector<bool> out;
    for (const auto& k : keys) out.push_back(map_.erase(k) != 0);
    return out;
  }

 private:
  std::shared_ptr<store_calls> calls_;
  std::map<key_type, std::pair<value_type, cachet::time_point>> map_;
};

}  // namespace custom_test

using namespace custom_test;

TEST_CASE("custom key policy: case-blind string keys", "[custom][key]") {
  STATIC_REQUIRE(cachet::key_policy_for<case_blind_key, const std::string&>);
  int calls = 0;
  auto length = [&](const std::string& s) { ++calls; return s.size(); };
  auto f = cachet::memoize(length, cachet::lru{.capacity = 8}, case_blind_key{"len:"});
  REQUIRE(f("Hello") == 5);
  REQUIRE(f("HELLO") == 5);
  REQUIRE(f.contains("hello"));
  REQUIRE(f.key("HeLLo") == "len:hello");
  REQUIRE(calls == 1);
  REQUIRE(f.erase("hELLO"));
  REQUIRE(f.storage().size() == 0);

  auto g = cachet::memoize(length, cachet::dict{}, cachet::cereal_binary{}, case_blind_key{});
  REQUIRE(g("ABC") == 3);
  REQUIRE(g.get("abc") == std::optional<std::size_t>(3));
  REQUIRE(g.get_or_update_many(std::vector<std::tuple<std::string>>{{"aBc"}, {"xy"}}) ==
          std::vector<std::size_t>{3, 2});
  REQUIRE(calls == 3);
}

TEST_CASE("custom expiry policy: until the next whole minute", "[custom][expiry]") {
  STATIC_REQUIRE(cachet::expiry_policy_for<until_next_minute, int>);
  cachet::manual_clock clock;  // starts on a whole minute
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, until_next_minute{}, clock);
  clock.advance(30s);
  f(1);
  clock.advance(29s);
  REQUIRE(f.contains(1));
  REQUIRE(f.touch(1));  // touch recomputes: still the same minute boundary
  clock.advance(1s);
  REQUIRE_FALSE(f.contains(1));
  f(2);  // written exactly on the boundary: lives a whole minute
  clock.advance(59s);
  REQUIRE(f.contains(2));
}

TEST_CASE("custom expiry policy: a deadline from the value only", "[custom][expiry]") {
  cachet::manual_clock clock;
  auto f = cachet::memoize([](int n) { return std::string(static_cast<std::size_t>(n), 'x'); }, cachet::dict{},
                           by_length{}, clock);
  f(3);
  f(0);  // no life at all: not stored
  REQUIRE_FALSE(f.contains(0));
  clock.advance(2s);
  REQUIRE(f.touch(3));  // deadline now + 3s, computed from the value
  clock.advance(3s - 1ns);
  REQUIRE(f.contains(3));
  clock.advance(1ns);
  REQUIRE_FALSE(f.contains(3));
}

TEST_CASE("custom clock: expiry follows the user's clock", "[custom][clock]") {
  STATIC_REQUIRE(cachet::clock_policy<simulated_clock>);
  simulated_clock clock;
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{}, cachet::expire_after_write{2s}, clock);
  f(1);
  *clock.seconds += 1.5;
  REQUIRE(f.contains(1));
  *clock.seconds += 0.5;
  REQUIRE_FALSE(f.contains(1));
}

TEST_CASE("custom sync policy: locks balance and none is held while the function runs", "[custom][sync]") {
  stats.locks = stats.unlocks = stats.nested = 0;
  int held_during_call = 0;
  int calls = 0;
  auto f = cachet::memoize(
      [&](int x) {
        ++calls;
        if (stats.held) ++held_during_call;
        if (x < 0) throw std::invalid_argument("negative");
        return x * 2;
      },
      cachet::lru{.capacity = 4}, counting_sync{});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::sync_type, counting_sync>);
  const std::vector<std::tuple<int>> many{{1}, {2}, {3}};
  f(1);
  f(1);
  (void)f.get(2);
  f.update(2);
  f.set(6, 3);
  (void)f.contains(3);
  (void)f.touch(3);
  (void)f.erase(3);
  f.get_or_update_many(many);
  f.update_many(many);
  (void)f.get_many(many);
  (void)f.contains_many(many);
  (void)f.touch_many(many);
  (void)f.erase_many(many);
  f.set_many(many, std::vector<int>{2, 4, 6});
  REQUIRE_THROWS_AS(f(-1), std::invalid_argument);
  REQUIRE_THROWS_AS(f.update_many(std::vector<std::tuple<int>>{{5}, {-1}}), std::invalid_argument);
  (void)f.with_storage([](auto& s) { return s.size(); });
  auto copy = f;  // a copy has its own lock: it takes none on copying
  copy(9);

  REQUIRE(calls > 5);
  REQUIRE(held_during_call == 0);
  REQUIRE(stats.nested == 0);
  REQUIRE(stats.locks > 15);
  REQUIRE(stats.locks == stats.unlocks);
  REQUIRE_FALSE(stats.held);
}

TEMPLATE_TEST_CASE("custom bulk policies: batches decides whether the store's bulk members are used", "[custom][bulk]",
                   batch_all, one_at_a_time) {
  counted_map storage;
  auto f = cachet::memoize([](int x) { return x + 100; }, storage, TestType{});
  const std::vector<std::tuple<int>> many{{1}, {2}, {3}, {4}};
  f.set_many(std::vector<std::tuple<int>>{{1}, {2}}, std::vector<int>{101, 102});
  REQUIRE(f.get_many(many) == std::vector<std::optional<int>>{101, 102, std::nullopt, std::nullopt});
  REQUIRE(f.get_or_update_many(many) == std::vector<int>{101, 102, 103, 104});
  REQUIRE(f.erase_many(many) == std::vector<bool>{true, true, true, true});
  REQUIRE(f.storage().size() == 0);

  const store_calls& c = *storage.calls;
  if constexpr (TestType::batches) {
    CHECK(c.set_many == 2);  // set_many, get_or_update_many's writes
    CHECK(c.get_many == 2);  // get_many, get_or_update_many's reads
    CHECK(c.erase_many == 1);
    CHECK(c.get + c.set + c.erase == 0);
  } else {
    CHECK(c.set_many + c.get_many + c.erase_many == 0);
    CHECK(c.set == 4);
    CHECK(c.get == 8);
    CHECK(c.erase == 4);
  }
}
