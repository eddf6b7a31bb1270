// bench/compile_cost/cachet_memoize.cpp: a translation unit that memoizes one
// function with cachet (an LRU of 1024 entries, thread-safe: the defaults
// but the storage). Its twin, handwritten_lru.cpp, does the same by hand.
#include <cachet/cachet.hpp>

#include <string>

std::string fetch_profile(int user, const std::string& lang);  // defined elsewhere

std::string profile(int user, const std::string& lang) {
  static auto cached = cachet::memoize(fetch_profile, cachet::lru{.capacity = 1024});
  return cached(user, lang);
}
