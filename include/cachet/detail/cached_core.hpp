// cachet/detail/cached_core.hpp: the single-key steps the sub-operations
// of a cachet::cached are built from, over what cached_state.hpp holds.
// Members follow the path of a call f(args...): the lookup form of the key,
// the find under the lock, the call of the function, the write; then f(...)
// on timed entries (stale-on-error, refresh-ahead) and the steps of the
// other sub-operations.
#pragma once

#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cachet/detail/cached_state.hpp>

namespace cachet::detail {

template <class Fn, class Signature, class... Policies>
class cached_core;

template <class Fn, class R, class... Params, class... Policies>
class cached_core<Fn, R(Params...), Policies...> : public cached_state<Fn, R(Params...), Policies...> {
  using state = cached_state<Fn, R(Params...), Policies...>;

 protected:
  using typename state::types;
  using typename state::value_type;
  using typename state::key_type;
  using typename state::stored_type;
  using typename state::store_type;
  using typename state::bound_key;
  using typename state::expiry_traits_type;
  using typename state::deadlines_type;
  using typename state::observers_type;
  using typename state::flight_table;
  using state::single_flights;
  using state::timed_entries;
  using state::refreshes;
  using state::fn_;
  using state::key_;
  using state::coder_;
  using state::deadlines_;
  using state::observers_;
  using state::flights_;
  using state::refresher_;
  using state::clock_;
  using state::store_;
  using state::options;
  using state::now;
  using state::decode;
  using state::times_of;
  using state::timed_stored;
  using state::carried_removals;
  using state::report;
  using state::report_quietly;
  using state::jitter_hash;
  using state::locked;
  using state::store;
  using state::guarded;
  using state::key_text;

  using state::state;

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

};

}  // namespace cachet::detail
