// bench/hitratio.cpp: hit ratios of eviction policies on access traces.
//
// Replays each trace against, at several capacities:
//   lru    cachet::lru itself (memoize of a function that counts its calls:
//          every call is a miss);
//   fifo   first in, first out: a reference line;
//   opt    the clairvoyant optimum (Belady's MIN, which may also decline to
//          store a key used later than everything it holds): the ceiling;
// and prints the unbounded hit ratio (cachet::dict: only first accesses
// miss). Every run also replays each trace through a plain exact LRU
// (std::list + std::unordered_map) next to cachet::lru, access by access,
// and exits 1 at the first access where the two disagree about a hit.
//
// Traces: seeded synthetic ones (Zipf with alpha 0.6, 0.8, 1.0, 1.2; a loop;
// Zipf mixed with one-off scans) and trace files: sequences of big-endian
// unsigned 32-bit keys, read through `xz -dc` when the name ends in .xz.
// With no file named, the cache2k traces are read from ../shared/traces
// beside the source tree, if it is there (--quick: the two small ones).
//
// Usage: hitratio [--quick] [--no-synthetic] [--csv FILE] [--traces DIR] [TRACE_FILE...]
// Prints a table per trace (markdown) and writes FILE as CSV
// (trace,accesses,distinct,capacity,policy,hit_ratio).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "bench_common.hpp"

#ifndef CACHET_SOURCE_DIR
#define CACHET_SOURCE_DIR "."
#endif

namespace {

using key_t = std::uint32_t;

struct trace {
  std::string name;
  std::vector<key_t> keys;
  std::size_t distinct = 0;
  std::size_t capacity_base = 0;  // capacities are fractions of it
};

std::size_t count_distinct(const std::vector<key_t>& keys) {
  boost::unordered_flat_set<key_t> seen;
  for (key_t k : keys) seen.insert(k);
  return seen.size();
}

// ---------------------------------------------------------------- traces

trace zipf_trace(double alpha, std::size_t universe, std::size_t length) {
  trace t;
  char name[32];
  std::snprintf(name, sizeof name, "zipf-%.1f", alpha);
  t.name = name;
  t.keys = bench::id_stream(universe, bench::dist::zipf, length, alpha);
  t.distinct = count_distinct(t.keys);
  t.capacity_base = t.distinct;
  return t;
}

// Keys 0 .. n-1 in order, over and over.
trace loop_trace(std::size_t n, std::size_t length) {
  trace t;
  t.name = "loop-" + std::to_string(n / 1000) + "k";
  t.keys.resize(length);
  for (std::size_t i = 0; i < length; ++i) t.keys[i] = static_cast<key_t>(i % n);
  t.distinct = n;
  t.capacity_base = n;
  return t;
}

// Zipf(0.9) accesses over `universe` keys; after every `every` of them, a
// scan of `scan` keys that are never seen again (as a batch job would do).
// Capacities are fractions of the Zipf universe.
trace zipf_scan_trace(std::size_t universe, std::size_t length, std::size_t every, std::size_t scan) {
  trace t;
  t.name = "zipf-0.9+scans";
  const auto zipf = bench::id_stream(universe, bench::dist::zipf, length, 0.9);
  key_t fresh = static_cast<key_t>(universe);
  for (std::size_t i = 0; i < zipf.size(); ++i) {
    t.keys.push_back(zipf[i]);
    if ((i + 1) % every == 0)
      for (std::size_t j = 0; j < scan; ++j) t.keys.push_back(fresh++);
  }
  t.distinct = count_distinct(t.keys);
  t.capacity_base = universe;
  return t;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Reads big-endian u32 keys from `path` (through xz -dc for .xz). Empty
// optional-like: ok=false on failure.
bool read_trace(const std::string& path, trace& t) {
  const bool xz = path.size() > 3 && path.compare(path.size() - 3, 3, ".xz") == 0;
  FILE* in = xz ? popen(("xz -dc -- " + shell_quote(path)).c_str(), "r") : std::fopen(path.c_str(), "rb");
  if (!in) return false;
  std::vector<unsigned char> buffer(1 << 16);
  std::size_t carry = 0;
  for (;;) {
    const std::size_t got = std::fread(buffer.data() + carry, 1, buffer.size() - carry, in);
    if (got == 0) break;
    const std::size_t have = carry + got;
    const std::size_t whole = have / 4 * 4;
    for (std::size_t i = 0; i < whole; i += 4)
      t.keys.push_back(key_t{buffer[i]} << 24 | key_t{buffer[i + 1]} << 16 | key_t{buffer[i + 2]} << 8 | buffer[i + 3]);
    carry = have - whole;
    std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(whole), buffer.begin() + static_cast<std::ptrdiff_t>(have),
              buffer.begin());
  }
  const bool failed = std::ferror(in) != 0;
  const int status = xz ? pclose(in) : std::fclose(in);
  if (failed || status != 0 || carry != 0 || t.keys.empty()) return false;
  std::string name = std::filesystem::path(path).filename().string();
  for (const char* suffix : {".xz", ".trace"})
    if (name.size() > std::strlen(suffix) && name.ends_with(suffix)) name.resize(name.size() - std::strlen(suffix));
  t.name = name;
  t.distinct = count_distinct(t.keys);
  t.capacity_base = t.distinct;
  return true;
}

// ---------------------------------------------------------------- policies

// cachet::lru replayed next to an exact LRU model; returns cachet's hits, or
// sets `mismatch` to the first access where they disagree.
std::size_t run_lru_checked(const std::vector<key_t>& keys, std::size_t capacity, std::size_t& mismatch) {
  std::size_t calls = 0;
  auto cache = cachet::memoize(
      [&calls](key_t k) {
        ++calls;
        return k;
      },
      cachet::lru{.capacity = capacity}, cachet::unsynchronized{});
  // The model: the textbook LRU.
  std::list<key_t> order;  // front: most recent
  std::unordered_map<key_t, std::list<key_t>::iterator> where;
  where.reserve(capacity);
  std::size_t hits = 0;
  mismatch = keys.size();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const key_t k = keys[i];
    const std::size_t before = calls;
    (void)cache(k);
    const bool cachet_hit = calls == before;
    bool model_hit = false;
    if (const auto it = where.find(k); it != where.end()) {
      model_hit = true;
      order.splice(order.begin(), order, it->second);
    } else {
      if (where.size() == capacity) {
        where.erase(order.back());
        order.pop_back();
      }
      order.push_front(k);
      where.emplace(k, order.begin());
    }
    if (cachet_hit != model_hit) {
      mismatch = i;
      return hits;
    }
    hits += cachet_hit;
  }
  if (cache.storage().size() != where.size()) mismatch = keys.size() - 1;
  return hits;
}

