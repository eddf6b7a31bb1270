// cachet/detail/cached_core.hpp: what a cachet::cached is made of at run
// time: the policies' values, the store, the lock, and the single-key steps
// the sub-operations are built from. The types come resolved and checked
// from resolved_policies.hpp. Members follow the path of a call f(args...):
// the lookup form of the key, the find under the lock, the call of the
// function, the write; then the steps of the other sub-operations.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <cachet/detail/key_support.hpp>
#include <cachet/detail/policy_set.hpp>
#include <cachet/detail/resolved_policies.hpp>
#include <cachet/detail/single_flight.hpp>
#include <cachet/detail/store_holder.hpp>
#include <cachet/errors.hpp>
#include <cachet/result_traits.hpp>

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

 protected:
  using typename types::bound_key;
  using expiry_traits_type = typename types::expiry_traits_type;
  using lock_type = typename sync_type::lock_type;
  //! Taken around every store access (a no-op for a thread-safe store).
  using guard = store_guard<lock_type, !types::lock_free_store>;
  //! Concurrent misses of one key run the function once (sync policy's single_flight).
  static constexpr bool single_flights = single_flight_sync<sync_type>();
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
          [&] { return recheck ? find(key, now()) : std::optional<value_type>(); }, [&] { return key_text(key); });
    else
      return compute();
  }

  cached_core(Fn fn, const Policies&... policies)
      : fn_(std::move(fn)),
        key_(pick_as<family::key, key_policy_type>(policies...)),
        coder_(pick_as<family::coder, coder_type>(policies...)),
        expiry_(pick_as<family::expiry, expiry_type>(policies...)),
        clock_(pick_as<family::clock, clock_type>(policies...)),
        error_policy_(pick_as<family::error_policy, error_policy_type>(policies...)),
        store_(pick_as<family::storage, storage_type>(policies...), clock_, error_policy_) {}

  // ---- f(args...): 1. the key's lookup form ----

  // The form of a call's key passed to the store: the key policy's cheap
  // lookup form where the store accepts it (heterogeneous lookup), else the
  // owning key, since a store need only take `const key_type&`.
  template <class... A>
  auto store_lookup(const A&... args) const {
    using lookup_type = decltype(key_.lookup(args...));
    if constexpr (types::store_traits::template heterogeneous_lookup<store_type, lookup_type>)
      return key_.lookup(args...);
    else
      return key_.make(args...);
  }

  // The clock is read only when some deadline can matter.
  time_point now() const {
    if constexpr (expiry_traits_type::expires)
      return clock_.now();
    else
      return time_point{};
  }

  // ---- 2. the find, under the lock ----

  template <class Lookup>
  std::optional<value_type> find(const Lookup& lookup, time_point now) {
    return guarded([] { return std::optional<value_type>(); },
                   [&]() -> std::optional<value_type> {
                     std::optional<stored_type> stored;
                     {
                       guard g(lock());
                       stored = find_locked(lookup, now);
                     }
                     if (!stored) return std::nullopt;
                     if constexpr (types::keeps_objects)
                       return stored;
                     else
                       return decode(*stored, lookup);
                   });
  }

  // Under the lock: the stored form of a live entry, renewed if the expiry
  // policy slides. Objects are copied out; bytes are decoded by the caller
  // after the lock is released.
  template <class Lookup>
  std::optional<stored_type> find_locked(const Lookup& lookup, time_point now) {
    // A sliding expiry renews in the get itself where the store can (one
    // round trip), else with a touch after it.
    constexpr bool renew_in_get = expiry_traits_type::renews_on_access &&
                                  types::store_traits::template get_and_touch<store_type, Lookup>;
    auto found = [&] {
      if constexpr (renew_in_get)
        return store().get_and_touch(lookup, now, expiry_.deadline(now));
      else
        return store().get(lookup, now);
    }();
    if (!found) return std::nullopt;
    std::optional<stored_type> out(std::in_place, std::move(*found));
    if constexpr (expiry_traits_type::renews_on_access && !renew_in_get)
      store().touch(lookup, now, expiry_.deadline(now));
    return out;
  }

  template <class Lookup>
  value_type decode(const stored_type& stored, const Lookup& lookup) const {
    if constexpr (types::keeps_objects) {
      return stored;
    } else {
      try {
        return coder_.template decode<value_type>(stored);
      } catch (const invalid_data& e) {
        throw invalid_data(e.reason(), store_.name(), key_text(lookup));
      }
    }
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

  // Whether the function's result `value` is stored (result_traits).
  static bool worth_caching(const value_type& value) noexcept(noexcept(result_traits<value_type>::worth_caching(value))) {
    return result_traits<value_type>::worth_caching(value);
  }

  // Stores what the function computed, unless it is not worth caching.
  void write_result(key_type&& key, const value_type& value) {
    if (worth_caching(value)) write(std::move(key), value);
  }

  void write(key_type&& key, const value_type& value) {
    const time_point at = now();
    const auto deadline = write_deadline(value, at);
    if (!deadline) return;
    stored_type stored = encode(value);
    guarded([] {},
            [&] {
              guard g(lock());
              store().set(std::move(key), std::move(stored), *deadline);
            });
  }

  // The deadline of a value written at `now`; nullopt: not to be stored.
  std::optional<time_point> write_deadline(const value_type& value, time_point now) const {
    const time_point deadline = expiry_.deadline(now, value);
    if (expiry_traits_type::expires && deadline <= now) return std::nullopt;
    return deadline;
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

  // ---- touch ----

  template <class Lookup>
  bool touch_key(const Lookup& lookup) {
    const time_point at = now();
    return guarded([] { return false; },
                   [&] {
                     guard g(lock());
                     return touch_locked(lookup, at);
                   });
  }

  template <class Lookup>
  bool touch_locked(const Lookup& lookup, time_point at) {
    if constexpr (expiry_traits_type::value_independent) {
      return store().touch(lookup, at, expiry_.deadline(at));
    } else {  // the deadline depends on the value
      auto found = store().get(lookup, at);
      if (!found) return false;
      const auto deadline = write_deadline(decode(*found, lookup), at);
      if (!deadline) {  // the value's time to live is now zero
        store().erase(lookup);
        return false;
      }
      return store().touch(lookup, at, *deadline);
    }
  }

  [[no_unique_address]] Fn fn_;
  [[no_unique_address]] bound_key key_;
  [[no_unique_address]] coder_type coder_;
  [[no_unique_address]] expiry_type expiry_;
  [[no_unique_address]] clock_type clock_;
  [[no_unique_address]] error_policy_type error_policy_;
  [[no_unique_address]] mutable lock_holder<lock_type> lock_;
  [[no_unique_address]] flight_table flights_;
  store_holder<store_type, storage_type, error_policy_type::fails_open> store_;
};

}  // namespace cachet::detail
