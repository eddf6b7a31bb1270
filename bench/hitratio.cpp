// bench/hitratio.cpp: hit ratios of eviction policies on access traces.
//
// Replays each trace against, at several capacities:
//   lru       cachet::lru itself (memoize of a function that counts its calls:
//             every call is a miss);
//   sieve, s3fifo, w_tinylfu
//             cachet's other bounded storages, where their headers exist
//             (cachet_policies() in hitratio_policies.hpp: one line each);
//   fifo      first in, first out: a reference line;
//   caffeine  Caffeine, the Java cache (W-TinyLFU), through its plain cache
//             API: bench/baselines/caffeine/CaffeineHitRatio.java, run in one
//             JVM per trace, on the same keys (written to a temp file). Its
//             admission is random, so each capacity is replayed through
//             --caffeine-runs caches (5 by default): the column is their
//             mean, Caffeine's expected hit ratio, and "caffeine range" their
//             least and greatest;
//   opt       the clairvoyant optimum (Belady's MIN, which may also decline to
//             store a key used later than everything it holds): the ceiling;
// and prints the unbounded hit ratio (cachet::dict: only first accesses
// miss). Every run also replays each trace through a plain exact LRU
// (std::list + std::unordered_map) next to cachet::lru, access by access,
// and exits 1 at the first access where the two disagree about a hit.
// Per trace, a summary line sets the best cachet policy against the better
// of lru and caffeine (its mean), and against opt; it also counts the
// capacities where that policy is at or above Caffeine's best run.
//
// Traces: seeded synthetic ones (Zipf with alpha 0.6, 0.8, 1.0, 1.2; a loop;
// Zipf mixed with one-off scans) and trace files: sequences of big-endian
// unsigned 32-bit keys, read through `xz -dc` when the name ends in .xz.
// With no file named, the cache2k traces are read from ../shared/traces
// beside the source tree, if it is there (--quick: the two small ones, and
// Zipf streams of 300k accesses instead of 1M).
//
// Caffeine runs when the build found a JDK and caffeine.jar
// (bench/CMakeLists.txt); otherwise hitratio prints "caffeine: not run: ..."
// and leaves the column out, or, with --require-caffeine, exits 1.
//
// Usage: hitratio [--quick] [--no-synthetic] [--require-caffeine] [--csv FILE]
//                 [--traces DIR] [--capacity N]... [--caffeine-runs N]
//                 [TRACE_FILE...]
// --capacity (repeatable) replaces the capacities derived from each trace.
// Prints a table per trace (markdown) and writes FILE as CSV
// (trace,accesses,distinct,capacity,policy,hit_ratio; Caffeine's spread as
// the policies caffeine_min and caffeine_max).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "hitratio_traces.hpp"
#include "hitratio_policies.hpp"
#include "baselines/caffeine/run_caffeine.hpp"

#ifndef CACHET_SOURCE_DIR
#define CACHET_SOURCE_DIR "."
#endif

