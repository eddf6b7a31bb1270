// cachet/testing/storage_conformance.hpp: the storage conformance kit: the
// laws every cachet storage passes, runnable against a storage of your own
// from any test framework, or none.
//
//     #include <cachet/testing/storage_conformance.hpp>
//
//     auto report = cachet::testing::check_storage(my_storage{});  // never throws for a broken law
//     if (!report.ok()) std::cerr << report.summary();
//     cachet::testing::require_storage_conformance(my_storage{});  // throws conformance_error
//
// Each law makes fresh caches through the *fixture*, drives them on a
// cachet::manual_clock (the kit never sleeps) and records every check that
// does not hold as a conformance_failure: the law's id, the check as written
// in this header, the values seen and the line. A law whose code throws
// where no exception is expected fails that check and goes on.
//
// The fixture, one of (checked in this order):
//   1. an object with
//        template <class Fn, class... More>
//        auto memoize(Fn fn, cachet::manual_clock clock, More... more);
//      returning cachet::memoize(std::move(fn), <storage policy>,
//      [<coder>, <key policy>,] clock, more...). `more` holds the policies a
//      law adds (an expiry, a sync or a bulk policy), never a storage, a
//      coder or a clock. Optionally a member `name` (a string, static or
//      not) that labels the report. Use this form to name a coder or a key
//      policy, or to give each cache its own file, table or key prefix.
//   2. a storage policy (cachet::lru{.capacity = 1000}): every cache uses a
//      copy of it with the default coder and key policy.
//   3. a callable taking nothing and returning a storage policy: called
//      once per cache.
// The fixture is used by reference and must outlive the call.
//
// PRECONDITION: each cache the fixture makes starts empty and its storage()
//   counts only that cache's entries.
// PRECONDITION: the storage holds at least 64 entries without evicting.
// PRECONDITION: the storage (with the fixture's coder) keeps int, long,
//   std::string and std::vector<int> values for functions of (), (int),
//   (std::string), (std::string_view), (const std::string&) and
//   (int, std::string).
// A byte storage (typed == false) named without a coder needs its default
// coder's header, <cachet/coder/cereal_binary.hpp>, included by the caller;
// the kit itself includes no cereal header.
//
// The laws, by id (conformance_options::skip takes ids or prefixes such as
// "expiry"). The store laws call storage() of a cache of std::string(int)
// under expire_after_write, so that its store keeps deadlines:
//   store.empty        a new cache's store holds nothing: size() == 0, get and
//                      contains find no key
//   store.get          after set(k, v, d), get(k, t) yields v for t < d and
//                      nothing for t >= d; keys do not see each other's values
//   store.set          set replaces the value and the deadline (later or
//                      earlier), and revives an expired key
//   store.no_deadline  an entry set with no_deadline lives at any time
//   store.bytes        values round-trip exactly: empty, embedded NUL, high
//                      bytes, 64 KiB
//   store.contains     true for a live entry only; never creates one
//   store.erase        true when an entry was removed, then false; false for
//                      a missing key; other keys stay
//   store.touch        on a live entry: true, and the new deadline holds
//                      (later or earlier); on a missing or expired one:
//                      false, and nothing is created or revived
//   store.size         counts distinct keys held; a replacing set adds none;
//                      erase takes one away
//   store.clear        clear() leaves nothing: size() == 0, no key found
//   store.name         name() is not empty
//   store.bulk         (bulk stores only) get_many, set_many and erase_many
//                      answer per key in order, honour each entry's
//                      deadline, and accept empty spans
//   single_key.int, single_key.string, single_key.vector
//                      every single-key sub-operation through the wrapper:
//                      f(), get, at, update, execute, set, contains, touch,
//                      erase; storage().size() and clear()
//   arguments          keys for converted arguments, strings as const char*,
//                      std::string and std::string_view, functions of zero
//                      and two arguments, bulk calls on both
//   bulk.batched.int, bulk.batched.string, bulk.sequential.vector
//                      every bulk sub-operation under cachet::batched and
//                      cachet::sequential
//   bulk.empty         bulk calls on empty ranges; a set_many of mismatched
//                      lengths throws std::invalid_argument and stores nothing
//   expiry.after_write, expiry.after_access, expiry.per_entry
//                      the expiry policies on a manual clock: at the deadline
//                      an entry is gone; what renews it and what does not
//   throwing           a throwing function stores nothing (single and bulk:
//                      results before the throw are kept), its exception
//                      passes through unchanged, an old entry stays
//   recursion.mutex, recursion.unsynchronized
//                      a function calling itself through its wrapper
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <exception>
#include <forward_list>
#include <functional>
#include <list>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>

// The checks decompose `a == b` as `decomposer{} <= a == b` to show both
// sides (as Catch2 does); GCC would suggest parentheses.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wparentheses"
#endif

namespace cachet::testing {

// ------------------------------------------------------------------ results

//! One check of a law that did not hold.
struct conformance_failure {
  std::string law;      //!< the law's id, e.g. "store.touch"
  std::string check;    //!< the check, as written in this header
  std::string message;  //!< what was seen: both sides of a comparison, or the exception
  int line = 0;         //!< the check's line in <cachet/testing/storage_conformance.hpp>
};

//! What check_storage found.
struct conformance_report {
  std::string storage;                        //!< the label of the storage checked
  std::vector<std::string> laws;              //!< ids of the laws run, in order
  std::vector<std::string> skipped;           //!< ids of the laws left out, with why
  std::vector<conformance_failure> failures;  //!< in the order found
  std::size_t checks = 0;                     //!< checks made, passed or not

  //! No check failed.
  bool ok() const noexcept { return failures.empty(); }

