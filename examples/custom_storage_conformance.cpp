// examples/custom_storage_conformance.cpp: checking a storage of your own
// against the laws every cachet storage passes, with the conformance kit
// <cachet/testing/storage_conformance.hpp>.
//   - tiny_storage: a typed storage policy over a std::map with deadlines;
//   - tiny_text_fixture: a fixture object, to run the laws with a key policy
//     of our choice (the same object could own a temporary directory);
//   - Catch2 test cases: one reporting each failed law, one that requires
//     conformance, one that checks without a test framework's help.
// A Catch2 program (CATCH_CONFIG_MAIN below); run as the ctest
// example.custom_storage_conformance.
//
// Snippets between `// [name]` markers are copied into docs/conformance.md;
// scripts/check_docs.py checks that the copies stay verbatim.

#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

// [headers]
#include <cachet/cachet.hpp>
#include <cachet/testing/storage_conformance.hpp>  // no test framework inside
// [headers]

#include <cstddef>
#include <iostream>
#include <map>
#include <string>
#include <utility>

// [tiny-storage]
// A typed storage policy: Key -> Value in a std::map, each with its deadline.
struct tiny_storage {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = true;

  template <class Spec>
  class store_type {
   public:
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;

    explicit store_type(const tiny_storage&) {}

    const value_type* get(const key_type& key, cachet::time_point now) {
      const auto it = live(key, now);
      return it == map_.end() ? nullptr : &it->second.first;
    }
    void set(key_type&& key, value_type&& value, cachet::time_point deadline) {
      map_.insert_or_assign(std::move(key), std::pair{std::move(value), deadline});
    }
    bool erase(const key_type& key) { return map_.erase(key) != 0; }
    bool contains(const key_type& key, cachet::time_point now) { return live(key, now) != map_.end(); }
    bool touch(const key_type& key, cachet::time_point now, cachet::time_point deadline) {
      const auto it = live(key, now);
      if (it == map_.end()) return false;
      it->second.second = deadline;
      return true;
    }
    std::size_t size() const { return map_.size(); }
    void clear() { map_.clear(); }
    std::string name() const { return "tiny"; }

   private:
    using map_type = std::map<key_type, std::pair<value_type, cachet::time_point>>;

    // The entry for `key` if it is live at `now`; an expired one is dropped.
    typename map_type::iterator live(const key_type& key, cachet::time_point now) {
      auto it = map_.find(key);
      if (it != map_.end() && it->second.second <= now) {
        map_.erase(it);
        return map_.end();
      }
      return it;
    }

    map_type map_;
  };
};
// [tiny-storage]

// [fixture]
// A fixture object: makes each cache the laws ask for. The kit passes the
// function, its manual clock, and the policies a law adds (an expiry, sync
// or bulk policy) in `more`; the fixture adds the rest.
struct tiny_text_fixture {
  static constexpr const char* name = "tiny storage with text keys";

  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), tiny_storage{}, cachet::text_key{}, clock, more...);
  }
};
// [fixture]

// [catch2]
TEST_CASE("tiny_storage keeps every law of a cachet storage") {
  const cachet::testing::conformance_report report = cachet::testing::check_storage(tiny_storage{});
  for (const auto& failure : report.failures) {
    INFO("law " << failure.law << ", line " << failure.line << " of the kit");
    FAIL_CHECK(failure.check << ": " << failure.message);
  }
  CHECK(report.ok());
}

TEST_CASE("tiny_storage with text keys keeps every law") {
  REQUIRE_NOTHROW(cachet::testing::require_storage_conformance(tiny_text_fixture{}));
}
// [catch2]

// [plain]
// Without a test framework: the report, or an exception.
int check_tiny_storage() {
  const auto report = cachet::testing::check_storage(tiny_storage{}, {.name = "tiny, plain"});
  std::cout << report.summary() << '\n';  // e.g. "cachet storage conformance: tiny, plain: all 366 checks of 25 laws hold"
  try {
    cachet::testing::require_storage_conformance([] { return tiny_storage{}; });
  } catch (const cachet::testing::conformance_error& e) {
    std::cerr << e.what() << '\n';  // the same summary: one line per failed check
    return 1;
  }
  return report.ok() ? 0 : 1;
}
// [plain]

TEST_CASE("the same checks without a test framework") {
  CHECK(check_tiny_storage() == 0);
}
