// cachet/error_policy.hpp: the error-policy family: what the wrapper does
// when the storage fails (cachet::backend_error) or holds bytes that do not
// decode (cachet::invalid_data).
//
// Minimal definition of an error policy P:
//   using cachet_family = cachet::family::error_policy;
//   static constexpr bool fails_open;   false: the exception reaches the
//                                       caller; true: the failure counts as a
//                                       miss (f(...) calls the function),
//                                       a write is skipped, erase/contains/
//                                       touch answer false
//   void report(const cachet::error&) const;   called for each failure that
//                                       fails open (logging, metrics)
//
// Optional, read through cachet::error_policy_traits<P>:
//   reopen_after    a std::chrono duration member: under a fail-open policy,
//                   how long after a failed attempt to open the store (when
//                   the cache is made, or later) it is tried again; default
//                   1 s. Until it opens, every call fails open.
//   lock_wait       a std::chrono duration member: the longest a store call
//                   may wait for a lock another process holds (SQLite's
//                   write lock) before failing (and, under a fail-open
//                   policy, being skipped and reported); default: none, the
//                   storage policy's own wait (sqlite::busy_timeout).
//
// Only backend_error and invalid_data fail open: the function's own
// exceptions, closed_storage and entry_not_found always propagate.
// Models: propagate_errors (the default), fail_open.
#pragma once

#include <chrono>
#include <concepts>
#include <optional>

#include <cachet/errors.hpp>
#include <cachet/policy.hpp>

namespace cachet {

template <class P>
concept error_policy = policy_of<P, family::error_policy> && std::copy_constructible<P> &&
                       requires(const P& p, const error& e) {
                         { P::fails_open } -> std::convertible_to<bool>;
                         p.report(e);
                       };

//! What the wrapper reads of an error policy beyond fails_open and report.
//! Specialise it (deriving from default_error_policy_traits<P>) for a policy
//! you cannot change.
template <class ErrorPolicy>
struct default_error_policy_traits {
  //! How long after a failed open the store is tried again (fail-open
  //! policies only): the policy's `reopen_after` member, else 1 s.
  static std::chrono::nanoseconds reopen_after(const ErrorPolicy& p) {
    if constexpr (requires { std::chrono::nanoseconds(p.reopen_after); })
      return std::chrono::nanoseconds(p.reopen_after);
    else
      return std::chrono::seconds{1};
  }

  //! The bound on a store's waits for another process's lock: the policy's
  //! `lock_wait` member, else none (the storage policy decides).
  static std::optional<std::chrono::nanoseconds> lock_wait(const ErrorPolicy& p) {
    if constexpr (requires { std::chrono::nanoseconds(p.lock_wait); })
      return std::chrono::nanoseconds(p.lock_wait);
    else
      return std::nullopt;
  }
};

//! See default_error_policy_traits; specialise this one.
template <class ErrorPolicy>
struct error_policy_traits : default_error_policy_traits<ErrorPolicy> {};

}  // namespace cachet
