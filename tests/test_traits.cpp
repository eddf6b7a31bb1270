// Tests of cachet::storage_traits and cachet::expiry_traits: their defaults,
// the policy members and specialisations that change them, and what the
// wrapper does with each (no lock around a thread-safe store, owning keys
// without heterogeneous lookup, one call per key without native bulk,
// touch reading the value of a value-dependent expiry, get_and_touch and
// the batch members contains_many and touch_many).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>
#include <cachet/storage/files.hpp>

namespace {

using namespace std::chrono_literals;

// A sync policy that counts how often the wrapper takes its lock.
struct counting_sync {
  using cachet_family = cachet::family::sync;
  struct lock_type {
    static inline std::atomic<int> taken{0};
    void lock() { ++taken; }
    void unlock() {}
  };
};

// A store over std::map that takes only `const key_type&` (no
// heterogeneous lookup) and records the key types it was asked with.
template <class Spec>
struct map_store {
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  template <class P>
  explicit map_store(const P&) {}
  const value_type* get(const key_type& k, cachet::time_point now) {
    const auto it = map.find(k);
    if (it == map.end() || it->second.second <= now) return nullptr;
    return &it->second.first;
  }
  void set(key_type&& k, value_type&& v, cachet::time_point d) { map.insert_or_assign(std::move(k), std::pair{std::move(v), d}); }
  bool erase(const key_type& k) { return map.erase(k) != 0; }
  bool contains(const key_type& k, cachet::time_point now) { return get(k, now) != nullptr; }
  bool touch(const key_type& k, cachet::time_point now, cachet::time_point d) {
    const auto it = map.find(k);
    if (it == map.end() || it->second.second <= now) return false;
    it->second.second = d;
    return true;
  }
  std::size_t size() const { return map.size(); }
  void clear() { map.clear(); }
  std::string name() const { return "map_store"; }
  std::map<key_type, std::pair<value_type, cachet::time_point>> map;
};

// Declares itself safe to call from several threads (as a pooled remote
// store would), on the policy.
struct shared_storage {
  using cachet_family = cachet::family::storage;
  static constexpr bool thread_safe = true;
  static constexpr bool own_expiry = true;
  template <class Spec>
  using store_type = map_store<Spec>;
};

struct plain_storage {
  using cachet_family = cachet::family::storage;
  template <class Spec>
  using store_type = map_store<Spec>;
};

// A policy that cannot be changed: its traits are specialised instead.
struct vendor_storage {
  using cachet_family = cachet::family::storage;
  template <class Spec>
  using store_type = map_store<Spec>;
};

// A byte store with bulk members that count their calls.
struct bulk_bytes {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;
  template <class Spec>
  struct store_type : map_store<Spec> {
    using map_store<Spec>::map_store;
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    static inline int bulk_calls = 0;
    std::vector<std::optional<value_type>> get_many(std::span<const key_type> keys, cachet::time_point now) {
      ++bulk_calls;
      std::vector<std::optional<value_type>> out;
      for (const auto& k : keys) {
        const auto* v = this->get(k, now);
        out.push_back(v ? std::optional<value_type>(*v) : std::nullopt);
      }
      return out;
    }
    void set_many(std::span<cachet::entry<key_type, value_type>> entries) {
      ++bulk_calls;
      for (auto& e : entries) this->set(std::move(e.key), std::move(e.value), e.deadline);
    }
    std::vector<bool> erase_many(std::span<const key_type> keys) {
      ++bulk_calls;
      std::vector<bool> out;
      for (const auto& k : keys) out.push_back(this->erase(k));
      return out;
    }
  };
};

// The same store, with its bulk members switched off by a specialisation.
struct bulk_bytes_unused : bulk_bytes {};

// A remote-like store whose get can renew (GETEX) and which answers
// contains and touch for a batch in one call; every call is counted.
struct renewing_bytes {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;
  template <class Spec>
  struct store_type : bulk_bytes::store_type<Spec> {
    using bulk_bytes::store_type<Spec>::store_type;
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    static inline std::map<std::string, int> calls;
    const value_type* get(const key_type& k, cachet::time_point now) {
      ++calls["get"];
      return map_store<Spec>::get(k, now);
    }
    bool touch(const key_type& k, cachet::time_point now, cachet::time_point d) {
      ++calls["touch"];
      return map_store<Spec>::touch(k, now, d);
    }
    std::optional<value_type> get_and_touch(const key_type& k, cachet::time_point now, cachet::time_point d) {
      ++calls["get_and_touch"];
      const auto* v = map_store<Spec>::get(k, now);
      if (v == nullptr) return std::nullopt;
      map_store<Spec>::touch(k, now, d);
      return *v;
    }
    std::vector<bool> contains_many(std::span<const key_type> keys, cachet::time_point now) {
      ++calls["contains_many"];
      std::vector<bool> out;
      for (const auto& k : keys) out.push_back(map_store<Spec>::get(k, now) != nullptr);
      return out;
    }
    std::vector<bool> touch_many(std::span<const key_type> keys, cachet::time_point now, cachet::time_point d) {
      ++calls["touch_many"];
      std::vector<bool> out;
      for (const auto& k : keys) out.push_back(map_store<Spec>::touch(k, now, d));
      return out;
    }
  };
};

// Only the minimal definition: deadline(now, value).
struct ttl_from_value {
  using cachet_family = cachet::family::expiry;
  cachet::time_point deadline(cachet::time_point now, int value) const { return now + std::chrono::seconds{value}; }
};

}  // namespace

