// cachet/storage/common/removal_log.hpp: what an in-memory store keeps of
// the entries it removes, for the wrapper's stats and removal listener.
//
// The store records a removal under the cache's lock, before the entry is
// gone; the wrapper takes the record in the same locked section and acts on
// it (counts, listener calls) after the lock is released. Off by default: a
// store whose cache neither counts nor listens pays one predictable branch
// on its removal paths, never on a hit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <cachet/removal_listener.hpp>

namespace cachet {

//! What a store records of its removals.
enum class removal_recording : unsigned char {
  off,      //!< nothing
  counts,   //!< how many were evicted and expired (stats)
  entries,  //!< also each key, value and cause (a removal listener)
};

template <class K, class V>
struct removal {
  K key;
  V value;
  removal_cause cause;
};

//! The removals recorded since the last take.
template <class K, class V>
struct removal_batch {
  std::uint64_t evicted = 0;
  std::uint64_t expired = 0;
  std::vector<removal<K, V>> entries;

  bool empty() const noexcept { return evicted == 0 && expired == 0 && entries.empty(); }
  void append(removal_batch&& other) {
    evicted += other.evicted;
    expired += other.expired;
    if (entries.empty())
      entries = std::move(other.entries);
    else
      for (auto& e : other.entries) entries.push_back(std::move(e));
  }
};

template <class K, class V>
class removal_log {
 public:
  void record(removal_recording mode) noexcept { mode_ = mode; }
  removal_recording recording() const noexcept { return mode_; }

  //! Records that (key, value) leaves for `cause`; the caller moves from
  //! them only after this returns (so a failed record loses nothing).
  void add(const K& key, const V& value, removal_cause cause) {
    if (mode_ == removal_recording::off) [[likely]]
      return;
    if (mode_ == removal_recording::entries) batch_.entries.push_back({key, value, cause});
    if (cause == removal_cause::evicted) ++batch_.evicted;
    if (cause == removal_cause::expired) ++batch_.expired;
  }

  //! Whether anything would be recorded for an entry leaving now.
  bool on() const noexcept { return mode_ != removal_recording::off; }

  removal_batch<K, V> take() noexcept { return std::exchange(batch_, {}); }

 private:
  removal_recording mode_ = removal_recording::off;
  removal_batch<K, V> batch_;
};

//! Whether a store can record the entries it removes.
template <class Store>
concept reports_removals = requires(Store& s) {
  s.record_removals(removal_recording::off);
  { s.take_removals().entries };
};

}  // namespace cachet
