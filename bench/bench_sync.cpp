// bench/bench_sync.cpp: throughput of hits from 1, 2 and 4 threads sharing
// one cache: f(key) on a Zipf (0.99) stream of int keys over a cache that
// holds all 10k of them (checked: the function never runs), in one run:
//
//   zipf_hits/lru/mutex/int/10k/real_time/threads:N       cachet::lru + cachet::mutex
//   zipf_hits/lru/sharded16/int/10k/real_time/threads:N   cachet::lru + cachet::sharded<16>
//   zipf_hits/baseline_classic_lru/mutex/int/10k/...      the hand-written LRU
//                                                          (std::list + std::unordered_map)
//                                                          under one std::mutex
//
// items/s is the sum over the threads, over wall time. Each thread starts
// at its own place in the stream. At the end it prints the throughputs, the
// capacity the sharded lru needed to hold every key, and the two
// goals: lru + mutex at least the hand-written one at every thread count,
// and lru + sharded<16> at 2 threads at least 1.6x its own 1-thread
// throughput (these machines have 2 cores; 4 threads measure
// oversubscription).
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "bench_common.hpp"

namespace bench {
namespace {

inline constexpr std::size_t entries = 10'000;
inline constexpr const char* op = "zipf_hits";

struct sharded16 {
  static constexpr const char* name = "sharded16";
  using cachet_policy = cachet::sharded<16>;
  using lock = std::mutex;
};

//! cachet::lru under sharded<16>, sized so that it holds every key: each
//! shard evicts on its own, so a capacity of exactly `n` would leave the
//! fullest shards short (see docs/sync-and-bulk.md); the capacity is 16
//! times the keys of the fullest shard.
template <class KT>
struct cachet_sharded_lru {
  static constexpr const char* name = "lru";
  using type = cachet::cached<typename KT::fn, cachet::lru, sharded16::cachet_policy>;
  static std::size_t capacity_holding(std::size_t n) {
    const type probe(typename KT::fn{}, cachet::lru{.capacity = 16}, sharded16::cachet_policy{});
    std::vector<std::size_t> per_shard(16, 0);
    char buffer[string_key_length];
    for (std::uint64_t k = 0; k < n; ++k) ++per_shard[type::store_type::shard_index(probe.key(KT::make(k, buffer)))];
    return 16 * *std::max_element(per_shard.begin(), per_shard.end());
  }
  static std::unique_ptr<type> make(std::size_t n) {
    return std::make_unique<type>(typename KT::fn{}, cachet::lru{.capacity = capacity_holding(n)},
                                  sharded16::cachet_policy{});
  }
};

template <class I, class S>
void register_threads() {
  using KT = int_keys;
  const std::string fixture_id = case_name("filled", I::name, S::name, KT::name, "10k", "");
  const std::string name = std::string(op) + "/" + I::name + "/" + S::name + "/" + KT::name + "/10k";
  benchmark::RegisterBenchmark(name.c_str(),
                               [=](benchmark::State& state) {
                                 const auto keys = stream<KT>(entries, dist::zipf);
                                 filled<typename I::type>* fx = nullptr;
                                 {
                                   // fixture() is not thread safe; every thread gets the same one.
                                   static std::mutex setup;
                                   std::lock_guard<std::mutex> g(setup);
                                   fx = &filled_fixture<I, KT>(fixture_id, entries);
                                 }
                                 auto& f = *fx->impl;
                                 const auto& args = keys->args;
                                 const std::size_t mask = args.size() - 1;
                                 const auto calls_before = baseline::calls;
                                 const auto stride = args.size() / static_cast<std::size_t>(state.threads());
                                 std::size_t i = fx->position + static_cast<std::size_t>(state.thread_index()) * stride;
                                 for (auto _ : state) benchmark::DoNotOptimize(f(args[i++ & mask]));
                                 if (state.thread_index() == 0) {  // after the threads' common end: no race
                                   fx->position += static_cast<std::size_t>(state.iterations());
                                   if (baseline::calls != calls_before)
                                     state.SkipWithError("a call missed in a hit benchmark");
                                 }
                                 state.SetItemsProcessed(state.iterations());
                               })
      ->Threads(1)
      ->Threads(2)
      ->Threads(4)
      ->UseRealTime();
}

// The console reporter, also keeping items/s by case and thread count (the
// median where there are repetitions) for the goals printed at the end.
class goal_reporter : public benchmark::ConsoleReporter {
 public:
  // Colours on a terminal only (Google Benchmark's own choice is not public).
  goal_reporter() : ConsoleReporter(::isatty(::fileno(stdout)) != 0 ? OO_Color : OO_None) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const auto rate = run.counters.find("items_per_second");
      if (rate == run.counters.end()) continue;
      const auto key = std::make_pair(run.run_name.function_name, static_cast<int>(run.threads));
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") medians_[key] = rate->second.value;
      } else {
        samples_[key].push_back(rate->second.value);
      }
    }
  }

  //! items/s of case `name` at `threads`; 0 if it did not run.
  double rate(const std::string& name, int threads) const {
    const auto key = std::make_pair(name, threads);
    if (const auto m = medians_.find(key); m != medians_.end()) return m->second;
    const auto s = samples_.find(key);
    if (s == samples_.end() || s->second.empty()) return 0;
    std::vector<double> v = s->second;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  }

 private:
  std::map<std::pair<std::string, int>, double> medians_;
  std::map<std::pair<std::string, int>, std::vector<double>> samples_;
};

