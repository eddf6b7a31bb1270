// cachet/bulk.hpp: the bulk-access family: how the *_many operations reach
// the storage.
//
// Minimal definition of a bulk policy P:
//   using cachet_family = cachet::family::bulk;
//   static constexpr bool batches;   true: use the store's get_many/set_many/
//                                    erase_many (one round trip) when it has
//                                    them; false: one call per key
//
// Either way the wrapper takes its lock once per batch, not per key
// (get_or_update_many: once to look up, once to store what it computed).
// Models: batched (the default), sequential.
#pragma once

#include <concepts>

#include <cachet/policy.hpp>

namespace cachet {

template <class P>
concept bulk_policy = policy_of<P, family::bulk> && requires {
  { P::batches } -> std::convertible_to<bool>;
};

}  // namespace cachet
