// cachet/detail/sharded_store.hpp: the store of a cache under
// cachet::sharded<N>: N stores of the storage policy's parts
// (`policy.shard(i, N)`), each behind its own lock. A key goes to the
// shard its hash picks, so calls on keys of different shards never wait for
// each other, and eviction happens within a shard.
//
// Each shard's lock is a reader_slots (reader_slots.hpp) over the sync
// policy's lock_type: a get whose store can answer without writing (a const
// `peek`: lru, dict) runs under the shared side, whose readers write only
// a cache line of their own, so hits from several cores do not move lines
// between them. Everything else, and a get that must write (an expired
// entry, an lru hit that would move its entry), takes the exclusive side.
// An lru shard promotes lazily (lru_store.hpp: a hit marks its entry, which
// moves to the front only when it reaches the tail), so its hits need no
// exclusive side, and a hit on an entry already marked writes nothing.
//
// It is safe to call from several threads by itself: the wrapper does not
// take its own lock around it. A value found is copied out under the
// shard's lock (no pointer into a shard outlives the lock).
#pragma once

#include <array>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <cachet/clock.hpp>
#include <cachet/detail/reader_slots.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/common/removal_log.hpp>

namespace cachet::detail {

//! Storage: a shardable storage policy (storage_traits::shardable); Spec:
//! what its stores hold; N: how many shards; Lock: the writers' side of each
//! shard's reader_slots (the sync policy's lock_type).
template <class Storage, class Spec, std::size_t N, class Lock = std::mutex>
class sharded_store {
  static_assert(N >= 1, "cachet::sharded<N>: N must be at least 1");
  using inner_store = store_for<Storage, Spec>;
  using shard_lock = reader_slots<Lock>;

 public:
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;

 private:
  // On its own cache line: a shard's lock bouncing between cores must not
  // drag its neighbours' with it.
  struct alignas(64) shard {
    mutable shard_lock lock;
    inner_store store;
    // Whether the store may hold removal records: set by every exclusive
    // access (true at first: a copied store may hold some), cleared by
    // take_removals, which skips the other shards without their locks.
    std::atomic<bool> may_hold_removals{true};

    shard(const Storage& policy, const store_options& options) : store(make(policy, options)) {}
    shard(const shard& other) : store(copied(other)) {}
    shard(shard&& other) : store(moved(other)) {}
    shard& operator=(const shard& other) {
      if (this == &other) return *this;
      inner_store copy = copied(other);  // not under both locks at once: no lock order to get wrong
      std::lock_guard<shard_lock> g(lock);
      store = std::move(copy);
      may_hold_removals.store(true, std::memory_order_relaxed);
      return *this;
    }

    static inner_store make(const Storage& policy, const store_options& options) {
      inner_store made = [&] {
        if constexpr (std::is_constructible_v<inner_store, const Storage&, const store_options&>)
          return inner_store(policy, options);
        else
          return inner_store(policy);
      }();
      if constexpr (requires { made.promote_lazily(); }) made.promote_lazily();
      return made;
    }
    static inner_store copied(const shard& other) {
      std::lock_guard<shard_lock> g(other.lock);
      return inner_store(other.store);
    }
    static inner_store moved(shard& other) {
      std::lock_guard<shard_lock> g(other.lock);
      return inner_store(std::move(other.store));
    }
  };

  // The exclusive side of a shard's lock, for an access that may record
  // removals (take_removals then looks in that shard).
  class writing {
   public:
    explicit writing(shard& s) : s_(s) { s_.lock.lock(); }
    writing(const writing&) = delete;
    writing& operator=(const writing&) = delete;
    ~writing() {
      s_.may_hold_removals.store(true, std::memory_order_relaxed);
      s_.lock.unlock();
    }

   private:
    shard& s_;
  };

  // A lookup form the inner store takes: the key, or a heterogeneous one.
  template <class K>
  static constexpr bool accepted = std::same_as<K, key_type> || store_accepts_lookup<inner_store, K>;

 public:
  explicit sharded_store(const Storage& policy, const store_options& options = {})
      : shards_(make_shards(policy, options, std::make_index_sequence<N>{})) {}

  template <class K>
    requires accepted<K>
  std::optional<value_type> get(const K& key, time_point now) {
    shard& s = shard_of(key);
    if constexpr (requires(const inner_store& store) { store.peek(key, now); }) {
      // The shared side is released before the exclusive one is taken: a
      // writer waits for every reader, this thread's too.
      typename shard_lock::read_guard reading(s.lock);
      if (reading) {
        const auto found = std::as_const(s.store).peek(key, now);
        if (!found.needs_write) {
          if (found.value == nullptr) return std::nullopt;
          return std::optional<value_type>(*found.value);
        }
      }
    }
    return get_exclusive(s, key, now);
  }

 private:
  template <class K>
  std::optional<value_type> get_exclusive(shard& s, const K& key, time_point now) {
    writing g(s);
    auto found = s.store.get(key, now);
    if (!found) return std::nullopt;
    return std::optional<value_type>(*found);
  }

 public:
  template <class K>
    requires accepted<K> && store_gets_and_touches<inner_store, K>
  std::optional<value_type> get_and_touch(const K& key, time_point now, time_point deadline) {
    shard& s = shard_of(key);
    writing g(s);
    auto found = s.store.get_and_touch(key, now, deadline);
    if (!found) return std::nullopt;
    return std::optional<value_type>(*found);
  }

