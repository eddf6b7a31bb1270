// cachet/detail/store_holder.hpp: the store of a cached function, as the
// error policy wants it opened. Under propagate_errors the store is made
// with the cache, and a failure to open it is the caller's exception. Under
// a fail-open policy a store that cannot be opened (a database file that is
// not one, a directory that cannot be made) does not stop the cache from
// being made: the failure is reported, every access fails open as a
// backend_error (the function is called, nothing is stored), and opening is
// tried again after the policy's reopen delay.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

#include <cachet/clock.hpp>
#include <cachet/error_policy.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/common/removal_log.hpp>

namespace cachet::detail {

template <class ErrorPolicy>
store_options options_for(const ErrorPolicy& errors) {
  return store_options{.lock_wait = error_policy_traits<ErrorPolicy>::lock_wait(errors)};
}

template <class Store, class Storage, bool FailsOpen>
class store_holder {
 public:
  template <class Clock, class ErrorPolicy>
  store_holder(const Storage& policy, const Clock&, const ErrorPolicy& errors)
      : store_(make(policy, options_for(errors))) {}

  template <class Clock, class ErrorPolicy>
  Store& get(const Clock&, const ErrorPolicy&) {
    return store_;
  }
  Store& get() { return store_; }
  const Store& get() const { return store_; }
  std::string name() const { return store_.name(); }

  //! Tells a store that records removals what to record.
  void record_removals(removal_recording mode) {
    if constexpr (reports_removals<Store>) store_.record_removals(mode);
  }

 private:
  // By value, made in place: a store need not be movable.
  static Store make(const Storage& policy, const store_options& options) {
    if constexpr (std::is_constructible_v<Store, const Storage&, const store_options&>)
      return Store(policy, options);
    else
      return Store(policy);
  }

  Store store_;
};

template <class Store, class Storage>
class store_holder<Store, Storage, true> {
 public:
  template <class Clock, class ErrorPolicy>
  store_holder(const Storage& policy, const Clock& clock, const ErrorPolicy& errors)
      : policy_(policy), options_(options_for(errors)) {
    try_open(clock, errors);
  }

  // Copies open their own store (a store is not shared between caches).
  store_holder(const store_holder& other)
      : policy_(other.policy_), options_(other.options_), retry_at_(time_point::min()), recording_(other.recording_) {
    if (other.store_) store_ = std::make_unique<Store>(*other.store_);
    open_.store(store_.get(), std::memory_order_release);
  }
  store_holder& operator=(const store_holder&) = delete;

  //! The store; if it is not open and the reopen delay has passed, opens it
  //! (reporting a failure); else throws backend_error, which fails open.
  template <class Clock, class ErrorPolicy>
  Store& get(const Clock& clock, const ErrorPolicy& errors) {
    if (Store* s = open_.load(std::memory_order_acquire)) return *s;
    {
      std::lock_guard<std::mutex> g(opening_);
      if (!store_ && clock.now() >= retry_at_) try_open(clock, errors);
    }
    if (Store* s = open_.load(std::memory_order_acquire)) return *s;
    throw backend_error("the store could not be opened; retried after the error policy's reopen delay: " + last_error_,
                        "unopened store");
  }

  //! For storage(): the store, or backend_error if it is not open.
  Store& get() {
    if (Store* s = open_.load(std::memory_order_acquire)) return *s;
    throw backend_error("the store could not be opened: " + last_error_, "unopened store");
  }
  const Store& get() const { return const_cast<store_holder&>(*this).get(); }

  std::string name() const {
    const Store* s = open_.load(std::memory_order_acquire);
    return s != nullptr ? s->name() : "unopened store";
  }

  //! Tells a store that records removals what to record, now and when one
  //! is opened later.
  void record_removals(removal_recording mode) {
    std::lock_guard<std::mutex> g(opening_);
    recording_ = mode;
    if constexpr (reports_removals<Store>)
      if (store_) store_->record_removals(mode);
  }

 private:
  template <class Clock, class ErrorPolicy>
  void try_open(const Clock& clock, const ErrorPolicy& errors) {
    try {
      store_.reset(new_store<Store>(policy_, options_));
      if constexpr (reports_removals<Store>) store_->record_removals(recording_);
      open_.store(store_.get(), std::memory_order_release);
    } catch (const backend_error& e) {
      last_error_ = e.what();
      retry_at_ = add_saturating(clock.now(), error_policy_traits<ErrorPolicy>::reopen_after(errors));
      errors.report(e);
    }
  }

  Storage policy_;
  store_options options_;
  std::unique_ptr<Store> store_;
  std::atomic<Store*> open_{nullptr};
  std::mutex opening_;
  time_point retry_at_ = time_point::min();
  std::string last_error_;
  removal_recording recording_ = removal_recording::off;
};

}  // namespace cachet::detail