template <>
struct cachet::storage_traits<vendor_storage> : cachet::default_storage_traits<vendor_storage> {
  static constexpr bool thread_safe = true;
};

template <>
struct cachet::storage_traits<bulk_bytes_unused> : cachet::default_storage_traits<bulk_bytes_unused> {
  template <class Store>
  static constexpr bool native_bulk = false;
};

TEST_CASE("storage_traits: defaults, read from the policy, or specialised", "[traits][storage]") {
  using lru_traits = cachet::storage_traits<cachet::lru>;
  STATIC_REQUIRE(lru_traits::typed);
  STATIC_REQUIRE_FALSE(lru_traits::thread_safe);
  STATIC_REQUIRE_FALSE(lru_traits::own_expiry);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<cachet::files>::typed);
  STATIC_REQUIRE(cachet::storage_traits<plain_storage>::typed);  // typed defaults to true

  STATIC_REQUIRE(cachet::storage_traits<shared_storage>::thread_safe);
  STATIC_REQUIRE(cachet::storage_traits<shared_storage>::own_expiry);
  STATIC_REQUIRE(cachet::storage_traits<vendor_storage>::thread_safe);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<vendor_storage>::own_expiry);

  // Detected on the store: lookups by views, and bulk members.
  using spec =
      cachet::entry_spec<std::tuple<std::string>, int, cachet::detail::value_hash, cachet::detail::value_equal, false>;
  using view = std::tuple<std::string_view>;
  STATIC_REQUIRE(lru_traits::heterogeneous_lookup<cachet::store_for<cachet::lru, spec>, view>);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<plain_storage>::heterogeneous_lookup<map_store<spec>, view>);
  STATIC_REQUIRE_FALSE(lru_traits::native_bulk<cachet::store_for<cachet::lru, spec>>);
  using bytes = cachet::entry_spec<std::string, std::string, std::hash<std::string>, std::equal_to<>, true>;
  STATIC_REQUIRE(cachet::storage_traits<bulk_bytes>::native_bulk<bulk_bytes::store_type<bytes>>);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<bulk_bytes_unused>::native_bulk<bulk_bytes::store_type<bytes>>);
}

TEST_CASE("storage_traits: a thread-safe store is called without the wrapper's lock", "[traits][storage][sync]") {
  auto& taken = counting_sync::lock_type::taken;
  int calls = 0;
  const auto twice = [&calls](int x) { return ++calls, 2 * x; };

  auto locked = cachet::memoize(twice, plain_storage{}, counting_sync{});
  taken = 0;
  CHECK(locked(1) == 2);       // a find and a write: the lock twice
  CHECK(locked.get(1) == 2);
  CHECK(locked.contains(1));
  CHECK(locked.erase(1));
  CHECK(taken == 5);

  for (auto shared_or_vendor : {0, 1}) {
    taken = 0;
    auto run = [&](auto f) {
      CHECK(f(1) == 2);
      CHECK(f.get(1) == 2);
      CHECK(f.contains(1));
      CHECK(f.touch(1));
      f.set(7, 3);
      CHECK(f.get_many(std::vector<std::tuple<int>>{{1}, {3}}) == std::vector<std::optional<int>>{2, 7});
      CHECK(f.erase(1));
      CHECK(taken == 0);
      f.with_storage([](auto& store) { return store.size(); });  // exclusive access still locks
      CHECK(taken == 1);
    };
    if (shared_or_vendor == 0)
      run(cachet::memoize(twice, shared_storage{}, counting_sync{}));
    else
      run(cachet::memoize(twice, vendor_storage{}, counting_sync{}));
  }
}

