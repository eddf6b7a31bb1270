// bench/baselines/raw_maps.hpp: the physical limit of a lookup: a bare
// open-addressing hash map, boost::unordered_flat_map (the table cachet's
// storages are built on) and tsl::robin_map (Debian's robin-map-dev). No
// recency, no eviction, no wrapper: what is left when all of that is free.
#pragma once

#include <cstddef>
#include <utility>

#include <boost/unordered/unordered_flat_map.hpp>
#include <tsl/robin_map.h>

namespace baseline {

//! An unbounded memo table over Map (a flat map type). Same interface as
//! classic_lru; find() is the raw lookup the hit floor is measured with.
template <class Map>
class raw_map {
 public:
  using key_type = typename Map::key_type;
  using mapped_type = typename Map::mapped_type;

  explicit raw_map(std::size_t expected) { map_.reserve(expected); }

  //! The bare lookup: an iterator, nothing else.
  template <class K>
  auto find(const K& key) const {
    return map_.find(key);
  }
  auto end() const { return map_.end(); }

  template <class K>
  const mapped_type* get(const K& key) {
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }

  template <class K>
  void put(const K& key, mapped_type value) {
    if (const auto it = map_.find(key); it != map_.end()) {
      if constexpr (requires { it.value(); })
        it.value() = std::move(value);  // tsl: it->second is const
      else
        it->second = std::move(value);
    } else {
      map_.emplace(key_type(key), std::move(value));
    }
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
  Map map_;
};

}  // namespace baseline
