// bench/hitratio_policies.hpp: the replacement policies bench/hitratio
// replays, but Caffeine (baselines/caffeine/run_caffeine.hpp): cachet's
// bounded storages through memoize (lru checked access by access against
// an exact LRU model), FIFO, and the clairvoyant optimum (Belady's MIN).
// Only hitratio.cpp includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <cachet/cachet.hpp>

#include "hitratio_traces.hpp"

// cachet's storages beside lru, as they land: hitratio builds without them.
#if __has_include(<cachet/storage/sieve.hpp>)
#include <cachet/storage/sieve.hpp>
#define CACHET_HITRATIO_SIEVE 1
#endif
#if __has_include(<cachet/storage/s3fifo.hpp>)
#include <cachet/storage/s3fifo.hpp>
#define CACHET_HITRATIO_S3FIFO 1
#endif
#if __has_include(<cachet/storage/w_tinylfu.hpp>)
#include <cachet/storage/w_tinylfu.hpp>
#define CACHET_HITRATIO_W_TINYLFU 1
#endif

namespace hitratio {

// cachet::lru replayed next to an exact LRU model; returns cachet's hits, or
// sets `mismatch` to the first access where they disagree.
inline std::size_t run_lru_checked(const std::vector<key_t>& keys, std::size_t capacity, std::size_t& mismatch) {
  std::size_t calls = 0;
  auto cache = cachet::memoize(
      [&calls](key_t k) {
        ++calls;
        return k;
      },
      cachet::lru{.capacity = capacity}, cachet::unsynchronized{});
  // The model: the textbook LRU.
  std::list<key_t> order;  // front: most recent
  std::unordered_map<key_t, std::list<key_t>::iterator> where;
  where.reserve(capacity);
  std::size_t hits = 0;
  mismatch = keys.size();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const key_t k = keys[i];
    const std::size_t before = calls;
    (void)cache(k);
    const bool cachet_hit = calls == before;
    bool model_hit = false;
    if (const auto it = where.find(k); it != where.end()) {
      model_hit = true;
      order.splice(order.begin(), order, it->second);
    } else {
      if (where.size() == capacity) {
        where.erase(order.back());
        order.pop_back();
      }
      order.push_front(k);
      where.emplace(k, order.begin());
    }
    if (cachet_hit != model_hit) {
      mismatch = i;
      return hits;
    }
    hits += cachet_hit;
  }
  if (cache.storage().size() != where.size()) mismatch = keys.size() - 1;
  return hits;
}

// Hits of `storage` on `keys`, through memoize as a user would cache: the
// memoized function counts its calls, and every call is a miss.
template <class Storage>
std::size_t replay_memoized(const std::vector<key_t>& keys, Storage storage) {
  std::size_t calls = 0;
  auto cache = cachet::memoize(
      [&calls](key_t k) {
        ++calls;
        return k;
      },
      std::move(storage), cachet::unsynchronized{});
  for (const key_t k : keys) (void)cache(k);
  return keys.size() - calls;
}

struct cachet_policy {
  std::string name;
  std::function<std::size_t(const std::vector<key_t>& keys, std::size_t capacity)> hits;
};

// cachet's bounded storages besides lru (which run_lru_checked replays):
// a new one is one line here.
inline std::vector<cachet_policy> cachet_policies() {
  std::vector<cachet_policy> out;
#ifdef CACHET_HITRATIO_SIEVE
  out.push_back({"sieve", [](const auto& keys, std::size_t c) {
                    return replay_memoized(keys, cachet::sieve{.capacity = c});
                  }});
#endif
#ifdef CACHET_HITRATIO_S3FIFO
  out.push_back({"s3fifo", [](const auto& keys, std::size_t c) {
                    return replay_memoized(keys, cachet::s3fifo{.capacity = c});
                  }});
#endif
#ifdef CACHET_HITRATIO_W_TINYLFU
  out.push_back({"w_tinylfu", [](const auto& keys, std::size_t c) {
                    return replay_memoized(keys, cachet::w_tinylfu{.capacity = c});
                  }});
#endif
  return out;
}

inline std::size_t run_fifo(const std::vector<key_t>& keys, std::size_t capacity) {
  boost::unordered_flat_set<key_t> held;
  std::vector<key_t> ring(capacity);
  std::size_t oldest = 0;
  std::size_t hits = 0;
  for (const key_t k : keys) {
    if (held.contains(k)) {
      ++hits;
      continue;
    }
    if (held.size() == capacity) held.erase(ring[oldest]);
    ring[oldest] = k;
    oldest = (oldest + 1) % capacity;
    held.insert(k);
  }
  return hits;
}

// Belady's MIN with optional admission: on a miss with the cache full, the
// key (held or new) whose next use is furthest away is the one left out.
inline std::size_t run_opt(const std::vector<key_t>& keys, const std::vector<std::uint32_t>& next_use, std::size_t capacity) {
  constexpr std::uint32_t never = ~std::uint32_t{0};
  boost::unordered_flat_map<key_t, std::uint32_t> held;  // key -> its next use
  std::priority_queue<std::pair<std::uint32_t, key_t>> furthest;  // lazy: stale pairs are skipped
  held.reserve(capacity);
  std::size_t hits = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const key_t k = keys[i];
    const std::uint32_t next = next_use[i];
    if (const auto it = held.find(k); it != held.end()) {
      ++hits;
      it->second = next;
      furthest.emplace(next, k);
      continue;
    }
    if (held.size() == capacity) {
      for (;;) {
        const auto [use, victim] = furthest.top();
        const auto v = held.find(victim);
        if (v != held.end() && v->second == use) break;
        furthest.pop();
      }
      if (next == never || next >= furthest.top().first) continue;  // the new key is the one left out
      held.erase(furthest.top().second);
      furthest.pop();
    }
    held.emplace(k, next);
    furthest.emplace(next, k);
  }
  return hits;
}

inline std::vector<std::uint32_t> next_uses(const std::vector<key_t>& keys) {
  std::vector<std::uint32_t> next(keys.size());
  boost::unordered_flat_map<key_t, std::uint32_t> later;
  for (std::size_t i = keys.size(); i-- > 0;) {
    const auto [it, fresh] = later.try_emplace(keys[i], ~std::uint32_t{0});
    next[i] = it->second;
    it->second = static_cast<std::uint32_t>(i);
  }
  return next;
}

}  // namespace hitratio