  //! Whether a check of `law` failed; `law` is an id or a prefix ("expiry"
  //! covers "expiry.after_write").
  bool failed(std::string_view law) const {
    return std::ranges::any_of(failures, [&](const conformance_failure& f) { return covers(law, f.law); });
  }

  //! The ids of the laws that failed, each once, in the order found.
  std::vector<std::string> failed_laws() const {
    std::vector<std::string> out;
    for (const auto& f : failures)
      if (std::ranges::find(out, f.law) == out.end()) out.push_back(f.law);
    return out;
  }

  //! One line of counts, then one line per failure, then one per law skipped.
  std::string summary() const {
    std::string out = "cachet storage conformance: " + storage + ": ";
    if (ok()) {
      out += "all " + std::to_string(checks) + " checks of " + std::to_string(laws.size()) + " laws hold";
    } else {
      const auto broken = failed_laws();
      out += std::to_string(failures.size()) + " of " + std::to_string(checks) + " checks failed, in " +
             std::to_string(broken.size()) + " of " + std::to_string(laws.size()) + " laws:";
      for (const auto& law : broken) out += " " + law;
    }
    for (const auto& f : failures)
      out += "\n  [" + f.law + "] line " + std::to_string(f.line) + ": " + f.check + ": " + f.message;
    for (const auto& s : skipped) out += "\n  skipped " + s;
    return out;
  }

  //! Whether the id `law` is `filter` or starts with `filter` + ".".
  static bool covers(std::string_view filter, std::string_view law) noexcept {
    return law == filter || (law.size() > filter.size() && law.starts_with(filter) && law[filter.size()] == '.');
  }
};

//! Thrown by require_storage_conformance; what() is the report's summary().
class conformance_error : public std::runtime_error {
 public:
  explicit conformance_error(conformance_report report)
      : std::runtime_error(report.summary()), report_(std::move(report)) {}
  const conformance_report& report() const noexcept { return report_; }

 private:
  conformance_report report_;
};

//! What to run and how to label it.
struct conformance_options {
  //! The report's label; empty: the fixture's `name`, else the store's name().
  std::string name = {};
  //! Laws to leave out: ids, or prefixes such as "expiry" or "store".
  std::vector<std::string> skip = {};
};

// ------------------------------------------------------------------ fixtures

namespace detail {

//! A function of the signature each law's probe uses.
struct probe_fn {
  int operator()(int x) const { return x; }
};

}  // namespace detail

//! Form 1: makes caches itself, given the function, the clock and the
//! policies a law adds.
template <class F>
concept cache_fixture = requires(F& f, manual_clock clock) { f.memoize(detail::probe_fn{}, clock); };

//! Form 3: a callable that makes a storage policy.
template <class F>
concept storage_factory =
    std::invocable<F&> && policy_of<std::remove_cvref_t<std::invoke_result_t<F&>>, family::storage>;

//! Anything check_storage accepts.
template <class F>
concept storage_fixture = cache_fixture<F> || policy_of<F, family::storage> || storage_factory<F>;

namespace detail {

//! Forms 2 and 3 as form 1.
template <class Make>
struct factory_fixture {
  Make make;
  template <class Fn, class... More>
  auto memoize(Fn fn, manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn), make(), clock, more...);
  }
};

template <class F>
decltype(auto) as_cache_fixture(F& fixture) {
  if constexpr (cache_fixture<F>) {
    return (fixture);
  } else if constexpr (policy_of<F, family::storage>) {
    const auto copy = [&fixture] { return fixture; };
    return factory_fixture<decltype(copy)>{copy};
  } else {
    const auto call = [&fixture] { return fixture(); };
    return factory_fixture<decltype(call)>{call};
  }
}

// ------------------------------------------------------------------ checking

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

inline std::string quoted(std::string_view s) {
  constexpr std::size_t most = 80;
  std::string out = "\"";
  for (const char c : s.substr(0, most)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      constexpr const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
  if (s.size() > most) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

//! Text for a value in a failure message.
template <class T>
std::string describe(const T& v) {
  if constexpr (std::same_as<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_arithmetic_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::same_as<T, std::nullopt_t>) {
    return "nullopt";
  } else if constexpr (std::convertible_to<const T&, std::string_view>) {
    return quoted(std::string_view(v));
  } else if constexpr (is_optional<T>::value) {
    return v ? describe(*v) : std::string("nullopt");
  } else if constexpr (std::same_as<T, time_point>) {
    return v == no_deadline ? std::string("no_deadline")
                            : std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 v.time_since_epoch()).count()) + "ns";
  } else if constexpr (std::ranges::input_range<const T>) {
    using element = std::ranges::range_value_t<const T>;
    std::string out = "{";
    for (auto&& e : v) {
      if (out.size() > 1) out += ", ";
      out += describe(static_cast<element>(e));
    }
    return out + "}";
  } else {
    return "<value>";
  }
}

//! The outcome of one decomposed check.
struct outcome {
  bool passed;
  std::string seen;
};

template <class L>
struct lhs {
  const L& value;

  template <class R>
  outcome compare(bool passed, const R& r, const char* op) const {
    return {passed, describe(value) + op + describe(r)};
  }
  template <class R>
  outcome operator==(const R& r) const {
    return compare(static_cast<bool>(value == r), r, " == ");
  }
  template <class R>
  outcome operator!=(const R& r) const {
    return compare(static_cast<bool>(value != r), r, " != ");
  }
  template <class R>
  outcome operator<(const R& r) const {
    return compare(static_cast<bool>(value < r), r, " < ");
  }
  template <class R>
  outcome operator<=(const R& r) const {
    return compare(static_cast<bool>(value <= r), r, " <= ");
  }
  operator outcome() const {  // a bare condition
    return {static_cast<bool>(value), describe(value)};
  }
};