std::size_t run_fifo(const std::vector<key_t>& keys, std::size_t capacity) {
  boost::unordered_flat_set<key_t> held;
  std::vector<key_t> ring(capacity);
  std::size_t oldest = 0;
  std::size_t hits = 0;
  for (const key_t k : keys) {
    if (held.contains(k)) {
      ++hits;
      continue;
    }
    if (held.size() == capacity) held.erase(ring[oldest]);
    ring[oldest] = k;
    oldest = (oldest + 1) % capacity;
    held.insert(k);
  }
  return hits;
}

// Belady's MIN with optional admission: on a miss with the cache full, the
// key (held or new) whose next use is furthest away is the one left out.
std::size_t run_opt(const std::vector<key_t>& keys, const std::vector<std::uint32_t>& next_use, std::size_t capacity) {
  constexpr std::uint32_t never = ~std::uint32_t{0};
  boost::unordered_flat_map<key_t, std::uint32_t> held;  // key -> its next use
  std::priority_queue<std::pair<std::uint32_t, key_t>> furthest;  // lazy: stale pairs are skipped
  held.reserve(capacity);
  std::size_t hits = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const key_t k = keys[i];
    const std::uint32_t next = next_use[i];
    if (const auto it = held.find(k); it != held.end()) {
      ++hits;
      it->second = next;
      furthest.emplace(next, k);
      continue;
    }
    if (held.size() == capacity) {
      for (;;) {
        const auto [use, victim] = furthest.top();
        const auto v = held.find(victim);
        if (v != held.end() && v->second == use) break;
        furthest.pop();
      }
      if (next == never || next >= furthest.top().first) continue;  // the new key is the one left out
      held.erase(furthest.top().second);
      furthest.pop();
    }
    held.emplace(k, next);
    furthest.emplace(next, k);
  }
  return hits;
}

