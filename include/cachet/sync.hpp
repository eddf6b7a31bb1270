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
//
// The wrapper holds one lock_type and takes it around each storage access,
// never while the memoized function runs: a function may call itself through
// its own wrapper (on other arguments, under single flight), and a slow call
// blocks no one.
//
// Models: mutex (the default), unsynchronized.
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