struct decomposer {
  template <class L>
  lhs<L> operator<=(const L& value) const {
    return {value};
  }
};

inline std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    return std::string("an exception: ") + e.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

//! Counts checks and records failures in a report, under the current law.
class checker {
 public:
  explicit checker(conformance_report& report) : report_(report) {}

  void begin(std::string law) { law_ = std::move(law); }

  //! Records a failure of `check`.
  void fail(std::string check, std::string message, int line) {
    report_.failures.push_back({law_, std::move(check), std::move(message), line});
  }

  //! `condition()` (an outcome) holds and does not throw.
  template <class Condition>
  void check(Condition&& condition, bool expected, const char* text, int line) {
    ++report_.checks;
    try {
      const outcome o = condition();
      if (o.passed != expected) fail(expected ? std::string(text) : "!(" + std::string(text) + ")", "saw " + o.seen, line);
    } catch (...) {
      fail(text, "threw " + current_exception_text(), line);
    }
  }

  //! `action()` throws an E (whose what() is `what`, unless null).
  template <class E, class Action>
  void throws(Action&& action, const char* type, const char* what, const char* text, int line) {
    ++report_.checks;
    try {
      action();
    } catch (const E& e) {
      if constexpr (requires { e.what(); }) {
        if (what != nullptr && std::string_view(e.what()) != what)
          fail(text, std::string("threw ") + type + " with what() " + quoted(e.what()) + ", expected " + quoted(what),
               line);
      }
      return;
    } catch (...) {
      fail(text, "threw " + current_exception_text() + ", expected " + type, line);
      return;
    }
    fail(text, std::string("did not throw; expected ") + type, line);
  }

  //! `action()` does not throw.
  template <class Action>
  void no_throw(Action&& action, const char* text, int line) {
    ++report_.checks;
    try {
      action();
    } catch (...) {
      fail(text, "threw " + current_exception_text(), line);
    }
  }

 private:
  conformance_report& report_;
  std::string law_;
};

}  // namespace detail
}  // namespace cachet::testing

// Checks inside a law; `chk` is the law's checker. Undefined at the end of
// this header.
#define CACHET_CONFORMANCE_CHECK_(...)                                                                         \
  chk.check([&]() -> ::cachet::testing::detail::outcome { return ::cachet::testing::detail::decomposer{} <= __VA_ARGS__; }, \
            true, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_CHECK_FALSE_(...)                                                                   \
  chk.check([&]() -> ::cachet::testing::detail::outcome { return ::cachet::testing::detail::decomposer{} <= __VA_ARGS__; }, \
            false, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_THROWS_(type, ...) \
  chk.throws<type>([&] { (void)(__VA_ARGS__); }, #type, nullptr, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_THROWS_WITH_(type, what, ...) \
  chk.throws<type>([&] { (void)(__VA_ARGS__); }, #type, what, #__VA_ARGS__, __LINE__)
#define CACHET_CONFORMANCE_NO_THROW_(...) chk.no_throw([&] { (void)(__VA_ARGS__); }, #__VA_ARGS__, __LINE__)

namespace cachet::testing::detail {

using namespace std::chrono_literals;

template <class V>
using opt = std::optional<V>;

//! A distinct value of V for each seed (strings beyond the small-string buffer).
template <class V>
V value_of(int seed) {
  if constexpr (std::is_same_v<V, int>)
    return seed;
  else if constexpr (std::is_same_v<V, std::string>)
    return "value #" + std::to_string(seed) + " is long enough to live on the heap";
  else
    return V{seed, -seed, seed * 2};
}

//! f(x) = value_of(100 * x + n) for the n-th call: every computation differs.
template <class V>
auto counting(int& calls) {
  return [&calls](int x) { return value_of<V>(100 * x + ++calls); };
}

//! What each law starts from: the fixture, a fresh manual clock, a call counter.
template <class F>
struct session {
  F& fixture;
  manual_clock clock{};
  int calls = 0;

  template <class Fn, class... More>
  auto make(Fn fn, More... more) {
    return fixture.memoize(std::move(fn), clock, more...);
  }
};

struct failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct odd_failure {  // not a std::exception
  int code;
};

// ------------------------------------------------------------ store laws

//! The cache whose store the store laws use: deadlines kept.
template <class F>
auto store_cache(session<F>& ctx) {
  return ctx.make([](int x) { return "result " + std::to_string(x); }, expire_after_write{1h});
}

//! The store laws' view of a store: keys from the wrapper, values from text.
template <class Cache>
struct store_probe {
  Cache& cache;
  using store_type = typename Cache::store_type;
  using key_type = typename store_type::key_type;
  using value_type = typename store_type::value_type;

  store_type& s() { return cache.storage(); }
  key_type k(int i) { return cache.key(i); }
  static value_type v(std::string_view text) { return value_type(std::string(text)); }
  opt<value_type> get(int i, time_point t) {
    auto r = s().get(k(i), t);
    if (!r) return std::nullopt;
    return value_type(*r);
  }
  void set(int i, std::string_view text, time_point deadline) { s().set(k(i), v(text), deadline); }
  bool contains(int i, time_point t) { return s().contains(k(i), t); }
  bool erase(int i) { return s().erase(k(i)); }
  bool touch(int i, time_point t, time_point deadline) { return s().touch(k(i), t, deadline); }
  std::size_t size() { return static_cast<std::size_t>(s().size()); }
};

template <class F, class Law>
void with_store(session<F>& ctx, Law law) {
  auto cache = store_cache(ctx);
  store_probe<decltype(cache)> p{cache};
  law(p, ctx.clock.now());
}

template <class F>
void store_empty(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    CACHET_CONFORMANCE_CHECK_(p.size() == 0u);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0));
  });
}

template <class F>
void store_get(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    const time_point d = t0 + 10s;
    p.set(1, "one", d);
    p.set(2, "two", t0 + 20s);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("one")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("one")));  // a get does not consume
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == opt<V>(p.v("two")));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_(p.get(1, d - 1ns) == opt<V>(p.v("one")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, d) == std::nullopt);  // at the deadline: gone
    CACHET_CONFORMANCE_CHECK_(p.get(1, d + 1s) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_(p.get(2, d + 1s) == opt<V>(p.v("two")));
  });
}