TEST_CASE("storage_traits: without heterogeneous lookup the store gets owning keys", "[traits][storage]") {
  int calls = 0;
  auto f = cachet::memoize([&calls](const std::string& s, int n) { return ++calls, s.size() + n; }, plain_storage{});
  const std::string_view view = "abc";
  CHECK(f(std::string(view), 1) == 4);
  CHECK(f("abc", 1) == 4);  // const char*, found through the owning key
  CHECK(f.contains(view, 1));
  CHECK(calls == 1);
  CHECK(f.storage().map.begin()->first == std::tuple<std::string, int>{"abc", 1});
}

TEST_CASE("storage_traits: native_bulk decides whether a batch is one store call", "[traits][storage][bulk]") {
  const std::vector<std::tuple<int>> calls{{1}, {2}, {3}};
  auto& bulk_calls = bulk_bytes::store_type<
      cachet::entry_spec<std::string, std::string, cachet::detail::string_hash, std::equal_to<>, false>>::bulk_calls;

  auto batched = cachet::memoize([](int x) { return x * 10; }, bulk_bytes{}, cachet::cereal_binary{});
  bulk_calls = 0;
  CHECK(batched.get_or_update_many(calls) == std::vector<int>{10, 20, 30});  // get_many + set_many
  CHECK(batched.get_many(calls) == std::vector<std::optional<int>>{10, 20, 30});
  CHECK(bulk_calls == 3);

  auto looped = cachet::memoize([](int x) { return x * 10; }, bulk_bytes_unused{}, cachet::cereal_binary{});
  bulk_calls = 0;
  CHECK(looped.get_or_update_many(calls) == std::vector<int>{10, 20, 30});
  CHECK(looped.get_many(calls) == std::vector<std::optional<int>>{10, 20, 30});
  CHECK(bulk_calls == 0);
}

TEST_CASE("expiry_traits: the minimal expiry policy, and touch reading the value", "[traits][expiry]") {
  using traits = cachet::expiry_traits<ttl_from_value>;
  STATIC_REQUIRE(traits::expires);
  STATIC_REQUIRE_FALSE(traits::renews_on_access);
  STATIC_REQUIRE_FALSE(traits::value_independent);
  STATIC_REQUIRE_FALSE(cachet::expiry_traits<cachet::never>::expires);
  STATIC_REQUIRE(cachet::expiry_traits<cachet::expire_after_access>::renews_on_access);
  STATIC_REQUIRE(cachet::expiry_traits<cachet::expire_after_access>::value_independent);

  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return x; }, cachet::lru{.capacity = 8}, ttl_from_value{}, clock);
  CHECK(f(5) == 5);  // lives 5 s
  clock.advance(4s);
  CHECK(f.touch(5));  // renewed from the value: 5 s from now
  clock.advance(4s);
  CHECK(f.contains(5));
  clock.advance(1s);
  CHECK_FALSE(f.contains(5));
  CHECK(f(0) == 0);  // a time to live of 0: returned, not stored
  CHECK_FALSE(f.contains(0));
}

TEST_CASE("storage_traits: get_and_touch, contains_many and touch_many serve a call in one store call",
          "[traits][storage][bulk]") {
  using spec = cachet::entry_spec<std::string, std::string, cachet::detail::string_hash, std::equal_to<>, true>;
  using store = renewing_bytes::store_type<spec>;
  STATIC_REQUIRE(cachet::storage_traits<renewing_bytes>::get_and_touch<store, std::string>);
  STATIC_REQUIRE(cachet::storage_traits<renewing_bytes>::native_contains_many<store>);
  STATIC_REQUIRE(cachet::storage_traits<renewing_bytes>::native_touch_many<store>);
  STATIC_REQUIRE_FALSE(cachet::storage_traits<bulk_bytes>::native_touch_many<bulk_bytes::store_type<spec>>);

  cachet::manual_clock clock;
  auto f = cachet::memoize([](int x) { return x * 10; }, renewing_bytes{}, cachet::cereal_binary{},
                           cachet::expire_after_access{10s}, clock);
  f(1), f(2);
  store::calls.clear();
  clock.advance(8s);
  CHECK(f(1) == 10);  // a hit renewed by the get itself
  CHECK(store::calls == std::map<std::string, int>{{"get_and_touch", 1}});
  clock.advance(8s);  // 16 s after f(1) was written, 8 s after its renewal
  CHECK(f.get(1) == 10);
  CHECK_FALSE(f.get(2));  // not renewed: expired
  store::calls.clear();
  CHECK(f.contains_many(std::vector<int>{1, 2, 3}) == std::vector<bool>{true, false, false});
  CHECK(f.touch_many(std::vector<int>{1, 2}) == std::vector<bool>{true, false});
  CHECK(f.get_many(std::vector<int>{1, 2}) == std::vector<std::optional<int>>{10, std::nullopt});
  CHECK(store::calls == std::map<std::string, int>{{"contains_many", 1}, {"touch_many", 2}});
}
