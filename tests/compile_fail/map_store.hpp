// tests/compile_fail/map_store.hpp: a small std::map store for the
// compile-fail programs, with switches that take one member away, so that
// each program shows one mistake and nothing else.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <cachet/clock.hpp>

enum class drop { nothing, erase, touch, constructor };

template <class Policy, class Spec, drop Dropped = drop::nothing>
struct map_store {
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;

  explicit map_store(const Policy&)
    requires(Dropped != drop::constructor)
  {}
  explicit map_store(int)
    requires(Dropped == drop::constructor)
  {}

  const value_type* get(const key_type& k, cachet::time_point) {
    const auto it = map.find(k);
    return it == map.end() ? nullptr : &it->second;
  }
  void set(key_type&& k, value_type&& v, cachet::time_point) { map.insert_or_assign(std::move(k), std::move(v)); }
  bool erase(const key_type& k)
    requires(Dropped != drop::erase)
  {
    return map.erase(k) != 0;
  }
  bool contains(const key_type& k, cachet::time_point) { return map.count(k) != 0; }
  bool touch(const key_type& k, cachet::time_point, cachet::time_point)
    requires(Dropped != drop::touch)
  {
    return map.count(k) != 0;
  }
  std::size_t size() const { return map.size(); }
  void clear() { map.clear(); }
  std::string name() const { return "map_store"; }

  std::map<key_type, value_type> map;
};