template <class F>
void store_set(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "old", t0 + 10s);
    p.set(1, "new", t0 + 30s);  // a later deadline
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("new")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 20s) == opt<V>(p.v("new")));
    p.set(1, "newer", t0 + 25s);  // an earlier one
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 24s) == opt<V>(p.v("newer")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 25s) == std::nullopt);
    p.set(1, "again", t0 + 60s);  // revives the expired key
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 30s) == opt<V>(p.v("again")));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0 + 59s));
  });
}

template <class F>
void store_no_deadline(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "forever", no_deadline);
    const time_point far = t0 + std::chrono::hours{24 * 365 * 100};
    CACHET_CONFORMANCE_CHECK_(p.get(1, far) == opt<V>(p.v("forever")));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, far));
    CACHET_CONFORMANCE_CHECK_(p.touch(1, far, no_deadline));
    CACHET_CONFORMANCE_CHECK_(p.get(1, far + 1h) == opt<V>(p.v("forever")));
  });
}

template <class F>
void store_bytes(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    std::string all(256, '\0');
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>(i);
    std::string big(64 * 1024, 'x');
    for (std::size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>(i % 251);
    const std::string nul("a\0b\0", 4);
    p.set(1, "", no_deadline);
    p.set(2, nul, no_deadline);
    p.set(3, all, no_deadline);
    p.set(4, big, no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("")));
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == opt<V>(p.v(nul)));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == opt<V>(p.v(all)));
    CACHET_CONFORMANCE_CHECK_(p.get(4, t0) == opt<V>(p.v(big)));
  });
}

template <class F>
void store_contains(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "one", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0 + 10s - 1ns));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0 + 10s));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(2, t0));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(2, t0));  // contains never creates
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == std::nullopt);
    p.set(3, "three", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_(p.contains(3, t0 + 5s));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0 + 5s) == opt<V>(p.v("three")));  // nor consumes
  });
}

template <class F>
void store_erase(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "one", no_deadline);
    p.set(2, "two", no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.erase(1));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.erase(1));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.erase(3));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0));
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == opt<V>(p.v("two")));  // other keys stay
    p.set(1, "back", no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("back")));
  });
}

template <class F>
void store_touch(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "one", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_(p.touch(1, t0 + 5s, t0 + 30s));  // later
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 20s) == opt<V>(p.v("one")));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0 + 30s - 1ns));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0 + 30s));

    p.set(2, "two", t0 + 60s);
    CACHET_CONFORMANCE_CHECK_(p.touch(2, t0, t0 + 15s));  // earlier
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0 + 15s - 1ns) == opt<V>(p.v("two")));
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0 + 15s) == std::nullopt);

    CACHET_CONFORMANCE_CHECK_FALSE_(p.touch(3, t0, t0 + 10s));  // missing: not created
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(3, t0));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == std::nullopt);

    p.set(4, "four", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.touch(4, t0 + 10s, t0 + 100s));  // expired: not revived
    CACHET_CONFORMANCE_CHECK_(p.get(4, t0 + 11s) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(4, t0 + 11s));
  });
}

template <class F>
void store_size(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point) {
    for (int i = 0; i < 5; ++i) p.set(i, "v" + std::to_string(i), no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.size() == 5u);
    p.set(2, "replaced", no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.size() == 5u);
    (void)p.erase(0);
    CACHET_CONFORMANCE_CHECK_(p.size() == 4u);
    (void)p.erase(0);
    CACHET_CONFORMANCE_CHECK_(p.size() == 4u);
    const auto& view = std::as_const(p.s());
    CACHET_CONFORMANCE_CHECK_(static_cast<std::size_t>(view.size()) == 4u);  // const, as the concept asks
  });
}

template <class F>
void store_clear(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    for (int i = 0; i < 5; ++i) p.set(i, "v" + std::to_string(i), t0 + 10s);
    p.s().clear();
    CACHET_CONFORMANCE_CHECK_(p.size() == 0u);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(4, t0));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.erase(2));
    p.set(1, "after", no_deadline);  // still usable
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("after")));
    CACHET_CONFORMANCE_CHECK_(p.size() == 1u);
  });
}

template <class F>
void store_name(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point) {
    const std::string name = std::as_const(p.s()).name();
    CACHET_CONFORMANCE_CHECK_FALSE_(name.empty());
  });
}

