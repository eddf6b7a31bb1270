// cachet/storage/dict/dict_store.hpp: the store of cachet::dict, a Boost
// open-addressing map from keys to values and their deadlines.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cachet/storage.hpp>
#include <cachet/storage/common/deadline_slot.hpp>
#include <cachet/storage/dict.hpp>

namespace cachet {
namespace detail {

template <class Spec>
class dict_store {
 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;

  explicit dict_store(const dict&) {}

  template <class K>
  const value_type* get(const K& key, time_point now) {
    const auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (it->second.deadline.expired(now)) {
      map_.erase(it);
      return nullptr;
    }
    return &it->second.value;
  }

  void set(key_type&& key, value_type&& value, time_point deadline) {
    mapped m{std::move(value), {}};
    m.deadline.set(deadline);
    map_.insert_or_assign(std::move(key), std::move(m));
  }

  template <class K>
  bool erase(const K& key) {
    return map_.erase(key) != 0;
  }

  template <class K>
  bool contains(const K& key, time_point now) {
    return get(key, now) != nullptr;
  }

  template <class K>
  bool touch(const K& key, time_point now, time_point deadline) {
    const auto it = map_.find(key);
    if (it == map_.end()) return false;
    if (it->second.deadline.expired(now)) {
      map_.erase(it);
      return false;
    }
    it->second.deadline.set(deadline);
    return true;
  }

  //! Reclaims every entry expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    return boost::unordered::erase_if(map_, [now](const auto& kv) { return kv.second.deadline.expired(now); });
  }

  std::size_t size() const noexcept { return map_.size(); }
  std::string name() const { return "dict"; }
  void clear() noexcept { map_.clear(); }

 private:
  struct mapped {
    value_type value;
    [[no_unique_address]] deadline_slot<Spec::expiring> deadline;
  };

  boost::unordered_flat_map<key_type, mapped, typename Spec::hasher, typename Spec::key_equal> map_;
};

}  // namespace detail
}  // namespace cachet
