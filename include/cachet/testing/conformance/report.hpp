// cachet/testing/conformance/report.hpp: what the storage conformance kit
// reports (conformance_failure, conformance_report, conformance_error,
// conformance_options) and how it records checks: detail::checker counts
// each check and keeps the ones that fail, with both sides of a comparison
// (detail::decomposer) or the exception seen. Part of
// <cachet/testing/storage_conformance.hpp>, which documents the kit.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <exception>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/clock.hpp>

namespace cachet::testing {

//! One check of a law that did not hold.
struct conformance_failure {
  std::string law;      //!< the law's id, e.g. "store.touch"
  std::string check;    //!< the check, as written in the kit's source
  std::string message;  //!< what was seen: both sides of a comparison, or the exception
  int line = 0;         //!< the check's line in the law's header: <cachet/testing/conformance/store_laws.hpp>
                        //!< for store.*, <cachet/testing/conformance/wrapper_laws.hpp> for the others
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

}  // namespace cachet::testing

namespace cachet::testing::detail {

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
    attempt(text, line, [&] {
      const outcome o = condition();
      if (o.passed != expected) fail(expected ? std::string(text) : "!(" + std::string(text) + ")", "saw " + o.seen, line);
    });
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
    attempt(text, line, action);
  }

 private:
  //! Counts a check and runs `step`; an exception out of it fails the check.
  template <class Step>
  void attempt(const char* text, int line, Step&& step) {
    ++report_.checks;
    try {
      step();
    } catch (...) {
      fail(text, "threw " + current_exception_text(), line);
    }
  }

  conformance_report& report_;
  std::string law_;
};

}  // namespace cachet::testing::detail
