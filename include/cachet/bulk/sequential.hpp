// cachet/bulk/sequential.hpp: serve many keys one by one.
#pragma once

#include <cachet/bulk.hpp>

namespace cachet {

//! *_many operations call the store once per key, even when it has bulk
//! members: for stores whose bulk form has other costs (a long transaction).
struct sequential {
  using cachet_family = family::bulk;
  static constexpr bool batches = false;
};

}  // namespace cachet
