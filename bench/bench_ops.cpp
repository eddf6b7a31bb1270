// bench/bench_ops.cpp: the other sub-operations, on a cache holding every
// key of the stream.
//
//   set/<impl>/<sync>/<key>/<size>/<keys>
//     f.set(value, key) for keys of the stream: an overwrite (and, for an
//     LRU, a use).
//   erase/<impl>/<sync>/<key>/<size>/<keys>
//     f.erase(key), timed in batches of 256 distinct present keys; the
//     batch is put back untimed, so every erase finds its key.
//   get_many/<impl>/<sync>/<key>/<size>/<keys>/{1,16,128}
//     f.get_many(batch) over consecutive keys of the stream, all hits.
// Each reports items_per_second, an item being one call, one erased key or
// one key of a get_many batch; scripts/bench_table.py quotes ns per item.
// <impl>: lru and dict, the hand-written baselines of the same guarantee
// (baseline_classic_lru, baseline_classic_map), and baseline_flat_map
// (boost::unordered_flat_map, unsync only): the floor.
#include <chrono>

#include "bench_common.hpp"

namespace bench {
namespace {

inline constexpr std::size_t erase_batch = 256;
inline constexpr std::size_t get_many_batches[] = {1, 16, 128};

template <class I, class KT, class S>
void register_ops(const size_case& size) {
  const std::string fixture_id = case_name("filled", I::name, S::name, KT::name, size.name, "");
  for (const dist d : dists) {
    benchmark::RegisterBenchmark(
        case_name("set", I::name, S::name, KT::name, size.name, dist_name(d)).c_str(),
        [=](benchmark::State& state) {
          const auto keys = stream<KT>(size.entries, d);
          auto& fx = filled_fixture<I, KT>(fixture_id, size.entries);
          auto& f = *fx.impl;
          const auto& args = keys->args;
          const std::size_t mask = args.size() - 1;
          std::size_t i = fx.position;
          for (auto _ : state) {
            f.set(static_cast<int>(i), args[i & mask]);
            ++i;
          }
          fx.position = i;
          benchmark::ClobberMemory();
          state.SetItemsProcessed(state.iterations());
        });

    benchmark::RegisterBenchmark(
        case_name("erase", I::name, S::name, KT::name, size.name, dist_name(d)).c_str(),
        [=](benchmark::State& state) {
          const auto keys = distinct_batches<KT>(size.entries, d, erase_batch);
          auto& fx = filled_fixture<I, KT>(fixture_id, size.entries);
          auto& f = *fx.impl;
          const auto& args = keys->args;
          const std::size_t batches = args.size() / erase_batch;
          std::size_t b = fx.position;
          bool all_found = true;
          for (auto _ : state) {
            const auto* batch = args.data() + (b++ % batches) * erase_batch;
            const auto start = std::chrono::steady_clock::now();
            for (std::size_t j = 0; j < erase_batch; ++j) all_found &= f.erase(batch[j]);
            const auto stop = std::chrono::steady_clock::now();
            state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
            for (std::size_t j = 0; j < erase_batch; ++j) f.set(1, batch[j]);
          }
          fx.position = b;
          if (!all_found) state.SkipWithError("an erase found no entry");
          state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(erase_batch));
        })
        ->UseManualTime();

    for (const std::size_t batch : get_many_batches) {
      benchmark::RegisterBenchmark(
          (case_name("get_many", I::name, S::name, KT::name, size.name, dist_name(d)) + "/" + std::to_string(batch))
              .c_str(),
          [=](benchmark::State& state) {
            const auto keys = stream<KT>(size.entries, d);
            auto& fx = filled_fixture<I, KT>(fixture_id, size.entries);
            auto& f = *fx.impl;
            const auto& args = keys->args;
            const std::size_t mask = args.size() - 1;
            std::size_t i = fx.position & ~(batch - 1);
            bool all_hits = true;
            for (auto _ : state) {
              const auto found = f.get_many(std::span<const typename KT::arg>(args.data() + (i & mask), batch));
              all_hits &= found.back().has_value();
              benchmark::DoNotOptimize(found.data());
              i += batch;
            }
            fx.position = i;
            if (!all_hits) state.SkipWithError("get_many missed");
            state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
          });
    }
  }
}

template <class KT>
void register_key_kind() {
  for (const size_case& size : sizes) {
    register_ops<cachet_lru<KT, unsync>, KT, unsync>(size);
    register_ops<classic_lru<KT, unsync>, KT, unsync>(size);
    register_ops<cachet_lru<KT, locked>, KT, locked>(size);
    register_ops<classic_lru<KT, locked>, KT, locked>(size);
    register_ops<cachet_dict<KT, unsync>, KT, unsync>(size);
    register_ops<classic_map<KT, unsync>, KT, unsync>(size);
    register_ops<cachet_dict<KT, locked>, KT, locked>(size);
    register_ops<classic_map<KT, locked>, KT, locked>(size);
    register_ops<flat_map<KT>, KT, unsync>(size);
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
