// bench/bench_common.hpp: what the Google Benchmark executables share: the
// keys (int, and 24-character strings), the access streams (Zipf with alpha
// 0.99 whose ranks are shuffled to keys, and uniform; fixed seeds), the
// implementations under test (cachet's lru and dict, each under
// unsynchronized and mutex) with their baselines of the same guarantee, and
// a fixture slot that keeps one filled cache alive across the runs of a
// benchmark.
//
// Benchmark names read <op>/<implementation>/<sync>/<key>/<size>/<keys>
// [/<batch>], e.g. hit/lru/unsync/int/10k/zipf and
// hit/baseline_classic_lru/unsync/int/10k/zipf; scripts/bench_table.py
// pairs them by that name.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/unordered/unordered_flat_map.hpp>
#include <tsl/robin_map.h>

#include <cachet/cachet.hpp>

#include "baselines/classic_lru.hpp"
#include "baselines/classic_map.hpp"
#include "baselines/memo.hpp"
#include "baselines/plain_call.hpp"
#include "baselines/raw_maps.hpp"

namespace bench {

// ------------------------------------------------------------------ keys

//! A bijection of 64-bit integers (splitmix64's finaliser).
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

//! The int key of id: a bijection of 32-bit values, so ids give distinct
//! keys spread over the whole range (no identity-hash luck for anyone).
constexpr int int_key(std::uint64_t id) noexcept {
  auto x = static_cast<std::uint32_t>(id);
  x *= 0x9E3779B1u;
  x ^= x >> 15;
  x *= 0x85EBCA77u;
  x ^= x >> 13;
  return static_cast<int>(x);
}

inline constexpr std::size_t string_key_length = 24;

//! The 24-character string key of id, written to out: "session:" and 16 hex
//! digits of a bijection of id, so distinct ids give distinct keys.
inline std::string_view string_key(std::uint64_t id, char* out) noexcept {
  static constexpr char digits[] = "0123456789abcdef";
  static constexpr std::string_view prefix = "session:";
  std::copy(prefix.begin(), prefix.end(), out);
  std::uint64_t x = mix64(id);
  for (int i = 15; i >= 0; --i, x >>= 4) out[prefix.size() + static_cast<std::size_t>(i)] = digits[x & 15];
  return {out, string_key_length};
}

//! A transparent std::string hash (std::hash<std::string_view>), so string
//! tables are searched with a std::string_view without allocating.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

//! int keys and int values: f(int) -> int.
struct int_keys {
  static constexpr const char* name = "int";
  using arg = int;
  using key = int;
  using fn = baseline::int_fn;
  using hash = std::hash<int>;
  using eq = std::equal_to<>;
  //! Writes nothing: an int key needs no storage.
  static int make(std::uint64_t id, char*) noexcept { return int_key(id); }
};

//! Dense small integers 0 .. n-1 as std::uint64_t with std::hash (the
//! identity in libstdc++): the keys a new user tries first, where
//! std::unordered_map is at its best. f(std::uint64_t) -> int.
struct dense_keys {
  static constexpr const char* name = "dense";
  using arg = std::uint64_t;
  using key = std::uint64_t;
  using fn = baseline::dense_fn;
  using hash = std::hash<std::uint64_t>;
  using eq = std::equal_to<>;
  static std::uint64_t make(std::uint64_t id, char*) noexcept { return id; }
};

//! 24-character string keys and int values: f(std::string_view) -> int.
struct string_keys {
  static constexpr const char* name = "string";
  using arg = std::string_view;
  using key = std::string;
  using fn = baseline::string_fn;
  using hash = string_hash;
  using eq = std::equal_to<>;
  static std::string_view make(std::uint64_t id, char* out) noexcept { return string_key(id, out); }
};

// ------------------------------------------------------------------ streams

enum class dist { zipf, uniform };
inline const char* dist_name(dist d) { return d == dist::zipf ? "zipf" : "uniform"; }

inline constexpr double zipf_alpha = 0.99;
inline constexpr std::uint64_t seed_shuffle = 0xC0FFEE01;
inline constexpr std::uint64_t seed_zipf = 0xC0FFEE02;
inline constexpr std::uint64_t seed_uniform = 0xC0FFEE03;

//! Ids in [0, universe) drawn from d: Zipf(alpha) ranks mapped to ids
//! through a seeded shuffle, or uniform. Zipf ranks are drawn by inverting
//! the CDF, started from a guide table (about one step per draw).
inline std::vector<std::uint32_t> id_stream(std::size_t universe, dist d, std::size_t length, double alpha = zipf_alpha) {
  std::vector<std::uint32_t> out(length);
  if (d == dist::uniform) {
    std::mt19937_64 rng(seed_uniform ^ universe);
    std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(universe - 1));
    for (auto& id : out) id = pick(rng);
    return out;
  }
  std::vector<std::uint32_t> rank_to_id(universe);
  std::iota(rank_to_id.begin(), rank_to_id.end(), 0u);
  std::shuffle(rank_to_id.begin(), rank_to_id.end(), std::mt19937_64(seed_shuffle ^ universe));
  std::vector<double> cdf(universe);
  double sum = 0;
  for (std::size_t r = 0; r < universe; ++r) cdf[r] = sum += std::pow(static_cast<double>(r + 1), -alpha);
  // guide[j]: the first rank whose CDF reaches j / universe of the total.
  std::vector<std::uint32_t> guide(universe);
  for (std::size_t j = 0, r = 0; j < universe; ++j) {
    const double at = sum * static_cast<double>(j) / static_cast<double>(universe);
    while (r + 1 < universe && cdf[r] < at) ++r;
    guide[j] = static_cast<std::uint32_t>(r);
  }
  std::mt19937_64 rng(seed_zipf ^ universe);
  std::uniform_real_distribution<double> u(0.0, sum);
  for (auto& id : out) {
    const double x = u(rng);
    std::size_t r = guide[std::min(universe - 1, static_cast<std::size_t>(x / sum * static_cast<double>(universe)))];
    while (r + 1 < universe && cdf[r] < x) ++r;
    id = rank_to_id[r];
  }
  return out;
}

