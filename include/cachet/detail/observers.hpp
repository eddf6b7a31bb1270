// cachet/detail/observers.hpp: the opt-in watchers of a cached function:
// its stats counters (record_stats) and its removal listener. Each costs
// nothing when off: empty members, and `if constexpr` around every count.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/clock.hpp>
#include <cachet/errors.hpp>
#include <cachet/removal_listener.hpp>
#include <cachet/stats.hpp>
#include <cachet/storage/common/removal_log.hpp>

namespace cachet::detail {

struct no_counters {};

// What Store::take_removals returns, for stores that have it.
struct no_removals {
  std::uint64_t evicted = 0, expired = 0;
  std::vector<int> entries;
};
template <class Store, bool = reports_removals<Store>>
struct removals_of {
  using type = no_removals;
};
template <class Store>
struct removals_of<Store, true> {
  using type = decltype(std::declval<Store&>().take_removals());
};

template <class Stats, class Listener, class Store>
class observers {
 public:
  static constexpr bool records_stats = Stats::records;
  static constexpr bool listens = detail::listens<Listener>();
  //! Whether the store's removals are taken after each locked section.
  static constexpr bool observes_removals = reports_removals<Store> && (records_stats || listens);
  //! What the store is asked to record.
  static constexpr removal_recording recording = !observes_removals ? removal_recording::off
                                                 : listens          ? removal_recording::entries
                                                                    : removal_recording::counts;
  using batch_type = typename removals_of<Store>::type;

  explicit observers(const Listener& listener) : listener_(listener) {}

  void hit(std::uint64_t n = 1) noexcept {
    if constexpr (records_stats) counters_.hit(n);
  }
  void miss(std::uint64_t n = 1) noexcept {
    if constexpr (records_stats) counters_.miss(n);
  }
  void looked_up(bool found) noexcept { found ? hit() : miss(); }

  //! Runs `load()` (a call of the function), timing it on `clock` and
  //! counting it as a load or a load failure.
  template <class Clock, class Load>
  auto load(const Clock& clock, Load&& load) {
    if constexpr (!records_stats) {
      return load();
    } else {
      const time_point start = clock.now();
      try {
        auto value = load();
        counters_.loaded(clock.now() - start, false);
        return value;
      } catch (...) {
        counters_.loaded(clock.now() - start, true);
        throw;
      }
    }
  }

  //! Acts on removals taken from the store, after its lock is released:
  //! counts them and calls the listener with each key and value (bytes are
  //! decoded by `decode`, which returns nullopt for undecodable ones). A
  //! listener's exception is rethrown after the batch's other calls.
  template <class Decode>
  void removed(batch_type&& batch, Decode&& decode) {
    if constexpr (records_stats) counters_.removed(batch.evicted, batch.expired);
    if constexpr (listens) {
      std::exception_ptr first_error;
      for (auto& r : batch.entries) {
        try {
          if (const auto value = decode(r.value)) listener_(r.key, *value, r.cause);
        } catch (...) {
          if (!first_error) first_error = std::current_exception();
        }
      }
      if (first_error) std::rethrow_exception(first_error);
    }
  }

  cache_stats stats() const noexcept
    requires records_stats
  {
    return counters_.snapshot();
  }

 private:
  [[no_unique_address]] std::conditional_t<records_stats, stats_counters, no_counters> counters_;
  [[no_unique_address]] Listener listener_;
};

}  // namespace cachet::detail
