// expect: store_members_check<no_erase, 
// expect: cachet::memoize: the store of this storage policy \(see Storage and Store\) has no usable erase. Expected: `bool erase\(const key_type& key\)`
// A storage whose store has no erase: the one member missing is named, with
// its signature, and the policy type appears in the instantiation line.
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <cachet/cachet.hpp>

struct no_erase {
  using cachet_family = cachet::family::storage;

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(const no_erase&) {}
    const value_type* get(const key_type& k, cachet::time_point) {
      const auto it = map.find(k);
      return it == map.end() ? nullptr : &it->second;
    }
    void set(key_type&& k, value_type&& v, cachet::time_point) { map.insert_or_assign(std::move(k), std::move(v)); }
    bool contains(const key_type& k, cachet::time_point) { return map.count(k) != 0; }
    bool touch(const key_type& k, cachet::time_point, cachet::time_point) { return map.count(k) != 0; }
    std::size_t size() const { return map.size(); }
    void clear() { map.clear(); }
    std::string name() const { return "no_erase"; }
    std::map<key_type, value_type> map;
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, no_erase{});
  f.erase(1);
  return f(1);
}
