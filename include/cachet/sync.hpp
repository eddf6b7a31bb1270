// cachet/sync.hpp: the synchronisation family.
//
// Minimal definition of a sync policy P:
//   using cachet_family = cachet::family::sync;
//   using lock_type = ...;   default-constructible, with lock() and unlock()
//
// Optional:
//   static constexpr bool single_flight = true;   concurrent misses of one
//                                       key run the function once; the
//                                       others wait for its value (default
//                                       false: each computes)
//   static constexpr std::size_t shards = N;   split a storage that can be
//                                       split (storage_traits::shardable)
//                                       into N stores, each behind its own
//                                       lock_type, chosen by the key's hash
//                                       (include <cachet/detail/sharded_store.hpp>)
//
// The wrapper holds one lock_type and takes it around each storage access,
// never while the memoized function runs: a function may call itself through
// its own wrapper (on other arguments, under single flight), and a slow call
// blocks no one.
//
// Models: mutex (the default), sharded<N> (N locks over N parts of the
// store), unsynchronized.
#pragma once

#include <concepts>

#include <cachet/policy.hpp>

namespace cachet {

template <class P>
concept sync_policy = policy_of<P, family::sync> && std::default_initializable<typename P::lock_type> &&
                      requires(typename P::lock_type& l) {
                        l.lock();
                        l.unlock();
                      };

}  // namespace cachet
