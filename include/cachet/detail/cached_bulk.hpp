// cachet/detail/cached_bulk.hpp: the *_many sub-operations of cachet::cached.
//
// Each takes a range of calls (forward range): an element is the argument
// tuple of one call (std::tuple, std::pair, std::array), or, for a function
// that accepts the element itself as its one argument, that element. Each
// returns a std::vector in the order of the calls and takes the cache's lock
// once per storage access (get_or_update_many: once to look up, once to
// store what it computed). With the `batched` bulk policy and a store that has get_many,
// set_many and erase_many, the store is called once per batch.
#pragma once

#include <concepts>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cachet/storage.hpp>

namespace cachet::detail {

//! Calls f with the arguments of one call of a *_many operation.
template <class Fn, class Item, class F>
decltype(auto) with_arguments(const Item& item, F&& f) {
  if constexpr (std::invocable<Fn&, const Item&>)
    return std::invoke(std::forward<F>(f), item);
  else
    return std::apply(std::forward<F>(f), item);
}

template <class Range>
void reserve_for(auto& out, const Range& calls) {
  if constexpr (std::ranges::sized_range<const Range>) out.reserve(std::ranges::size(calls));
}

template <class Derived, class Core>
class cached_bulk : public Core {
 protected:
  using Core::Core;
  using typename Core::guard;
  using typename Core::key_type;
  using typename Core::stored_type;
  using typename Core::value_type;
  using fn_type = typename Core::function_type;
  static constexpr bool use_store_bulk = Core::use_store_bulk;
  // The optional batch members, used under the batching bulk policy only.
  static constexpr bool use_store_contains_many = Core::use_store_contains_many;
  static constexpr bool use_store_touch_many = Core::use_store_touch_many;

  // What find_many saw besides the hits, on timed entries (expiry_options):
  // by call, the stale values and whether a hit is due for a refresh.
  struct beyond_hits {
    std::vector<std::optional<value_type>> stale;
    std::vector<bool> refresh_due;
  };

  template <class Item>
  key_type key_of(const Item& item) const {
    return with_arguments<fn_type>(item, [&](const auto&... a) { return this->key_.make(a...); });
  }
  template <class Item>
  auto lookup_of(const Item& item) const {
    return with_arguments<fn_type>(item, [&](const auto&... a) { return this->store_lookup(a...); });
  }
  template <class Item>
  value_type call_of(const Item& item) {
    return with_arguments<fn_type>(item, [&](const auto&... a) { return this->invoke(a...); });
  }
  // The calls of a batch not `found`, under a single-flight sync policy
  // (see single_flight.hpp): each missing key is claimed; a led one is
  // computed (or, if a computation finished since `looked_at` and
  // `recheck`, read again from the store) and published at once; the led
  // values are stored in one write; then the batch waits for the keys
  // other threads lead. A repeated key joins its first call's flight
  // (update_many: is computed again).
  template <class Range>
  std::vector<value_type> in_flights(const Range& calls, std::vector<std::optional<value_type>>& found,
                                     std::uint64_t looked_at, bool recheck, beyond_hits* seen = nullptr) {
    using claim = typename Core::flight_table::claim;
    std::vector<key_type> led_keys;  // computed here, to store
    std::vector<value_type> led_values;
    std::vector<key_type> retire_keys;  // every flight led here
    std::vector<std::pair<std::size_t, claim>> joined;  // (call, flight)
    // Stores the led values, then retires the batch's flights (also when
    // the store fails: no flight may stay claimed).
    const auto settle = [&] {
      try {
        write_many(led_keys, led_values, led_values.size(), /*computed=*/true);
      } catch (...) {
        for (const auto& k : retire_keys) this->flights_.retire(k);
        throw;
      }
      for (const auto& k : retire_keys) this->flights_.retire(k);
    };
    claim current;  // the flight being computed, for its error
    try {
      std::size_t i = 0;
      for (const auto& item : calls) {
        if (!found[i]) {
          key_type key = key_of(item);
          current = this->flights_.claim_for_batch(key, [&] { return Core::key_text(key); });
          if (current.led) {
            retire_keys.push_back(key);
            std::optional<value_type> value;
            if (recheck && this->flight_epoch() != looked_at) value = this->find_uncounted(key, this->now());
            if (!value) {
              auto [result, computed] = load_or_stale(item, stale_of(seen, i));
              value = std::move(result);
              if (computed) {
                led_keys.push_back(std::move(key));
                led_values.push_back(*value);
              }
            }
            Core::flight_table::publish(*current.led, *value);
            found[i] = std::move(value);
          } else if (current.own && !recheck) {
            // update_many calls the function for each call, a repeated key too.
            value_type value = load_of(item);
            led_keys.push_back(std::move(key));
            led_values.push_back(value);
            found[i] = std::move(value);
          } else {
            joined.emplace_back(i, std::move(current));
          }
          current = {};
        }
        ++i;
      }
    } catch (...) {
      if (current.led) Core::flight_table::publish(*current.led, std::current_exception());
      try {
        settle();
      } catch (...) {  // the first failure is the one reported
      }
      throw;
    }
    settle();
    for (auto& [call, flight] : joined) found[call] = Core::flight_table::wait(*flight.joined);
    std::vector<value_type> out;
    out.reserve(found.size());
    for (auto& v : found) out.push_back(std::move(*v));
    return out;
  }

