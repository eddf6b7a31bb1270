// cachet/detail/cached_core.hpp: what a cachet::cached is made of: the
// resolved policies, the store, the lock, and the single-key steps that the
// sub-operations are built from.
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cachet/bulk.hpp>
#include <cachet/bulk/batched.hpp>
#include <cachet/clock.hpp>
#include <cachet/clock/system_clock.hpp>
#include <cachet/coder.hpp>
#include <cachet/detail/key_support.hpp>
#include <cachet/detail/policy_set.hpp>
#include <cachet/error_policy.hpp>
#include <cachet/error_policy/propagate_errors.hpp>
#include <cachet/errors.hpp>
#include <cachet/expiry.hpp>
#include <cachet/expiry/never.hpp>
#include <cachet/key.hpp>
#include <cachet/key/text_key.hpp>
#include <cachet/key/tuple_key.hpp>
#include <cachet/storage.hpp>
#include <cachet/sync.hpp>
#include <cachet/sync/mutex.hpp>

namespace cachet {
struct cereal_binary;  // the byte storages' default coder; <cachet/coder/cereal_binary.hpp>
}

namespace cachet::detail {

struct no_storage_named {};

// Stand-ins that let compilation go on quietly once a static_assert has said
// what is wrong, so that its message is the only error the user reads.
struct no_value {};  // the value type of a function returning void

template <class Spec>
struct null_store {  // the store of a missing or broken storage policy
  using key_type = typename Spec::key_type;
  using value_type = typename Spec::value_type;
  template <class P>
  explicit null_store(const P&) {}
  template <class K>
  const value_type* get(const K&, time_point) { return nullptr; }
  void set(key_type&&, value_type&&, time_point) {}
  template <class K>
  bool erase(const K&) { return false; }
  template <class K>
  bool contains(const K&, time_point) { return false; }
  template <class K>
  bool touch(const K&, time_point, time_point) { return false; }
  std::size_t size() const { return 0; }
  void clear() {}
  std::string name() const { return "none"; }
};

struct unusable_coder {  // the coder of a byte storage wrongly given identity
  using cachet_family = family::coder;
  template <class T>
  std::string encode(const T&) const { return {}; }
  template <class T>
  T decode(std::string_view) const { return T{}; }
};

// S::typed, or true when S lacks it (a static_assert reports that).
template <class S>
constexpr bool is_typed_storage() {
  if constexpr (requires { { S::typed } -> std::convertible_to<bool>; })
    return static_cast<bool>(S::typed);
  else
    return true;
}

template <bool Valid, class P, class Spec>
struct store_or_null {
  using type = null_store<Spec>;
};
template <class P, class Spec>
struct store_or_null<true, P, Spec> {
  using type = store_for<P, Spec>;
};

// A lock that a copy or move of the cache does not share.
template <class Lock>
struct lock_holder {
  Lock lock;
  lock_holder() = default;
  lock_holder(const lock_holder&) noexcept {}
  lock_holder& operator=(const lock_holder&) noexcept { return *this; }
};

template <class T>
concept complete = requires { sizeof(T); };

// Whether store S takes lookups of type L (not only `const key_type&`).
template <class S, class L>
concept accepts_lookup = requires(S& s, const L& lookup, time_point t) {
  { static_cast<bool>(s.get(lookup, t)) };
  { s.erase(lookup) } -> std::same_as<bool>;
  { s.contains(lookup, t) } -> std::same_as<bool>;
  { s.touch(lookup, t, t) } -> std::same_as<bool>;
};

template <class Fn, class Signature, class... Policies>
class cached_core;

template <class Fn, class R, class... Params, class... Policies>
class cached_core<Fn, R(Params...), Policies...> {
  static_assert(check_policies<Policies...>());

 public:
  using function_type = Fn;
  //! What the function returns, as the cache keeps it.
  using value_type = std::conditional_t<std::is_void_v<R>, no_value, std::remove_cvref_t<R>>;
  static_assert(!std::is_void_v<R>, "cachet::memoize: the function returns void; there is nothing to cache");
  static_assert(std::copy_constructible<value_type>, "cachet::memoize: the function's result type must be copyable");

  using storage_type = family_policy_t<family::storage, no_storage_named, Policies...>;
  static constexpr bool storage_named = !std::same_as<storage_type, no_storage_named>;
  static_assert(storage_named,
                "cachet::memoize: name a storage policy, e.g. cachet::lru{.capacity = 1024} or cachet::dict{}");
  static_assert(!storage_named || requires { { storage_type::typed } -> std::convertible_to<bool>; },
                "cachet::memoize: the storage policy does not model cachet::storage_policy_for: it needs "
                "`static constexpr bool typed` (see <cachet/storage.hpp>)");
  static constexpr bool typed_store = is_typed_storage<storage_type>();

