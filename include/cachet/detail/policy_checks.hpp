// cachet/detail/policy_checks.hpp: the compile-time checks of each family's
// required members, one static_assert per member. Each names the member,
// shows the expected signature and names the policy (the check's template
// arguments, printed in the compiler's instantiation line); the compiler's
// own note then says which requirement failed. A check is instantiated only
// once the members it depends on exist, so one mistake is one error.
// The checks only report (`reported` is always true: clang makes a class
// whose static_assert failed unusable in constant expressions); whether a
// policy can be used comes from the usable_* concepts, and the wrapper puts
// a quiet stand-in in place of one that cannot (resolved_policies.hpp).
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cachet/clock.hpp>
#include <cachet/errors.hpp>
#include <cachet/expiry.hpp>
#include <cachet/expiry_options.hpp>
#include <cachet/removal_listener.hpp>
#include <cachet/stats.hpp>
#include <cachet/weigher.hpp>
#include <cachet/storage.hpp>

namespace cachet::detail {

// ---- storage ----

template <class P, class Spec>
concept has_store_type = requires { typename store_for<P, Spec>; };

template <class S>
concept store_has_types = requires {
  typename S::key_type;
  typename S::value_type;
};

template <class S>
concept store_has_get = requires(S& s, const typename S::key_type& k, time_point t) {
  { static_cast<bool>(s.get(k, t)) };
  { *s.get(k, t) } -> std::convertible_to<const typename S::value_type&>;
};
template <class S>
concept store_has_set =
    requires(S& s, typename S::key_type&& k, typename S::value_type&& v, time_point t) { s.set(std::move(k), std::move(v), t); };
template <class S>
concept store_has_erase = requires(S& s, const typename S::key_type& k) {
  { s.erase(k) } -> std::same_as<bool>;
};
template <class S>
concept store_has_contains = requires(S& s, const typename S::key_type& k, time_point t) {
  { s.contains(k, t) } -> std::same_as<bool>;
};
template <class S>
concept store_has_touch = requires(S& s, const typename S::key_type& k, time_point t) {
  { s.touch(k, t, t) } -> std::same_as<bool>;
};
template <class S>
concept store_has_size = requires(const S& s) {
  { s.size() } -> std::convertible_to<std::size_t>;
};
template <class S>
concept store_has_clear = requires(S& s) { s.clear(); };
template <class S>
concept store_has_name = requires(const S& s) {
  { s.name() } -> std::convertible_to<std::string>;
};

// The members of Store, made by Storage; instantiated once it has its types.
template <class Storage, class Store>
struct store_members_check {
  static_assert(store_has_get<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable get. "
                "Expected: `const value_type* get(const key_type& key, cachet::time_point now)` (or any "
                "optional-like result: tests as bool, `*result` is the value); see <cachet/storage.hpp>");
  static_assert(store_has_set<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable set. "
                "Expected: `void set(key_type&& key, value_type&& value, cachet::time_point deadline)`");
  static_assert(store_has_erase<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable erase. "
                "Expected: `bool erase(const key_type& key)`");
  static_assert(store_has_contains<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable "
                "contains. Expected: `bool contains(const key_type& key, cachet::time_point now)`");
  static_assert(store_has_touch<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable touch. "
                "Expected: `bool touch(const key_type& key, cachet::time_point now, cachet::time_point "
                "deadline)`");
  static_assert(store_has_size<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable size. "
                "Expected: `std::size_t size() const`");
  static_assert(store_has_clear<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable clear. "
                "Expected: `void clear()`");
  static_assert(store_has_name<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) has no usable name. "
                "Expected: `std::string name() const` (shown in error messages)");
  static constexpr bool reported = true;
};

template <class S>
concept usable_store = store_has_types<S> && store_has_get<S> && store_has_set<S> && store_has_erase<S> &&
                       store_has_contains<S> && store_has_touch<S> && store_has_size<S> && store_has_clear<S> &&
                       store_has_name<S>;

//! Whether storage policy P makes a usable store for Spec.
template <class P, class Spec>
concept usable_storage =
    has_store_type<P, Spec> && std::constructible_from<store_for<P, Spec>, const P&> && usable_store<store_for<P, Spec>>;

struct nothing_to_report {
  static constexpr bool reported = true;
};

