// tests/test_conformance.cpp: the storage conformance kit
// (<cachet/testing/storage_conformance.hpp>, through the Catch2 adapter in
// storage_conformance.hpp) over lru, dict, dict with a byte coder, and two
// storages written here as a user would: a minimal typed one over std::map,
// and a byte storage with bulk members whose calls are counted. Then the kit
// itself: its three fixture forms, its report and options, and deliberately
// broken stores whose reports must name the laws they break.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>
#include <cachet/testing/storage_conformance.hpp>

#include "storage_conformance.hpp"

namespace {

using namespace std::chrono_literals;

// ---- a user's typed storage: the minimal definition of a store, nothing more

//! Keeps Key -> Value in a std::map; takes only `const key_type&` (no
//! heterogeneous lookup) and honours deadlines.
struct map_storage {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = true;

  template <class Spec>
  class store_type {
   public:
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;

    explicit store_type(const map_storage&) {}

    const value_type* get(const key_type& key, cachet::time_point now) {
      const auto it = live(key, now);
      return it == map_.end() ? nullptr : &it->second.value;
    }
    void set(key_type&& key, value_type&& value, cachet::time_point deadline) {
      map_.insert_or_assign(std::move(key), mapped{std::move(value), deadline});
    }
    bool erase(const key_type& key) { return map_.erase(key) != 0; }
    bool contains(const key_type& key, cachet::time_point now) { return live(key, now) != map_.end(); }
    bool touch(const key_type& key, cachet::time_point now, cachet::time_point deadline) {
      const auto it = live(key, now);
      if (it == map_.end()) return false;
      it->second.deadline = deadline;
      return true;
    }
    std::size_t size() const { return map_.size(); }
    void clear() { map_.clear(); }
    std::string name() const { return "map"; }

   private:
    struct mapped {
      value_type value;
      cachet::time_point deadline;
    };
    using map_type = std::map<key_type, mapped>;

    typename map_type::iterator live(const key_type& key, cachet::time_point now) {
      auto it = map_.find(key);
      if (it != map_.end() && it->second.deadline <= now) {
        map_.erase(it);
        return map_.end();
      }
      return it;
    }

    map_type map_;
  };
};

// ---- a user's byte storage with bulk members, counting its calls

struct call_counts {
  int get = 0, set = 0, erase = 0, contains = 0, touch = 0;
  int get_many = 0, set_many = 0, erase_many = 0;
  std::vector<cachet::time_point> last_deadlines;  // of the last set_many
};

//! Keeps std::string -> bytes, like a remote store; get_many, set_many and
//! erase_many stand for one round trip each. Copies of the policy share the
//! counts.
struct counting_bytes {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;

  std::shared_ptr<call_counts> counts = std::make_shared<call_counts>();

  template <class Spec>
  class store_type {
   public:
    using key_type = std::string;
    using value_type = std::string;
    static_assert(std::is_same_v<typename Spec::key_type, std::string>);
    static_assert(std::is_same_v<typename Spec::value_type, std::string>);

    explicit store_type(const counting_bytes& policy) : counts_(policy.counts) {}

    std::optional<std::string> get(const std::string& key, cachet::time_point now) {
      ++counts_->get;
      return find(key, now);
    }
    void set(std::string&& key, std::string&& value, cachet::time_point deadline) {
      ++counts_->set;
      map_.insert_or_assign(std::move(key), mapped{std::move(value), deadline});
    }
    bool erase(const std::string& key) {
      ++counts_->erase;
      return map_.erase(key) != 0;
    }
    bool contains(const std::string& key, cachet::time_point now) {
      ++counts_->contains;
      return find(key, now).has_value();
    }
    bool touch(const std::string& key, cachet::time_point now, cachet::time_point deadline) {
      ++counts_->touch;
      if (!find(key, now)) return false;
      map_.at(key).deadline = deadline;
      return true;
    }

