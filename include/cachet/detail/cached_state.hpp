// cachet/detail/cached_state.hpp: what a cachet::cached holds at run time:
// the policies' values, the store, the lock, the computations in flight and
// the refresh thread; and what every step of a sub-operation shares: the
// clock read, the lock around a store access (with the removals it
// reports), the error policy's fallback, and the stored form of a value
// (encode, decode, the times of a timed entry). The types come resolved and
// checked from resolved_policies.hpp; the steps are in cached_core.hpp.
#pragma once

#include <concepts>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cachet/detail/deadlines.hpp>
#include <cachet/detail/key_support.hpp>
#include <cachet/detail/observers.hpp>
#include <cachet/detail/policy_set.hpp>
#include <cachet/detail/refresher.hpp>
#include <cachet/detail/resolved_policies.hpp>
#include <cachet/detail/single_flight.hpp>
#include <cachet/detail/store_holder.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage/common/timed_entry.hpp>

namespace cachet::detail {

//! Whether sync policy P runs one computation per key at a time (its
//! `single_flight` member; default false).
template <class P>
constexpr bool single_flight_sync() {
  if constexpr (requires { { P::single_flight } -> std::convertible_to<bool>; })
    return static_cast<bool>(P::single_flight);
  else
    return false;
}

struct no_flights {};
struct no_refresher {
  void stop() noexcept {}
};

// A lock that a copy or move of the cache does not share.
template <class Lock>
struct lock_holder {
  Lock lock;
  lock_holder() = default;
  lock_holder(const lock_holder&) noexcept {}
  lock_holder& operator=(const lock_holder&) noexcept { return *this; }
};

// Holds the cache's lock around a store call, unless the store is safe to
// call from several threads by itself (storage_traits::thread_safe).
template <class Lock, bool Needed>
struct store_guard {
  std::lock_guard<Lock> held;
  explicit store_guard(Lock& lock) : held(lock) {}
};
template <class Lock>
struct store_guard<Lock, false> {
  explicit store_guard(Lock&) noexcept {}
};

template <class Fn, class Signature, class... Policies>
class cached_state;

template <class Fn, class R, class... Params, class... Policies>
class cached_state<Fn, R(Params...), Policies...>
    : public resolve<R, void(Params...), Policies...> {
 protected:
  using types = resolve<R, void(Params...), Policies...>;

 public:
  using function_type = Fn;
  //! What the function returns, as the cache keeps it.
  using typename types::value_type;
  //! The key the storage sees.
  using typename types::key_type;
  using typename types::store_type;
  using typename types::stored_type;
  using typename types::storage_type;
  using typename types::key_policy_type;
  using typename types::coder_type;
  using typename types::expiry_type;
  using typename types::clock_type;
  using typename types::sync_type;
  using typename types::bulk_type;
  using typename types::error_policy_type;
  using typename types::stats_type;
  using typename types::listener_type;
  using typename types::expiry_options_type;
  //! Whether f.stats() counts (record_stats).
  static constexpr bool records_stats = stats_type::records;

 protected:
  using typename types::bound_key;
  using expiry_traits_type = typename types::expiry_traits_type;
  using lock_type = typename sync_type::lock_type;
  //! Taken around every store access (a no-op for a thread-safe store).
  using guard = store_guard<lock_type, !types::lock_free_store>;
  //! Concurrent misses of one key run the function once (sync policy's single_flight).
  static constexpr bool single_flights = single_flight_sync<sync_type>();
  using observers_type = observers<stats_type, listener_type, store_type>;
  using deadlines_type = deadlines<expiry_type, expiry_options_type, value_type>;
  //! Entries carry their times (expiry_options): stale-on-error, refresh-ahead.
  static constexpr bool timed_entries = types::timed_entries;
  //! Refresh-ahead runs only where one computation per key is guaranteed.
  static constexpr bool refreshes = timed_entries && single_flights;
  using flight_table =
      std::conditional_t<single_flights,
                         single_flight<key_type, value_type, typename types::bound_key::hasher,
                                       typename types::bound_key::key_equal>,
                         no_flights>;

  cached_state(Fn fn, const Policies&... policies)
      : fn_(std::move(fn)),
        key_(pick_as<family::key, key_policy_type>(policies...)),
        coder_(pick_as<family::coder, coder_type>(policies...)),
        deadlines_(pick_as<family::expiry, expiry_type>(policies...),
                   pick_as<family::expiry_options, expiry_options_type>(policies...)),
        clock_(pick_as<family::clock, clock_type>(policies...)),
        error_policy_(pick_as<family::error_policy, error_policy_type>(policies...)),
        observers_(pick_as<family::removal_listener, listener_type>(policies...)),
        store_(types::make_storage(policies...), clock_, error_policy_) {
    if constexpr (observers_type::observes_removals) store_.record_removals(observers_type::recording);
    if constexpr (timed_entries && !single_flights)
      if (options().refresh_after > duration::zero())
        throw std::invalid_argument(
            "cachet::expiry_options: refresh_after needs a sync policy that runs one computation per key "
            "(cachet::mutex, the default, or cachet::sharded<N>)");
  }

  // The refreshes in flight write into this cache: they end first.
  ~cached_state() { refresher_.stop(); }
  cached_state(const cached_state&) = default;
  cached_state(cached_state&&) = default;
  cached_state& operator=(const cached_state&) = default;
  cached_state& operator=(cached_state&&) = default;

  const expiry_options_type& options() const noexcept { return deadlines_.options(); }

  // The clock is read only when some deadline can matter.
  time_point now() const {
    if constexpr (deadlines_type::kept)
      return clock_.now();
    else
      return time_point{};
  }

  template <class Lookup>
  value_type decode(const stored_type& stored, const Lookup& lookup) const {
    if constexpr (types::keeps_objects) {
      return entry_value(stored);
    } else {
      try {
        if constexpr (timed_entries) {
          (void)times_of(stored, lookup);  // long enough to have them
          return coder_.template decode<value_type>(std::string_view(stored).substr(timed_header_size));
        } else {
          return coder_.template decode<value_type>(stored);
        }
      } catch (const invalid_data& e) {
        throw invalid_data(e.reason(), store_.name(), key_text(lookup));
      }
    }
  }

  // ---- timed entries (expiry_options) ----

  // The times of a stored entry; invalid_data for bytes too short to hold them.
  template <class Lookup>
  timed_header times_of(const stored_type& stored, const Lookup& lookup) const
    requires timed_entries
  {
    if constexpr (types::keeps_objects) {
      return {stored.fresh_until, stored.refresh_at};
    } else {
      if (const auto header = timed_header::read(stored)) return *header;
      throw invalid_data("the entry is too short to hold its times (written without cachet::expiry_options?)",
                         store_.name(), key_text(lookup));
    }
  }

  // The stored form of `value`, fresh until `fresh_until`, written at `at`.
  stored_type timed_stored(const value_type& value, time_point fresh_until, time_point at) const {
    if constexpr (!timed_entries)
      return encode(value);
    else if constexpr (types::keeps_objects)
      return stored_type{value, fresh_until, deadlines_.refresh_at(at)};
    else
      return timed_header{fresh_until, deadlines_.refresh_at(at)}.prepend_to(coder_.encode(value));
  }

  // Removals taken early by renew_locked, for locked() to act on with the
  // rest (locked sections do not nest on a thread).
  static auto& carried_removals() {
    thread_local typename observers_type::batch_type carried;
    return carried;
  }

  // Hands an exception kept from the callers to expiry_options::on_error.
  void report(std::exception_ptr error) const {
    if constexpr (requires { static_cast<bool>(options().on_error); options().on_error(error); })
      if (options().on_error) options().on_error(std::move(error));
  }
  void report_quietly(std::exception_ptr error) const noexcept {
    try {
      report(std::move(error));
    } catch (...) {  // on the refresh thread, nobody to tell
    }
  }

  // What spreads a key's jitter (expiry_options::jitter): its hash.
  static std::size_t jitter_hash(const key_type& key) {
    if constexpr (deadlines_type::options_given)
      return typename types::bound_key::hasher{}(key);
    else
      return 0;
  }

  // The stored form of a value: a copy, or its bytes.
  stored_type encode(const value_type& value) const {
    if constexpr (types::keeps_objects)
      return value;
    else
      return coder_.encode(value);
  }

  // ---- what every step shares ----

  lock_type& lock() const { return lock_.lock; }

  // Runs `access()` on the store under the lock (unless the store is
  // thread safe and Always is false); the removals the store recorded
  // meanwhile are taken under the lock and acted on (stats, listener)
  // after it is released.
  template <bool Always = false, class Access>
  decltype(auto) locked(Access&& access) {
    using held = std::conditional_t<Always, std::lock_guard<lock_type>, guard>;
    using result = decltype(access());
    if constexpr (!observers_type::observes_removals) {
      held g(lock());
      return access();
    } else if constexpr (std::is_void_v<result>) {
      typename observers_type::batch_type removed;
      {
        held g(lock());
        access();
        removed = taken_removals();
      }
      observe(std::move(removed));
    } else {
      typename observers_type::batch_type removed;
      // A reference result is carried as a pointer past the unlock.
      using carried = std::conditional_t<std::is_reference_v<result>, std::remove_reference_t<result>*, result>;
      carried out = [&]() -> carried {
        held g(lock());
        carried r = [&]() -> carried {
          if constexpr (std::is_reference_v<result>)
            return &access();
          else
            return access();
        }();
        removed = taken_removals();
        return r;
      }();
      observe(std::move(removed));
      if constexpr (std::is_reference_v<result>)
        return static_cast<result>(*out);
      else
        return out;
    }
  }

  // Under the lock: the removals the store recorded, with any renew_locked took.
  auto taken_removals() {
    auto removed = store().take_removals();
    if constexpr (timed_entries) {
      auto& carried = carried_removals();
      if (!carried.empty()) {
        carried.append(std::move(removed));
        removed = std::exchange(carried, {});
      }
    }
    return removed;
  }

  void observe(typename observers_type::batch_type&& removed) {
    if (removed.empty()) return;
    observers_.removed(std::move(removed), [&](const stored_type& stored) -> std::optional<value_type> {
      if constexpr (types::keeps_objects) {
        return entry_value(stored);
      } else {
        try {
          return decode(stored, std::string_view("(removed)"));
        } catch (const invalid_data&) {
          return std::nullopt;  // a listener hears of values only
        }
      }
    });
  }

  // The store; under a fail-open policy one not opened yet is opened here
  // (after the reopen delay) or fails open as a backend_error.
  store_type& store() { return store_.get(clock_, error_policy_); }

  // Runs a storage access; under a fail-open error policy a backend_error or
  // invalid_data is reported and `fallback()` answers instead.
  template <class Fallback, class Access>
  decltype(auto) guarded(Fallback&& fallback, Access&& access) {
    if constexpr (error_policy_type::fails_open) {
      try {
        return access();
      } catch (const backend_error& e) {
        error_policy_.report(e);
      } catch (const invalid_data& e) {
        error_policy_.report(e);
      }
      return fallback();
    } else {
      return access();
    }
  }

  template <class Lookup>
  static std::string key_text(const Lookup& lookup) {
    if constexpr (string_like<Lookup>)
      return std::string(lookup);
    else
      return describe_key(lookup);
  }

  // First: a copy or move waits for the source's refreshes before the rest is copied.
  [[no_unique_address]] std::conditional_t<refreshes, refresher, no_refresher> refresher_;
  [[no_unique_address]] Fn fn_;
  [[no_unique_address]] bound_key key_;
  [[no_unique_address]] coder_type coder_;
  [[no_unique_address]] deadlines_type deadlines_;
  [[no_unique_address]] clock_type clock_;
  [[no_unique_address]] error_policy_type error_policy_;
  [[no_unique_address]] mutable lock_holder<lock_type> lock_;
  [[no_unique_address]] flight_table flights_;
  [[no_unique_address]] observers_type observers_;
  store_holder<store_type, storage_type, error_policy_type::fails_open> store_;
};

}  // namespace cachet::detail