template <class Storage, class Store>
struct store_shape_check {
  static_assert(std::constructible_from<Store, const Storage&>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) cannot be made from "
                "the policy. Expected: `explicit store_type(const Storage& policy)`");
  static_assert(store_has_types<Store>,
                "cachet::memoize: the store of this storage policy (see Storage and Store) lacks its types. "
                "Expected: `using key_type = typename Spec::key_type; using value_type = typename "
                "Spec::value_type;`");
  static_assert(std::conditional_t<std::constructible_from<Store, const Storage&> && store_has_types<Store>,
                                   store_members_check<Storage, Store>, nothing_to_report>::reported);
  static constexpr bool reported = true;
};

template <class Storage, class Spec>
struct lazy_store_shape_check {  // names store_for<Storage, Spec> only when used
  static_assert(store_shape_check<Storage, store_for<Storage, Spec>>::reported);
  static constexpr bool reported = true;
};

template <class Storage, class Spec>
struct storage_check {
  static_assert(has_store_type<Storage, Spec>,
                "cachet::memoize: this storage policy (see Storage) has no store type. Expected: "
                "`template <class Spec> using store_type = ...;`, the store it makes for the key and value "
                "types of Spec (see <cachet/storage.hpp>)");
  static_assert(std::conditional_t<has_store_type<Storage, Spec>, lazy_store_shape_check<Storage, Spec>,
                                   nothing_to_report>::reported);
  static constexpr bool reported = true;
};

// ---- key ----

template <class K, class... Params>
concept key_has_bind = requires { typename K::template bind<Params...>; };

template <class B>
concept bound_key_has_types = requires {
  typename B::key_type;
  typename B::hasher;
  typename B::key_equal;
};

template <class B, class... Params>
concept bound_key_has_make = requires(const B& b, const std::remove_cvref_t<Params>&... args) {
  { b.make(args...) } -> std::same_as<typename B::key_type>;
};
template <class B, class... Params>
concept bound_key_has_lookup = requires(const B& b, const std::remove_cvref_t<Params>&... args) { b.lookup(args...); };

template <class Key, class Bound, class... Params>
struct bound_key_members_check {
  static_assert(bound_key_has_make<Bound, Params...>,
                "cachet::memoize: the bound key policy (see Key and Bound) has no usable make. Expected: "
                "`template <class... A> key_type make(const A&... args) const`, callable with the "
                "function's arguments");
  static_assert(bound_key_has_lookup<Bound, Params...>,
                "cachet::memoize: the bound key policy (see Key and Bound) has no usable lookup. Expected: "
                "`template <class... A> auto lookup(const A&... args) const` (may return make(args...))");
  static constexpr bool reported = true;
};

template <class Key, class Bound, class... Params>
struct bound_key_check {
  static_assert(std::constructible_from<Bound, const Key&>,
                "cachet::memoize: the bound key policy (see Key and Bound) cannot be made from the policy. "
                "Expected: `explicit bind(const Key& policy)` (see <cachet/key.hpp>)");
  static_assert(bound_key_has_types<Bound>,
                "cachet::memoize: the bound key policy (see Key and Bound) lacks its types. Expected: `using "
                "key_type = ...; using hasher = ...; using key_equal = ...;`");
  static_assert(std::conditional_t<std::constructible_from<Bound, const Key&> && bound_key_has_types<Bound>,
                                   bound_key_members_check<Key, Bound, Params...>, nothing_to_report>::reported);
  static constexpr bool reported = true;
};

template <class Key, class... Params>
struct lazy_bound_key_check {
  static_assert(bound_key_check<Key, typename Key::template bind<Params...>, Params...>::reported);
  static constexpr bool reported = true;
};

template <class Key, class... Params>
struct key_check {
  static_assert(key_has_bind<Key, Params...>,
                "cachet::memoize: this key policy (see Key) has no bind. Expected: `template <class... Params> "
                "struct bind`, the policy bound to the function's parameter types (see <cachet/key.hpp>)");
  static_assert(std::conditional_t<key_has_bind<Key, Params...>, lazy_bound_key_check<Key, Params...>,
                                   nothing_to_report>::reported);
  static constexpr bool reported = true;
};

