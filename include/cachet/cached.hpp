// cachet/cached.hpp: cachet::cached, the memoized function, and
// cachet::memoize, which makes one.
//
//     auto square = cachet::memoize(slow_square, cachet::lru{.capacity = 1024},
//                                   cachet::expire_after_write{30s});
//     square(3);            // get or compute-and-store
//     square.get(3);        // std::optional, never computes
//
// Sub-operations (Python ring's names in brackets): f(args...) [get_or_update],
// get, update, execute, set [set], erase [delete], contains [has], touch, key,
// at; and over ranges of argument tuples: get_many, set_many, update_many,
// execute_many, get_or_update_many, erase_many, contains_many, touch_many.
// No lock is held while the function runs, so a function may call itself
// through its own wrapper; if it throws, nothing is stored.
#pragma once

#include <concepts>
#include <functional>
#include <mutex>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/detail/cached_bulk.hpp>
#include <cachet/detail/cached_core.hpp>
#include <cachet/detail/signature.hpp>

namespace cachet {

template <class Fn, class... Policies>
class cached : public detail::cached_bulk<cached<Fn, Policies...>,
                                          detail::cached_core<Fn, typename detail::signature_of<Fn>::type, Policies...>> {
  using core = detail::cached_core<Fn, typename detail::signature_of<Fn>::type, Policies...>;
  using bulk = detail::cached_bulk<cached, core>;
  friend bulk;

 public:
  using typename core::key_type;
  using typename core::store_type;
  using typename core::value_type;
  //! What the store keeps per entry (a value, a cachet::timed_entry, or bytes).
  using typename core::stored_type;

  //! Prefer cachet::memoize(fn, policies...).
  explicit cached(Fn fn, const Policies&... policies) : bulk(std::move(fn), policies...) {}

  //! [ring: get_or_update] The cached value, or, on a miss, the function's
  //! result, stored.
  template <class... A>
    requires std::invocable<Fn&, A&&...>
  value_type operator()(A&&... args) {
    const auto looked_at = this->flight_epoch();
    auto lookup = this->store_lookup(args...);
    if constexpr (core::timed_entries) return this->call_timed(looked_at, std::move(lookup), std::forward<A>(args)...);
    if (auto hit = this->find(lookup, this->now())) return std::move(*hit);
    key_type key = this->owning_key(std::move(lookup), args...);
    return this->computed(key, looked_at, /*recheck=*/true, [&] {
      value_type value = this->load(std::forward<A>(args)...);
      this->write_result(key_type(key), value);
      return value;
    });
  }

  //! [ring: get] The cached value, if there is a live one; never calls the function.
  template <class... A>
  std::optional<value_type> get(const A&... args) {
    return this->find(this->store_lookup(args...), this->now());
  }

  //! The cached value; throws cachet::entry_not_found if there is none.
  template <class... A>
  value_type at(const A&... args) {
    const auto lookup = this->store_lookup(args...);
    if (auto hit = this->find(lookup, this->now())) return std::move(*hit);
    throw entry_not_found("no live entry", this->store_.name(), core::key_text(lookup));
  }

  //! [ring: update] Calls the function, stores and returns its result.
  template <class... A>
    requires std::invocable<Fn&, A&&...>
  value_type update(A&&... args) {
    const key_type key = this->key_.make(args...);
    return this->computed(key, 0, /*recheck=*/false, [&] {
      value_type value = this->load(std::forward<A>(args)...);
      this->write_result(key_type(key), value);
      return value;
    });
  }

  //! [ring: execute] Calls the function; the cache is neither read nor written.
  template <class... A>
    requires std::invocable<Fn&, A&&...>
  value_type execute(A&&... args) {
    return this->invoke(std::forward<A>(args)...);
  }

  //! [ring: set] Stores `value` as the result for these arguments.
  template <class... A>
  void set(const value_type& value, const A&... args) {
    this->write(this->key_.make(args...), value);
  }

  //! [ring: delete] Removes the entry; true if there was one.
  template <class... A>
  bool erase(const A&... args) {
    const auto lookup = this->store_lookup(args...);
    return this->guarded([] { return false; }, [&] { return this->locked([&] { return this->store().erase(lookup); }); });
  }

  //! [ring: has] Whether a live entry exists; not a use for recency.
  template <class... A>
  bool contains(const A&... args) {
    const auto lookup = this->store_lookup(args...);
    const time_point now = this->now();
    return this->guarded([] { return false; },
                         [&] { return this->locked([&] { return this->contains_locked(lookup, now); }); });
  }

  //! [ring: touch] Renews a live entry's expiry (and recency); true if there was one.
  template <class... A>
  bool touch(const A&... args) {
    return this->touch_key(this->store_lookup(args...));
  }

  //! [ring: key] The key the storage sees for these arguments.
  template <class... A>
  key_type key(const A&... args) const {
    return this->key_.make(args...);
  }

  //! [ring: storage] The store, for what the wrapper does not cover (size,
  //! clear, erase_expired). Not locked: under cachet::mutex, use
  //! with_storage from threads.
  //! Under a fail-open policy, throws backend_error while the store could
  //! not be opened.
  store_type& storage() { return this->store_.get(); }
  const store_type& storage() const { return this->store_.get(); }

  //! Calls fn(storage()) holding the cache's lock, and returns its result.
  //! Entries it removes (clear, erase_expired) reach the stats and the
  //! removal listener after the lock is released.
  template <class F>
  decltype(auto) with_storage(F&& fn) {
    return this->template locked</*Always=*/true>(
        [&]() -> decltype(auto) { return std::invoke(std::forward<F>(fn), this->store_.get()); });
  }

  //! A snapshot of the counters (policy cachet::record_stats; see <cachet/stats.hpp>).
  cache_stats stats() const
    requires core::records_stats
  {
    return this->observers_.stats();
  }
};

//! Wraps `fn` with `policies` (any order; one per family at most; families
//! not named get their defaults). `fn` must have one signature: a function,
//! a function pointer, a lambda or a function object with one operator().
template <class Fn, class... Policies>
  requires detail::has_signature<std::decay_t<Fn>>
cached<std::decay_t<Fn>, std::remove_cvref_t<Policies>...> memoize(Fn&& fn, Policies&&... policies) {
  return cached<std::decay_t<Fn>, std::remove_cvref_t<Policies>...>(std::forward<Fn>(fn), policies...);
}

//! The same for a callable with several or generic signatures: name the one
//! to memoize, as in memoize<long(int)>([](auto x) { return x * 2L; }, ...).
template <class Signature, class Fn, class... Policies>
  requires std::is_function_v<Signature>
cached<detail::with_signature<Signature, std::decay_t<Fn>>, std::remove_cvref_t<Policies>...> memoize(
    Fn&& fn, Policies&&... policies) {
  return cached<detail::with_signature<Signature, std::decay_t<Fn>>, std::remove_cvref_t<Policies>...>(
      detail::with_signature<Signature, std::decay_t<Fn>>{std::forward<Fn>(fn)}, policies...);
}

}  // namespace cachet
