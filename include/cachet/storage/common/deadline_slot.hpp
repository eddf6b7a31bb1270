// cachet/storage/common/deadline_slot.hpp: a deadline that takes no space when the
// expiry policy keeps none.
#pragma once

#include <cachet/clock.hpp>

namespace cachet::detail {

template <bool Expiring>
struct deadline_slot {
  time_point at = no_deadline;
  //! The deadline held (no_deadline: none).
  time_point when() const noexcept { return at; }
  bool expired(time_point now) const noexcept { return at <= now; }
  void set(time_point deadline) noexcept { at = deadline; }
};

template <>
struct deadline_slot<false> {
  static constexpr time_point when() noexcept { return no_deadline; }
  static constexpr bool expired(time_point) noexcept { return false; }
  static constexpr void set(time_point) noexcept {}
};

}  // namespace cachet::detail
