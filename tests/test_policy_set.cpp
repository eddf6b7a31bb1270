// Tests of the policy set (cachet/detail/policy_set.hpp) and of the family
// concepts, for every shipped policy and for counter-examples; and that the
// order of policies changes nothing.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>
#include <cachet/coder/cereal_json.hpp>
#include <cachet/coder/cereal_portable.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

using namespace std::chrono_literals;
namespace family = cachet::family;
using cachet::detail::family_count;
using cachet::detail::family_policy_t;

namespace {

struct ttl_of_int {
  std::chrono::seconds operator()(int v) const { return std::chrono::seconds{v}; }
};
struct ttl_of_string {
  std::chrono::seconds operator()(const std::string& s) const { return std::chrono::seconds{s.size()}; }
};
struct key_of_int {
  int operator()(int v) const { return v % 10; }
};
using per_int = cachet::expire_per_entry<ttl_of_int>;
using per_string = cachet::expire_per_entry<ttl_of_string>;
using custom_int = cachet::custom_key<key_of_int>;

using typed_spec = cachet::entry_spec<std::tuple<int>, int, cachet::detail::value_hash, cachet::detail::value_equal, true>;
using byte_spec = cachet::entry_spec<std::string, std::string, cachet::detail::string_hash, std::equal_to<>, false>;

// Counter-examples.
struct not_a_policy {};
struct wrong_family_name {
  using family = cachet::family::storage;  // must be cachet_family
};
struct storage_without_typed {
  using cachet_family = family::storage;
  template <class Spec>
  using store_type = cachet::detail::dict_store<Spec>;
};
struct coder_without_decode {
  using cachet_family = family::coder;
  std::string encode(int) const { return {}; }
};
struct expiry_without_flags {
  using cachet_family = family::expiry;
  cachet::time_point deadline(cachet::time_point now, int) const { return now; }
};
struct clock_of_steady_time {
  using cachet_family = family::clock;
  std::chrono::steady_clock::time_point now() const { return {}; }
};
struct sync_without_lock_type {
  using cachet_family = family::sync;
};
struct bulk_without_flag {
  using cachet_family = family::bulk;
};

// A store with bulk members, to check bulk_store positively.
struct bulk_map {
  using key_type = std::string;
  using value_type = std::string;
  const std::string* get(const std::string&, cachet::time_point) { return nullptr; }
  void set(std::string&&, std::string&&, cachet::time_point) {}
  bool erase(const std::string&) { return false; }
  bool contains(const std::string&, cachet::time_point) { return false; }
  bool touch(const std::string&, cachet::time_point, cachet::time_point) { return false; }
  std::size_t size() const { return 0; }
  void clear() {}
  std::string name() const { return "bulk_map"; }
  std::vector<std::optional<std::string>> get_many(std::span<const std::string>, cachet::time_point) { return {}; }
  void set_many(std::span<cachet::entry<std::string, std::string>>) {}
  std::vector<bool> erase_many(std::span<const std::string>) { return {}; }
};

}  // namespace

TEST_CASE("policy set: family_count counts each family", "[policy_set]") {
  STATIC_REQUIRE(family_count<family::storage> == 0);
  STATIC_REQUIRE(family_count<family::storage, cachet::lru> == 1);
  STATIC_REQUIRE(family_count<family::storage, cachet::lru, cachet::never, cachet::dict> == 2);
  STATIC_REQUIRE(family_count<family::expiry, cachet::lru, cachet::never, cachet::dict> == 1);
  STATIC_REQUIRE(family_count<family::key, cachet::lru, cachet::text_key, cachet::hashed_key, custom_int> == 3);
  STATIC_REQUIRE(family_count<family::coder, cachet::identity, cachet::cereal_json, cachet::mutex> == 2);
  STATIC_REQUIRE(family_count<family::clock, cachet::manual_clock, cachet::system_clock> == 2);
  STATIC_REQUIRE(family_count<family::sync, cachet::mutex, cachet::unsynchronized, cachet::batched> == 2);
  STATIC_REQUIRE(family_count<family::bulk, cachet::sequential, cachet::batched, cachet::mutex> == 2);
  // what is no policy counts in no family
  STATIC_REQUIRE(family_count<family::storage, int, not_a_policy, wrong_family_name> == 0);
}

