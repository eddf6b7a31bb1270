// expect: cachet::memoize: this storage keeps bytes, so it needs a byte coder
// A user byte storage (typed = false) given cachet::identity.
#include <cstddef>
#include <map>
#include <string>

#include <cachet/cachet.hpp>

struct bytes_storage {
  using cachet_family = cachet::family::storage;
  static constexpr bool typed = false;

  template <class Spec>
  struct store_type {
    using key_type = std::string;
    using value_type = std::string;
    explicit store_type(const bytes_storage&) {}
    const std::string* get(const std::string& k, cachet::time_point) {
      const auto it = map.find(k);
      return it == map.end() ? nullptr : &it->second;
    }
    void set(std::string&& k, std::string&& v, cachet::time_point) { map[std::move(k)] = std::move(v); }
    bool erase(const std::string& k) { return map.erase(k) != 0; }
    bool contains(const std::string& k, cachet::time_point) { return map.count(k) != 0; }
    bool touch(const std::string& k, cachet::time_point, cachet::time_point) { return map.count(k) != 0; }
    std::size_t size() const { return map.size(); }
    void clear() { map.clear(); }
    std::string name() const { return "bytes"; }
    std::map<std::string, std::string> map;
  };
};

int main() {
  auto f = cachet::memoize([](int x) { return x; }, bytes_storage{}, cachet::identity{});
  f.set(2, 1);
  return f(1);
}