std::vector<std::uint32_t> next_uses(const std::vector<key_t>& keys) {
  std::vector<std::uint32_t> next(keys.size());
  boost::unordered_flat_map<key_t, std::uint32_t> later;
  for (std::size_t i = keys.size(); i-- > 0;) {
    const auto [it, fresh] = later.try_emplace(keys[i], ~std::uint32_t{0});
    next[i] = it->second;
    it->second = static_cast<std::uint32_t>(i);
  }
  return next;
}

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

struct result {
  std::size_t capacity;
  std::size_t lru = 0, fifo = 0, opt = 0;
  std::size_t mismatch = 0;
};

// Runs every (policy, capacity) job of one trace on all cores.
std::vector<result> simulate(const trace& t) {
  const auto caps = capacities_for(t);
  std::vector<result> results(caps.size());
  const auto next = next_uses(t.keys);
  std::vector<std::function<void()>> jobs;
  for (std::size_t c = 0; c < caps.size(); ++c) {
    results[c].capacity = caps[c];
    jobs.emplace_back([&, c] { results[c].lru = run_lru_checked(t.keys, caps[c], results[c].mismatch); });
    jobs.emplace_back([&, c] { results[c].fifo = run_fifo(t.keys, caps[c]); });
    jobs.emplace_back([&, c] { results[c].opt = run_opt(t.keys, next, caps[c]); });
  }
  std::atomic<std::size_t> taken{0};
  std::vector<std::thread> workers;
  const unsigned n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned w = 0; w < n; ++w)
    workers.emplace_back([&] {
      for (std::size_t j; (j = taken++) < jobs.size();) jobs[j]();
    });
  for (auto& w : workers) w.join();
  return results;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  bool synthetic = true;
  std::string csv_path;
  std::string traces_dir = std::string(CACHET_SOURCE_DIR) + "/../shared/traces";
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--no-synthetic") {
      synthetic = false;
    } else if (a == "--csv" && i + 1 < argc) {
      csv_path = argv[++i];
    } else if (a == "--traces" && i + 1 < argc) {
      traces_dir = argv[++i];
    } else if (a.starts_with("-")) {
      std::cerr << "usage: hitratio [--quick] [--no-synthetic] [--csv FILE] [--traces DIR] [TRACE_FILE...]\n";
      return 2;
    } else {
      files.emplace_back(a);
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
    traces.push_back(loop_trace(10'000, length / 5));
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
    const auto results = simulate(t);
    const double n = static_cast<double>(t.keys.size());
    const double unbounded = 1.0 - static_cast<double>(t.distinct) / n;
    std::printf("\n%s: %zu accesses, %zu distinct keys; unbounded (dict) hit ratio %.2f%%\n\n", t.name.c_str(),
                t.keys.size(), t.distinct, 100 * unbounded);
    std::printf("| capacity | lru | fifo | opt (clairvoyant) | lru checked |\n| ---: | ---: | ---: | ---: | --- |\n");
    for (const result& r : results) {
      const bool agrees = r.mismatch == t.keys.size();
      std::printf("| %zu | %.2f%% | %.2f%% | %.2f%% | %s |\n", r.capacity, 100 * static_cast<double>(r.lru) / n,
                  100 * static_cast<double>(r.fifo) / n, 100 * static_cast<double>(r.opt) / n,
                  agrees ? "= exact LRU" : "MISMATCH");
      if (!agrees) {
        std::fprintf(stderr, "hitratio: %s at capacity %zu: cachet::lru and the exact LRU model disagree at access %zu\n",
                     t.name.c_str(), r.capacity, r.mismatch);
        ok = false;
      }
      if (csv) {
        for (const auto& [policy, hits] : {std::pair<const char*, std::size_t>{"lru", r.lru}, {"fifo", r.fifo}, {"opt", r.opt}})
          csv << t.name << ',' << t.keys.size() << ',' << t.distinct << ',' << r.capacity << ',' << policy << ','
              << static_cast<double>(hits) / n << '\n';
      }
    }
    if (csv)
      csv << t.name << ',' << t.keys.size() << ',' << t.distinct << ",0,unbounded," << unbounded << '\n';
  }
  if (uses_cache2k)
    std::printf("\nThe cache2k-* traces are by headissue GmbH, Jens Wilke (the cache2k project), under CC BY 4.0\n"
                "(https://creativecommons.org/licenses/by/4.0/); see LICENSE-cache2k.txt beside them.\n");
  if (!csv_path.empty()) std::printf("\nCSV: %s\n", csv_path.c_str());
  return ok ? 0 : 1;
}