TEST_CASE("policy set: family_policy_t finds the family's policy or the default", "[policy_set]") {
  using expiry = family_policy_t<family::expiry, cachet::never, cachet::lru, cachet::expire_after_write>;
  STATIC_REQUIRE(std::is_same_v<expiry, cachet::expire_after_write>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::expiry, cachet::never, cachet::lru>, cachet::never>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::expiry, cachet::never>, cachet::never>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::storage, void, cachet::mutex, cachet::dict>, cachet::dict>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::key, cachet::tuple_key, custom_int, cachet::lru>, custom_int>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::coder, cachet::identity, cachet::cereal_portable>,
                                cachet::cereal_portable>);
  STATIC_REQUIRE(
      std::is_same_v<family_policy_t<family::clock, cachet::system_clock, cachet::manual_clock>, cachet::manual_clock>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::sync, cachet::mutex, cachet::unsynchronized>,
                                cachet::unsynchronized>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::bulk, cachet::batched, cachet::sequential>, cachet::sequential>);
  STATIC_REQUIRE(std::is_same_v<family_policy_t<family::expiry, cachet::never, per_int>, per_int>);
}

TEST_CASE("policy set: pick returns the given policy's value, or a default one", "[policy_set]") {
  const auto picked = cachet::detail::pick<family::storage, cachet::dict>(cachet::never{}, cachet::lru{.capacity = 7});
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(picked)>, cachet::lru>);
  REQUIRE(picked.capacity == 7);
  const auto key = cachet::detail::pick<family::key, cachet::text_key>(cachet::lru{});
  REQUIRE(key.prefix.empty());
}

TEST_CASE("concepts: policy and policy_of", "[policy_set][concepts]") {
  STATIC_REQUIRE(cachet::policy_of<cachet::lru, family::storage>);
  STATIC_REQUIRE(cachet::policy_of<cachet::dict, family::storage>);
  STATIC_REQUIRE(cachet::policy_of<cachet::tuple_key, family::key>);
  STATIC_REQUIRE(cachet::policy_of<cachet::text_key, family::key>);
  STATIC_REQUIRE(cachet::policy_of<cachet::hashed_key, family::key>);
  STATIC_REQUIRE(cachet::policy_of<custom_int, family::key>);
  STATIC_REQUIRE(cachet::policy_of<cachet::identity, family::coder>);
  STATIC_REQUIRE(cachet::policy_of<cachet::cereal_binary, family::coder>);
  STATIC_REQUIRE(cachet::policy_of<cachet::cereal_portable, family::coder>);
  STATIC_REQUIRE(cachet::policy_of<cachet::cereal_json, family::coder>);
  STATIC_REQUIRE(cachet::policy_of<cachet::never, family::expiry>);
  STATIC_REQUIRE(cachet::policy_of<cachet::expire_after_write, family::expiry>);
  STATIC_REQUIRE(cachet::policy_of<cachet::expire_after_access, family::expiry>);
  STATIC_REQUIRE(cachet::policy_of<per_int, family::expiry>);
  STATIC_REQUIRE(cachet::policy_of<cachet::system_clock, family::clock>);
  STATIC_REQUIRE(cachet::policy_of<cachet::manual_clock, family::clock>);
  STATIC_REQUIRE(cachet::policy_of<cachet::mutex, family::sync>);
  STATIC_REQUIRE(cachet::policy_of<cachet::unsynchronized, family::sync>);
  STATIC_REQUIRE(cachet::policy_of<cachet::batched, family::bulk>);
  STATIC_REQUIRE(cachet::policy_of<cachet::sequential, family::bulk>);

  STATIC_REQUIRE_FALSE(cachet::policy<int>);
  STATIC_REQUIRE_FALSE(cachet::policy<not_a_policy>);
  STATIC_REQUIRE_FALSE(cachet::policy<wrong_family_name>);
  STATIC_REQUIRE_FALSE(cachet::policy_of<cachet::lru, family::key>);
  STATIC_REQUIRE_FALSE(cachet::policy_of<cachet::never, family::clock>);
  STATIC_REQUIRE_FALSE(cachet::policy_of<cachet::mutex, family::bulk>);
}

TEST_CASE("concepts: storages and stores", "[policy_set][concepts]") {
  STATIC_REQUIRE(cachet::storage_policy_for<cachet::lru, typed_spec>);
  STATIC_REQUIRE(cachet::storage_policy_for<cachet::dict, typed_spec>);
  STATIC_REQUIRE(cachet::storage_policy_for<cachet::dict, byte_spec>);
  STATIC_REQUIRE(cachet::store<cachet::store_for<cachet::lru, typed_spec>>);
  STATIC_REQUIRE(cachet::store<cachet::store_for<cachet::dict, byte_spec>>);
  STATIC_REQUIRE(cachet::store<bulk_map>);
  STATIC_REQUIRE(cachet::bulk_store<bulk_map>);
  STATIC_REQUIRE_FALSE(cachet::bulk_store<cachet::store_for<cachet::lru, typed_spec>>);
  STATIC_REQUIRE_FALSE(cachet::bulk_store<cachet::store_for<cachet::dict, typed_spec>>);

  STATIC_REQUIRE_FALSE(cachet::storage_policy_for<storage_without_typed, typed_spec>);
  STATIC_REQUIRE_FALSE(cachet::storage_policy_for<cachet::never, typed_spec>);
  STATIC_REQUIRE_FALSE(cachet::storage_policy_for<not_a_policy, typed_spec>);
  STATIC_REQUIRE_FALSE(cachet::store<int>);
  STATIC_REQUIRE_FALSE(cachet::store<std::vector<int>>);
}

