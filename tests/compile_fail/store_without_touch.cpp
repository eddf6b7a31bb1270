// expect: store_members_check<no_touch, 
// expect: has no usable touch. Expected: `bool touch\(const key_type& key, cachet::time_point now, cachet::time_point deadline\)`
// A storage whose store has no touch.
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <cachet/cachet.hpp>

struct no_touch {
  using cachet_family = cachet::family::storage;

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(const no_touch&) {}
    const value_type* get(const key_type& k, cachet::time_point) {
      const auto it = map.find(k);
      return it == map.end() ? nullptr : &it->second;
    }
    void set(key_type&& k, value_type&& v, cachet::time_point) { map.insert_or_assign(std::move(k), std::move(v)); }
    bool erase(const key_type& k) { return map.erase(k) != 0; }
    bool contains(const key_type& k, cachet::time_point) { return map.count(k) != 0; }
    std::size_t size() const { return map.size(); }
    void clear() { map.clear(); }
    std::string name() const { return "no_touch"; }
    std::map<key_type, value_type> map;
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, no_touch{});
  f.touch(1);
  return f(1);
}