  // A call for the cache: timed and counted (record_stats).
  template <class Item>
  value_type load_of(const Item& item) {
    return with_arguments<fn_type>(item, [&](const auto&... a) { return this->load(a...); });
  }

  // The call's result and true (to store); or, if the function throws and
  // the call has a `stale` value (stale_if_error), that and false.
  template <class Item>
  std::pair<value_type, bool> load_or_stale(const Item& item, std::optional<value_type>* stale) {
    try {
      return {load_of(item), true};
    } catch (...) {
      if (stale == nullptr || !*stale) throw;
      this->report(std::current_exception());
      return {std::move(**stale), false};
    }
  }

  static std::optional<value_type>* stale_of(beyond_hits* seen, std::size_t call) {
    return seen != nullptr && call < seen->stale.size() ? &seen->stale[call] : nullptr;
  }

  // Starts the refreshes of the hits due for one (refresh_after).
  template <class Range>
  void refresh_due(const Range& calls, const beyond_hits& seen) {
    if constexpr (Core::refreshes) {
      if (seen.refresh_due.empty()) return;
      std::size_t i = 0;
      for (const auto& item : calls) {
        if (seen.refresh_due[i++])
          with_arguments<fn_type>(item, [&](const auto&... a) { this->refresh(key_of(item), a...); });
      }
    }
  }

  template <class Range>
  std::vector<key_type> keys_of(const Range& calls) const {
    std::vector<key_type> keys;
    reserve_for(keys, calls);
    for (const auto& item : calls) keys.push_back(key_of(item));
    return keys;
  }

  template <class Range>
  auto lookups_of(const Range& calls) const {
    std::vector<decltype(lookup_of(*std::ranges::begin(calls)))> lookups;
    reserve_for(lookups, calls);
    for (const auto& item : calls) lookups.push_back(lookup_of(item));
    return lookups;
  }

  // Stores values[i] under keys[i] for i in [0, count), under one lock;
  // `computed`: the values are the function's results, stored only where
  // worth caching (result_traits).
  void write_many(std::vector<key_type>& keys, const std::vector<value_type>& values, std::size_t count,
                  bool computed) {
    const time_point at = this->now();
    std::vector<entry<key_type, stored_type>> entries;
    entries.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const auto deadline = this->deadlines_.for_write(values[i], at, computed, this->jitter_hash(keys[i]));
      if (deadline)
        entries.push_back({std::move(keys[i]), this->timed_stored(values[i], *deadline, at),
                           this->deadlines_.in_store(*deadline)});
    }
    if (entries.empty()) return;
    this->guarded([] {}, [&] {
      this->locked([&] {
        if constexpr (use_store_bulk) {
          this->store().set_many(std::span(entries));
        } else {
          for (auto& e : entries) this->store().set(std::move(e.key), std::move(e.value), e.deadline);
        }
      });
    });
  }

