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
// Only backend_error and invalid_data fail open: the function's own
// exceptions, closed_storage and entry_not_found always propagate.
// Models: propagate_errors (the default), fail_open.
#pragma once

#include <concepts>

#include <cachet/errors.hpp>
#include <cachet/policy.hpp>

namespace cachet {

template <class P>
concept error_policy = policy_of<P, family::error_policy> && std::copy_constructible<P> &&
                       requires(const P& p, const error& e) {
                         { P::fails_open } -> std::convertible_to<bool>;
                         p.report(e);
                       };

}  // namespace cachet
