// cachet/storage/w_tinylfu/hill_climber.hpp: how cachet::w_tinylfu sizes
// its admission window: by hill climbing on the hit rate (Einziger et al.,
// "Adaptive Software Cache Management", Middleware 2018; Caffeine's
// BoundedLocalCache).
//
// Requests are counted in samples of `sample_size`. At the end of each, the
// window moves by `step`: on in the same direction if the hit rate did not
// drop since the previous sample, else back. The step shrinks by 2% a
// sample so the window settles, and restarts at its full size (6.25% of the
// cache) when the hit rate moves by 5 points or more, as when the workload
// changes. As in Caffeine, the first move is a shrink.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace cachet::detail {

class hill_climber {
 public:
  static constexpr double step_fraction = 0.0625;
  static constexpr double step_decay = 0.98;
  static constexpr double restart_threshold = 0.05;

  //! `maximum`: the cache's size (entries or weight); `sample_size`:
  //! requests per sample.
  hill_climber(std::size_t maximum, std::size_t sample_size) noexcept
      : maximum_(static_cast<double>(maximum)),
        sample_size_(sample_size == 0 ? 1 : sample_size),
        step_(-step_fraction * static_cast<double>(maximum)) {}

  void record_hit() noexcept { ++hits_; }
  void record_miss() noexcept { ++misses_; }

  //! At the end of a sample, how much the window should grow (negative:
  //! shrink), and a new sample starts; else 0.
  std::int64_t adjustment() noexcept {
    const std::size_t requests = hits_ + misses_;
    if (requests < sample_size_) return 0;
    const double rate = static_cast<double>(hits_) / static_cast<double>(requests);
    const double change = rate - previous_rate_;
    const double amount = change >= 0 ? step_ : -step_;
    step_ = std::abs(change) >= restart_threshold ? step_fraction * maximum_ * (amount >= 0 ? 1 : -1)
                                                  : step_decay * amount;
    previous_rate_ = rate;
    hits_ = misses_ = 0;
    return static_cast<std::int64_t>(amount);
  }

  //! The hit rate of the last complete sample.
  double previous_rate() const noexcept { return previous_rate_; }

 private:
  double maximum_;
  std::size_t sample_size_;
  double step_;
  double previous_rate_ = 0;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace cachet::detail
