// examples/custom_bulk.cpp: a bulk policy written by a user.
//   - one_key_per_call: a bulk policy that never uses a store's bulk members
//     (batches = false), for a store whose batch holds a lock or a
//     transaction too long;
//   - remote: a typed store with get_many/set_many/erase_many that counts
//     its round trips; storage_traits::native_bulk detects those members.
// The same *_many calls with cachet::batched (the default) and with
// one_key_per_call. Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

#include <cachet/cachet.hpp>

#include <cstddef>
#include <iostream>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

// [one-key-per-call]
// A bulk policy: the *_many operations call get, set and erase once per key,
// even on a store that has get_many, set_many and erase_many.
struct one_key_per_call {
  using cachet_family = cachet::family::bulk;
  static constexpr bool batches = false;
};
// [one-key-per-call]

static_assert(cachet::bulk_policy<one_key_per_call>);

// A typed storage with bulk members; each call of its store is a round trip.
struct remote {
  using cachet_family = cachet::family::storage;
  int* round_trips = nullptr;

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(const remote& policy) : trips(policy.round_trips) {}

    const value_type* get(const key_type& k, cachet::time_point) {
      ++*trips;
      const auto it = map.find(k);
      return it == map.end() ? nullptr : &it->second;
    }
    void set(key_type&& k, value_type&& v, cachet::time_point) { ++*trips, map.insert_or_assign(k, v); }
    bool erase(const key_type& k) { return ++*trips, map.erase(k) != 0; }
    bool contains(const key_type& k, cachet::time_point) { return ++*trips, map.contains(k); }
    bool touch(const key_type& k, cachet::time_point t, cachet::time_point) { return contains(k, t); }
    std::size_t size() const { return map.size(); }
    void clear() { map.clear(); }
    std::string name() const { return "remote"; }

    std::vector<std::optional<value_type>> get_many(std::span<const key_type> keys, cachet::time_point) {
      ++*trips;
      std::vector<std::optional<value_type>> out;
      for (const auto& k : keys) out.push_back(map.contains(k) ? std::optional(map.at(k)) : std::nullopt);
      return out;
    }
    void set_many(std::span<cachet::entry<key_type, value_type>> entries) {
      ++*trips;
      for (auto& e : entries) map.insert_or_assign(e.key, e.value);
    }
    std::vector<bool> erase_many(std::span<const key_type> keys) {
      ++*trips;
      std::vector<bool> out;
      for (const auto& k : keys) out.push_back(map.erase(k) != 0);
      return out;
    }

    int* trips;
    std::map<key_type, value_type> map;
  };
};

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int cube(int n) { return n * n * n; }

}  // namespace

int main() {
  std::cout << "A bulk policy (one_key_per_call) against cachet::batched:\n";
  // [use-one-key-per-call]
  int batched_trips = 0, single_trips = 0;
  auto batched = cachet::memoize(cube, remote{&batched_trips});  // cachet::batched, the default
  auto single = cachet::memoize(cube, remote{&single_trips}, one_key_per_call{});

  const std::vector<int> calls{1, 2, 3, 4};
  batched.get_or_update_many(calls);  // get_many, then set_many: 2 round trips
  single.get_or_update_many(calls);   // 4 x get, then 4 x set: 8 round trips
  // [use-one-key-per-call]
  check(batched_trips == 2 && single_trips == 8, "4 calls: 2 round trips batched, 8 one key per call");
  using store = decltype(batched)::store_type;
  check(cachet::storage_traits<remote>::native_bulk<store>, "storage_traits detected the store's bulk members");
  check(batched.get_many(calls) == single.get_many(calls), "both hold the same entries");
  check(batched.erase_many(calls) == std::vector<bool>(4, true) && batched_trips == 4,
        "erase_many: one more round trip batched");

  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
