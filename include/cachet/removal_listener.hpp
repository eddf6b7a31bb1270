// cachet/removal_listener.hpp: the removal-listener family: who hears of
// entries leaving an in-memory store, and why.
//
// Minimal definition of a listener policy L for keys K and values V:
//   using cachet_family = cachet::family::removal_listener;
//   void operator()(const K& key, const V& value, cachet::removal_cause cause) const;
// Optional:
//   static constexpr bool listens = false;   the default policy's: no call,
//                                             no cost
//
// The wrapper calls the listener after the operation that removed the
// entries has released the cache's lock, on the thread of that operation
// (a write that evicts, a get that meets an expired entry, an erase), so a
// listener may call the cache. Stores that report removals: lru and dict
// (and their sharded form). A listener that throws makes the operation that
// removed the entries throw, after the removal and after the other
// listener calls of the batch.
#pragma once

#include <concepts>
#include <utility>

#include <cachet/policy.hpp>

namespace cachet {

//! Why an entry left the store.
enum class removal_cause {
  evicted,   //!< the store was full (lru)
  expired,   //!< its deadline passed; reclaimed when met or by erase_expired
  erased,    //!< erase(), erase_many(), clear()
  replaced,  //!< a write (call, update, set) replaced its value
};

//! The name of a cause ("evicted", ...).
constexpr const char* to_string(removal_cause cause) noexcept {
  switch (cause) {
    case removal_cause::evicted: return "evicted";
    case removal_cause::expired: return "expired";
    case removal_cause::erased: return "erased";
    case removal_cause::replaced: return "replaced";
  }
  return "unknown";
}

//! Calls `listener(key, value, cause)` for each entry that leaves the store.
//!   auto f = cachet::memoize(load, cachet::lru{.capacity = 100},
//!       cachet::removal_listener{[](const auto& key, const Page& page, cachet::removal_cause why) { ... }});
template <class Listener>
struct removal_listener {
  using cachet_family = family::removal_listener;
  static constexpr bool listens = true;

  Listener listener;

  explicit removal_listener(Listener l) : listener(std::move(l)) {}

  template <class K, class V>
    requires std::invocable<const Listener&, const K&, const V&, removal_cause>
  void operator()(const K& key, const V& value, removal_cause cause) const {
    listener(key, value, cause);
  }
};

//! The default: nobody listens, and stores keep no record of removals.
struct no_removal_listener {
  using cachet_family = family::removal_listener;
  static constexpr bool listens = false;
  template <class K, class V>
  void operator()(const K&, const V&, removal_cause) const noexcept {}
};

namespace detail {
template <class L>
constexpr bool listens() {
  if constexpr (requires { { L::listens } -> std::convertible_to<bool>; })
    return static_cast<bool>(L::listens);
  else
    return true;
}
}  // namespace detail

//! A listener policy for keys K and values V.
template <class L, class K, class V>
concept removal_listener_for = policy_of<L, family::removal_listener> && std::copy_constructible<L> &&
                               requires(const L& l, const K& k, const V& v) { l(k, v, removal_cause::evicted); };

}  // namespace cachet
