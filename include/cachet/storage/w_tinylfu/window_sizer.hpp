// cachet/storage/w_tinylfu/window_sizer.hpp: how cachet::w_tinylfu sizes
// its admission window: by ARC's rule (Megiddo and Modha, "ARC: A
// Self-Tuning, Low Overhead Replacement Cache", FAST 2003), with the window
// and the main region in the places of ARC's two lists.
//
// Two ghost queues (common/ghost_fifo.hpp) remember the hashes of the keys
// that left lately: those the window let go (candidates that lost the duel
// for admission) and those the main region evicted (victims that lost it),
// each up to 5% of the cache. A miss on a key the window let go says that
// a larger window would have hit it, so the window grows; a miss on a key
// the main region evicted says the same of the main region, so the window
// shrinks, never below 1% of the cache (at least one entry). A step is the
// missed entry's weight (1 unweighted) times the other ghost's size over
// this one's when that is larger, as in ARC: the rarer signal weighs as
// much as the common one.
//
// It replaced, as the default, hill climbing on the hit rate (Einziger et
// al., "Adaptive Software Cache Management", Middleware 2018, as in
// Caffeine; still there as w_tinylfu::hill_climbing, hill_climber.hpp), which
// compares the hit rates of successive samples: on cache2k orm-busy, whose
// hit rate moves by up to 30 points between samples on its own, the climber
// walked at random. The ghosts compare the two regions on the same
// requests. Measured with bench/hitratio (mean over each trace's
// capacities, points against max(LRU, Caffeine); climber -> ghosts): web07
// +0.16 -> +1.54, web12 +0.38 -> +2.18, orm-busy -0.89 -> +0.66, the
// synthetic streams within 0.2 of the climber (the scans +0.2). Budgets of
// 5% to 20% of the cache measured alike; without the 1% floor the window
// shrank to one entry on a loop and lost 1.4 points there. A hit costs
// nothing here.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <cachet/storage/common/ghost_fifo.hpp>

namespace cachet::detail {

//! Weighted: ghosts and steps count weight (else entries).
template <bool Weighted>
class window_sizer {
 public:
  //! `maximum`: the cache's size (entries or weight).
  explicit window_sizer(std::size_t maximum) noexcept
      : ghost_budget_(std::max<std::size_t>(1, maximum / 20)), floor_(std::max<std::size_t>(1, maximum / 100)) {}

  //! The window's size at first, and its least: 1% of the cache, at least 1.
  std::size_t floor() const noexcept { return floor_; }

  //! A candidate from the window lost its duel and left.
  void window_let_go(std::uint64_t hash, std::size_t weight) { let_go_.remember(hash, weight, ghost_budget_); }
  //! A victim from the main region lost its duel and left.
  void main_evicted(std::uint64_t hash, std::size_t weight) { evicted_.remember(hash, weight, ghost_budget_); }

  //! On a miss of the key of `hash` (its entry weighing `weight`), with the
  //! window now of size `window`: how much the window should grow
  //! (negative: shrink; 0 most of the time).
  std::int64_t on_miss(std::uint64_t hash, std::size_t weight, std::size_t window) {
    const double let_go = static_cast<double>(std::max<std::size_t>(1, let_go_.size()));
    const double evicted = static_cast<double>(std::max<std::size_t>(1, evicted_.size()));
    const double unit = static_cast<double>(weight);
    if (let_go_.take(hash))
      pending_ += unit * std::max(1.0, evicted / let_go);
    else if (evicted_.take(hash))
      pending_ -= unit * std::max(1.0, let_go / evicted);
    else
      return 0;
    // Whole steps only; the fraction waits for the next signal.
    if (pending_ >= 1) {
      const auto grow = static_cast<std::int64_t>(pending_);
      pending_ -= static_cast<double>(grow);
      return grow;
    }
    if (pending_ <= -1) {
      const auto shrink = static_cast<std::size_t>(-pending_);
      pending_ += static_cast<double>(shrink);
      return -static_cast<std::int64_t>(std::min(shrink, window > floor_ ? window - floor_ : 0));
    }
    return 0;
  }

 private:
  std::size_t ghost_budget_;
  std::size_t floor_;
  double pending_ = 0;  // steps asked for, not yet whole
  ghost_fifo<Weighted> let_go_;
  ghost_fifo<Weighted> evicted_;
};

}  // namespace cachet::detail