namespace {

using hitratio::caffeine_unavailable;
using hitratio::cachet_policies;
using hitratio::next_uses;
using hitratio::run_fifo;
using hitratio::run_lru_checked;
using hitratio::run_opt;
using hitratio::key_t;  // (not POSIX's key_t)
using hitratio::loop_trace;
using hitratio::read_trace;
using hitratio::run_caffeine;
using hitratio::trace;
using hitratio::zipf_scan_trace;
using hitratio::zipf_trace;

// Capacities: base/2, base/4, ... base/128, rounded to two significant
// digits, at least 2 each.
std::vector<std::size_t> capacities_for(const trace& t) {
  std::vector<std::size_t> out;
  for (int shift = 7; shift >= 1; --shift) {
    double c = static_cast<double>(t.capacity_base) / static_cast<double>(1u << shift);
    double scale = 1;
    while (c >= 100) {
      c /= 10;
      scale *= 10;
    }
    const auto rounded = static_cast<std::size_t>(std::llround(c) * static_cast<long long>(scale));
    if (rounded >= 2 && (out.empty() || out.back() != rounded)) out.push_back(rounded);
  }
  return out;
}

// ---------------------------------------------------------------- runs

// One column of a trace's table: a policy's hit ratio at each capacity.
struct policy_ratios {
  std::string name;
  bool is_cachet = false;
  std::vector<double> by_capacity;
};

struct trace_results {
  std::vector<std::size_t> capacities;
  std::vector<policy_ratios> policies;  // table order: cachet's, fifo, caffeine, opt
  std::vector<std::size_t> lru_mismatch;  // per capacity; keys.size() when lru agrees with the model
  std::string caffeine_error;  // empty when caffeine ran
  std::vector<double> caffeine_min, caffeine_max;  // per capacity, over its runs; empty when it did not run
  const std::vector<double>* find(std::string_view name) const {
    for (const auto& p : policies)
      if (p.name == name) return &p.by_capacity;
    return nullptr;
  }
};

// Runs every (policy, capacity) job of one trace on all cores; the JVM
// replaying Caffeine is one of the jobs.
// caffeine_runs: caches replayed per capacity by Caffeine (0: not run).
trace_results simulate(const trace& t, const std::vector<std::size_t>& caps, unsigned caffeine_runs) {
  const bool with_caffeine = caffeine_runs > 0;
  const auto extra = cachet_policies();
  const auto next = next_uses(t.keys);
  std::vector<std::vector<std::size_t>> hits(3 + extra.size(), std::vector<std::size_t>(caps.size()));
  enum : std::size_t { lru, fifo, opt, first_extra };
  std::vector<std::size_t> mismatch(caps.size());
  std::optional<hitratio::caffeine_ratios> caffeine;
  std::string caffeine_error;
  std::vector<std::function<void()>> jobs;
  if (with_caffeine) jobs.emplace_back([&] { caffeine = run_caffeine(t, caps, caffeine_runs, caffeine_error); });
  for (std::size_t c = 0; c < caps.size(); ++c) {
    jobs.emplace_back([&, c] { hits[lru][c] = run_lru_checked(t.keys, caps[c], mismatch[c]); });
    jobs.emplace_back([&, c] { hits[fifo][c] = run_fifo(t.keys, caps[c]); });
    jobs.emplace_back([&, c] { hits[opt][c] = run_opt(t.keys, next, caps[c]); });
    for (std::size_t p = 0; p < extra.size(); ++p)
      jobs.emplace_back([&, c, p] { hits[first_extra + p][c] = extra[p].hits(t.keys, caps[c]); });
  }
  std::atomic<std::size_t> taken{0};
  std::vector<std::thread> workers;
  const unsigned n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned w = 0; w < n; ++w)
    workers.emplace_back([&] {
      for (std::size_t j; (j = taken++) < jobs.size();) jobs[j]();
    });
  for (auto& w : workers) w.join();

  const double accesses = static_cast<double>(t.keys.size());
  const auto ratios = [&](const std::vector<std::size_t>& h) {
    std::vector<double> out;
    for (const std::size_t x : h) out.push_back(static_cast<double>(x) / accesses);
    return out;
  };
  trace_results r;
  r.capacities = caps;
  r.lru_mismatch = mismatch;
  r.policies.push_back({"lru", true, ratios(hits[lru])});
  for (std::size_t p = 0; p < extra.size(); ++p)
    r.policies.push_back({extra[p].name, true, ratios(hits[first_extra + p])});
  r.policies.push_back({"fifo", false, ratios(hits[fifo])});
  if (caffeine) {
    r.policies.push_back({"caffeine", false, caffeine->mean});
    r.caffeine_min = caffeine->min;
    r.caffeine_max = caffeine->max;
  }
  r.policies.push_back({"opt", false, ratios(hits[opt])});
  r.caffeine_error = with_caffeine ? caffeine_error : "";
  return r;
}

