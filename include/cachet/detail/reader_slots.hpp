// cachet/detail/reader_slots.hpp: a reader/writer lock whose readers write
// only a cache line of their own, for the shards of cachet::sharded<N>.
//
// A reader counts itself in one of `slot_count` padded counters (its
// thread's slot), then checks that no writer is in; a writer takes a plain
// lock, raises a flag and waits until every counter is zero. So readers on
// different slots never write the same memory: a hit from two cores moves
// no cache line between them, where a std::mutex word (written by every
// lock and unlock) moves on about every second hit. A reader that finds a
// writer in gives up at once rather than wait: its caller takes the
// exclusive path instead, so a writer never waits behind a stream of
// readers.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <thread>

namespace cachet::detail {

// The reader slot of the calling thread, in [0, 64) while at most 64 threads
// hold one: a thread takes the lowest free number and gives it back when it
// ends, so threads alive at once get different numbers (threads that came
// and went, as a benchmark's, would otherwise meet on the same slot).
inline std::size_t this_thread_reader_slot() noexcept {
  static std::atomic<std::uint64_t> taken{0};
  static std::atomic<std::size_t> overflow{0};
  struct claim {
    std::size_t index;
    bool owned;
    claim() noexcept {
      std::uint64_t seen = taken.load(std::memory_order_relaxed);
      while (~seen != 0) {
        const auto bit = static_cast<std::size_t>(std::countr_one(seen));
        if (taken.compare_exchange_weak(seen, seen | (std::uint64_t{1} << bit), std::memory_order_relaxed)) {
          index = bit;
          owned = true;
          return;
        }
      }
      index = overflow.fetch_add(1, std::memory_order_relaxed);  // 64 threads hold numbers: share
      owned = false;
    }
    ~claim() {
      if (owned) taken.fetch_and(~(std::uint64_t{1} << index), std::memory_order_relaxed);
    }
  };
  thread_local const claim mine;
  return mine.index;
}

//! Lock: the writers' lock (the sync policy's lock_type). lock()/unlock()
//! are exclusive (Lockable, for std::lock_guard); readers use read_guard.
template <class Lock>
class reader_slots {
  static constexpr std::size_t slot_count = 16;
  struct alignas(64) slot {
    std::atomic<std::uint32_t> readers{0};
  };

 public:
  reader_slots() = default;
  reader_slots(const reader_slots&) = delete;
  reader_slots& operator=(const reader_slots&) = delete;

  // Memory order. The reader's increment then flag load, and the writer's
  // flag store then counter loads, form Dekker's pattern: with all four
  // seq_cst they fall in one total order, so either the writer's loads see
  // the increment (and it waits), or the reader's load sees the flag (and it
  // leaves); never neither. What the reader read happens before what the
  // writer then writes through the reader's release decrement read by the
  // writer's (seq_cst, so acquire) load of zero; what a writer wrote happens
  // before a later reader's reads through the release store lowering the
  // flag, read by the reader's acquire load. On x86 the seq_cst loads are
  // plain loads; only the increment (a locked add) costs.

  void lock() {
    writer_.lock();
    writing_.store(true, std::memory_order_seq_cst);
    for (const slot& s : slots_)
      while (s.readers.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  }

  void unlock() {
    writing_.store(false, std::memory_order_release);
    writer_.unlock();
  }

  //! Holds a shared lock when it converts to true; false when a writer is
  //! in or waiting (then take lock() instead).
  class read_guard {
   public:
    explicit read_guard(reader_slots& lock) noexcept : slot_(lock.try_read()) {}
    read_guard(const read_guard&) = delete;
    read_guard& operator=(const read_guard&) = delete;
    ~read_guard() {
      if (slot_ != nullptr) slot_->fetch_sub(1, std::memory_order_release);
    }
    explicit operator bool() const noexcept { return slot_ != nullptr; }

   private:
    std::atomic<std::uint32_t>* slot_;
  };

 private:
  std::atomic<std::uint32_t>* try_read() noexcept {
    std::atomic<std::uint32_t>& mine = slots_[this_thread_reader_slot() % slot_count].readers;
    mine.fetch_add(1, std::memory_order_seq_cst);
    if (!writing_.load(std::memory_order_seq_cst)) return &mine;
    mine.fetch_sub(1, std::memory_order_release);
    return nullptr;
  }

  std::array<slot, slot_count> slots_;
  // Read by every reader, written by writers only: apart from the slots.
  alignas(64) std::atomic<bool> writing_{false};
  Lock writer_;
};

}  // namespace cachet::detail