TEST_CASE("concepts: keys", "[policy_set][concepts]") {
  STATIC_REQUIRE(cachet::key_policy_for<cachet::tuple_key, int, const std::string&>);
  STATIC_REQUIRE(cachet::key_policy_for<cachet::tuple_key>);
  STATIC_REQUIRE(cachet::key_policy_for<cachet::text_key, int, std::string_view, std::vector<double>>);
  STATIC_REQUIRE(cachet::key_policy_for<cachet::hashed_key, const char*, bool>);
  STATIC_REQUIRE(cachet::key_policy_for<custom_int, int>);
  STATIC_REQUIRE_FALSE(cachet::key_policy_for<cachet::lru, int>);
  STATIC_REQUIRE_FALSE(cachet::key_policy_for<not_a_policy, int>);
}

TEST_CASE("concepts: coders", "[policy_set][concepts]") {
  STATIC_REQUIRE(cachet::coder_for<cachet::identity, std::vector<int>>);
  STATIC_REQUIRE(cachet::byte_coder_for<cachet::cereal_binary, int>);
  STATIC_REQUIRE(cachet::byte_coder_for<cachet::cereal_portable, std::string>);
  STATIC_REQUIRE(cachet::byte_coder_for<cachet::cereal_json, std::vector<std::string>>);
  STATIC_REQUIRE(cachet::coder_for<cachet::cereal_binary, double>);
  STATIC_REQUIRE_FALSE(cachet::byte_coder_for<cachet::identity, int>);
  STATIC_REQUIRE_FALSE(cachet::coder_for<coder_without_decode, int>);
  STATIC_REQUIRE_FALSE(cachet::coder_for<cachet::lru, int>);
  STATIC_REQUIRE_FALSE(cachet::coder_for<int, int>);
}

TEST_CASE("concepts: expiry, clock, sync, bulk", "[policy_set][concepts]") {
  STATIC_REQUIRE(cachet::expiry_policy_for<cachet::never, int>);
  STATIC_REQUIRE(cachet::expiry_policy_for<cachet::expire_after_write, std::string>);
  STATIC_REQUIRE(cachet::expiry_policy_for<cachet::expire_after_access, int>);
  STATIC_REQUIRE(cachet::expiry_policy_for<per_int, int>);
  STATIC_REQUIRE(cachet::expiry_policy_for<per_string, std::string>);
  STATIC_REQUIRE_FALSE(cachet::expiry_policy_for<per_string, std::vector<int>>);  // ttl_of cannot take it
  STATIC_REQUIRE(cachet::expiry_policy_for<expiry_without_flags, int>);  // the flags are optional
  STATIC_REQUIRE(cachet::expiry_traits<expiry_without_flags>::expires);
  STATIC_REQUIRE_FALSE(cachet::expiry_traits<expiry_without_flags>::renews_on_access);
  STATIC_REQUIRE_FALSE(cachet::expiry_traits<expiry_without_flags>::value_independent);
  STATIC_REQUIRE(cachet::expiry_traits<cachet::expire_after_write>::value_independent);
  STATIC_REQUIRE_FALSE(cachet::expiry_policy_for<cachet::lru, int>);

  STATIC_REQUIRE(cachet::clock_policy<cachet::system_clock>);
  STATIC_REQUIRE(cachet::clock_policy<cachet::manual_clock>);
  STATIC_REQUIRE_FALSE(cachet::clock_policy<clock_of_steady_time>);
  STATIC_REQUIRE_FALSE(cachet::clock_policy<cachet::never>);

  STATIC_REQUIRE(cachet::sync_policy<cachet::mutex>);
  STATIC_REQUIRE(cachet::sync_policy<cachet::unsynchronized>);
  STATIC_REQUIRE_FALSE(cachet::sync_policy<sync_without_lock_type>);
  STATIC_REQUIRE_FALSE(cachet::sync_policy<cachet::batched>);

  STATIC_REQUIRE(cachet::bulk_policy<cachet::batched>);
  STATIC_REQUIRE(cachet::bulk_policy<cachet::sequential>);
  STATIC_REQUIRE_FALSE(cachet::bulk_policy<bulk_without_flag>);
  STATIC_REQUIRE_FALSE(cachet::bulk_policy<cachet::mutex>);
}