template <class F>
void store_bulk(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using probe = std::remove_reference_t<decltype(p)>;
    using K = typename probe::key_type;
    using V = typename probe::value_type;
    if constexpr (bulk_store<typename probe::store_type>) {
      auto& s = p.s();
      const std::vector<K> none;
      std::vector<entry<K, V>> nothing;
      CACHET_CONFORMANCE_CHECK_(s.get_many(std::span<const K>(none), t0).empty());
      CACHET_CONFORMANCE_NO_THROW_(s.set_many(std::span<entry<K, V>>(nothing)));
      CACHET_CONFORMANCE_CHECK_(s.erase_many(std::span<const K>(none)).empty());
      CACHET_CONFORMANCE_CHECK_(p.size() == 0u);

      std::vector<entry<K, V>> entries;
      entries.push_back({p.k(1), p.v("one"), t0 + 10s});
      entries.push_back({p.k(2), p.v("two"), t0 + 20s});
      entries.push_back({p.k(3), p.v("three"), no_deadline});
      s.set_many(std::span<entry<K, V>>(entries));
      CACHET_CONFORMANCE_CHECK_(p.size() == 3u);
      const std::vector<K> keys{p.k(3), p.k(4), p.k(1), p.k(2), p.k(1)};
      CACHET_CONFORMANCE_CHECK_(s.get_many(std::span<const K>(keys), t0) ==
                                std::vector<opt<V>>{p.v("three"), std::nullopt, p.v("one"), p.v("two"), p.v("one")});
      CACHET_CONFORMANCE_CHECK_(s.get_many(std::span<const K>(keys), t0 + 10s) ==
                                std::vector<opt<V>>{p.v("three"), std::nullopt, std::nullopt, p.v("two"), std::nullopt});
      CACHET_CONFORMANCE_CHECK_(p.get(2, t0 + 20s) == std::nullopt);  // each entry's own deadline

      std::vector<entry<K, V>> replace;
      replace.push_back({p.k(3), p.v("three again"), t0 + 5s});
      s.set_many(std::span<entry<K, V>>(replace));
      CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == opt<V>(p.v("three again")));
      CACHET_CONFORMANCE_CHECK_(p.get(3, t0 + 5s) == std::nullopt);

      p.set(5, "five", no_deadline);
      const std::vector<K> erase{p.k(5), p.k(6), p.k(5)};
      CACHET_CONFORMANCE_CHECK_(s.erase_many(std::span<const K>(erase)) == std::vector<bool>{true, false, false});
      CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(5, t0));
    }
  });
}

// ---------------------------------------------------------- wrapper laws

template <class F, class V>
void single_key_operations(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<V>(ctx.calls));

  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);  // get on a miss never computes
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 0);
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(101));  // miss: computed and stored
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(101));  // hit
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 1);
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<V>(value_of<V>(101)));
  CACHET_CONFORMANCE_CHECK_(f.at(1) == value_of<V>(101));
  CACHET_CONFORMANCE_THROWS_(cachet::entry_not_found, f.at(2));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 1u);

  CACHET_CONFORMANCE_CHECK_(f.update(1) == value_of<V>(102));  // update computes and overwrites
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(102));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);

  CACHET_CONFORMANCE_CHECK_(f.execute(2) == value_of<V>(203));  // execute stores nothing
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(2));
  CACHET_CONFORMANCE_CHECK_(f.get(2) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 1u);

  f.set(value_of<V>(7), 3);  // set, then get and call without computing
  CACHET_CONFORMANCE_CHECK_(f.get(3) == opt<V>(value_of<V>(7)));
  CACHET_CONFORMANCE_CHECK_(f(3) == value_of<V>(7));
  f.set(value_of<V>(8), 3);  // set overwrites
  CACHET_CONFORMANCE_CHECK_(f(3) == value_of<V>(8));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 3);
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 2u);

  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(4));
  CACHET_CONFORMANCE_CHECK_(f.touch(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.touch(4));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(4));  // touch does not create

  CACHET_CONFORMANCE_CHECK_(f.erase(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.erase(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.erase(4));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(f(1) == value_of<V>(104));  // computed again after erase
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 4);

  f.storage().clear();
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(3));
  CACHET_CONFORMANCE_CHECK_(f(3) == value_of<V>(305));
}

