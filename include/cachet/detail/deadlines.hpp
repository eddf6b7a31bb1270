// cachet/detail/deadlines.hpp: the deadline an entry gets, from the expiry
// policy and the expiry options (negative caching, jitter), on a write and
// on a renewal (touch, sliding expiry). Without expiry options this is the
// expiry policy's deadline and nothing else.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <cachet/clock.hpp>
#include <cachet/expiry.hpp>
#include <cachet/expiry_options.hpp>
#include <cachet/result_traits.hpp>

namespace cachet::detail {

template <class Expiry, class Options, class Value>
class deadlines {
  using traits = expiry_traits<Expiry>;

 public:
  static constexpr bool options_given = !std::same_as<Options, no_expiry_options>;
  //! Whether entries carry deadlines (and the clock is read).
  static constexpr bool kept = traits::expires || options_given;
  //! Whether a renewal needs the entry's value (a value-dependent expiry,
  //! or a negative entry that renews by its own time to live).
  static constexpr bool renewal_needs_value = !traits::value_independent || options_given;

  deadlines(const Expiry& expiry, const Options& options) : expiry_(expiry), options_(options) { options_.validate(); }

  //! The deadline of `value` written at `now`; nullopt: not to be stored.
  //! `computed`: the function's result (one not worth caching is stored
  //! only as a negative entry). `key_hash` spreads the jitter.
  std::optional<time_point> for_write(const Value& value, time_point now, bool computed, std::size_t key_hash) const {
    std::optional<time_point> deadline;
    if (negative(value)) {
      if (options_.negative_ttl > duration::zero())
        deadline = add_saturating(now, options_.negative_ttl);
      else if (!computed)
        deadline = expiry_.deadline(now, value);  // set() stores what it is given
    } else {
      deadline = expiry_.deadline(now, value);
    }
    if (!deadline || (kept && *deadline <= now)) return std::nullopt;
    return jittered(*deadline, now, key_hash);
  }

  //! The new deadline of a live entry holding `value`, renewed at `now`;
  //! nullopt: its time to live is now zero.
  std::optional<time_point> for_renewal(const Value& value, time_point now) const {
    const time_point deadline = options_.negative_ttl > duration::zero() && negative(value)
                                    ? add_saturating(now, options_.negative_ttl)
                                    : expiry_.deadline(now, value);
    if (kept && deadline <= now) return std::nullopt;
    return deadline;
  }

  //! The same, where the deadline does not depend on the value.
  time_point for_renewal(time_point now) const
    requires(!renewal_needs_value)
  {
    return expiry_.deadline(now);
  }

 private:
  // Not worth caching (result_traits): a negative result.
  static bool negative(const Value& value) { return !result_traits<Value>::worth_caching(value); }

  // Shortens the time to live by up to options_.jitter of it, by a hash of
  // the key and the write time (splitmix64's finaliser).
  time_point jittered(time_point deadline, time_point now, std::size_t key_hash) const {
    if constexpr (!options_given) {
      return deadline;
    } else {
      if (options_.jitter <= 0.0 || deadline == no_deadline) return deadline;
      std::uint64_t z = static_cast<std::uint64_t>(key_hash) ^
                        (static_cast<std::uint64_t>(now.time_since_epoch().count()) * 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      const double fraction = static_cast<double>(z >> 11) * 0x1.0p-53;  // in [0, 1)
      const auto ttl = static_cast<double>((deadline - now).count());
      const auto cut = static_cast<duration::rep>(ttl * options_.jitter * fraction);
      const time_point shortened = deadline - duration(cut);
      return shortened > now ? shortened : deadline;
    }
  }

  [[no_unique_address]] Expiry expiry_;
  [[no_unique_address]] Options options_;

 public:
  const Expiry& expiry() const noexcept { return expiry_; }
  const Options& options() const noexcept { return options_; }

  //! Where the store's deadline goes for an entry fresh until `fresh_until`:
  //! stale_if_error later.
  time_point in_store(time_point fresh_until) const {
    if constexpr (options_given)
      return options_.stale_if_error > duration::zero() ? add_saturating(fresh_until, options_.stale_if_error)
                                                         : fresh_until;
    else
      return fresh_until;
  }

  //! When an entry written at `now` is due for a refresh.
  time_point refresh_at(time_point now) const {
    if constexpr (options_given)
      return options_.refresh_after > duration::zero() ? add_saturating(now, options_.refresh_after) : no_deadline;
    else
      return no_deadline;
  }
};

}  // namespace cachet::detail