  template <class Keys>
  std::vector<std::optional<value_type>> find_many(const Keys& keys, beyond_hits* seen = nullptr) {
    const time_point at = this->now();
    // A failed batch is all misses under fail-open; an undecodable entry is
    // one miss, not the batch's.
    std::vector<std::optional<stored_type>> found = this->guarded(
        [&] { return std::vector<std::optional<stored_type>>(keys.size()); },
        [&] {
          return this->locked([&] {
          std::vector<std::optional<stored_type>> stored;
          // (A renewal that depends on the value goes key by key: find_locked.)
          if constexpr (use_store_bulk && std::same_as<typename Keys::value_type, key_type> &&
                        !(Core::expiry_traits_type::renews_on_access && Core::deadlines_type::renewal_needs_value)) {
            stored = this->store().get_many(std::span<const key_type>(keys), at);
            if constexpr (Core::expiry_traits_type::renews_on_access) {
              if constexpr (use_store_touch_many) {
                std::vector<key_type> hits;
                for (std::size_t i = 0; i < keys.size(); ++i)
                  if (stored[i]) hits.push_back(keys[i]);
                if (!hits.empty())
                  this->store().touch_many(std::span<const key_type>(hits), at, this->deadlines_.for_renewal(at));
              } else {
                for (std::size_t i = 0; i < keys.size(); ++i)
                  if (stored[i]) this->store().touch(keys[i], at, this->deadlines_.for_renewal(at));
              }
            }
          } else {
            stored.reserve(keys.size());
            for (const auto& k : keys) stored.push_back(this->find_locked(k, at));
          }
          return stored;
          });
        });
    std::vector<std::optional<value_type>> out;
    out.reserve(found.size());
    if constexpr (Core::timed_entries) {
      if (seen != nullptr) {
        seen->stale.resize(found.size());
        seen->refresh_due.resize(found.size());
      }
      for (std::size_t i = 0; i < found.size(); ++i) {
        std::optional<value_type> value;
        if (found[i])
          value = this->guarded([] { return std::optional<value_type>(); },
                                [&] { return std::optional<value_type>(this->decode(*found[i], keys[i])); });
        if (value) {
          const auto times = this->times_of(*found[i], keys[i]);
          if (at >= times.fresh_until) {  // stale: a miss
            if (seen != nullptr) seen->stale[i] = std::move(value);
            value.reset();
          } else if (seen != nullptr) {
            seen->refresh_due[i] = at >= times.refresh_at;
          }
        }
        out.push_back(std::move(value));
      }
    } else {
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (found[i])
        out.push_back(this->guarded([] { return std::optional<value_type>(); },
                                    [&] { return std::optional<value_type>(this->decode(*found[i], keys[i])); }));
      else
        out.emplace_back();
    }
    }
    if constexpr (Core::records_stats) {
      const auto hits = static_cast<std::uint64_t>(std::ranges::count_if(out, [](const auto& v) { return v.has_value(); }));
      this->observers_.hit(hits);
      this->observers_.miss(out.size() - hits);
    }
    return out;
  }

  // op(lookup) for each lookup under one lock; all false if the batch fails open.
  // One store call for the whole batch, under one lock; all false on a
  // failure that fails open.
  template <class Op>
  std::vector<bool> batch_locked(const std::vector<key_type>& keys, Op op) {
    return this->guarded([&] { return std::vector<bool>(keys.size(), false); },
                         [&] { return this->locked([&] { return op(); }); });
  }

  template <class Lookups, class Op>
  std::vector<bool> each_locked(const Lookups& lookups, Op op) {
    return this->guarded([&] { return std::vector<bool>(lookups.size(), false); },
                         [&] {
                           std::vector<bool> out;
                           out.reserve(lookups.size());
                           return this->locked([&] {
                             for (const auto& k : lookups) out.push_back(op(k));
                             return std::move(out);
                           });
                         });
  }

  template <class Range>
  std::vector<std::optional<value_type>> find_calls(const Range& calls, beyond_hits* seen = nullptr) {
    if constexpr (use_store_bulk)
      return find_many(keys_of(calls), seen);
    else
      return find_many(lookups_of(calls), seen);
  }

 public:
  //! [ring: get_many] For each call, the cached value if there is a live one.
  template <std::ranges::forward_range Range>
  std::vector<std::optional<value_type>> get_many(const Range& calls) {
    return find_calls(calls);
  }

  //! [ring: set_many] Stores values[i] as the result of calls[i].
  //! Throws std::invalid_argument if the ranges differ in length.
  template <std::ranges::forward_range Range, std::ranges::forward_range Values>
  void set_many(const Range& calls, const Values& values) {
    std::vector<key_type> keys = keys_of(calls);
    std::vector<value_type> stored(std::ranges::begin(values), std::ranges::end(values));
    if (keys.size() != stored.size())
      throw std::invalid_argument("cachet: set_many: the calls and the values differ in number");
    write_many(keys, stored, keys.size(), /*computed=*/false);
  }

  //! [ring: update_many] Calls the function for each call, stores and
  //! returns the results. If a call throws, the results before it are
  //! stored and the exception propagates. Under a single-flight sync policy
  //! each call joins its key's computation in flight, as update() does, and
  //! each result is stored as soon as it is computed.
  template <std::ranges::forward_range Range>
  std::vector<value_type> update_many(const Range& calls) {
    if constexpr (Core::single_flights) {
      std::vector<std::optional<value_type>> none(std::ranges::distance(calls));
      return in_flights(calls, none, 0, /*recheck=*/false);
    }
    std::vector<key_type> keys;
    std::vector<value_type> values;
    reserve_for(keys, calls);
    reserve_for(values, calls);
    try {
      for (const auto& item : calls) {
        keys.push_back(key_of(item));
        values.push_back(load_of(item));
      }
    } catch (...) {
      write_many(keys, values, values.size(), /*computed=*/true);
      throw;
    }
    write_many(keys, values, values.size(), /*computed=*/true);
    return values;
  }

  //! [ring: execute_many] Calls the function for each call; no cache access.
  template <std::ranges::forward_range Range>
  std::vector<value_type> execute_many(const Range& calls) {
    std::vector<value_type> values;
    reserve_for(values, calls);
    for (const auto& item : calls) values.push_back(call_of(item));
    return values;
  }

  //! [ring: get_or_update_many] Cached values where live; for the others the
  //! function is called once per distinct key and the results stored. If a
  //! call throws, the results before it are stored and the exception
  //! propagates. Under a single-flight sync policy each missing key joins
  //! its computation in flight, as f(...) does (one computation per key
  //! across threads), and each result is stored as soon as it is computed,
  //! so that no thread holds a key's flight while it waits for another's.
  template <std::ranges::forward_range Range>
  std::vector<value_type> get_or_update_many(const Range& calls) {
    const auto looked_at = this->flight_epoch();
    beyond_hits seen;
    std::vector<std::optional<value_type>> found = find_calls(calls, Core::timed_entries ? &seen : nullptr);
    refresh_due(calls, seen);
    if constexpr (Core::single_flights) return in_flights(calls, found, looked_at, /*recheck=*/true, &seen);
    std::vector<key_type> keys;
    std::vector<value_type> values;
    std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (call, index in values)
    boost::unordered_flat_map<key_type, std::size_t, typename Core::spec::hasher, typename Core::spec::key_equal>
        computed_at;
    try {
      std::size_t i = 0;
      for (const auto& item : calls) {
        if (!found[i]) {
          key_type key = key_of(item);
          if (const auto it = computed_at.find(key); it != computed_at.end()) {
            repeats.emplace_back(i, it->second);
          } else if (auto [value, computed] = load_or_stale(item, stale_of(&seen, i)); !computed) {
            found[i] = std::move(value);  // stale: not stored
          } else {
            values.push_back(std::move(value));
            computed_at.emplace(key, values.size() - 1);
            keys.push_back(std::move(key));
            found[i] = values.back();
          }
        }
        ++i;
      }
    } catch (...) {
      write_many(keys, values, values.size(), /*computed=*/true);
      throw;
    }
    for (const auto& [call, index] : repeats) found[call] = values[index];
    write_many(keys, values, values.size(), /*computed=*/true);
    std::vector<value_type> out;
    out.reserve(found.size());
    for (auto& v : found) out.push_back(std::move(*v));
    return out;
  }

  //! [ring: delete_many] Removes each call's entry; true where there was one.
  template <std::ranges::forward_range Range>
  std::vector<bool> erase_many(const Range& calls) {
    if constexpr (use_store_bulk) {
      const std::vector<key_type> keys = keys_of(calls);
      return this->guarded([&] { return std::vector<bool>(keys.size(), false); }, [&] {
        return this->locked([&] { return this->store().erase_many(std::span<const key_type>(keys)); });
      });
    } else {
      const auto lookups = lookups_of(calls);
      return each_locked(lookups, [&](const auto& k) { return this->store().erase(k); });
    }
  }

  //! [ring: has_many] Whether each call has a live entry.
  template <std::ranges::forward_range Range>
  std::vector<bool> contains_many(const Range& calls) {
    const time_point at = this->now();
    if constexpr (use_store_contains_many && !Core::timed_entries) {
      const std::vector<key_type> keys = keys_of(calls);
      return batch_locked(keys, [&] { return this->store().contains_many(std::span<const key_type>(keys), at); });
    } else {
      const auto lookups = lookups_of(calls);
      return each_locked(lookups, [&](const auto& k) { return this->contains_locked(k, at); });
    }
  }

  //! [ring: touch_many] Renews each call's live entry; true where there was one.
  template <std::ranges::forward_range Range>
  std::vector<bool> touch_many(const Range& calls) {
    const time_point at = this->now();
    // One deadline for the batch: only when it does not depend on the values.
    if constexpr (use_store_touch_many && !Core::deadlines_type::renewal_needs_value) {
      const std::vector<key_type> keys = keys_of(calls);
      return batch_locked(keys, [&] {
        return this->store().touch_many(std::span<const key_type>(keys), at, this->deadlines_.for_renewal(at));
      });
    } else {
      const auto lookups = lookups_of(calls);
      return each_locked(lookups, [&](const auto& k) { return this->touch_locked(k, at); });
    }
  }
};

}  // namespace cachet::detail
