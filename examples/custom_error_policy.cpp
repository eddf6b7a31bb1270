// examples/custom_error_policy.cpp: an error policy written by a user.
//   - count_and_fail_open: a storage failure counts as a miss (fails_open),
//     and report() counts each failure into a metrics struct;
//   - flaky: a typed storage whose every call throws cachet::backend_error
//     while its server is "down", as a remote store would.
// Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

#include <cachet/cachet.hpp>

#include <cstddef>
#include <iostream>
#include <map>
#include <string>

// [count-and-fail-open]
struct cache_metrics {
  long backend_errors = 0;
  long invalid_data = 0;
  std::string last;  // the last failure's what()
};

// An error policy: a failing storage behaves as an empty one, and each
// failure is counted.
struct count_and_fail_open {
  using cachet_family = cachet::family::error_policy;
  static constexpr bool fails_open = true;

  cache_metrics* metrics;  // outlives the cache

  void report(const cachet::error& e) const {
    if (dynamic_cast<const cachet::invalid_data*>(&e) != nullptr)
      ++metrics->invalid_data;
    else
      ++metrics->backend_errors;
    metrics->last = e.what();
  }
};
// [count-and-fail-open]

static_assert(cachet::error_policy<count_and_fail_open>);

// A storage whose store throws backend_error while `*down` is true.
struct flaky {
  using cachet_family = cachet::family::storage;
  const bool* down = nullptr;

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(const flaky& policy) : down(policy.down) {}

    void reach() const {
      if (*down) throw cachet::backend_error("connection refused", "flaky");
    }
    const value_type* get(const key_type& k, cachet::time_point) {
      reach();
      const auto it = map.find(k);
      return it == map.end() ? nullptr : &it->second;
    }
    void set(key_type&& k, value_type&& v, cachet::time_point) { reach(), map.insert_or_assign(k, v); }
    bool erase(const key_type& k) { return reach(), map.erase(k) != 0; }
    bool contains(const key_type& k, cachet::time_point) { return reach(), map.contains(k); }
    bool touch(const key_type& k, cachet::time_point, cachet::time_point) { return contains(k, {}); }
    std::size_t size() const { return map.size(); }
    void clear() { map.clear(); }
    std::string name() const { return "flaky"; }

    const bool* down;
    std::map<key_type, value_type> map;
  };
};

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int calls = 0;
int twice(int x) {
  ++calls;
  return 2 * x;
}

}  // namespace

int main() {
  std::cout << "An error policy (count_and_fail_open) over a failing storage:\n";
  // [use-count-and-fail-open]
  bool down = true;
  cache_metrics metrics;
  auto f = cachet::memoize(twice, flaky{&down}, count_and_fail_open{&metrics});

  int a = f(21);  // 42: get fails (a miss), twice runs, set fails (skipped)
  // metrics.backend_errors == 2, metrics.last == "cachet: flaky: connection refused"
  // [use-count-and-fail-open]
  std::cout << "  last failure: " << metrics.last << '\n';
  check(a == 42 && calls == 1, "with the storage down, f(21) still answers, by calling the function");
  check(metrics.backend_errors == 2 && metrics.invalid_data == 0, "the failed get and the failed set were counted");
  check(!f.contains(21) && !f.erase(21) && !f.get(21), "contains, erase and get fail open: false, false, nothing");
  check(metrics.backend_errors == 5, "each of them was reported");

  down = false;
  f(21);
  f(21);
  check(calls == 2 && f.storage().size() == 1, "back up: a miss calls and stores, then a hit");
  check(metrics.backend_errors == 5, "no failure, no report");
  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
