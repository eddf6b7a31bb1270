// cachet/testing/conformance/option_laws.hpp: the laws the storage
// conformance kit runs for cachet::expiry_options (options.*): entries
// stored with their times (a cachet::timed_entry, or a header before the
// bytes) must come back with them. Part of
// <cachet/testing/storage_conformance.hpp>, which lists the laws.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/testing/conformance/fixtures.hpp>
#include <cachet/testing/conformance/report.hpp>

#include <cachet/testing/conformance/checks_begin.hpp>

namespace cachet::testing::detail {

using namespace std::chrono_literals;

//! f(x) = 100 * x + n for the n-th call, or throws while *down.
inline auto counting_or_failing(int& calls, const bool& down) {
  return [&calls, &down](int x) {
    ++calls;
    if (down) throw std::runtime_error("down");
    return 100 * x + calls;
  };
}

template <class F>
void stale_if_error_law(session<F>& ctx, checker& chk) {
  bool down = false;
  int reported = 0;
  auto f = ctx.make(counting_or_failing(ctx.calls, down), cachet::expire_after_write{10s},
                    cachet::expiry_options{.stale_if_error = 1min, .on_error = [&](std::exception_ptr) { ++reported; }});
  using storage_type = typename decltype(f)::storage_type;

  CACHET_CONFORMANCE_CHECK_(f(1) == 101);
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);  // fresh: a hit
  ctx.clock.advance(10s);                  // expired: stale for a minute
  CACHET_CONFORMANCE_CHECK_(f.get(1) == std::nullopt);
  CACHET_CONFORMANCE_CHECK_FALSE_(f.contains(1));
  CACHET_CONFORMANCE_CHECK_FALSE_(f.touch(1));
  CACHET_CONFORMANCE_CHECK_(f.get_many(std::vector<int>{1}) == std::vector<opt<int>>{std::nullopt});
  down = true;
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);  // the computation throws: the stale value
  CACHET_CONFORMANCE_CHECK_(f.get_or_update_many(std::vector<int>{1}) == std::vector<int>{101});
  CACHET_CONFORMANCE_CHECK_(reported == 2);
  CACHET_CONFORMANCE_THROWS_(std::runtime_error, f(2));  // nothing to fall back on
  down = false;
  CACHET_CONFORMANCE_CHECK_(f(1) == 105);  // computed again and stored fresh
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<int>(105));
  CACHET_CONFORMANCE_CHECK_(f.contains(1));
  f.set(7, 3);  // set stores with times too
  CACHET_CONFORMANCE_CHECK_(f(3) == 7);
  if constexpr (!cachet::storage_traits<storage_type>::own_expiry) {
    ctx.clock.advance(10s + 1min);  // past the grace period: gone
    down = true;
    CACHET_CONFORMANCE_THROWS_(std::runtime_error, f(1));
  }
}

template <class F>
void refresh_after_law(session<F>& ctx, checker& chk) {
  bool down = false;
  auto f = ctx.make(counting_or_failing(ctx.calls, down), cachet::expire_after_write{1min},
                    cachet::expiry_options{.refresh_after = 10s});
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);
  ctx.clock.advance(10s);
  CACHET_CONFORMANCE_CHECK_(f(1) == 101);  // the stored value at once; a refresh starts
  // The refresh thread writes 102 (the one wait of the kit, bounded).
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (f.get(1) != opt<int>(102) && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  CACHET_CONFORMANCE_CHECK_(f.get(1) == opt<int>(102));  // (102: the second call, exactly one refresh)
  ctx.clock.advance(9s);
  CACHET_CONFORMANCE_CHECK_(f(1) == 102);  // young again: the refreshed entry answers
}

}  // namespace cachet::testing::detail

#include <cachet/testing/conformance/checks_end.hpp>