TEST_CASE("memoize: defaults fill the families not named", "[policy_set][memoize]") {
  auto typed = cachet::memoize([](int x) { return x; }, cachet::lru{});
  using T = decltype(typed);
  STATIC_REQUIRE(std::is_same_v<T, cachet::cached<T::function_type, cachet::lru>>);
  STATIC_REQUIRE(std::is_same_v<T::key_policy_type, cachet::tuple_key>);
  STATIC_REQUIRE(std::is_same_v<T::coder_type, cachet::identity>);
  STATIC_REQUIRE(std::is_same_v<T::expiry_type, cachet::never>);
  STATIC_REQUIRE(std::is_same_v<T::clock_type, cachet::system_clock>);
  STATIC_REQUIRE(std::is_same_v<T::sync_type, cachet::mutex>);
  STATIC_REQUIRE(std::is_same_v<T::bulk_type, cachet::batched>);
  STATIC_REQUIRE(std::is_same_v<T::key_type, std::tuple<int>>);

  auto bytes = cachet::memoize([](int x) { return x; }, cachet::dict{}, cachet::cereal_json{});
  using B = decltype(bytes);
  STATIC_REQUIRE(std::is_same_v<B::key_policy_type, cachet::text_key>);  // a byte coder implies text keys
  STATIC_REQUIRE(std::is_same_v<B::key_type, std::string>);
  STATIC_REQUIRE(std::is_same_v<B::store_type::value_type, std::string>);  // bytes
  REQUIRE(typed(4) == 4);
  REQUIRE(bytes(5) == 5);
}

TEST_CASE("memoize: the order of policies changes neither the types nor the behaviour", "[policy_set][memoize]") {
  cachet::manual_clock clock;
  auto fn = [](int x) { return x * 3; };
  auto a = cachet::memoize(fn, cachet::lru{.capacity = 2}, cachet::expire_after_write{10s}, clock,
                           cachet::unsynchronized{}, cachet::text_key{"p"}, cachet::sequential{});
  auto b = cachet::memoize(fn, cachet::sequential{}, cachet::text_key{"p"}, cachet::unsynchronized{}, clock,
                           cachet::expire_after_write{10s}, cachet::lru{.capacity = 2});
  auto c = cachet::memoize(fn, clock, cachet::sequential{}, cachet::lru{.capacity = 2}, cachet::text_key{"p"},
                           cachet::expire_after_write{10s}, cachet::unsynchronized{});
  using A = decltype(a);
  using B = decltype(b);
  using C = decltype(c);
  STATIC_REQUIRE(std::is_same_v<A::storage_type, B::storage_type>);
  STATIC_REQUIRE(std::is_same_v<A::store_type, B::store_type>);
  STATIC_REQUIRE(std::is_same_v<A::store_type, C::store_type>);
  STATIC_REQUIRE(std::is_same_v<A::key_policy_type, C::key_policy_type>);
  STATIC_REQUIRE(std::is_same_v<A::expiry_type, B::expiry_type>);
  STATIC_REQUIRE(std::is_same_v<A::clock_type, C::clock_type>);
  STATIC_REQUIRE(std::is_same_v<A::sync_type, B::sync_type>);
  STATIC_REQUIRE(std::is_same_v<A::bulk_type, C::bulk_type>);
  STATIC_REQUIRE(std::is_same_v<A::coder_type, B::coder_type>);

  const auto run = [&](auto& f) {
    std::vector<std::string> trace;
    f(1);
    f(2);
    f(1);
    f(3);  // capacity 2: evicts 2
    trace.push_back(f.key(1));
    for (int k : {1, 2, 3}) trace.push_back(f.contains(k) ? "y" : "n");
    return trace;
  };
  const auto expected = std::vector<std::string>{"p:1", "y", "n", "y"};
  REQUIRE(run(a) == expected);
  REQUIRE(run(b) == expected);
  REQUIRE(run(c) == expected);
  clock.advance(10s);  // all three read the one shared clock, whose value came through any position
  REQUIRE_FALSE(a.contains(1));
  REQUIRE_FALSE(b.contains(3));
  REQUIRE_FALSE(c.contains(1));
  REQUIRE(a.storage().capacity() == 2);
  REQUIRE(c.storage().capacity() == 2);
}
