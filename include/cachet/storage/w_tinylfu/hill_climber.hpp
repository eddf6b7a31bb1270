// cachet/storage/w_tinylfu/hill_climber.hpp: how cachet::w_tinylfu sizes
// its admission window under `.sizing = w_tinylfu::hill_climbing`: by hill
// climbing on the hit rate (Einziger et al., "Adaptive Software Cache
// Management", Middleware 2018; Caffeine's BoundedLocalCache). The default
// sizing is window_sizer.hpp's, which measured better (see there).
//
// Requests are counted in samples of `sample_size`. At the end of each, the
// window moves by `step`: on in the same direction if the hit rate did not
// drop since the previous sample, else back. The step shrinks by 2% a
// sample so the window settles, and restarts at its full size (6.25% of the
// cache) when the hit rate moves by 5 points or more, as when the workload
// changes. As in Caffeine, the first move is a shrink.
//
// Two rules of cachet's own, against noise (measured with bench/hitratio):
// the first sample only sets the baseline (the cache is still warming up,
// and its rising hit rate would otherwise read as approval of the first
// move); and a change smaller than one standard deviation of the two
// samples' hit rates (binomial: sqrt((p1 q1 + p2 q2) / n)) is no evidence,
// so the window steps back toward its starting 1% (by at most the step)
// rather than on (at that size it stays, and the step keeps its direction,
// decaying). Caffeine's rule alone lets the window drift on a stationary
// workload (to 15-40% of a small cache on Zipf streams, which
// want about 1%), costing 0.2 to 0.6 points of hit ratio there; stepping
// down instead (toward 1 entry) cost cache2k web07 2 points at capacity
// 640. With these rules the Zipf streams end at the fixed window's hit
// ratio while the cache2k traces keep the gain of climbing (means over the
// capacities: web07 +1.1, web12 +1.7, orm-busy +5.5 points over the fixed
// window; the scans -0.2). The store's samples are 20 x the cache's size
// (twice the sketch's aging period).
#pragma once

#include <algorithm>
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
        home_(std::max(1.0, std::floor(static_cast<double>(maximum) / 100))),
        step_(-step_fraction * static_cast<double>(maximum)) {}

  void record_hit() noexcept { ++hits_; }
  void record_miss() noexcept { ++misses_; }

  //! Whether a sample is complete (adjustment() would act).
  bool sample_done() const noexcept { return hits_ + misses_ >= sample_size_; }

  //! At the end of a sample, how much the window, now of size `window`,
  //! should grow (negative: shrink), and a new sample starts; else 0.
  std::int64_t adjustment(std::size_t window) noexcept {
    const std::size_t requests = hits_ + misses_;
    if (requests < sample_size_) return 0;
    const double rate = static_cast<double>(hits_) / static_cast<double>(requests);
    const double change = rate - previous_rate_;
    if (!warmed_) {  // the first sample: a baseline only
      warmed_ = true;
      previous_rate_ = rate;
      hits_ = misses_ = 0;
      return 0;
    }
    double amount = change >= 0 ? step_ : -step_;
    const double noise = std::sqrt((rate * (1 - rate) + previous_rate_ * (1 - previous_rate_)) /
                                   static_cast<double>(requests));
    if (std::abs(change) < noise) {  // no evidence: back toward the starting window
      const double home_distance = home_ - static_cast<double>(window);
      amount = std::min(std::abs(step_), std::abs(home_distance)) * (home_distance >= 0 ? 1 : -1);
    }
    const double next = amount != 0 ? amount : step_;  // at home with no evidence: the step keeps its size
    step_ = std::abs(change) >= restart_threshold ? step_fraction * maximum_ * (next >= 0 ? 1 : -1)
                                                  : step_decay * next;
    previous_rate_ = rate;
    hits_ = misses_ = 0;
    return static_cast<std::int64_t>(amount);
  }

  //! The hit rate of the last complete sample.
  double previous_rate() const noexcept { return previous_rate_; }

 private:
  double maximum_;
  std::size_t sample_size_;
  double home_;  // the starting window: 1% of maximum_, at least 1
  double step_;
  double previous_rate_ = 0;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
  bool warmed_ = false;
};

}  // namespace cachet::detail
