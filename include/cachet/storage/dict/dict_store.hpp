// cachet/storage/dict/dict_store.hpp: the store of cachet::dict, a Boost
// open-addressing map from keys to values and their deadlines.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cachet/storage.hpp>
#include <cachet/storage/common/deadline_slot.hpp>
#include <cachet/storage/common/peeked.hpp>
#include <cachet/storage/common/removal_log.hpp>
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
      erase(it, removal_cause::expired);
      return nullptr;
    }
    return &it->second.value;
  }

  //! Looks `key` up and changes nothing, so readers may call it at once
  //! under a shared lock; see peeked.
  template <class K>
  peeked<value_type> peek(const K& key, time_point now) const {
    const auto it = map_.find(key);
    if (it == map_.end()) return {nullptr, false};
    if (it->second.deadline.expired(now)) return {nullptr, true};
    return {&it->second.value, false};
  }

  void set(key_type&& key, value_type&& value, time_point deadline) {
    mapped m{std::move(value), {}};
    m.deadline.set(deadline);
    if (removals_.on()) {
      if (const auto it = map_.find(key); it != map_.end()) {
        removals_.add(it->first, it->second.value, removal_cause::replaced);
        it->second = std::move(m);
        return;
      }
    }
    map_.insert_or_assign(std::move(key), std::move(m));
  }

  template <class K>
  bool erase(const K& key) {
    const auto it = map_.find(key);
    if (it == map_.end()) return false;
    erase(it, removal_cause::erased);
    return true;
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
      erase(it, removal_cause::expired);
      return false;
    }
    it->second.deadline.set(deadline);
    return true;
  }

  //! Reclaims every entry expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    return boost::unordered::erase_if(map_, [&](const auto& kv) {
      if (!kv.second.deadline.expired(now)) return false;
      removals_.add(kv.first, kv.second.value, removal_cause::expired);
      return true;
    });
  }

  std::size_t size() const noexcept { return map_.size(); }
  std::string name() const { return "dict"; }
  void clear() {
    if (removals_.on())
      for (const auto& [key, m] : map_) removals_.add(key, m.value, removal_cause::erased);
    map_.clear();
  }

  //! What the store records of the entries it removes (removal_log.hpp).
  void record_removals(removal_recording mode) noexcept { removals_.record(mode); }
  removal_batch<key_type, value_type> take_removals() noexcept { return removals_.take(); }

 private:
  struct mapped {
    value_type value;
    [[no_unique_address]] deadline_slot<Spec::expiring> deadline;
  };

  using map_type = boost::unordered_flat_map<key_type, mapped, typename Spec::hasher, typename Spec::key_equal>;

  void erase(typename map_type::iterator it, removal_cause cause) {
    removals_.add(it->first, it->second.value, cause);
    map_.erase(it);
  }

  map_type map_;
  removal_log<key_type, value_type> removals_;
};

}  // namespace detail
}  // namespace cachet
