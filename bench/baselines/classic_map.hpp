// bench/baselines/classic_map.hpp: the hand-written unbounded memo table
// (std::unordered_map), the baseline of the same guarantee as cachet::dict.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <utility>

namespace baseline {

//! Keeps every entry until erased. Same interface as classic_lru.
template <class Key, class Value, class Hash, class Eq>
class classic_map {
 public:
  explicit classic_map(std::size_t expected) { map_.reserve(expected); }

  template <class K>
  const Value* get(const K& key) {
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }

  template <class K>
  void put(const K& key, Value value) {
    if (const auto it = map_.find(key); it != map_.end())
      it->second = std::move(value);
    else
      map_.emplace(Key(key), std::move(value));
  }

  template <class K>
  bool erase(const K& key) {
    const auto it = map_.find(key);
    if (it == map_.end()) return false;
    map_.erase(it);
    return true;
  }

  std::size_t size() const noexcept { return map_.size(); }

 private:
  std::unordered_map<Key, Value, Hash, Eq> map_;
};

}  // namespace baseline
