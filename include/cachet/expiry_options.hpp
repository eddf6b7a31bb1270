// cachet/expiry_options.hpp: the expiry-options family: what the wrapper
// adds to the expiry policy's deadlines, whatever that policy is.
//
//   auto f = cachet::memoize(find_user, cachet::lru{.capacity = 10'000},
//                            cachet::expire_after_write{5min},
//                            cachet::expiry_options{.negative_ttl = 30s, .jitter = 0.1,
//                                                   .stale_if_error = 1h, .refresh_after = 4min});
//
// Naming an expiry_options makes the cache keep deadlines and read its clock
// even under cachet::never (a negative entry must expire), and store each
// entry with the two times it is judged by (cachet::timed_entry: 16 bytes
// more per entry).
#pragma once

#include <exception>
#include <functional>
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

  //! Stale-on-error: an entry past its time to live is kept this much
  //! longer, stale. Reads (get, contains, touch, the _many forms) do not
  //! see a stale entry, and f(...) computes it again; but if that
  //! computation throws, f(...) (and get_or_update_many) returns the stale
  //! value instead and hands the exception to on_error. Zero (the
  //! default): an entry is gone when its time to live ends.
  duration stale_if_error{};

  //! Refresh-ahead: a hit on an entry written at least this long ago
  //! returns the stored value at once and starts one computation of it on
  //! the cache's refresh thread; other hits keep getting the stored value
  //! meanwhile, and the new value replaces it when it is ready. A refresh
  //! that throws keeps the old value (the exception goes to on_error).
  //! Needs a sync policy that runs one computation per key (cachet::mutex,
  //! the default, or cachet::sharded<N>). Zero (the default): no refresh.
  duration refresh_after{};

  //! Hears of the exceptions that stale_if_error and refresh_after keep
  //! from the callers. Called without the cache's lock, on the calling
  //! thread (stale-on-error) or the refresh thread (refresh-ahead; an
  //! exception it throws there is dropped). Empty (the default): they are
  //! dropped (cachet::record_stats still counts them as load failures).
  std::function<void(std::exception_ptr)> on_error{};

  //! Throws std::invalid_argument naming the field that is out of range.
  void validate() const {
    if (negative_ttl < duration::zero())
      throw std::invalid_argument("cachet::expiry_options: negative_ttl must not be negative");
    if (!(jitter >= 0.0 && jitter < 1.0))
      throw std::invalid_argument("cachet::expiry_options: jitter must be in [0, 1), got " + std::to_string(jitter));
    if (stale_if_error < duration::zero())
      throw std::invalid_argument("cachet::expiry_options: stale_if_error must not be negative");
    if (refresh_after < duration::zero())
      throw std::invalid_argument("cachet::expiry_options: refresh_after must not be negative");
  }
};

//! The default: the expiry policy's deadlines as they are.
struct no_expiry_options {
  using cachet_family = family::expiry_options;
  static constexpr duration negative_ttl{};
  static constexpr double jitter = 0;
  static constexpr duration stale_if_error{};
  static constexpr duration refresh_after{};
  void validate() const noexcept {}
};

}  // namespace cachet
