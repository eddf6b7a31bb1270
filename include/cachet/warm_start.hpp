// cachet/warm_start.hpp: save the entries of an in-memory cache into a byte
// storage and load them back into a fresh one, keeping recency order and
// expiry (a warm start after a restart or a deploy).
//
//     cachet::save_entries(profiles, cachet::sqlite{.path = "warm.db"}, "profiles");
//     ... next process ...
//     cachet::load_entries(profiles, cachet::sqlite{.path = "warm.db"}, "profiles");
//
// The entries are written as cereal-encoded chunks under `name#0`, `name#1`,
// ... and a manifest under `name`, so no stored value grows past about
// `chunk_bytes` (memcached refuses items over 1 MiB). Keys and values must be
// serializable by cereal (std::tuple keys of standard types are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/clock.hpp>
#include <cachet/coder/cereal_binary.hpp>
#include <cachet/errors.hpp>
#include <cachet/key/text_key.hpp>
#include <cachet/storage.hpp>

namespace cachet {

namespace detail {

using warm_spec = entry_spec<std::string, std::string, string_hash, std::equal_to<>, true>;

// A byte store: given as a store, or made from a storage policy.
template <class Target>
decltype(auto) byte_store_of(Target&& target) {
  using T = std::remove_cvref_t<Target>;
  if constexpr (store<T>) {
    return std::forward<Target>(target);
  } else {
    static_assert(storage_policy_for<T, warm_spec>,
                  "cachet::save_entries/load_entries: the target must be a byte store or a storage policy "
                  "that keeps std::string -> std::string (sqlite, files, redis, dict, ...)");
    return store_for<T, warm_spec>(target);
  }
}

inline constexpr std::uint32_t warm_format = 1;

struct warm_manifest {
  std::uint32_t format = warm_format;
  std::uint64_t entries = 0;
  std::uint64_t chunks = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(format, entries, chunks);
  }
};

inline std::string chunk_key(std::string_view name, std::uint64_t chunk) {
  return std::string(name) + "#" + std::to_string(chunk);
}

}  // namespace detail

//! Options of save_entries and load_entries.
struct warm_start_options {
  //! Approximate size of one stored chunk.
  std::size_t chunk_bytes = 512 * 1024;
  //! Time of the save or load: entries expired by then are skipped.
  time_point now = std::chrono::system_clock::now();
};

//! Writes every live entry of `cache` (an lru memoized function, or any whose
//! store has for_each_oldest_first) into `target`, least recently used first; returns how many.
//! `target` is a byte store or a storage policy to open one with. The cache
//! is locked while its entries are copied, not while they are written.
template <class Cached, class Target>
std::size_t save_entries(Cached& cache, Target&& target, std::string_view name, warm_start_options options = {}) {
  using key_type = typename Cached::key_type;
  // The stored form: the value, with its times under cachet::expiry_options.
  using value_type = typename Cached::stored_type;
  using record = std::tuple<key_type, value_type, std::int64_t>;
  static_assert(Cached::keeps_objects,
                "cachet::save_entries: the cache must keep objects (cachet::identity coder)");

  std::vector<record> records;
  cache.with_storage([&](auto& store) {
    static_assert(requires { store.for_each_oldest_first([](const auto&, const auto&, time_point) {}); },
                  "cachet::save_entries: the cache's storage cannot list its entries in recency order");
    store.for_each_oldest_first([&](const key_type& key, const value_type& value, time_point deadline) {
      if (deadline > options.now) records.emplace_back(key, value, deadline.time_since_epoch().count());
    });
  });

  auto&& out = detail::byte_store_of(std::forward<Target>(target));
  const cereal_binary coder;
  detail::warm_manifest manifest;
  std::vector<record> chunk;
  std::size_t chunk_size = 0;
  auto flush = [&] {
    if (chunk.empty()) return;
    out.set(detail::chunk_key(name, manifest.chunks++), coder.encode(chunk), no_deadline);
    chunk.clear();
    chunk_size = 0;
  };
  for (auto& r : records) {
    // A cheap size estimate; the exact size needs an encode per entry.
    chunk_size += sizeof(record) + coder.encode(std::get<0>(r)).size() + coder.encode(std::get<1>(r)).size();
    chunk.push_back(std::move(r));
    if (chunk_size >= options.chunk_bytes) flush();
  }
  flush();
  manifest.entries = records.size();
  out.set(std::string(name), coder.encode(manifest), no_deadline);
  return records.size();
}

//! Writes the entries saved under `name` into `cache`, oldest first, so the
//! recency order is restored; skips the ones expired at `options.now`; returns
//! how many it loaded (an lru smaller than the saved set keeps the most
//! recent). Throws cachet::entry_not_found if nothing was saved under `name`,
//! and cachet::invalid_data if the saved bytes do not decode.
template <class Cached, class Target>
std::size_t load_entries(Cached& cache, Target&& target, std::string_view name, warm_start_options options = {}) {
  using key_type = typename Cached::key_type;
  // The stored form: the value, with its times under cachet::expiry_options.
  using value_type = typename Cached::stored_type;
  using record = std::tuple<key_type, value_type, std::int64_t>;
  static_assert(Cached::keeps_objects,
                "cachet::load_entries: the cache must keep objects (cachet::identity coder)");

  auto&& in = detail::byte_store_of(std::forward<Target>(target));
  const cereal_binary coder;
  const auto manifest_bytes = in.get(std::string(name), options.now);
  if (!manifest_bytes) throw entry_not_found("no saved entries", in.name(), std::string(name));
  const auto manifest = coder.decode<detail::warm_manifest>(*manifest_bytes);
  if (manifest.format != detail::warm_format)
    throw invalid_data("saved entries have an unknown format", in.name(), std::string(name));

  std::size_t loaded = 0;
  for (std::uint64_t c = 0; c < manifest.chunks; ++c) {
    const std::string key = detail::chunk_key(name, c);
    const auto bytes = in.get(key, options.now);
    if (!bytes) throw invalid_data("a chunk of the saved entries is missing", in.name(), key);
    auto records = coder.decode<std::vector<record>>(*bytes);
    cache.with_storage([&](auto& store) {
      for (auto& [k, v, deadline_ns] : records) {
        const time_point deadline{duration{deadline_ns}};
        if (deadline <= options.now) continue;
        store.set(std::move(k), std::move(v), deadline);
        ++loaded;
      }
    });
  }
  return loaded;
}

}  // namespace cachet
