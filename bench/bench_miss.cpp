// bench/bench_miss.cpp: the miss path, and a realistic mix of hits and misses.
//
//   miss/{lru,dict}/{unsync,mutex}/{int,string}/{10k,1M}/fresh
//     f(key) with a key never seen before, on a full cache: look up (miss),
//     call the function, insert, and for lru evict the least recently used
//     entry. dict never evicts, so its case also erases the entry inserted
//     `size` misses earlier (as an eviction would), which keeps its size.
//     Fresh keys have no distribution: Zipf and uniform apply to mixed/.
//   miss/baseline_classic_lru/..., miss/baseline_classic_map/...  the same
//     guarantee, hand-written
//   miss/baseline_plain_call/unsync/{int,string}/{10k,1M}/fresh
//     the function called directly with the same fresh keys: the cost of a
//     miss with no cache at all
//   mixed/{lru,baseline_classic_lru}/{unsync,mutex}/{int,string}/{10k,1M}/{zipf,uniform}
//     f(key) for keys drawn from 2 * size keys, on an LRU of `size`
//     entries: hits, misses and evictions as they come. Both are exact LRUs
//     replaying the same stream, so they take the same decisions; each
//     reports the miss ratio of the window it measured (windows differ in
//     length, so the two ratios differ a little). Keys are made from ids in the loop
//     (a few ns for strings, in both numbers).
#include "bench_common.hpp"

namespace bench {
namespace {

template <class I, class KT, class S>
void register_miss(const size_case& size) {
  const std::string fixture_id = case_name("filled", I::name, S::name, KT::name, size.name, "");
  benchmark::RegisterBenchmark(
      case_name("miss", I::name, S::name, KT::name, size.name, "fresh").c_str(), [=](benchmark::State& state) {
        auto& fx = filled_fixture<I, KT>(fixture_id, size.entries);
        auto& f = *fx.impl;
        char buffer[string_key_length];
        char old_buffer[string_key_length];
        const auto calls_before = baseline::calls;
        std::uint64_t id = fx.next_id;
        for (auto _ : state) {
          benchmark::DoNotOptimize(f(KT::make(id, buffer)));
          if constexpr (!I::evicts) f.erase(KT::make(id - size.entries, old_buffer));
          ++id;
        }
        const auto iterations = id - fx.next_id;
        fx.next_id = id;
        if (baseline::calls - calls_before != iterations) state.SkipWithError("a fresh key hit");
        state.SetItemsProcessed(state.iterations());
      });
}

template <class KT>
void register_plain_call(const size_case& size) {
  benchmark::RegisterBenchmark(
      case_name("miss", "baseline_plain_call", "unsync", KT::name, size.name, "fresh").c_str(),
      [=](benchmark::State& state) {
        typename KT::fn fn;
        char buffer[string_key_length];
        std::uint64_t id = size.entries;
        for (auto _ : state) benchmark::DoNotOptimize(fn(KT::make(id++, buffer)));
        state.SetItemsProcessed(state.iterations());
      });
}

// The mixed stream: ids drawn from 2 * size keys, long enough that most
// keys of the tail occur in it (2^22 draws for 10k, 2^25 for 1M), so the
// cycle through it keeps missing. Keys are made from the ids in the loop
// (for every implementation alike): a pre-made string stream that long would
// not fit in memory.
inline std::size_t mixed_length(std::size_t entries) {
  return std::max(std::size_t{1} << 22, std::bit_ceil(entries * 32));
}

template <class I, class KT, class S>
void register_mixed(const size_case& size) {
  const std::size_t universe = 2 * size.entries;
  const std::size_t length = mixed_length(size.entries);
  for (const dist d : dists) {
    const std::string name = case_name("mixed", I::name, S::name, KT::name, size.name, dist_name(d));
    benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
      const auto ids_ptr = shared_ids(universe, d, length);
      const auto& ids = *ids_ptr;
      const std::size_t mask = ids.size() - 1;
      char buffer[string_key_length];
      // Warmed from empty by the first `universe` accesses; measured from there on.
      auto& fx = fixture<filled<typename I::type>>(name, [&] {
        auto made = std::make_unique<filled<typename I::type>>();
        made->impl = I::make(size.entries);
        for (std::size_t i = 0; i < universe; ++i) benchmark::DoNotOptimize((*made->impl)(KT::make(ids[i], buffer)));
        made->position = universe;
        return made;
      });
      auto& f = *fx.impl;
      const auto calls_before = baseline::calls;
      std::size_t i = fx.position;
      for (auto _ : state) benchmark::DoNotOptimize(f(KT::make(ids[i++ & mask], buffer)));
      fx.position = i;
      state.counters["miss_ratio"] =
          static_cast<double>(baseline::calls - calls_before) / static_cast<double>(state.iterations());
      state.SetItemsProcessed(state.iterations());
    });
  }
}

template <class KT>
void register_key_kind() {
  for (const size_case& size : sizes) {
    register_miss<cachet_lru<KT, unsync>, KT, unsync>(size);
    register_miss<classic_lru<KT, unsync>, KT, unsync>(size);
    register_miss<cachet_lru<KT, locked>, KT, locked>(size);
    register_miss<classic_lru<KT, locked>, KT, locked>(size);
    register_miss<cachet_dict<KT, unsync>, KT, unsync>(size);
    register_miss<classic_map<KT, unsync>, KT, unsync>(size);
    register_miss<cachet_dict<KT, locked>, KT, locked>(size);
    register_miss<classic_map<KT, locked>, KT, locked>(size);
    register_plain_call<KT>(size);
  }
  for (const size_case& size : sizes) {
    register_mixed<cachet_lru<KT, unsync>, KT, unsync>(size);
    register_mixed<classic_lru<KT, unsync>, KT, unsync>(size);
    register_mixed<cachet_lru<KT, locked>, KT, locked>(size);
    register_mixed<classic_lru<KT, locked>, KT, locked>(size);
  }
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::register_key_kind<bench::int_keys>();
  bench::register_key_kind<bench::string_keys>();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