  void set(key_type&& key, value_type&& value, time_point deadline) {
    shard& s = shard_of(key);
    writing g(s);
    s.store.set(std::move(key), std::move(value), deadline);
  }

  template <class K>
    requires accepted<K>
  bool erase(const K& key) {
    shard& s = shard_of(key);
    writing g(s);
    return s.store.erase(key);
  }

  template <class K>
    requires accepted<K>
  bool contains(const K& key, time_point now) {
    shard& s = shard_of(key);
    writing g(s);
    return s.store.contains(key, now);
  }

  template <class K>
    requires accepted<K>
  bool touch(const K& key, time_point now, time_point deadline) {
    shard& s = shard_of(key);
    writing g(s);
    return s.store.touch(key, now, deadline);
  }

  //! The entries of every shard (each counted under its own lock, so the
  //! sum is not one instant's when other threads write meanwhile).
  std::size_t size() const {
    std::size_t total = 0;
    for (const shard& s : shards_) {
      std::lock_guard<shard_lock> g(s.lock);
      total += s.store.size();
    }
    return total;
  }

  //! The sum of the shards' capacities (the storage policy's), where the
  //! inner store has one.
  std::size_t capacity() const
    requires requires(const inner_store& s) { { s.capacity() } -> std::convertible_to<std::size_t>; }
  {
    std::size_t total = 0;
    for (const shard& s : shards_) total += s.store.capacity();  // fixed at construction: no lock
    return total;
  }

  void clear() {
    for (shard& s : shards_) {
      writing g(s);
      s.store.clear();
    }
  }

  std::string name() const { return shards_[0].store.name(); }

  //! Reclaims every entry expired at `now`, shard by shard; returns how many.
  std::size_t erase_expired(time_point now)
    requires requires(inner_store& s) { { s.erase_expired(time_point{}) } -> std::convertible_to<std::size_t>; }
  {
    std::size_t erased = 0;
    for (shard& s : shards_) {
      writing g(s);
      erased += s.store.erase_expired(now);
    }
    return erased;
  }

  //! Calls fn(key, value, deadline) for every entry, shard by shard, each
  //! from its least to its most recently used entry: replaying the calls as
  //! writes into a store of the same number of shards restores each shard's
  //! order. fn runs under a shard's lock: it must not call this store.
  template <class Fn>
    requires requires(const inner_store& s, Fn& fn) { s.for_each_oldest_first(fn); }
  void for_each_oldest_first(Fn&& fn) const {
    for (const shard& s : shards_) {
      std::lock_guard<shard_lock> g(s.lock);
      s.store.for_each_oldest_first(fn);
    }
  }

  //! Removals (removal_log.hpp): every shard records what the cache asks
  //! for; a take gathers the shards' records, each under its lock, from the
  //! shards written since the last take (the wrapper takes after every
  //! access, hits included: the others are skipped without their locks).
  void record_removals(removal_recording mode)
    requires reports_removals<inner_store>
  {
    for (shard& s : shards_) {
      std::lock_guard<shard_lock> g(s.lock);
      s.store.record_removals(mode);
    }
  }
  auto take_removals()
    requires reports_removals<inner_store>
  {
    decltype(shards_[0].store.take_removals()) all;
    for (shard& s : shards_) {
      // Relaxed: what this thread wrote it sees; another thread's records
      // missed here stay in its shard for a later take (its own, after its
      // write).
      if (!s.may_hold_removals.load(std::memory_order_relaxed)) continue;
      std::lock_guard<shard_lock> g(s.lock);
      s.may_hold_removals.store(false, std::memory_order_relaxed);
      all.append(s.store.take_removals());
    }
    return all;
  }

  //! The weight of the entries held and the most they may weigh, summed
  //! over the shards (an lru under a cachet::weigher).
  std::size_t total_weight() const
    requires requires(const inner_store& s) { s.total_weight(); }
  {
    std::size_t total = 0;
    for (const shard& s : shards_) {
      std::lock_guard<shard_lock> g(s.lock);
      total += s.store.total_weight();
    }
    return total;
  }
  std::size_t max_weight() const
    requires requires(const inner_store& s) { s.max_weight(); }
  {
    std::size_t total = 0;
    for (const shard& s : shards_) total += s.store.max_weight();  // fixed at construction: no lock
    return total;
  }

  //! The shard `key` (or a lookup form of it) lives in, in [0, N).
  template <class K>
  static std::size_t shard_index(const K& key) {
    if constexpr (N == 1) {
      return 0;
    } else {
      // Fibonacci hashing, high bits: the inner tables pick buckets from
      // the same hash, and shard choice must not correlate with that (nor
      // suffer from an identity hash such as std::hash<int>).
      const std::uint64_t h = static_cast<std::uint64_t>(typename Spec::hasher{}(key)) * 0x9E3779B97F4A7C15ull;
      return static_cast<std::size_t>(((h >> 32) * N) >> 32);
    }
  }

  //! The store of shard `index`, for tests and inspection; not locked.
  const inner_store& shard_store(std::size_t index) const { return shards_[index].store; }
  static constexpr std::size_t shard_count() noexcept { return N; }

 private:
  template <std::size_t... I>
  static std::array<shard, N> make_shards(const Storage& policy, const store_options& options,
                                          std::index_sequence<I...>) {
    return {shard(policy.shard(I, N), options)...};
  }

  template <class K>
  shard& shard_of(const K& key) {
    return shards_[shard_index(key)];
  }

  std::array<shard, N> shards_;
};

}  // namespace cachet::detail