//! Data built once per process and shared by every benchmark that asks for
//! the same id.
template <class T, class Make>
std::shared_ptr<const T> shared_data(const std::string& id, Make make) {
  static std::map<std::string, std::shared_ptr<const T>> cache;
  auto& slot = cache[id];
  if (!slot) slot = std::make_shared<const T>(make());
  return slot;
}

//! The id stream, built once per process.
inline std::shared_ptr<const std::vector<std::uint32_t>> shared_ids(std::size_t universe, dist d, std::size_t length) {
  const std::string id = "ids/" + std::to_string(universe) + "/" + dist_name(d) + "/" + std::to_string(length);
  return shared_data<std::vector<std::uint32_t>>(id, [&] { return id_stream(universe, d, length); });
}

//! A stream of call arguments; string arguments view `chars`.
template <class KT>
struct arg_stream {
  std::vector<char> chars;
  std::vector<typename KT::arg> args;  // size: a power of two
};

template <class KT>
arg_stream<KT> make_stream(const std::vector<std::uint32_t>& ids) {
  arg_stream<KT> s;
  s.chars.resize(ids.size() * string_key_length);
  s.args.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) s.args.push_back(KT::make(ids[i], s.chars.data() + i * string_key_length));
  return s;
}

inline constexpr std::size_t stream_length = std::size_t{1} << 20;

//! The access stream over `universe` keys: `length` draws from d.
template <class KT>
std::shared_ptr<const arg_stream<KT>> stream(std::size_t universe, dist d, std::size_t length = stream_length) {
  const std::string id = std::string(KT::name) + "/" + std::to_string(universe) + "/" + dist_name(d) + "/" +
                         std::to_string(length);
  return shared_data<arg_stream<KT>>(id, [&] { return make_stream<KT>(*shared_ids(universe, d, length)); });
}

