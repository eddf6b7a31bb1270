// expect: byte_key_check<false>
// expect: cachet::memoize: this storage keeps bytes, so its key policy must make std::string keys
// A byte storage (typed = false) given tuple_key, whose keys are tuples.
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>

struct bytes_store {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;

  template <class Spec>
  struct store_type {
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;
    explicit store_type(const bytes_store&) {}
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
    std::string name() const { return "bytes_store"; }
    std::map<key_type, value_type> map;
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, bytes_store{}, cachet::tuple_key{});
  return f(1);
}
