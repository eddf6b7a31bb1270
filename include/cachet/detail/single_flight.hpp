// cachet/detail/single_flight.hpp: the computations in flight of one cached
// function, by key, so that concurrent misses of one key run the function
// once (the cache stampede that Caffeine's computeIfAbsent and Rust
// cached's sync_writes prevent).
//
// The first caller of a key leads: it computes (no lock held), stores, and
// hands the value (or the exception) to every caller that came meanwhile;
// they wait on the flight, not on the cache's lock, so other keys never
// wait. A leader that asks for its own key again (the function calls
// itself with the same arguments) would wait for itself: it gets
// cachet::reentrant_call at once instead.
//
// A batch (get_or_update_many, update_many) claims its keys one by one:
// it leads the free ones, computes each and publishes its value at once,
// but keeps those flights in the table until the whole batch is stored in
// one write, and only then waits for the keys other threads lead. So it
// never waits while it holds a flight that is not done: no deadlock between
// batches, and a call for a published key (from the function, or another
// thread) gets the value without waiting.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cachet/errors.hpp>

namespace cachet::detail {

template <class Key, class Value, class Hash, class Equal>
class single_flight {
 public:
  single_flight() = default;
  // A copy of a cached function shares no computation with the original.
  single_flight(const single_flight&) noexcept {}
  single_flight& operator=(const single_flight&) noexcept { return *this; }

  //! How many computations have finished: read before a lookup of the
  //! store, so that a caller that then leads knows whether a value may have
  //! been stored since it looked.
  std::uint64_t epoch() const noexcept { return finished_.load(std::memory_order_acquire); }

  //! Runs `lead()` (which computes and stores) unless a computation of `key`
  //! is in flight, whose outcome is then returned (or rethrown) instead.
  //! A caller that leads after a computation finished since `looked_at`
  //! (its epoch() before it missed) first asks `recheck()` (the store), so
  //! that a value stored meanwhile is not computed again. `describe()`
  //! names the key for reentrant_call's message.
  template <class Lead, class Recheck, class Describe>
  Value run(const Key& key, std::uint64_t looked_at, Lead&& lead, Recheck&& recheck, Describe&& describe) {
    std::shared_ptr<flight> joined;
    std::shared_ptr<flight> led;
    {
      std::lock_guard<std::mutex> g(mutex_);
      if (const auto it = flights_.find(key); it == flights_.end()) {
        led = std::make_shared<flight>();  // before the table changes: a failed allocation leaves it as it was
        flights_.emplace(key, led);
      } else if (it->second->leader == std::this_thread::get_id() && !it->second->is_done()) {
        throw reentrant_call("the function called itself with the arguments of a call it is still computing",
                             {}, describe());
      } else {
        joined = it->second;
      }
    }
    if (joined) return joined->wait();
    try {
      if (epoch() != looked_at) {
        if (std::optional<Value> stored = recheck()) {
          finish(key, *led, [&](flight& f) { f.value.emplace(*stored); });
          return std::move(*stored);
        }
      }
      Value value = lead();
      finish(key, *led, [&](flight& f) { f.value.emplace(value); });
      return value;
    } catch (...) {
      finish(key, *led, [&](flight& f) { f.error = std::current_exception(); });
      throw;
    }
  }

 private:
  struct flight;

 public:
  using flight_ptr = std::shared_ptr<flight>;

  //! A batch's claim on one key: `led` (this caller computes it, then
  //! publish()es and retire()s it) or `joined` (wait() on it after the
  //! batch's own flights are retired).
  struct claim {
    flight_ptr led;
    flight_ptr joined;
    bool own = false;  //!< joined is this thread's (published) flight
  };

  //! Claims `key` for a batch; throws reentrant_call if this thread leads
  //! it and has not published it yet.
  template <class Describe>
  claim claim_for_batch(const Key& key, Describe&& describe) {
    std::lock_guard<std::mutex> g(mutex_);
    if (const auto it = flights_.find(key); it == flights_.end()) {
      auto led = std::make_shared<flight>();
      flights_.emplace(key, led);
      return {std::move(led), nullptr};
    } else if (it->second->leader == std::this_thread::get_id() && !it->second->is_done()) {
      throw reentrant_call("the function called itself with the arguments of a call it is still computing", {},
                           describe());
    } else {
      return {nullptr, it->second, it->second->leader == std::this_thread::get_id()};
    }
  }

  //! Hands a led flight's value (or error) to its waiters; the flight stays
  //! claimed until retire().
  static void publish(flight& f, const Value& value) {
    f.set_done([&](flight& d) { d.value.emplace(value); });
  }
  static void publish(flight& f, std::exception_ptr error) {
    f.set_done([&](flight& d) { d.error = std::move(error); });
  }

  //! Claims `key` if no computation of it is in flight (refresh-ahead:
  //! then this caller publish()es and retire()s it), else returns null.
  flight_ptr try_claim(const Key& key) {
    std::lock_guard<std::mutex> g(mutex_);
    if (flights_.contains(key)) return nullptr;
    auto led = std::make_shared<flight>();
    flights_.emplace(key, led);
    return led;
  }

  //! Forgets a led, published flight: the batch has stored its value.
  void retire(const Key& key) {
    std::lock_guard<std::mutex> g(mutex_);
    finished_.fetch_add(1, std::memory_order_acq_rel);
    flights_.erase(key);
  }

  //! The value of a joined flight, once it is done (or its exception).
  static Value wait(flight& f) { return f.wait(); }

 private:
  struct flight {
    std::thread::id leader = std::this_thread::get_id();
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::optional<Value> value;
    std::exception_ptr error;

    Value wait() {
      std::unique_lock<std::mutex> l(mutex);
      done_cv.wait(l, [&] { return done; });
      if (error) std::rethrow_exception(error);
      return *value;
    }
    bool is_done() {
      std::lock_guard<std::mutex> l(mutex);
      return done;
    }
    template <class Set>
    void set_done(Set&& set) {
      {
        std::lock_guard<std::mutex> l(mutex);
        set(*this);
        done = true;
      }
      done_cv.notify_all();
    }
  };

  // Publishes the outcome, then forgets the flight (a later miss, after a
  // failure, computes again), then wakes the waiters. The epoch moves
  // before the flight leaves the table: a caller that finds no flight then
  // sees the new epoch and looks in the store again (else one that missed
  // before the write could lead a second computation).
  template <class Set>
  void finish(const Key& key, flight& f, Set&& set) {
    {
      std::lock_guard<std::mutex> l(f.mutex);
      set(f);
      f.done = true;
    }
    {
      std::lock_guard<std::mutex> g(mutex_);
      finished_.fetch_add(1, std::memory_order_acq_rel);
      flights_.erase(key);
    }
    f.done_cv.notify_all();
  }

  std::mutex mutex_;
  boost::unordered_flat_map<Key, std::shared_ptr<flight>, Hash, Equal> flights_;
  std::atomic<std::uint64_t> finished_{0};
};

}  // namespace cachet::detail
