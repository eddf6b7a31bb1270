// expect: policy_argument_check<1, my_store, cachet::family::key, cachet::family::storage
// expect: this policy \(see Policy, at Position counted from 0 after the function\) declares the family Declared in its cachet_family, but has the members of a LooksLike policy
// A storage labelled as a key policy: the check names the type, the family
// it declares and the family its members belong to.
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <cachet/cachet.hpp>

struct my_store {
  using cachet_family = cachet::family::key;  // should be cachet::family::storage

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(const my_store&) {}
    const value_type* get(const key_type& k, cachet::time_point) {
      const auto it = map.find(k);
      return it == map.end() ? nullptr : &it->second;
    }
    void set(key_type&& k, value_type&& v, cachet::time_point) { map.insert_or_assign(std::move(k), std::move(v)); }
    bool erase(const key_type& k) { return map.erase(k) != 0; }
    bool contains(const key_type& k, cachet::time_point) { return map.count(k) != 0; }
    bool touch(const key_type& k, cachet::time_point, cachet::time_point) { return map.count(k) != 0; }
    std::size_t size() const { return map.size(); }
    void clear() { map.clear(); }
    std::string name() const { return "my_store"; }
    std::map<key_type, value_type> map;
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, cachet::never{}, my_store{});
  return f(1);
}
