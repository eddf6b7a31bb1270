// bench/baselines/classic_lru.hpp: the classic hand-written LRU cache, the
// one the "no slower than hand-written" claim is measured against.
//
// A std::list<std::pair<Key, Value>> in recency order (front = most recent)
// and a std::unordered_map from the key to its list node. A hit splices the
// node to the front; a miss evicts the back node when full. This is the
// textbook design; it is written carefully (heterogeneous lookup, so a hit
// with a string_view allocates nothing; the key is built only on insert),
// not as a strawman.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace baseline {

//! An LRU cache of at most `capacity` entries. Lookups take any type the
//! hasher and equality accept (Hash and Eq must be transparent for that).
template <class Key, class Value, class Hash, class Eq>
class classic_lru {
 public:
  explicit classic_lru(std::size_t capacity) : capacity_(capacity) { map_.reserve(capacity); }

  //! The value for `key`, now the most recently used; nullptr if absent.
  template <class K>
  const Value* get(const K& key) {
    const auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    items_.splice(items_.begin(), items_, it->second);
    return &it->second->second;
  }

  //! Stores `value` under `key` (a use); evicts the least recently used
  //! entry when a new key finds the cache full.
  template <class K>
  void put(const K& key, Value value) {
    if (const auto it = map_.find(key); it != map_.end()) {
      it->second->second = std::move(value);
      items_.splice(items_.begin(), items_, it->second);
      return;
    }
    if (map_.size() == capacity_) {
      map_.erase(items_.back().first);
      items_.pop_back();
    }
    items_.emplace_front(Key(key), std::move(value));
    map_.emplace(items_.front().first, items_.begin());
  }

  template <class K>
  bool erase(const K& key) {
    const auto it = map_.find(key);
    if (it == map_.end()) return false;
    items_.erase(it->second);
    map_.erase(it);
    return true;
  }

  std::size_t size() const noexcept { return map_.size(); }

 private:
  using list_type = std::list<std::pair<Key, Value>>;
  std::size_t capacity_;
  list_type items_;
  std::unordered_map<Key, typename list_type::iterator, Hash, Eq> map_;
};

}  // namespace baseline