// The policy docs/storage.md recommends for unknown workloads.
constexpr const char* recommended_default = "w_tinylfu";

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (const double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// The best cachet policy (highest mean over the capacities) against the
// better of lru and caffeine at each capacity, and against opt; then, per
// capacity, the goals of issue 11: the best of cachet's policies there at
// or above that better one (and Caffeine's best run), and the recommended
// default within 0.01 of it.
void print_summary(const trace_results& r) {
  const policy_ratios* best = nullptr;
  for (const auto& p : r.policies)
    if (p.is_cachet && (!best || mean(p.by_capacity) > mean(best->by_capacity))) best = &p;
  const auto* lru = r.find("lru");
  const auto* caffeine = r.find("caffeine");
  const auto* recommended = r.find(recommended_default);
  std::vector<double> baseline = *lru;
  if (caffeine)
    for (std::size_t c = 0; c < baseline.size(); ++c) baseline[c] = std::max(baseline[c], (*caffeine)[c]);
  std::size_t at_or_above = 0, above_best_run = 0, within = 0;
  for (std::size_t c = 0; c < baseline.size(); ++c) {
    double cachet_best = 0;
    for (const auto& p : r.policies)
      if (p.is_cachet) cachet_best = std::max(cachet_best, p.by_capacity[c]);
    at_or_above += cachet_best >= baseline[c];
    if (caffeine) above_best_run += cachet_best >= std::max((*lru)[c], r.caffeine_max[c]);
    if (recommended) within += (*recommended)[c] >= baseline[c] - 0.01;
  }
  const double best_mean = mean(best->by_capacity);
  const char* against = caffeine ? ", caffeine" : "";
  std::printf("\nSummary (means over the capacities): best cachet policy %s %.2f%%; max(lru%s) %.2f%% "
              "(%+.2f points); opt %.2f%% (%.2f points above %s)\n",
              best->name.c_str(), 100 * best_mean, against, 100 * mean(baseline), 100 * (best_mean - mean(baseline)),
              100 * mean(*r.find("opt")), 100 * (mean(*r.find("opt")) - best_mean), best->name.c_str());
  const std::size_t n = baseline.size();
  std::printf("Per capacity: cachet's best policy >= max(lru%s) at %zu of %zu", against, at_or_above, n);
  if (caffeine) std::printf(" (>= Caffeine's best run too at %zu)", above_best_run);
  if (recommended) std::printf("; %s within 0.01 of max(lru%s) at %zu of %zu", recommended_default, against, within, n);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  bool synthetic = true;
  bool require_caffeine = false;
  std::string csv_path;
  std::string traces_dir = std::string(CACHET_SOURCE_DIR) + "/../shared/traces";
  std::vector<std::string> files;
  std::vector<std::size_t> fixed_capacities;
  unsigned caffeine_runs = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--no-synthetic") {
      synthetic = false;
    } else if (a == "--require-caffeine") {
      require_caffeine = true;
    } else if (a == "--csv" && i + 1 < argc) {
      csv_path = argv[++i];
    } else if (a == "--traces" && i + 1 < argc) {
      traces_dir = argv[++i];
    } else if (a == "--capacity" && i + 1 < argc && std::atoll(argv[i + 1]) >= 2) {
      fixed_capacities.push_back(static_cast<std::size_t>(std::atoll(argv[++i])));
    } else if (a == "--caffeine-runs" && i + 1 < argc && std::atoi(argv[i + 1]) >= 1 &&
               std::atoi(argv[i + 1]) <= 100) {
      caffeine_runs = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (a.starts_with("-")) {
      std::cerr << "usage: hitratio [--quick] [--no-synthetic] [--require-caffeine] [--csv FILE] [--traces DIR]\n"
                   "                [--capacity N (at least 2)]... [--caffeine-runs N (1 to 100)] [TRACE_FILE...]\n";
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  const auto caffeine_missing = caffeine_unavailable();
  if (caffeine_missing) {
    std::printf("caffeine: not run: %s\n", caffeine_missing->c_str());
    if (require_caffeine) {
      std::cerr << "hitratio: --require-caffeine: caffeine cannot run: " << *caffeine_missing << '\n';
      return 1;
    }
  }
  if (files.empty()) {
    std::vector<std::string> names = {"cache2k-web07.trace.xz", "cache2k-web12.trace.xz"};
    if (!quick) names.push_back("cache2k-orm-busy.trace.xz");
    for (const auto& n : names)
      if (std::filesystem::exists(traces_dir + "/" + n)) files.push_back(traces_dir + "/" + n);
    if (files.empty()) std::cerr << "hitratio: no trace files in " << traces_dir << "; synthetic traces only\n";
  }

  std::vector<trace> traces;
  if (synthetic) {
    const std::size_t length = quick ? 300'000 : 1'000'000;
    for (const double alpha : {0.6, 0.8, 1.0, 1.2}) traces.push_back(zipf_trace(alpha, 100'000, length));
    // The loop keeps its 20 passes under --quick (it is short): with fewer,
    // its first repeats, which lose hits while the sketch learns the loop
    // (docs/benchmarks.md), would weigh more than its steady state.
    traces.push_back(loop_trace(10'000, 200'000));
    traces.push_back(zipf_scan_trace(100'000, length, 20'000, 5'000));
  }
  bool ok = true;
  for (const auto& f : files) {
    trace t;
    if (!read_trace(f, t)) {
      std::cerr << "hitratio: cannot read trace " << f << " (big-endian u32 keys; .xz needs xz)\n";
      ok = false;
      continue;
    }
    traces.push_back(std::move(t));
  }

  if (traces.empty()) {
    std::cerr << "hitratio: no trace to replay\n";
    return 2;
  }
  std::ofstream csv;
  if (!csv_path.empty()) {
    csv.open(csv_path);
    csv << "trace,accesses,distinct,capacity,policy,hit_ratio\n";
  }
  bool uses_cache2k = false;
  for (const trace& t : traces) {
    uses_cache2k |= t.name.starts_with("cache2k-");
    const std::vector<std::size_t> caps = fixed_capacities.empty() ? capacities_for(t) : fixed_capacities;
    const auto r = simulate(t, caps, caffeine_missing ? 0u : caffeine_runs);
    const double n = static_cast<double>(t.keys.size());
    const double unbounded = 1.0 - static_cast<double>(t.distinct) / n;
    std::printf("\n%s: %zu accesses, %zu distinct keys; unbounded (dict) hit ratio %.2f%%\n\n", t.name.c_str(),
                t.keys.size(), t.distinct, 100 * unbounded);
    if (!r.caffeine_error.empty()) {
      std::printf("caffeine: not run: %s\n\n", r.caffeine_error.c_str());
      std::cerr << "hitratio: " << t.name << ": caffeine: " << r.caffeine_error << '\n';
      if (require_caffeine) ok = false;
    }
    std::printf("| capacity |");
    const bool spread = !r.caffeine_min.empty();
    for (const auto& p : r.policies) {
      if (p.name == "opt" && spread) std::printf(" caffeine range (%u runs) |", caffeine_runs);
      const char* title = p.name == "opt"        ? "opt (clairvoyant)"
                          : p.name == "caffeine" ? "caffeine (mean)"
                                                 : p.name.c_str();
      std::printf(" %s |", title);
    }
    std::printf(" lru checked |\n| ---: |");
    for (std::size_t p = 0; p < r.policies.size() + spread; ++p) std::printf(" ---: |");
    std::printf(" --- |\n");
    for (std::size_t c = 0; c < r.capacities.size(); ++c) {
      const bool agrees = r.lru_mismatch[c] == t.keys.size();
      std::printf("| %zu |", r.capacities[c]);
      for (const auto& p : r.policies) {
        if (p.name == "opt" && spread)
          std::printf(" %.2f-%.2f%% |", 100 * r.caffeine_min[c], 100 * r.caffeine_max[c]);
        std::printf(" %.2f%% |", 100 * p.by_capacity[c]);
      }
      std::printf(" %s |\n", agrees ? "= exact LRU" : "MISMATCH");
      if (!agrees) {
        std::fprintf(stderr, "hitratio: %s at capacity %zu: cachet::lru and the exact LRU model disagree at access %zu\n",
                     t.name.c_str(), r.capacities[c], r.lru_mismatch[c]);
        ok = false;
      }
      if (csv)
        for (const auto& p : r.policies)
          csv << t.name << ',' << t.keys.size() << ',' << t.distinct << ',' << r.capacities[c] << ',' << p.name << ','
              << p.by_capacity[c] << '\n';
      if (csv && spread)
        csv << t.name << ',' << t.keys.size() << ',' << t.distinct << ',' << r.capacities[c] << ",caffeine_min,"
            << r.caffeine_min[c] << '\n'
            << t.name << ',' << t.keys.size() << ',' << t.distinct << ',' << r.capacities[c] << ",caffeine_max,"
            << r.caffeine_max[c] << '\n';
    }
    print_summary(r);
    std::fflush(stdout);
    if (csv)
      csv << t.name << ',' << t.keys.size() << ',' << t.distinct << ",0,unbounded," << unbounded << '\n';
  }
  if (uses_cache2k)
    std::printf("\nThe cache2k-* traces are by headissue GmbH, Jens Wilke (the cache2k project), under CC BY 4.0\n"
                "(https://creativecommons.org/licenses/by/4.0/); see LICENSE-cache2k.txt beside them.\n");
  if (!csv_path.empty()) std::printf("\nCSV: %s\n", csv_path.c_str());
  return ok ? 0 : 1;
}