    std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, cachet::time_point now) {
      ++counts_->get_many;
      std::vector<std::optional<std::string>> out;
      for (const auto& k : keys) out.push_back(find(k, now));
      return out;
    }
    void set_many(std::span<cachet::entry<std::string, std::string>> entries) {
      ++counts_->set_many;
      counts_->last_deadlines.clear();
      for (auto& e : entries) {
        counts_->last_deadlines.push_back(e.deadline);
        map_.insert_or_assign(std::move(e.key), mapped{std::move(e.value), e.deadline});
      }
    }
    std::vector<bool> erase_many(std::span<const std::string> keys) {
      ++counts_->erase_many;
      std::vector<bool> out;
      for (const auto& k : keys) out.push_back(map_.erase(k) != 0);
      return out;
    }

    std::size_t size() const { return map_.size(); }
    void clear() { map_.clear(); }
    std::string name() const { return "counting bytes"; }

   private:
    struct mapped {
      std::string bytes;
      cachet::time_point deadline;
    };

    std::optional<std::string> find(const std::string& key, cachet::time_point now) {
      const auto it = map_.find(key);
      if (it == map_.end()) return std::nullopt;
      if (it->second.deadline <= now) {
        map_.erase(it);
        return std::nullopt;
      }
      return it->second.bytes;
    }

    std::shared_ptr<call_counts> counts_;
    std::unordered_map<std::string, mapped> map_;
  };
};

// ---- fixtures

struct lru_fixture {
  static constexpr const char* name = "lru";
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), cachet::lru{.capacity = 1000}, clock, more...);
  }
};

struct dict_fixture {
  static constexpr const char* name = "dict";
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), cachet::dict{}, clock, more...);
  }
};

struct dict_bytes_fixture {
  static constexpr const char* name = "dict + cereal_binary";
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), cachet::dict{}, cachet::cereal_binary{}, clock, more...);
  }
};

}  // namespace

// The two user storages run the kit below, as a policy and as a factory
// (each kit instantiation costs about 10 s of compile time).
CACHET_STORAGE_CONFORMANCE_TESTS(std::tuple<lru_fixture, dict_fixture, dict_bytes_fixture>)

// ---- the user storages model the concepts they claim

TEST_CASE("user storages model the store concepts", "[conformance]") {
  auto typed = cachet::memoize([](const std::string& s) { return s.size(); }, map_storage{});
  using typed_store = decltype(typed)::store_type;
  STATIC_REQUIRE(cachet::store<typed_store>);
  STATIC_REQUIRE_FALSE(cachet::bulk_store<typed_store>);

  auto bytes = cachet::memoize([](int x) { return x; }, counting_bytes{});
  using byte_store = decltype(bytes)::store_type;
  STATIC_REQUIRE(cachet::bulk_store<byte_store>);
  STATIC_REQUIRE(std::is_same_v<decltype(bytes)::coder_type, cachet::cereal_binary>);
  STATIC_REQUIRE(std::is_same_v<decltype(bytes)::key_policy_type, cachet::text_key>);
  CHECK(bytes.key(42) == "42");
  CHECK(typed.storage().name() == "map");
}

// ---- bulk members: once per batch with batched, never with sequential

TEST_CASE("batched: a byte storage's bulk members serve each batch in one call", "[conformance][bulk]") {
  counting_bytes storage;
  const call_counts& n = *storage.counts;
  cachet::manual_clock clock;
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return 10 * x; }, storage, clock,
                           cachet::expire_after_write{1min});
  const std::vector<int> three{1, 2, 3};

  f.set_many(three, std::vector<int>{10, 20, 30});
  CHECK(n.set_many == 1);
  CHECK(n.last_deadlines == std::vector<cachet::time_point>(3, clock.now() + 1min));

  CHECK(f.get_many(three) == std::vector<std::optional<int>>{10, 20, 30});
  CHECK(n.get_many == 1);

  CHECK(f.get_or_update_many(std::vector<int>{4, 1, 5, 4}) == std::vector<int>{40, 10, 50, 40});
  CHECK(n.get_many == 2);  // one read of all four calls
  CHECK(n.set_many == 2);  // one write of the two new entries
  CHECK(n.last_deadlines.size() == 2u);
  CHECK(calls == 2);

  CHECK(f.update_many(std::vector<int>{6, 7}) == std::vector<int>{60, 70});
  CHECK(n.set_many == 3);

  CHECK(f.erase_many(std::vector<int>{1, 9, 6}) == std::vector<bool>{true, false, true});
  CHECK(n.erase_many == 1);

  CHECK(n.get == 0);  // no single-key call served a batch
  CHECK(n.set == 0);
  CHECK(n.erase == 0);
  CHECK(f.storage().size() == 5u);
}