//! Whether key policy K, bound to Params, is usable.
template <class K, class... Params>
concept usable_key = key_has_bind<K, Params...> &&
                     std::constructible_from<typename K::template bind<Params...>, const K&> &&
                     bound_key_has_types<typename K::template bind<Params...>> &&
                     bound_key_has_make<typename K::template bind<Params...>, Params...> &&
                     bound_key_has_lookup<typename K::template bind<Params...>, Params...>;

// ---- coder (a byte coder; identity is never checked) ----

template <class C, class T>
concept coder_has_encode = requires(const C& c, const T& value) {
  { c.encode(value) } -> std::convertible_to<std::string>;
};
template <class C, class T>
concept coder_has_decode = requires(const C& c, std::string_view bytes) {
  { c.template decode<T>(bytes) } -> std::same_as<T>;
};

template <class Coder, class Value>
struct coder_check {
  static_assert(std::copy_constructible<Coder>, "cachet::memoize: this coder policy (see Coder) must be copyable");
  static_assert(coder_has_encode<Coder, Value>,
                "cachet::memoize: this coder policy (see Coder) cannot encode the function's result (see "
                "Value). Expected: `std::string encode(const Value& value) const` (see <cachet/coder.hpp>)");
  static_assert(coder_has_decode<Coder, Value>,
                "cachet::memoize: this coder policy (see Coder) cannot decode the function's result (see "
                "Value). Expected: `template <class T> T decode(std::string_view bytes) const`, throwing "
                "cachet::invalid_data on bytes that hold no T");
  static constexpr bool reported = true;
};

template <class C, class V>
concept usable_coder = std::copy_constructible<C> && coder_has_encode<C, V> && coder_has_decode<C, V>;

// ---- expiry ----

template <class E, class Value>
concept expiry_has_deadline = requires(const E& e, time_point now, const Value& v) {
  { e.deadline(now, v) } -> std::same_as<time_point>;
};

template <class Expiry, class Value>
struct expiry_check {
  static_assert(std::copy_constructible<Expiry>, "cachet::memoize: this expiry policy (see Expiry) must be copyable");
  static_assert(expiry_has_deadline<Expiry, Value>,
                "cachet::memoize: this expiry policy (see Expiry) has no usable deadline for the function's "
                "result (see Value). Expected: `cachet::time_point deadline(cachet::time_point now, const "
                "Value& value) const` (see <cachet/expiry.hpp>)");
  static_assert(!expiry_traits<Expiry>::renews_on_access || expiry_traits<Expiry>::value_independent,
                "cachet::memoize: this expiry policy (see Expiry) renews on access, so it needs the deadline "
                "without the value. Expected: `cachet::time_point deadline(cachet::time_point now) const`");
  static constexpr bool reported = true;
};

template <class E, class V>
concept usable_expiry = std::copy_constructible<E> && expiry_has_deadline<E, V> &&
                        (!expiry_traits<E>::renews_on_access || expiry_traits<E>::value_independent);

// ---- clock, sync, bulk, error policy ----

template <class C>
concept clock_has_now = requires(const C& c) {
  { c.now() } -> std::same_as<time_point>;
};

template <class Clock>
struct clock_check {
  static_assert(std::copy_constructible<Clock>, "cachet::memoize: this clock policy (see Clock) must be copyable");
  static_assert(clock_has_now<Clock>,
                "cachet::memoize: this clock policy (see Clock) has no usable now. Expected: "
                "`cachet::time_point now() const` (see <cachet/clock.hpp>)");
  static constexpr bool reported = true;
};

template <class C>
concept usable_clock = std::copy_constructible<C> && clock_has_now<C>;

template <class L>
concept lockable = std::default_initializable<L> && requires(L& l) {
  l.lock();
  l.unlock();
};

template <class Sync>
struct sync_lock_check;

template <class Sync>
struct sync_check {
  static_assert(requires { typename Sync::lock_type; },
                "cachet::memoize: this sync policy (see Sync) has no lock type. Expected: `using lock_type = "
                "...;`, default-constructible, with lock() and unlock() (see <cachet/sync.hpp>)");
  static_assert(std::conditional_t<requires { typename Sync::lock_type; }, sync_lock_check<Sync>,
                                   nothing_to_report>::reported);
  static constexpr bool reported = true;
};

template <class Sync>
struct sync_lock_check {
  static_assert(lockable<typename Sync::lock_type>,
                "cachet::memoize: the lock_type of this sync policy (see Sync) must be default-constructible, "
                "with `void lock()` and `void unlock()`");
  static constexpr bool reported = true;
};

