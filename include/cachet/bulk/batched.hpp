// cachet/bulk/batched.hpp: serve many keys in one storage call (the default).
#pragma once

#include <cachet/bulk.hpp>

namespace cachet {

//! *_many operations use the store's bulk members (one round trip, one
//! transaction) when it has them, and a loop otherwise.
struct batched {
  using cachet_family = family::bulk;
  static constexpr bool batches = true;
};

}  // namespace cachet