template <class F>
void keys_and_arguments(session<F>& ctx, checker& chk) {
  auto one = ctx.make(counting<int>(ctx.calls));
  CACHET_CONFORMANCE_CHECK_(one.key(1) == one.key(1));
  CACHET_CONFORMANCE_CHECK_(one.key(1) != one.key(2));
  CACHET_CONFORMANCE_CHECK_(one(short{3}) == one(3));  // a converted argument is the same call
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 1);

  // string arguments as const char*, std::string and std::string_view: one entry
  auto by_view =
      ctx.make([&ctx](std::string_view s) { return static_cast<int>(s.size()) + 1000 * ++ctx.calls; });
  const std::string text = "a string argument longer than any small-string buffer";
  const int first = by_view(text.c_str());
  CACHET_CONFORMANCE_CHECK_(by_view(text) == first);
  CACHET_CONFORMANCE_CHECK_(by_view(std::string_view(text)) == first);
  CACHET_CONFORMANCE_CHECK_(by_view.key(text.c_str()) == by_view.key(std::string_view(text)));
  CACHET_CONFORMANCE_CHECK_(by_view.key(text) == by_view.key(text.c_str()));
  CACHET_CONFORMANCE_CHECK_(by_view.key(text) != by_view.key("another"));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);
  CACHET_CONFORMANCE_CHECK_(by_view.storage().size() == 1u);

  auto by_ref = ctx.make([&ctx](const std::string& s) { return s + std::to_string(++ctx.calls); });
  CACHET_CONFORMANCE_CHECK_(by_ref("abc") == "abc3");
  CACHET_CONFORMANCE_CHECK_(by_ref(std::string("abc")) == "abc3");
  CACHET_CONFORMANCE_CHECK_(by_ref.get(std::string_view("abc")) == opt<std::string>("abc3"));
  CACHET_CONFORMANCE_CHECK_(by_ref.contains("abc"));
  CACHET_CONFORMANCE_CHECK_(by_ref.touch(std::string_view("abc")));
  CACHET_CONFORMANCE_CHECK_(by_ref.erase(std::string_view("abc")));
  CACHET_CONFORMANCE_CHECK_FALSE_(by_ref.contains(std::string("abc")));

  // two arguments
  auto two = ctx.make(
      [&ctx](int n, std::string s) { return std::to_string(n) + s + "#" + std::to_string(++ctx.calls); });
  CACHET_CONFORMANCE_CHECK_(two(1, "a") == "1a#4");
  CACHET_CONFORMANCE_CHECK_(two(1, std::string("a")) == "1a#4");
  CACHET_CONFORMANCE_CHECK_(two(2, "a") == "2a#5");
  CACHET_CONFORMANCE_CHECK_(two(1, "b") == "1b#6");
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 6);
  CACHET_CONFORMANCE_CHECK_(two.key(1, "a") == two.key(1, std::string_view("a")));
  CACHET_CONFORMANCE_CHECK_(two.key(1, "a") != two.key(2, "a"));
  CACHET_CONFORMANCE_CHECK_(two.key(1, "a") != two.key(1, "b"));
  CACHET_CONFORMANCE_CHECK_(two.get_many(std::vector<std::pair<int, std::string>>{{2, "a"}, {3, "a"}}) ==
                            std::vector<opt<std::string>>{"2a#5", std::nullopt});
  CACHET_CONFORMANCE_CHECK_(
      two.get_or_update_many(std::vector<std::tuple<int, std::string>>{{3, "c"}, {1, "a"}, {3, "c"}}) ==
      std::vector<std::string>{"3c#7", "1a#4", "3c#7"});
  CACHET_CONFORMANCE_CHECK_(two.erase(1, "a"));
  CACHET_CONFORMANCE_CHECK_FALSE_(two.contains(1, "a"));
  CACHET_CONFORMANCE_CHECK_(two.contains(1, "b"));

  // zero arguments
  auto none = ctx.make([&ctx] { return ++ctx.calls * 10; });
  CACHET_CONFORMANCE_CHECK_(none() == 80);
  CACHET_CONFORMANCE_CHECK_(none() == 80);
  CACHET_CONFORMANCE_CHECK_(none.key() == none.key());
  CACHET_CONFORMANCE_CHECK_(none.contains());
  CACHET_CONFORMANCE_CHECK_(none.update() == 90);
  CACHET_CONFORMANCE_CHECK_(none.get_or_update_many(std::vector<std::tuple<>>(3)) == std::vector<int>{90, 90, 90});
  CACHET_CONFORMANCE_CHECK_(none.erase());
  CACHET_CONFORMANCE_CHECK_(none.get() == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(none.get_or_update_many(std::vector<std::tuple<>>(3)) ==
                            std::vector<int>{100, 100, 100});
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 10);
}

template <class F, class V, class Bulk>
void bulk_operations(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<V>(ctx.calls), Bulk{});
  const auto v = [](int seed) { return value_of<V>(seed); };

  f.set(v(7), 2);
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{1, 2, 3}) ==
                            std::vector<opt<V>>{std::nullopt, v(7), std::nullopt});
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<std::tuple<int>>{{2}, {1}}) ==
                            std::vector<opt<V>>{v(7), std::nullopt});

  f.set_many(std::vector<int>{1, 3}, std::list<V>{v(11), v(33)});
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{1, 2, 3}) == std::vector<opt<V>>{v(11), v(7), v(33)});
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{1, 4, 3}) == std::vector<bool>{true, false, true});
  CACHET_CONFORMANCE_CHECK_(f.touch_many(std::vector<int>{1, 4}) == std::vector<bool>{true, false});
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 0);

  CACHET_CONFORMANCE_CHECK_(f.update_many(std::vector<int>{2, 4}) == std::vector<V>{v(201), v(402)});
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{2, 4}) == std::vector<opt<V>>{v(201), v(402)});

  CACHET_CONFORMANCE_CHECK_(f.execute_many(std::vector<int>{5, 5}) == std::vector<V>{v(503), v(504)});
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(5));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 4);

  // each distinct missing key computed once; hits and repeats in call order
  CACHET_CONFORMANCE_CHECK_(f.get_or_update_many(std::forward_list<int>{6, 1, 6, 7, 6}) ==
                            std::vector<V>{v(605), v(11), v(605), v(706), v(605)});
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 6);
  CACHET_CONFORMANCE_CHECK_(f(6) == v(605));
  CACHET_CONFORMANCE_CHECK_(f(7) == v(706));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 6u);

  CACHET_CONFORMANCE_CHECK_(f.erase_many(std::vector<int>{1, 8, 6}) == std::vector<bool>{true, false, true});
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{1, 6, 7}) == std::vector<bool>{false, false, true});
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 4u);
}

template <class F>
void bulk_edge_cases(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<std::string>(ctx.calls));
  const std::vector<int> none;

  CACHET_CONFORMANCE_CHECK_(f.get_many(none).empty());
  CACHET_CONFORMANCE_NO_THROW_(f.set_many(none, std::vector<std::string>{}));
  CACHET_CONFORMANCE_CHECK_(f.update_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.execute_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.get_or_update_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.erase_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.contains_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(f.touch_many(none).empty());
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 0);
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);

  CACHET_CONFORMANCE_THROWS_(std::invalid_argument,
                             f.set_many(std::vector<int>{1, 2}, std::vector<std::string>{"one"}));
  CACHET_CONFORMANCE_THROWS_(std::invalid_argument, f.set_many(none, std::vector<std::string>{"one"}));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));  // a rejected set_many stores nothing
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
}

