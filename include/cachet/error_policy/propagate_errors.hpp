// cachet/error_policy/propagate_errors.hpp: storage failures reach the
// caller (the default).
#pragma once

#include <cachet/error_policy.hpp>

namespace cachet {

//! backend_error and invalid_data propagate to the caller unchanged.
struct propagate_errors {
  using cachet_family = family::error_policy;
  static constexpr bool fails_open = false;
  void report(const error&) const noexcept {}
};

}  // namespace cachet