//! The stream split into batches of `batch` distinct keys each (for erase,
//! which must not erase one key twice in a batch).
template <class KT>
std::shared_ptr<const arg_stream<KT>> distinct_batches(std::size_t universe, dist d, std::size_t batch) {
  const std::string id = std::string(KT::name) + "/" + std::to_string(universe) + "/" + dist_name(d) + "/distinct" +
                         std::to_string(batch);
  return shared_data<arg_stream<KT>>(id, [&] {
    const auto ids = id_stream(universe, d, stream_length * 4);
    std::vector<std::uint32_t> out;
    std::vector<char> in_batch(universe, 0);
    std::size_t start = 0;
    for (std::uint32_t x : ids) {
      if (in_batch[x]) continue;
      in_batch[x] = 1;
      out.push_back(x);
      if (out.size() - start == batch) {
        for (std::size_t j = start; j < out.size(); ++j) in_batch[out[j]] = 0;
        start = out.size();
        if (out.size() == stream_length) break;
      }
    }
    out.resize(start);
    return make_stream<KT>(out);
  });
}

// ------------------------------------------------------------------ sizes

struct size_case {
  std::size_t entries;
  const char* name;
};
inline constexpr size_case sizes[] = {{10'000, "10k"}, {1'000'000, "1M"}};
inline constexpr dist dists[] = {dist::zipf, dist::uniform};

// ------------------------------------------------------------------ implementations

struct unsync {
  static constexpr const char* name = "unsync";
  using cachet_policy = cachet::unsynchronized;
  using lock = baseline::no_lock;
};
struct locked {
  static constexpr const char* name = "mutex";
  using cachet_policy = cachet::mutex;
  using lock = std::mutex;
};

// Each implementation: its name in benchmark names, its type for key kind
// KT and sync S, and make(entries), which returns an empty one sized for
// `entries` (a capacity for the LRUs).

template <class KT, class S>
struct cachet_lru {
  static constexpr const char* name = "lru";
  static constexpr bool evicts = true;
  using type = cachet::cached<typename KT::fn, cachet::lru, typename S::cachet_policy>;
  static std::unique_ptr<type> make(std::size_t n) {
    return std::make_unique<type>(typename KT::fn{}, cachet::lru{.capacity = n}, typename S::cachet_policy{});
  }
};

//! cachet's other bounded storages, on the same footing as cachet_lru.
template <class KT, class S>
struct cachet_sieve {
  static constexpr const char* name = "sieve";
  static constexpr bool evicts = true;
  using type = cachet::cached<typename KT::fn, cachet::sieve, typename S::cachet_policy>;
  static std::unique_ptr<type> make(std::size_t n) {
    return std::make_unique<type>(typename KT::fn{}, cachet::sieve{.capacity = n}, typename S::cachet_policy{});
  }
};

template <class KT, class S>
struct cachet_s3fifo {
  static constexpr const char* name = "s3fifo";
  static constexpr bool evicts = true;
  using type = cachet::cached<typename KT::fn, cachet::s3fifo, typename S::cachet_policy>;
  static std::unique_ptr<type> make(std::size_t n) {
    return std::make_unique<type>(typename KT::fn{}, cachet::s3fifo{.capacity = n}, typename S::cachet_policy{});
  }
};

template <class KT, class S>
struct cachet_w_tinylfu {
  static constexpr const char* name = "w_tinylfu";
  static constexpr bool evicts = true;
  using type = cachet::cached<typename KT::fn, cachet::w_tinylfu, typename S::cachet_policy>;
  static std::unique_ptr<type> make(std::size_t n) {
    return std::make_unique<type>(typename KT::fn{}, cachet::w_tinylfu{.capacity = n}, typename S::cachet_policy{});
  }
};

template <class KT, class S>
struct cachet_dict {
  static constexpr const char* name = "dict";
  static constexpr bool evicts = false;
  using type = cachet::cached<typename KT::fn, cachet::dict, typename S::cachet_policy>;
  static std::unique_ptr<type> make(std::size_t) {
    return std::make_unique<type>(typename KT::fn{}, cachet::dict{}, typename S::cachet_policy{});
  }
};

template <class KT, class S>
struct classic_lru {
  static constexpr const char* name = "baseline_classic_lru";
  static constexpr bool evicts = true;
  using table = baseline::classic_lru<typename KT::key, int, typename KT::hash, typename KT::eq>;
  using type = baseline::memo<table, typename KT::fn, typename S::lock, typename KT::arg, int>;
  static std::unique_ptr<type> make(std::size_t n) { return std::make_unique<type>(typename KT::fn{}, n); }
};

template <class KT, class S>
struct classic_map {
  static constexpr const char* name = "baseline_classic_map";
  static constexpr bool evicts = false;
  using table = baseline::classic_map<typename KT::key, int, typename KT::hash, typename KT::eq>;
  using type = baseline::memo<table, typename KT::fn, typename S::lock, typename KT::arg, int>;
  static std::unique_ptr<type> make(std::size_t n) { return std::make_unique<type>(typename KT::fn{}, n); }
};

//! The raw boost::unordered_flat_map as an (unbounded, unlocked) memo table.
template <class KT, class S = unsync>
struct flat_map {
  static constexpr const char* name = "baseline_flat_map";
  static constexpr bool evicts = false;
  using table =
      baseline::raw_map<boost::unordered_flat_map<typename KT::key, int, typename KT::hash, typename KT::eq>>;
  using type = baseline::memo<table, typename KT::fn, baseline::no_lock, typename KT::arg, int>;
  static std::unique_ptr<type> make(std::size_t n) { return std::make_unique<type>(typename KT::fn{}, n); }
};

template <class KT, class S = unsync>
struct robin_map {
  static constexpr const char* name = "baseline_robin_map";
  static constexpr bool evicts = false;
  using table = baseline::raw_map<tsl::robin_map<typename KT::key, int, typename KT::hash, typename KT::eq>>;
  using type = baseline::memo<table, typename KT::fn, baseline::no_lock, typename KT::arg, int>;
  static std::unique_ptr<type> make(std::size_t n) { return std::make_unique<type>(typename KT::fn{}, n); }
};

// ------------------------------------------------------------------ fixtures

//! A filled cache, the next fresh key id, and where the benchmarks using it
//! are in their stream (kept across runs, so that a run does not replay
//! accesses the previous one just made). One fixture is alive at a time:
//! benchmarks that share one are registered next to each other, so each is
//! filled once, not once per run (Google Benchmark runs a benchmark function
//! several times to pick its iteration count).
template <class Impl>
struct filled {
  std::unique_ptr<Impl> impl;
  std::uint64_t next_id = 0;  // ids below it have been used
  std::size_t position = 0;   // in the stream
};

struct fixture_slot {
  std::string id;
  std::shared_ptr<void> object;
};
inline fixture_slot& current_fixture() {
  static fixture_slot slot;
  return slot;
}

//! The fixture named `id`, made by make() unless it is the current one.
template <class T, class Make>
T& fixture(const std::string& id, Make make) {
  fixture_slot& slot = current_fixture();
  if (slot.id != id || !slot.object) {
    slot.object.reset();  // free the previous one before building
    slot.object = std::shared_ptr<T>(make().release());
    slot.id = id;
  }
  return *static_cast<T*>(slot.object.get());
}

//! I's implementation holding ids [0, n) (each called once: a miss).
template <class I, class KT>
filled<typename I::type>& filled_fixture(const std::string& id, std::size_t n) {
  return fixture<filled<typename I::type>>(id, [&] {
    auto f = std::make_unique<filled<typename I::type>>();
    f->impl = I::make(n);
    char buffer[string_key_length];
    for (std::uint64_t k = 0; k < n; ++k) benchmark::DoNotOptimize((*f->impl)(KT::make(k, buffer)));
    f->next_id = n;
    return f;
  });
}

//! "<op>/<impl>/<sync>/<key>/<size>/<keys>".
inline std::string case_name(const std::string& op, const char* impl, const char* sync, const char* key,
                             const char* size, const char* keys) {
  return op + "/" + impl + "/" + sync + "/" + key + "/" + size + "/" + keys;
}

//! Calls fn.template operator()<T>() for each T.
template <class... T, class Fn>
void for_each_type(Fn&& fn) {
  (fn.template operator()<T>(), ...);
}

}  // namespace bench
