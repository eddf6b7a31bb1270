// cachet/clock/system_clock.hpp: the default clock, the wall clock.
#pragma once

#include <chrono>

#include <cachet/clock.hpp>

namespace cachet {

//! Reads std::chrono::system_clock. The wrapper reads it only when the
//! expiry policy needs a time, so `never` costs no clock read.
struct system_clock {
  using cachet_family = family::clock;
  time_point now() const noexcept { return std::chrono::system_clock::now(); }
};

}  // namespace cachet
