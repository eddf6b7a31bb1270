// cachet/storage/common/wall_clock_maintenance.hpp: count() / count(include_expired)
// and clear(expired_only) for the persistent stores, on the wall clock,
// from their count(now), size(), erase_expired(now) and clear().
#pragma once

#include <chrono>
#include <cstddef>

namespace cachet::detail {

template <class Store>
class wall_clock_maintenance {
 public:
  //! Entries live now; with include_expired, every entry held.
  std::size_t count(bool include_expired = false) const {
    const Store& s = static_cast<const Store&>(*this);
    return include_expired ? s.size() : s.count(std::chrono::system_clock::now());
  }

  //! With expired_only, removes the entries expired now (see erase_expired);
  //! else every entry, as clear().
  void clear(bool expired_only) {
    Store& s = static_cast<Store&>(*this);
    if (expired_only)
      s.erase_expired(std::chrono::system_clock::now());
    else
      s.clear();
  }
};

}  // namespace cachet::detail