  using named_coder_type =
      family_policy_t<family::coder, std::conditional_t<typed_store, identity, cereal_binary>, Policies...>;
  static_assert(typed_store || !std::same_as<named_coder_type, identity>,
                "cachet::memoize: this storage keeps bytes, so it needs a byte coder (cereal_binary, "
                "cereal_portable, cereal_json or your own), not cachet::identity");
  using coder_type =
      std::conditional_t<!typed_store && std::same_as<named_coder_type, identity>, unusable_coder, named_coder_type>;
  static_assert(complete<coder_type>,
                "cachet::memoize: this byte storage defaults to cachet::cereal_binary: include "
                "<cachet/coder/cereal_binary.hpp> or name a coder");
  static_assert(coder_for<coder_type, value_type>,
                "cachet::memoize: the coder policy does not model cachet::coder_for<Coder, Value>: it needs "
                "`std::string encode(const Value&) const` and `template <class T> T decode(std::string_view) "
                "const` (see <cachet/coder.hpp>)");
  static constexpr bool keeps_objects = std::same_as<coder_type, identity>;

  using key_policy_type = family_policy_t<family::key, std::conditional_t<keeps_objects, tuple_key, text_key>, Policies...>;
  static_assert(key_policy_for<key_policy_type, Params...>,
                "cachet::memoize: the key policy does not model cachet::key_policy_for<Key, Params...> "
                "(see <cachet/key.hpp>)");
  using bound_key = typename key_policy_type::template bind<Params...>;
  //! The key the storage sees.
  using key_type = typename bound_key::key_type;
  static_assert(typed_store || std::same_as<key_type, std::string>,
                "cachet::memoize: this storage keeps bytes, so its key policy must make std::string keys "
                "(text_key, hashed_key, or custom_key returning std::string)");

  using expiry_type = family_policy_t<family::expiry, never, Policies...>;
  static_assert(expiry_policy_for<expiry_type, value_type>,
                "cachet::memoize: the expiry policy does not model cachet::expiry_policy_for<Expiry, Value> "
                "(see <cachet/expiry.hpp>)");
  static_assert(!expiry_type::renews_on_access || requires(const expiry_type& e, time_point t) {
    { e.deadline(t) } -> std::same_as<time_point>;
  }, "cachet::memoize: an expiry policy that renews on access needs `time_point deadline(time_point now) const`");

  using clock_type = family_policy_t<family::clock, system_clock, Policies...>;
  static_assert(cachet::clock_policy<clock_type>,
                "cachet::memoize: the clock policy needs `cachet::time_point now() const` (see <cachet/clock.hpp>)");
  using sync_type = family_policy_t<family::sync, mutex, Policies...>;
  static_assert(cachet::sync_policy<sync_type>,
                "cachet::memoize: the sync policy needs a default-constructible `lock_type` with lock() and "
                "unlock() (see <cachet/sync.hpp>)");
  using bulk_type = family_policy_t<family::bulk, batched, Policies...>;
  static_assert(cachet::bulk_policy<bulk_type>,
                "cachet::memoize: the bulk policy needs `static constexpr bool batches` (see <cachet/bulk.hpp>)");
  using error_policy_type = family_policy_t<family::errors, propagate_errors, Policies...>;
  static_assert(cachet::error_policy<error_policy_type>,
                "cachet::memoize: the error policy needs `static constexpr bool fails_open` and "
                "`void report(const cachet::error&) const` (see <cachet/error_policy.hpp>)");

  //! What the storage keeps per entry: the value itself, or its bytes.
  using stored_type = std::conditional_t<keeps_objects, value_type, std::string>;
  using spec = entry_spec<key_type, stored_type, typename bound_key::hasher, typename bound_key::key_equal,
                          expiry_type::expires>;
  static_assert(!storage_named || storage_policy_for<storage_type, spec>,
                "cachet::memoize: the storage policy does not model cachet::storage_policy_for<Storage, Spec>: "
                "its store_type<Spec> must be constructible from the policy and have get, set, erase, "
                "contains, touch, size, clear and name (see <cachet/storage.hpp>)");
  using store_type = typename store_or_null<storage_policy_for<storage_type, spec>, storage_type, spec>::type;

 protected:
  using lock_type = typename sync_type::lock_type;
  using guard = std::lock_guard<lock_type>;

  cached_core(Fn fn, const Policies&... policies)
      : fn_(std::move(fn)),
        key_(pick<family::key, key_policy_type>(policies...)),
        coder_(pick<family::coder, coder_type>(policies...)),
        expiry_(pick<family::expiry, expiry_type>(policies...)),
        clock_(pick<family::clock, clock_type>(policies...)),
        on_error_(pick<family::errors, error_policy_type>(policies...)),
        store_(pick<family::storage, storage_type>(policies...)) {}