template <class F>
void expire_after_write_law(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<int>(ctx.calls), cachet::expire_after_write{10s});

  CACHET_CONFORMANCE_CHECK_(f(1) == 101);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);  // hit before the ttl; reads do not extend it
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<int>(101));
  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  ctx.clock.advance(1s);  // at the ttl: expired
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);
  CACHET_CONFORMANCE_THROWS_(cachet::entry_not_found, f.at(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.touch(1));
  CACHET_CONFORMANCE_CHECK_(f(1) == 102);  // recomputed
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);

  f.set(5, 2);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.touch(2));  // renews: 10s from now
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.get(2) == opt<int>(5));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));  // not touched
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_(f.get(2) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{1, 2}) == std::vector<opt<int>>{std::nullopt, std::nullopt});
  CACHET_CONFORMANCE_CHECK_(f.get_or_update_many(std::vector<int>{1, 2}) == std::vector<int>{103, 204});
  ctx.clock.advance(15s);
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{1, 2}) == std::vector<bool>{false, false});
  CACHET_CONFORMANCE_CHECK_(f.touch_many(std::vector<int>{1, 2}) == std::vector<bool>{false, false});
}

template <class F>
void expire_after_access_law(session<F>& ctx, checker& chk) {
  auto f = ctx.make(counting<int>(ctx.calls), cachet::expire_after_access{10s});

  CACHET_CONFORMANCE_CHECK_(f(1) == 101);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);  // a hit renews
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<int>(101));  // so does get
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.contains(1));  // contains does not
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 1);

  CACHET_CONFORMANCE_CHECK_(f(1) == 102);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.touch(1));  // touch renews
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.touch(1));

  f.set(7, 2);
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{2}) == std::vector<opt<int>>{7});  // bulk hits renew
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.touch_many(std::vector<int>{2, 3}) == std::vector<bool>{true, false});
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f.contains(2));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(2));
}

template <class F>
void expire_per_entry_law(session<F>& ctx, checker& chk) {
  auto f = ctx.make([&ctx](int x) { ++ctx.calls; return x; },
                    cachet::expire_per_entry{[](int v) { return std::chrono::seconds{v}; }});

  CACHET_CONFORMANCE_CHECK_(f(0) == 0);  // a zero ttl: returned, not stored
  CACHET_CONFORMANCE_CHECK_(f(0) == 0);
  CACHET_CONFORMANCE_CHECK_(f(-5) == -5);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 3);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(0));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
  f.set(0, 7);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(7));
  CACHET_CONFORMANCE_CHECK_(f.update_many(std::vector<int>{0, 0}) == std::vector<int>{0, 0});
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);

  CACHET_CONFORMANCE_CHECK_(f(5) == 5);
  CACHET_CONFORMANCE_CHECK_(f(20) == 20);
  ctx.clock.advance(4s);
  CACHET_CONFORMANCE_CHECK_(f.contains_many(std::vector<int>{5, 20}) == std::vector<bool>{true, true});
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(5));
  CACHET_CONFORMANCE_CHECK_(f.contains(20));
  CACHET_CONFORMANCE_CHECK_(f.touch(20));  // renews by the value's own ttl
  ctx.clock.advance(19s);
  CACHET_CONFORMANCE_CHECK_(f.get(20) == opt<int>(20));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_(f.get(20) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 7);

  f.set(3, 8);
  ctx.clock.advance(2s);
  CACHET_CONFORMANCE_CHECK_(f.contains(8));
  ctx.clock.advance(1s);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(8));
}

template <class F>
void throwing_function(session<F>& ctx, checker& chk) {
  auto f = ctx.make([&ctx](int x) -> int {
    ++ctx.calls;
    if (x == -7) throw odd_failure{7};
    if (x < 0) throw failure("negative argument " + std::to_string(x));
    return 2 * x;
  });

  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -1", f(-1));
  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -1", f(-1));
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 2);  // failures are not cached
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(-1));
  CACHET_CONFORMANCE_CHECK_(f.storage().size() == 0u);
  CACHET_CONFORMANCE_THROWS_(odd_failure, f(-7));
  int code = 0;
  try {
    f(-7);
  } catch (const odd_failure& e) {
    code = e.code;
  } catch (...) {
  }
  CACHET_CONFORMANCE_CHECK_(code == 7);  // the exception object passes through unchanged

  f.set(42, -2);
  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -2", f.update(-2));
  CACHET_CONFORMANCE_CHECK_(f.get(-2) == opt<int>(42));  // the old entry stays
  CACHET_CONFORMANCE_THROWS_(failure, f.execute(-3));

  // bulk: the results before the failing call are stored, the rest are not
  CACHET_CONFORMANCE_THROWS_WITH_(failure, "negative argument -4", f.update_many(std::vector<int>{1, -4, 2}));
  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(2));
  CACHET_CONFORMANCE_THROWS_(failure, f.get_or_update_many(std::vector<int>{3, 1, -5, 4}));
  CACHET_CONFORMANCE_CHECK_(f.contains(3));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(4));
  CACHET_CONFORMANCE_THROWS_(failure, f.execute_many(std::vector<int>{9, -6}));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(9));
}

template <class F, class Sync>
void recursion(session<F>& ctx, checker& chk) {
  std::function<long(int)> fib_ref;  // the wrapper, once it exists
  auto fib = ctx.make(
      [&ctx, &fib_ref](int n) -> long {
        ++ctx.calls;
        return n < 2 ? n : fib_ref(n - 1) + fib_ref(n - 2);
      },
      Sync{});
  fib_ref = [&fib](int n) { return fib(n); };

  CACHET_CONFORMANCE_CHECK_(fib(60) == 1548008755920L);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 61);  // each n computed once
  CACHET_CONFORMANCE_CHECK_(fib(59) == 956722026041L);
  CACHET_CONFORMANCE_CHECK_(ctx.calls == 61);
  CACHET_CONFORMANCE_CHECK_(fib.storage().size() == 61u);
}