void print_goals(const goal_reporter& r) {
  std::printf("\nlru + sharded<16> holds the 10k keys with capacity %zu (16 x its fullest shard)\n",
              cachet_sharded_lru<int_keys>::capacity_holding(entries));
  const std::string mutex = std::string(op) + "/lru/mutex/int/10k";
  const std::string sharded = std::string(op) + "/lru/sharded16/int/10k";
  const std::string hand = std::string(op) + "/baseline_classic_lru/mutex/int/10k";
  std::printf("\nThroughput of hits, Zipf 0.99 over 10k int keys (M items/s, all threads together)\n\n");
  std::printf("| case | 1 thread | 2 threads | 4 threads |\n| --- | ---: | ---: | ---: |\n");
  for (const auto& [label, name] : {std::pair{"lru + mutex", mutex}, std::pair{"lru + sharded<16>", sharded},
                                    std::pair{"hand-written LRU + std::mutex", hand}})
    std::printf("| %s | %.1f | %.1f | %.1f |\n", label, r.rate(name, 1) / 1e6, r.rate(name, 2) / 1e6,
                r.rate(name, 4) / 1e6);
  std::printf("\n| goal | ratio | met |\n| --- | ---: | --- |\n");
  auto goal = [](const std::string& what, double a, double b, double limit) {
    if (a <= 0 || b <= 0) {
      std::printf("| %s | - | not run |\n", what.c_str());
      return;
    }
    std::printf("| %s | %.2fx | %s |\n", what.c_str(), a / b, a / b >= limit ? "met" : "missed");
  };
  for (int t : {1, 2, 4})
    goal("lru + mutex >= 1.0x hand-written, " + std::to_string(t) + " thread(s)", r.rate(mutex, t), r.rate(hand, t),
         1.0);
  goal("lru + sharded<16>, 2 threads >= 1.6x its 1 thread", r.rate(sharded, 2), r.rate(sharded, 1), 1.6);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  using KT = bench::int_keys;
  // Cases sharing a fixture are registered next to each other (bench_common.hpp).
  bench::register_threads<bench::cachet_lru<KT, bench::locked>, bench::locked>();
  bench::register_threads<bench::cachet_sharded_lru<KT>, bench::sharded16>();
  bench::register_threads<bench::classic_lru<KT, bench::locked>, bench::locked>();
  bench::goal_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  bench::print_goals(reporter);
  benchmark::Shutdown();
  return 0;
}