TEST_CASE("sequential: a byte storage's bulk members are never called", "[conformance][bulk]") {
  counting_bytes storage;
  const call_counts& n = *storage.counts;
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return 10 * x; }, cachet::sequential{}, storage);
  const std::vector<int> three{1, 2, 3};

  f.set_many(three, std::vector<int>{10, 20, 30});
  CHECK(n.set == 3);
  CHECK(f.get_many(three) == std::vector<std::optional<int>>{10, 20, 30});
  CHECK(n.get == 3);
  CHECK(f.get_or_update_many(std::vector<int>{4, 1, 4}) == std::vector<int>{40, 10, 40});
  CHECK(n.get == 6);
  CHECK(n.set == 4);
  CHECK(f.erase_many(three) == std::vector<bool>{true, true, true});
  CHECK(n.erase == 3);
  CHECK(calls == 1);

  CHECK(n.get_many == 0);
  CHECK(n.set_many == 0);
  CHECK(n.erase_many == 0);
}

TEST_CASE("batched: a byte storage without hits or misses still gets one call per batch", "[conformance][bulk]") {
  counting_bytes storage;
  const call_counts& n = *storage.counts;
  auto f = cachet::memoize([](int x) { return x; }, storage);
  CHECK(f.get_many(std::vector<int>{1, 2}) == std::vector<std::optional<int>>{std::nullopt, std::nullopt});
  CHECK(f.erase_many(std::vector<int>{1, 2}) == std::vector<bool>{false, false});
  CHECK(n.get_many == 1);
  CHECK(n.erase_many == 1);
  CHECK(n.set_many == 0);  // nothing to write: no call
  f.set_many(std::vector<int>{}, std::vector<int>{});
  CHECK(n.set_many == 0);
}

// ---- the kit: fixture forms, report, options

TEST_CASE("kit: a storage policy, a factory and a fixture object are all fixtures", "[conformance][kit]") {
  using cachet::testing::check_storage;
  STATIC_REQUIRE(cachet::testing::storage_fixture<cachet::lru>);
  STATIC_REQUIRE(cachet::testing::storage_fixture<lru_fixture>);
  STATIC_REQUIRE(cachet::testing::storage_fixture<std::function<cachet::dict()>>);
  STATIC_REQUIRE_FALSE(cachet::testing::storage_fixture<int>);
  STATIC_REQUIRE_FALSE(cachet::testing::storage_fixture<cachet::expire_after_write>);

  const auto by_policy = check_storage(map_storage{});
  INFO(by_policy.summary());
  CHECK(by_policy.ok());
  CHECK(by_policy.storage == "map");  // no `name` member: the store's name()

  int made = 0;
  const auto by_factory = check_storage([&made] {
    ++made;
    return counting_bytes{};
  });
  INFO(by_factory.summary());
  CHECK(by_factory.ok());
  CHECK(made > 20);  // a fresh policy per cache
  CHECK(std::ranges::find(by_factory.laws, "store.bulk") != by_factory.laws.end());

  const auto by_fixture = check_storage(dict_bytes_fixture{}, {.name = "labelled"});
  INFO(by_fixture.summary());
  CHECK(by_fixture.ok());
  CHECK(by_fixture.storage == "labelled");
  CHECK(by_fixture.laws.size() == 27u);  // every law but store.bulk: dict has no bulk members
  CHECK(by_fixture.skipped.size() == 1u);
  CHECK(by_fixture.checks > 350u);
  CHECK_NOTHROW(cachet::testing::require_storage_conformance(lru_fixture{}));
}

