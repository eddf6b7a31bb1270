// cachet/storage/sqlite/read_log.hpp: what reads of a cachet::sqlite store
// learn that the table should record, kept in memory until the store's
// next write: the access times of hits (for eviction, with a size limit)
// and the expired rows met (to be reclaimed). Reads thus never write, so a
// hit never waits for a write lock; the write that needs the access times
// (the one that evicts) applies them first, in its own transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

namespace cachet::detail {

class sqlite_read_log {
 public:
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept { return boost::hash<std::string_view>()(key); }
  };
  using times = boost::unordered_flat_map<std::string, std::int64_t, key_hash, std::equal_to<>>;

  //! At most this many keys of each kind wait; reads past it are not
  //! recorded until the next write (their access time is then the older one).
  static constexpr std::size_t max_keys = 8192;

  void accessed(std::string_view key, std::int64_t at) { record(accessed_, key, at); }
  void expired(std::string_view key, std::int64_t at) { record(expired_, key, at); }

  //! Takes what waits, leaving the log empty.
  std::pair<times, times> take() {
    std::lock_guard<std::mutex> g(mutex_);
    return {std::exchange(accessed_, {}), std::exchange(expired_, {})};
  }

  //! Puts back what a failed write took (newer records win).
  void restore(std::pair<times, times>&& taken) {
    std::lock_guard<std::mutex> g(mutex_);
    for (auto& [key, at] : taken.first) accessed_.try_emplace(key, at);
    for (auto& [key, at] : taken.second) expired_.try_emplace(key, at);
  }

  void clear() {
    std::lock_guard<std::mutex> g(mutex_);
    accessed_.clear();
    expired_.clear();
  }

 private:
  void record(times& into, std::string_view key, std::int64_t at) {
    std::lock_guard<std::mutex> g(mutex_);
    if (const auto it = into.find(key); it != into.end())
      it->second = at;
    else if (into.size() < max_keys)
      into.emplace(std::string(key), at);
  }

  std::mutex mutex_;
  times accessed_;
  times expired_;
};

}  // namespace cachet::detail
