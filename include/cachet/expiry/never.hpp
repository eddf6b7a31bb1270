// cachet/expiry/never.hpp: entries never expire (the default).
#pragma once

#include <cachet/expiry.hpp>

namespace cachet {

//! Entries stay until erased or evicted. Stores keep no deadline and the
//! clock is never read, so this costs nothing.
struct never {
  using cachet_family = family::expiry;
  static constexpr bool expires = false;
  static constexpr bool renews_on_access = false;
  template <class... Value>
  time_point deadline(time_point, const Value&...) const noexcept {
    return no_deadline;
  }
};

}  // namespace cachet