// ---------------------------------------------------------------- running

//! The given fixture's `name`, else the name() of a store it makes.
template <class F, class Maker>
std::string fixture_name(F& fixture, Maker& maker) {
  if constexpr (requires { std::string(fixture.name); }) {
    return std::string(fixture.name);
  } else {
    session<Maker> ctx{maker};
    auto f = ctx.make(probe_fn{});
    return std::as_const(f.storage()).name();
  }
}

//! Runs the laws over one fixture (form 1) into one report.
template <class F>
class runner {
 public:
  runner(F& fixture, conformance_report& report, const conformance_options& options)
      : fixture_(fixture), report_(report), options_(options), chk_(report) {}

  using law_fn = void (*)(session<F>&, checker&);

  void operator()(const char* id, law_fn law) {
    for (const auto& s : options_.skip) {
      if (conformance_report::covers(s, id)) {
        report_.skipped.push_back(std::string(id) + " (options.skip)");
        return;
      }
    }
    report_.laws.emplace_back(id);
    chk_.begin(id);
    try {
      session<F> ctx{fixture_};
      law(ctx, chk_);
    } catch (...) {
      ++report_.checks;
      chk_.fail("the law's own steps", "threw " + current_exception_text(), 0);
    }
  }

  void run_all() {
    auto& run = *this;
    run("store.empty", &store_empty<F>);
    run("store.get", &store_get<F>);
    run("store.set", &store_set<F>);
    run("store.no_deadline", &store_no_deadline<F>);
    run("store.bytes", &store_bytes<F>);
    run("store.contains", &store_contains<F>);
    run("store.erase", &store_erase<F>);
    run("store.touch", &store_touch<F>);
    run("store.size", &store_size<F>);
    run("store.clear", &store_clear<F>);
    run("store.name", &store_name<F>);
    if constexpr (bulk_store<typename decltype(store_cache(std::declval<session<F>&>()))::store_type>)
      run("store.bulk", &store_bulk<F>);
    else
      report_.skipped.emplace_back("store.bulk (the store has no get_many, set_many, erase_many)");
    run("single_key.int", &single_key_operations<F, int>);
    run("single_key.string", &single_key_operations<F, std::string>);
    run("single_key.vector", &single_key_operations<F, std::vector<int>>);
    run("arguments", &keys_and_arguments<F>);
    run("bulk.batched.int", &bulk_operations<F, int, cachet::batched>);
    run("bulk.batched.string", &bulk_operations<F, std::string, cachet::batched>);
    run("bulk.sequential.vector", &bulk_operations<F, std::vector<int>, cachet::sequential>);
    run("bulk.empty", &bulk_edge_cases<F>);
    run("expiry.after_write", &expire_after_write_law<F>);
    run("expiry.after_access", &expire_after_access_law<F>);
    run("expiry.per_entry", &expire_per_entry_law<F>);
    run("throwing", &throwing_function<F>);
    run("recursion.mutex", &recursion<F, cachet::mutex>);
    run("recursion.unsynchronized", &recursion<F, cachet::unsynchronized>);
  }

 private:
  F& fixture_;
  conformance_report& report_;
  const conformance_options& options_;
  checker chk_;
};

}  // namespace cachet::testing::detail

namespace cachet::testing {

//! Runs every law against caches made by `fixture` (see the banner for its
//! three forms) and returns what it found. A broken law never throws: it is
//! a conformance_failure in the report. Throws only what the fixture throws
//! when asked for the report's label.
template <class Fixture>
conformance_report check_storage(Fixture&& fixture, conformance_options options = {}) {
  if constexpr (!storage_fixture<std::remove_cvref_t<Fixture>>) {
    static_assert(storage_fixture<std::remove_cvref_t<Fixture>>,
                  "cachet::testing::check_storage: the argument is not a fixture. Pass one of:\n"
                  "  a storage policy (using cachet_family = cachet::family::storage; ...),\n"
                  "  a callable taking nothing and returning a storage policy, or\n"
                  "  an object with template <class Fn, class... More>\n"
                  "    auto memoize(Fn fn, cachet::manual_clock clock, More... more);\n"
                  "(see <cachet/testing/storage_conformance.hpp>)");
    return {};
  } else {
    auto& given = fixture;
    decltype(auto) maker = detail::as_cache_fixture(given);  // the fixture itself, or an adapter
    using maker_type = std::remove_reference_t<decltype(maker)>;
    conformance_report report;
    report.storage = !options.name.empty() ? options.name : detail::fixture_name(given, maker);
    detail::runner<maker_type>(maker, report, options).run_all();
    return report;
  }
}

//! check_storage, then throws conformance_error (what(): the summary) if a
//! law failed.
template <class Fixture>
void require_storage_conformance(Fixture&& fixture, conformance_options options = {}) {
  conformance_report report = check_storage(std::forward<Fixture>(fixture), std::move(options));
  if (!report.ok()) throw conformance_error(std::move(report));
}

}  // namespace cachet::testing

#undef CACHET_CONFORMANCE_CHECK_
#undef CACHET_CONFORMANCE_CHECK_FALSE_
#undef CACHET_CONFORMANCE_THROWS_
#undef CACHET_CONFORMANCE_THROWS_WITH_
#undef CACHET_CONFORMANCE_NO_THROW_

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
