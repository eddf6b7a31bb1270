// expect: store_shape_check<needs_int, 
// expect: cannot be made from the policy. Expected: `explicit store_type\(const Storage& policy\)`
// A store whose constructor takes something else than the policy.
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <cachet/cachet.hpp>

struct needs_int {
  using cachet_family = cachet::family::storage;

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(int) {}
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
    std::string name() const { return "needs_int"; }
    std::map<key_type, value_type> map;
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, needs_int{});
  return f(1);
}
