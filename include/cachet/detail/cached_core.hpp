// cachet/detail/cached_core.hpp: what a cachet::cached is made of at run
// time: the policies' values, the store, the lock, and the single-key steps
// the sub-operations are built from. The types come resolved and checked
// from resolved_policies.hpp. Members follow the path of a call f(args...):
// the lookup form of the key, the find under the lock, the call of the
// function, the write; then the steps of the other sub-operations.
#pragma once

#include <concepts>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
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
class cached_core;

template <class Fn, class R, class... Params, class... Policies>
class cached_core<Fn, R(Params...), Policies...>
    : public resolve<R, void(Params...), Policies...> {
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

  // Under a single-flight sync policy: read before a call looks in the
  // store (see single_flight::epoch); else 0.
  std::uint64_t flight_epoch() const noexcept {
    if constexpr (single_flights)
      return flights_.epoch();
    else
      return 0;
  }

  // Runs `compute()` (the call of the function and the write) for `key`, or,
  // under a single-flight sync policy, joins the computation of `key` already
  // in flight; a caller that missed at `looked_at` and leads after another
  // computation finished looks in the store again first (if `recheck`).
  template <class Compute>
  value_type computed(const key_type& key, std::uint64_t looked_at, bool recheck, Compute&& compute) {
    if constexpr (single_flights)
      return flights_.run(
          key, looked_at, std::forward<Compute>(compute),
          [&] { return recheck ? find_uncounted(key, now()) : std::optional<value_type>(); }, [&] { return key_text(key); });
    else
      return compute();
  }

  cached_core(Fn fn, const Policies&... policies)
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
  ~cached_core() { refresher_.stop(); }
  cached_core(const cached_core&) = default;
  cached_core(cached_core&&) = default;
  cached_core& operator=(const cached_core&) = default;
  cached_core& operator=(cached_core&&) = default;

  const expiry_options_type& options() const noexcept { return deadlines_.options(); }

  // ---- f(args...): 1. the key's lookup form ----

  // The form of a call's key passed to the store: the key policy's cheap
  // lookup form where the store accepts it (heterogeneous lookup), else the
  // owning key, since a store need only take `const key_type&`.
  template <class... A>
  auto store_lookup(const A&... args) const {
    using lookup_type = decltype(key_.lookup(args...));
    // (A timed entry is renewed by a rewrite, which needs the owning key.)
    if constexpr (types::store_traits::template heterogeneous_lookup<store_type, lookup_type> && !timed_entries)
      return key_.lookup(args...);
    else
      return key_.make(args...);
  }

  // The clock is read only when some deadline can matter.
  time_point now() const {
    if constexpr (deadlines_type::kept)
      return clock_.now();
    else
      return time_point{};
  }

  // ---- 2. the find, under the lock ----

  // What a lookup found, judged by its entry's times (expiry_options).
  struct found_entry {
    std::optional<value_type> fresh;  // a hit
    std::optional<value_type> stale;  // past its time to live, within stale_if_error
    bool refresh_due = false;         // a hit written refresh_after ago or more
  };

  // A lookup of a call: counted as a hit or a miss (record_stats).
  template <class Lookup>
  std::optional<value_type> find(const Lookup& lookup, time_point now) {
    auto found = find_uncounted(lookup, now);
    observers_.looked_up(found.has_value());
    return found;
  }

  template <class Lookup>
  std::optional<value_type> find_uncounted(const Lookup& lookup, time_point now) {
    if constexpr (timed_entries) {
      return find_entry(lookup, now).fresh;
    } else {
      return guarded([] { return std::optional<value_type>(); },
                     [&]() -> std::optional<value_type> {
                       std::optional<stored_type> stored = locked([&] { return find_locked(lookup, now); });
                       if (!stored) return std::nullopt;
                       if constexpr (types::keeps_objects)
                         return stored;
                       else
                         return decode(*stored, lookup);
                     });
    }
  }

  // The same for timed entries, with the stale value and the refresh due.
  template <class Lookup>
  found_entry find_entry(const Lookup& lookup, time_point now)
    requires timed_entries
  {
    return guarded([] { return found_entry{}; },
                   [&] {
                     found_entry out;
                     std::optional<stored_type> stored = locked([&] { return find_locked(lookup, now); });
                     if (!stored) return out;
                     const timed_header times = times_of(*stored, lookup);
                     if (now < times.fresh_until) {
                       out.fresh = decode(*stored, lookup);
                       out.refresh_due = now >= times.refresh_at;
                     } else {
                       out.stale = decode(*stored, lookup);
                     }
                     return out;
                   });
  }

  // Under the lock: the stored form of a live entry, renewed if the expiry
  // policy slides (a stale timed entry is not). Objects are copied out;
  // bytes are decoded by the caller after the lock is released.
  template <class Lookup>
  std::optional<stored_type> find_locked(const Lookup& lookup, time_point now) {
    // A sliding expiry renews in the get itself where the store can (one
    // round trip) and the deadline does not depend on the value, else with
    // a touch after it.
    constexpr bool renews = expiry_traits_type::renews_on_access;
    constexpr bool renew_in_get = renews && !deadlines_type::renewal_needs_value &&
                                  types::store_traits::template get_and_touch<store_type, Lookup>;
    auto found = [&] {
      if constexpr (renew_in_get)
        return store().get_and_touch(lookup, now, deadlines_.for_renewal(now));
      else
        return store().get(lookup, now);
    }();
    if (!found) return std::nullopt;
    std::optional<stored_type> out(std::in_place, std::move(*found));
    if constexpr (renews && timed_entries) {
      if (now < times_of(*out, lookup).fresh_until) renew_locked(lookup, *out, now);
    } else if constexpr (renews && !renew_in_get) {
      if constexpr (deadlines_type::renewal_needs_value) {
        if (const auto deadline = deadlines_.for_renewal(decode(*out, lookup), now))
          store().touch(lookup, now, *deadline);
      } else {
        store().touch(lookup, now, deadlines_.for_renewal(now));
      }
    }
    return out;
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

  // Under the lock: renews a fresh timed entry (touch, sliding expiry) by
  // writing it again with its new time to live, as `entry` too; false if
  // that is now zero (the entry is erased). The store's record of the
  // rewrite as a replacement is dropped: the value did not change.
  template <class Lookup>
  bool renew_locked(const Lookup& key, stored_type& entry, time_point now)
    requires timed_entries
  {
    const auto deadline = deadlines_.for_renewal(decode(entry, key), now);
    if (!deadline) {
      store().erase(key);
      return false;
    }
    if constexpr (types::keeps_objects)
      entry.fresh_until = *deadline;
    else
      timed_header{*deadline, times_of(entry, key).refresh_at}.write_over(entry);
    if constexpr (observers_type::observes_removals) {
      auto before = store().take_removals();
      store().set(key_type(key), stored_type(entry), deadlines_.in_store(*deadline));
      auto rewrite = store().take_removals();
      std::erase_if(rewrite.entries, [&](const auto& r) {
        return r.cause == removal_cause::replaced && typename types::bound_key::key_equal{}(r.key, key);
      });
      before.append(std::move(rewrite));
      carried_removals().append(std::move(before));
    } else {
      store().set(key_type(key), stored_type(entry), deadlines_.in_store(*deadline));
    }
    return true;
  }

  // Removals taken early by renew_locked, for locked() to act on with the
  // rest (locked sections do not nest on a thread).
  static auto& carried_removals() {
    thread_local typename observers_type::batch_type carried;
    return carried;
  }

  // ---- 3. on a miss: the owning key, then the function, unlocked ----

  // The owning key of a call: reuses the lookup form when it is one.
  template <class Lookup, class... A>
  key_type owning_key(Lookup&& lookup, const A&... args) const {
    if constexpr (std::same_as<std::remove_cvref_t<Lookup>, key_type>)
      return std::forward<Lookup>(lookup);
    else
      return key_.make(args...);
  }

  // A computation of the function, for the cache: timed and counted
  // (record_stats).
  template <class... A>
  value_type load(A&&... args) {
    return observers_.load(clock_, [&] { return invoke(std::forward<A>(args)...); });
  }

  template <class... A>
  value_type invoke(A&&... args) {
    if constexpr (!types::result_ok) {  // already reported; no second error
      std::invoke(fn_, std::forward<A>(args)...);
      return value_type{};
    } else {
      return std::invoke(fn_, std::forward<A>(args)...);
    }
  }

  // ---- 4. the write ----

  // Stores what the function computed: a result not worth caching
  // (result_traits) only as a negative entry (expiry_options::negative_ttl).
  void write_result(key_type&& key, const value_type& value) { write(std::move(key), value, /*computed=*/true); }

  void write(key_type&& key, const value_type& value, bool computed = false) {
    const time_point at = now();
    const auto deadline = deadlines_.for_write(value, at, computed, jitter_hash(key));
    if (!deadline) return;
    stored_type stored = timed_stored(value, *deadline, at);
    guarded([] {}, [&] {
      locked([&] { store().set(std::move(key), std::move(stored), deadlines_.in_store(*deadline)); });
    });
  }

  // ---- f(args...) on timed entries (expiry_options) ----

  // A hit due for a refresh starts one (refresh_after); a miss computes,
  // and falls back on a stale value (stale_if_error) if the function throws.
  template <class Lookup, class... A>
  value_type call_timed(std::uint64_t looked_at, Lookup&& lookup, A&&... args)
    requires timed_entries
  {
    found_entry found = find_entry(lookup, now());
    observers_.looked_up(found.fresh.has_value());
    if (found.fresh) {
      if constexpr (refreshes)
        if (found.refresh_due) refresh(lookup, args...);
      return std::move(*found.fresh);
    }
    key_type key = owning_key(std::forward<Lookup>(lookup), args...);
    return computed(key, looked_at, /*recheck=*/true, [&] {
      std::optional<value_type> value;
      try {
        value.emplace(load(std::forward<A>(args)...));
      } catch (...) {
        if (!found.stale) throw;
        report(std::current_exception());
        return std::move(*found.stale);
      }
      write_result(key_type(key), *value);
      return std::move(*value);
    });
  }

  // What the refresh thread keeps of an argument: the parameter's value
  // type, and a string_view's characters.
  template <class P>
  using argument_copy = std::conditional_t<
      std::same_as<std::decay_t<P>, std::string_view>, std::string, std::decay_t<P>>;

  // Starts the refresh of `key` on the refresh thread, unless a
  // computation of it is in flight or has just refreshed it; the others
  // keep reading the old value.
  template <class... A>
  void refresh(const key_type& key, const A&... args)
    requires refreshes
  {
    if constexpr ((std::copy_constructible<argument_copy<Params>> && ...)) {
      auto flight = flights_.try_claim(key);
      if (!flight) return;
      try {
        // A refresh that ended after this caller read the entry wrote a
        // young one: no second refresh. (Its flight is this one's value.)
        const time_point at = now();
        std::optional<stored_type> stored = guarded([] { return std::optional<stored_type>(); },
                                                    [&] {
                                                      return locked([&]() -> std::optional<stored_type> {
                                                        auto found = store().get(key, at);
                                                        if (!found) return std::nullopt;
                                                        return stored_type(std::move(*found));
                                                      });
                                                    });
        if (stored) {
          const timed_header times = times_of(*stored, key);
          if (at < times.fresh_until && at < times.refresh_at) {
            flight_table::publish(*flight, decode(*stored, key));
            flights_.retire(key);
            return;
          }
        }
      } catch (...) {
        flight_table::publish(*flight, std::current_exception());
        flights_.retire(key);
        report_quietly(std::current_exception());  // the hit still answers
        return;
      }
      std::tuple<argument_copy<Params>...> copies(args...);
      refresher_.submit([this, key, flight = std::move(flight), copies = std::move(copies)](bool run) mutable {
        try {
          if (!run) throw std::runtime_error("cachet: a refresh was cancelled by the cache's destruction");
          value_type value = std::apply([&](auto&... a) { return load(a...); }, copies);
          flight_table::publish(*flight, value);
          try {
            write_result(key_type(key), value);
          } catch (...) {
            report_quietly(std::current_exception());
          }
        } catch (...) {
          flight_table::publish(*flight, std::current_exception());
          if (run) report_quietly(std::current_exception());
        }
        flights_.retire(key);
      });
    }
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

  // ---- contains ----

  // Under the lock: whether a fresh entry exists; not a use for recency
  // (a timed entry is read where the store can peek).
  template <class Lookup>
  bool contains_locked(const Lookup& lookup, time_point at) {
    if constexpr (timed_entries) {
      if constexpr (requires(const store_type& s) { s.peek(lookup, at); }) {
        const auto seen = std::as_const(store()).peek(lookup, at);
        if (seen.value != nullptr) return at < times_of(*seen.value, lookup).fresh_until;
        if (!seen.needs_write) return false;  // no entry
      }
      const auto found = store().get(lookup, at);
      return found && at < times_of(*found, lookup).fresh_until;
    } else {
      return store().contains(lookup, at);
    }
  }

  // ---- touch ----

  template <class Lookup>
  bool touch_key(const Lookup& lookup) {
    const time_point at = now();
    return guarded([] { return false; }, [&] { return locked([&] { return touch_locked(lookup, at); }); });
  }

  template <class Lookup>
  bool touch_locked(const Lookup& lookup, time_point at) {
    if constexpr (timed_entries) {  // a stale entry is not renewed
      auto found = store().get(lookup, at);
      if (!found) return false;
      stored_type entry(std::move(*found));
      return at < times_of(entry, lookup).fresh_until && renew_locked(lookup, entry, at);
    } else if constexpr (!deadlines_type::renewal_needs_value) {
      return store().touch(lookup, at, deadlines_.for_renewal(at));
    } else {  // the deadline depends on the value
      auto found = store().get(lookup, at);
      if (!found) return false;
      const auto deadline = deadlines_.for_renewal(decode(*found, lookup), at);
      if (!deadline) {  // the value's time to live is now zero
        store().erase(lookup);
        return false;
      }
      return store().touch(lookup, at, *deadline);
    }
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
