// bench/bench_hit.cpp: the hit path: f(key) on a cache that holds every key
// of the stream, so each call is a hit (checked: the function must not run).
//
//   hit/{lru,dict}/{unsync,mutex}/{int,string,dense}/{10k,1M}/{zipf,uniform}
//   hit/{sieve,s3fifo,w_tinylfu}/unsync/...  the other bounded storages
//   hit/baseline_classic_lru/...  the same guarantee as lru (list + map)
//   hit/baseline_classic_map/...  the same guarantee as dict (unordered_map)
//   hit/baseline_flat_find/unsync/...   boost::unordered_flat_map::find alone
//   hit/baseline_robin_find/unsync/...  tsl::robin_map::find alone
// The two raw finds are the floor: no recency update, no copy of the value
// into an optional, no wrapper. Keys: int (spread by a mixing function),
// string (24 characters), dense (0 .. n-1 as std::uint64_t with std::hash,
// where std::unordered_map is at its best).
#include "bench_common.hpp"

namespace bench {
namespace {

template <class I, class KT, class S>
void register_hits(const size_case& size) {
  const std::string fixture_id = case_name("filled", I::name, S::name, KT::name, size.name, "");
  for (const dist d : dists) {
    benchmark::RegisterBenchmark(
        case_name("hit", I::name, S::name, KT::name, size.name, dist_name(d)).c_str(),
        [=](benchmark::State& state) {
          const auto keys = stream<KT>(size.entries, d);
          auto& fx = filled_fixture<I, KT>(fixture_id, size.entries);
          auto& f = *fx.impl;
          const auto& args = keys->args;
          const std::size_t mask = args.size() - 1;
          const auto calls_before = baseline::calls;
          std::size_t i = fx.position;
          for (auto _ : state) benchmark::DoNotOptimize(f(args[i++ & mask]));
          fx.position = i;
          if (baseline::calls != calls_before) state.SkipWithError("a call missed in a hit benchmark");
          state.SetItemsProcessed(state.iterations());
        });
  }
}

// The raw lookup: find and read the value, nothing else.
template <class I, class KT>
void register_finds(const size_case& size, const char* name) {
  const std::string fixture_id = case_name("filled", I::name, "unsync", KT::name, size.name, "");
  for (const dist d : dists) {
    benchmark::RegisterBenchmark(case_name("hit", name, "unsync", KT::name, size.name, dist_name(d)).c_str(),
                                 [=](benchmark::State& state) {
                                   const auto keys = stream<KT>(size.entries, d);
                                   auto& fx = filled_fixture<I, KT>(fixture_id, size.entries);
                                   auto& table = fx.impl->table();
                                   const auto& args = keys->args;
                                   const std::size_t mask = args.size() - 1;
                                   std::size_t i = fx.position;
                                   bool missed = false;
                                   for (auto _ : state) {
                                     const auto it = table.find(args[i++ & mask]);
                                     missed |= it == table.end();
                                     benchmark::DoNotOptimize(it->second);
                                   }
                                   fx.position = i;
                                   if (missed) state.SkipWithError("a find missed in a hit benchmark");
                                   state.SetItemsProcessed(state.iterations());
                                 });
  }
}

template <class KT>
void register_key_kind() {
  for (const size_case& size : sizes) {
    register_hits<cachet_lru<KT, unsync>, KT, unsync>(size);
    register_hits<classic_lru<KT, unsync>, KT, unsync>(size);
    register_hits<cachet_sieve<KT, unsync>, KT, unsync>(size);
    register_hits<cachet_s3fifo<KT, unsync>, KT, unsync>(size);
    register_hits<cachet_w_tinylfu<KT, unsync>, KT, unsync>(size);
    register_hits<cachet_lru<KT, locked>, KT, locked>(size);
    register_hits<classic_lru<KT, locked>, KT, locked>(size);
    register_hits<cachet_dict<KT, unsync>, KT, unsync>(size);
    register_hits<classic_map<KT, unsync>, KT, unsync>(size);
    register_hits<cachet_dict<KT, locked>, KT, locked>(size);
    register_hits<classic_map<KT, locked>, KT, locked>(size);
    register_finds<flat_map<KT>, KT>(size, "baseline_flat_find");
    register_finds<robin_map<KT>, KT>(size, "baseline_robin_find");
  }
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::register_key_kind<bench::int_keys>();
  bench::register_key_kind<bench::string_keys>();
  bench::register_key_kind<bench::dense_keys>();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