  // The clock is read only when some deadline can matter.
  time_point now() const {
    if constexpr (expiry_type::expires)
      return clock_.now();
    else
      return time_point{};
  }

  lock_type& lock() const { return lock_.lock; }

  // Runs a storage access; under a fail-open error policy a backend_error or
  // invalid_data is reported and `fallback()` answers instead.
  template <class Fallback, class Access>
  decltype(auto) guarded(Fallback&& fallback, Access&& access) {
    if constexpr (error_policy_type::fails_open) {
      try {
        return access();
      } catch (const backend_error& e) {
        on_error_.report(e);
      } catch (const invalid_data& e) {
        on_error_.report(e);
      }
      return fallback();
    } else {
      return access();
    }
  }

  template <class... A>
  value_type invoke(A&&... args) {
    if constexpr (std::is_void_v<R>) {  // already reported; no second error
      std::invoke(fn_, std::forward<A>(args)...);
      return value_type{};
    } else {
      return std::invoke(fn_, std::forward<A>(args)...);
    }
  }

  // The stored form of a value: a copy, or its bytes.
  stored_type encode(const value_type& value) const {
    if constexpr (keeps_objects)
      return value;
    else
      return coder_.encode(value);
  }

  template <class Lookup>
  value_type decode(const stored_type& stored, const Lookup& lookup) const {
    if constexpr (keeps_objects) {
      return stored;
    } else {
      try {
        return coder_.template decode<value_type>(stored);
      } catch (const invalid_data& e) {
        throw invalid_data(e.reason(), store_.name(), key_text(lookup));
      }
    }
  }

  template <class Lookup>
  static std::string key_text(const Lookup& lookup) {
    if constexpr (string_like<Lookup>)
      return std::string(lookup);
    else
      return describe_key(lookup);
  }

  // Under the lock: the stored form of a live entry, renewed if the expiry
  // policy slides. Objects are copied out; bytes are decoded by the caller
  // after the lock is released.
  template <class Lookup>
  std::optional<stored_type> find_locked(const Lookup& lookup, time_point now) {
    auto found = store_.get(lookup, now);
    if (!found) return std::nullopt;
    std::optional<stored_type> out(std::in_place, std::move(*found));
    if constexpr (expiry_type::renews_on_access) store_.touch(lookup, now, expiry_.deadline(now));
    return out;
  }

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
                     if constexpr (keeps_objects)
                       return stored;
                     else
                       return decode(*stored, lookup);
                   });
  }

  // The deadline of a value written at `now`; nullopt: not to be stored.
  std::optional<time_point> write_deadline(const value_type& value, time_point now) const {
    const time_point deadline = expiry_.deadline(now, value);
    if (expiry_type::expires && deadline <= now) return std::nullopt;
    return deadline;
  }

  void write(key_type&& key, const value_type& value) {
    const time_point at = now();
    const auto deadline = write_deadline(value, at);
    if (!deadline) return;
    stored_type stored = encode(value);
    guarded([] {},
            [&] {
              guard g(lock());
              store_.set(std::move(key), std::move(stored), *deadline);
            });
  }

  // The form of a call's key passed to the store: the key policy's cheap
  // lookup form where the store accepts it (heterogeneous lookup), else the
  // owning key, since a store need only take `const key_type&`.
  template <class... A>
  auto store_lookup(const A&... args) const {
    if constexpr (accepts_lookup<store_type, decltype(key_.lookup(args...))>)
      return key_.lookup(args...);
    else
      return key_.make(args...);
  }

  // The owning key of a call: reuses the lookup form when it is one.
  template <class Lookup, class... A>
  key_type owning_key(Lookup&& lookup, const A&... args) const {
    if constexpr (std::same_as<std::remove_cvref_t<Lookup>, key_type>)
      return std::forward<Lookup>(lookup);
    else
      return key_.make(args...);
  }

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
    if constexpr (requires { expiry_.deadline(at); }) {
      return store_.touch(lookup, at, expiry_.deadline(at));
    } else {  // the deadline depends on the value
      auto found = store_.get(lookup, at);
      if (!found) return false;
      const auto deadline = write_deadline(decode(*found, lookup), at);
      if (!deadline) {  // the value's time to live is now zero
        store_.erase(lookup);
        return false;
      }
      return store_.touch(lookup, at, *deadline);
    }
  }

  [[no_unique_address]] Fn fn_;
  [[no_unique_address]] bound_key key_;
  [[no_unique_address]] coder_type coder_;
  [[no_unique_address]] expiry_type expiry_;
  [[no_unique_address]] clock_type clock_;
  [[no_unique_address]] error_policy_type on_error_;
  [[no_unique_address]] mutable lock_holder<lock_type> lock_;
  store_type store_;
};

}  // namespace cachet::detail