template <class S>
concept usable_sync = requires { typename S::lock_type; } && lockable<typename S::lock_type>;

template <class Bulk>
struct bulk_check {
  static_assert(requires { { Bulk::batches } -> std::convertible_to<bool>; },
                "cachet::memoize: this bulk policy (see Bulk) has no batches. Expected: `static constexpr bool "
                "batches;` (see <cachet/bulk.hpp>)");
  static constexpr bool reported = true;
};

template <class B>
concept usable_bulk = requires { { B::batches } -> std::convertible_to<bool>; };

template <class P>
concept error_policy_has_fails_open = requires {
  { P::fails_open } -> std::convertible_to<bool>;
};
template <class P>
concept error_policy_has_report = requires(const P& p, const error& e) { p.report(e); };

template <class ErrorPolicy>
struct error_policy_check {
  static_assert(std::copy_constructible<ErrorPolicy>,
                "cachet::memoize: this error policy (see ErrorPolicy) must be copyable");
  static_assert(error_policy_has_fails_open<ErrorPolicy>,
                "cachet::memoize: this error policy (see ErrorPolicy) has no fails_open. Expected: `static "
                "constexpr bool fails_open;` (see <cachet/error_policy.hpp>)");
  static_assert(error_policy_has_report<ErrorPolicy>,
                "cachet::memoize: this error policy (see ErrorPolicy) has no usable report. Expected: `void "
                "report(const cachet::error& e) const`");
  static constexpr bool reported = true;
};

template <class P>
concept usable_error_policy =
    std::copy_constructible<P> && error_policy_has_fails_open<P> && error_policy_has_report<P>;

template <class Options>
concept usable_expiry_options = std::copy_constructible<Options> && requires(const Options& o) {
  { o.negative_ttl } -> std::convertible_to<duration>;
  { o.jitter } -> std::convertible_to<double>;
  { o.stale_if_error } -> std::convertible_to<duration>;
  { o.refresh_after } -> std::convertible_to<duration>;
  o.validate();
};

template <class Options>
struct expiry_options_check {
  static_assert(usable_expiry_options<Options>,
                "cachet::memoize: this expiry-options policy (see Options) is not usable. Expected: copyable, "
                "with `duration negative_ttl`, `double jitter`, `duration stale_if_error`, `duration refresh_after` and "
                "`void validate() const` (see "
                "<cachet/expiry_options.hpp>: cachet::expiry_options)");
  static constexpr bool reported = true;
};

template <class Storage, class Weigher, class Spec, class Key, class Value>
struct weigher_check {
  static_assert(requires { typename Storage::template weighted_store_type<Spec, Weigher>; },
                "cachet::memoize: a weigher was named, but this storage (see Storage) does not evict by weight "
                "(lru, sieve, s3fifo and w_tinylfu do: cachet::lru{.max_weight = ...})");
  static_assert(requires(const Weigher& w, const Key& k, const Value& v) {
    { w(k, v) } -> std::convertible_to<std::size_t>;
  }, "cachet::memoize: this weigher (see Weigher) cannot be called as weigh(key, value) or weigh(value) with the "
     "cache's Key and Value, returning a size; Key is the stored key, a std::tuple of the arguments under "
     "tuple_key (see <cachet/weigher.hpp>)");
  static constexpr bool reported = true;
};

template <class Stats>
struct stats_check {
  static_assert(stats_policy<Stats>,
                "cachet::memoize: this stats policy (see Stats) has no records. Expected: `static constexpr "
                "bool records;` (see <cachet/stats.hpp>: cachet::record_stats)");
  static constexpr bool reported = true;
};

template <class Listener, class Key, class Value>
struct listener_check {
  static_assert(std::copy_constructible<Listener>,
                "cachet::memoize: this removal listener (see Listener) must be copyable");
  static_assert(requires(const Listener& l, const Key& k, const Value& v) { l(k, v, removal_cause::evicted); },
                "cachet::memoize: this removal listener (see Listener) cannot be called as listener(key, value, "
                "cachet::removal_cause) with the cache's Key and Value (see <cachet/removal_listener.hpp>)");
  static constexpr bool reported = true;
};

}  // namespace cachet::detail
