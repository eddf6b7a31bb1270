// cachet/expiry_options.hpp: the expiry-options family: what the wrapper
// adds to the expiry policy's deadlines, whatever that policy is.
//
//   auto f = cachet::memoize(find_user, cachet::lru{.capacity = 10'000},
//                            cachet::expire_after_write{5min},
//                            cachet::expiry_options{.negative_ttl = 30s, .jitter = 0.1});
//
// Naming an expiry_options makes the cache keep deadlines and read its clock
// even under cachet::never (a negative entry must expire).
#pragma once

#include <stdexcept>
#include <string>

#include <cachet/clock.hpp>
#include <cachet/policy.hpp>

namespace cachet {

struct expiry_options {
  using cachet_family = family::expiry_options;

  //! Negative caching: a computed result that is not worth caching
  //! (cachet::result_traits: an empty std::optional by default) is stored
  //! for this long instead of not at all, so a burst of calls for a missing
  //! key computes once per negative_ttl. Zero (the default): not stored.
  //! Touch and sliding expiry renew a negative entry by negative_ttl, not by
  //! the expiry policy's time to live.
  duration negative_ttl{};

  //! TTL jitter: each written entry's time to live (the expiry policy's, or
  //! negative_ttl) is shortened by up to this fraction, chosen by a hash of
  //! the key and the write time, so entries written together do not all
  //! expire together. An entry never outlives its time to live. Applies to
  //! writes (calls, update, set and their _many forms), not to renewals by
  //! touch or sliding expiry. 0 (the default) <= jitter < 1.
  double jitter = 0;

  //! Throws std::invalid_argument naming the field that is out of range.
  void validate() const {
    if (negative_ttl < duration::zero())
      throw std::invalid_argument("cachet::expiry_options: negative_ttl must not be negative");
    if (!(jitter >= 0.0 && jitter < 1.0))
      throw std::invalid_argument("cachet::expiry_options: jitter must be in [0, 1), got " + std::to_string(jitter));
  }
};

//! The default: the expiry policy's deadlines as they are.
struct no_expiry_options {
  using cachet_family = family::expiry_options;
  static constexpr duration negative_ttl{};
  static constexpr double jitter = 0;
  void validate() const noexcept {}
};

}  // namespace cachet
