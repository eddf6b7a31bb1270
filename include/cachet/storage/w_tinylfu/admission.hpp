// cachet/storage/w_tinylfu/admission.hpp: who wins a w_tinylfu duel, the
// candidate (the window's oldest entry, asking to join the main region) or
// the victim (the main region's next to go), from their sketch estimates.
//
// As Caffeine's BoundedLocalCache.admit: the candidate is admitted when it
// is used more than the victim; a tie goes against it. A warm candidate
// (estimate above 5) that is not used more is still admitted once in 128
// duels, at random. That defends against an attacker who keeps a hot victim
// resident by making the candidates collide with it in the sketch (hash
// flooding), and on recency-heavy traces lets newcomers in a little more
// (measured with bench/hitratio: cache2k orm-busy gains up to 1.5 points;
// no other trace moves by more than 0.01 point).
// The draws are a xorshift64 sequence from a fixed seed, one per store, so
// a run is reproducible.
#pragma once

#include <cstdint>

namespace cachet::detail {

class admission {
 public:
  //! Estimates above this make a candidate warm.
  static constexpr unsigned warm = 5;
  //! A warm candidate not used more is admitted once in this many duels.
  static constexpr std::uint64_t one_in = 128;

  //! Whether the candidate takes the victim's place.
  bool admit(unsigned candidate_estimate, unsigned victim_estimate) noexcept {
    if (candidate_estimate > victim_estimate) return true;
    if (candidate_estimate <= warm) return false;
    return next() % one_in == 0;
  }

 private:
  std::uint64_t next() noexcept {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

  std::uint64_t state_ = 0x9e37'79b9'7f4a'7c15u;
};

}  // namespace cachet::detail
