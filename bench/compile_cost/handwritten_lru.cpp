// bench/compile_cost/handwritten_lru.cpp: the same memoized function as
// cachet_memoize.cpp, with the classic hand-written cache: an LRU of 1024
// entries (std::list + std::unordered_map) behind a std::mutex, the function
// called unlocked. handwritten_lru_boost.cpp includes this file with
// CACHET_HAND_INDEX set to Boost's flat map.
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <utility>

#ifndef CACHET_HAND_INDEX
#include <unordered_map>
#define CACHET_HAND_INDEX std::unordered_map
#endif

std::string fetch_profile(int user, const std::string& lang);  // defined elsewhere

namespace {

struct profile_key {
  int user;
  std::string lang;
  bool operator==(const profile_key&) const = default;
};

struct profile_key_hash {
  std::size_t operator()(const profile_key& k) const noexcept {
    std::size_t seed = std::hash<int>{}(k.user);
    seed ^= std::hash<std::string>{}(k.lang) + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2);
    return seed;
  }
};

class profile_cache {
 public:
  std::string operator()(int user, const std::string& lang) {
    profile_key key{user, lang};
    {
      std::lock_guard lock(mutex_);
      if (const auto it = index_.find(key); it != index_.end()) {
        items_.splice(items_.begin(), items_, it->second);
        return it->second->second;
      }
    }
    std::string value = fetch_profile(user, lang);
    std::lock_guard lock(mutex_);
    if (const auto it = index_.find(key); it != index_.end()) {
      it->second->second = value;
      items_.splice(items_.begin(), items_, it->second);
      return value;
    }
    if (index_.size() == capacity_) {
      index_.erase(items_.back().first);
      items_.pop_back();
    }
    items_.emplace_front(std::move(key), value);
    index_.emplace(items_.front().first, items_.begin());
    return value;
  }

 private:
  using list_type = std::list<std::pair<profile_key, std::string>>;
  static constexpr std::size_t capacity_ = 1024;
  std::mutex mutex_;
  list_type items_;
  CACHET_HAND_INDEX<profile_key, list_type::iterator, profile_key_hash> index_;
};

}  // namespace

std::string profile(int user, const std::string& lang) {
  static profile_cache cached;
  return cached(user, lang);
}