TEST_CASE("kit: options.skip leaves laws out by id or prefix", "[conformance][kit]") {
  const auto report = cachet::testing::check_storage(cachet::dict{}, {.skip = {"expiry", "store.touch", "bulk.e"}});
  CHECK(report.ok());
  CHECK(std::ranges::find(report.laws, "store.touch") == report.laws.end());
  CHECK(std::ranges::find(report.laws, "expiry.after_write") == report.laws.end());
  CHECK(std::ranges::find(report.laws, "bulk.empty") != report.laws.end());  // a prefix ends at a dot
  CHECK(std::ranges::find(report.laws, "store.get") != report.laws.end());
  CHECK(std::ranges::count_if(report.skipped, [](const std::string& s) { return s.starts_with("expiry."); }) == 3);
}

// A storage whose backend would expire entries on real time (a server TTL).
struct server_ttl_dict : cachet::dict {
  static constexpr bool own_expiry = true;
};

TEST_CASE("kit: a storage that keeps its own expiry skips the laws that move a manual clock", "[conformance][kit]") {
  STATIC_REQUIRE(cachet::storage_traits<server_ttl_dict>::own_expiry);
  const auto report = cachet::testing::check_storage(server_ttl_dict{});
  CHECK(report.ok());
  CHECK(std::ranges::find(report.laws, "expiry.after_write") == report.laws.end());
  CHECK(std::ranges::find(report.laws, "single_key.int") != report.laws.end());
  CHECK(std::ranges::count_if(report.skipped, [](const std::string& s) {
          return s.starts_with("expiry.") && s.find("own_expiry") != std::string::npos;
        }) == 3);
  for (const char* law : {"store.get", "store.set", "store.contains", "store.touch", "store.bulk"}) {
    INFO(law);
    CHECK(std::ranges::find(report.laws, law) == report.laws.end());  // each reads past a deadline
  }
  CHECK(std::ranges::find(report.laws, "store.erase") != report.laws.end());
  // Without the trait the same store runs them.
  const auto plain = cachet::testing::check_storage(cachet::dict{});
  CHECK(std::ranges::find(plain.laws, "expiry.after_write") != plain.laws.end());
}

// ---- the kit can fail: stores that break one law each

enum class flaw {
  none,
  touch_does_nothing,    // touch answers, but keeps the old deadline
  get_ignores_deadline,  // get serves expired entries
  erase_returns_true,    // erase claims a removal every time
  clear_throws,          // clear throws instead of clearing
};

// The flaw is a runtime value, so that the five stores run one
// instantiation of the kit.
struct flawed_storage {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = true;
  flaw defect = flaw::none;

  template <class Spec>
  class store_type {
   public:
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;

    explicit store_type(const flawed_storage& policy) : flaw_(policy.defect) {}

    const value_type* get(const key_type& key, cachet::time_point now) {
      const auto it = map_.find(key);
      if (it == map_.end()) return nullptr;
      if (flaw_ != flaw::get_ignores_deadline && it->second.second <= now) return nullptr;
      return &it->second.first;
    }
    void set(key_type&& key, value_type&& value, cachet::time_point deadline) {
      map_.insert_or_assign(std::move(key), std::pair{std::move(value), deadline});
    }
    bool erase(const key_type& key) { return map_.erase(key) != 0 || flaw_ == flaw::erase_returns_true; }
    bool contains(const key_type& key, cachet::time_point now) {
      const auto it = map_.find(key);
      return it != map_.end() && now < it->second.second;
    }
    bool touch(const key_type& key, cachet::time_point now, cachet::time_point deadline) {
      if (!contains(key, now)) return false;
      if (flaw_ != flaw::touch_does_nothing) map_.at(key).second = deadline;
      return true;
    }
    std::size_t size() const { return map_.size(); }
    void clear() {
      if (flaw_ == flaw::clear_throws) throw std::runtime_error("clear is not implemented");
      map_.clear();
    }
    std::string name() const { return "flawed map"; }

