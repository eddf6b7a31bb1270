// bench/baselines/memo.hpp: a memoized function written by hand over one of
// the baseline tables (classic_lru, classic_map, raw_map), with or without a
// std::mutex. It gives the same guarantee as cachet's wrapper: the lock is
// held around each table access and never while the function runs.
#pragma once

#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace baseline {

//! No locking: for one thread at a time.
struct no_lock {
  void lock() noexcept {}
  void unlock() noexcept {}
};

//! Fn: a function object taking Arg and returning Value. Lock: no_lock or
//! std::mutex.
template <class Table, class Fn, class Lock, class Arg, class Value>
class memo {
 public:
  template <class... TableArgs>
  explicit memo(Fn fn, TableArgs&&... table_args) : fn_(std::move(fn)), table_(std::forward<TableArgs>(table_args)...) {}

  //! Hit: the stored value; miss: calls the function, stores, returns.
  Value operator()(const Arg& arg) {
    {
      std::lock_guard g(lock_);
      if (const Value* hit = table_.get(arg)) return *hit;
    }
    Value value = fn_(arg);
    std::lock_guard g(lock_);
    table_.put(arg, value);
    return value;
  }

  std::optional<Value> get(const Arg& arg) {
    std::lock_guard g(lock_);
    if (const Value* hit = table_.get(arg)) return *hit;
    return std::nullopt;
  }

  void set(const Value& value, const Arg& arg) {
    std::lock_guard g(lock_);
    table_.put(arg, value);
  }

  bool erase(const Arg& arg) {
    std::lock_guard g(lock_);
    return table_.erase(arg);
  }

  //! One lock for the whole batch, like cachet's get_many.
  std::vector<std::optional<Value>> get_many(std::span<const Arg> args) {
    std::vector<std::optional<Value>> out;
    out.reserve(args.size());
    std::lock_guard g(lock_);
    for (const Arg& arg : args) {
      if (const Value* hit = table_.get(arg))
        out.emplace_back(*hit);
      else
        out.emplace_back();
    }
    return out;
  }

  Table& table() noexcept { return table_; }

 private:
  Fn fn_;
  Lock lock_;
  Table table_;
};

}  // namespace baseline