   private:
    flaw flaw_;
    std::map<key_type, std::pair<value_type, cachet::time_point>> map_;
  };
};

bool mentions(const std::vector<std::string>& laws, const std::string& law) {
  return std::ranges::find(laws, law) != laws.end();
}

TEST_CASE("kit: a correct store passes; each broken law is named in the report", "[conformance][kit]") {
  using cachet::testing::check_storage;
  const auto sound = check_storage(flawed_storage{});
  INFO(sound.summary());
  REQUIRE(sound.ok());

  SECTION("touch that does nothing") {
    const auto r = check_storage(flawed_storage{.defect = flaw::touch_does_nothing});
    INFO(r.summary());
    CHECK_FALSE(r.ok());
    CHECK(r.failed("store.touch"));
    CHECK(r.failed("expiry"));  // expire_after_write renews on touch; expire_after_access on every hit
    CHECK(r.failed("expiry.after_access"));
    CHECK_FALSE(r.failed("store.get"));
    CHECK_FALSE(r.failed("store.erase"));
    CHECK_FALSE(r.failed("single_key"));
  }
  SECTION("get that ignores the deadline") {
    const auto r = check_storage(flawed_storage{.defect = flaw::get_ignores_deadline});
    INFO(r.summary());
    CHECK(r.failed("store.get"));
    CHECK(r.failed("expiry.after_write"));
    CHECK_FALSE(r.failed("store.erase"));
    CHECK_FALSE(r.failed("store.contains"));
    const auto& first = *std::ranges::find(r.failures, std::string("store.get"), &cachet::testing::conformance_failure::law);
    CHECK(first.check == "p.get(1, d) == std::nullopt");  // the check as written, and what was seen
    CHECK(first.message == "saw \"one\" == nullopt");
    CHECK(first.line > 0);
  }
  SECTION("erase that always returns true") {
    const auto r = check_storage(flawed_storage{.defect = flaw::erase_returns_true});
    INFO(r.summary());
    CHECK(r.failed_laws().front() == "store.erase");
    CHECK(r.failed("store.erase"));
    CHECK(r.failed("single_key.int"));
    CHECK_FALSE(r.failed("store.touch"));
    CHECK_FALSE(r.failed("expiry"));
  }
  SECTION("clear that throws: a failure, not an escape") {
    cachet::testing::conformance_report r;
    REQUIRE_NOTHROW(r = check_storage(flawed_storage{.defect = flaw::clear_throws}));
    INFO(r.summary());
    CHECK(r.failed("store.clear"));
    CHECK(r.failed("single_key.string"));
    CHECK_FALSE(r.failed("store.get"));
    const auto it = std::ranges::find(r.failures, std::string("store.clear"), &cachet::testing::conformance_failure::law);
    REQUIRE(it != r.failures.end());
    CHECK_THAT(it->message, Catch::Matchers::Contains("clear is not implemented"));
  }
  SECTION("require_storage_conformance throws the summary") {
    try {
      cachet::testing::require_storage_conformance(flawed_storage{.defect = flaw::erase_returns_true}, {.name = "broken erase"});
      FAIL("no conformance_error");
    } catch (const cachet::testing::conformance_error& e) {
      CHECK_THAT(e.what(), Catch::Matchers::StartsWith("cachet storage conformance: broken erase: "));
      CHECK_THAT(e.what(), Catch::Matchers::Contains("[store.erase]"));
      CHECK_FALSE(e.report().ok());
      CHECK(mentions(e.report().failed_laws(), "store.erase"));
      CHECK(std::string(e.what()) == e.report().summary());
    }
  }
}
