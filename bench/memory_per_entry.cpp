// bench/memory_per_entry.cpp: heap bytes per entry of a full cache of 1M
// entries: cachet's lru (int -> int and string -> string), sieve, s3fifo and
// w_tinylfu (int -> int; w_tinylfu's frequency sketch included), the classic hand-written LRU (std::list +
// std::unordered_map) and, for reference, cachet's dict and a bare
// boost::unordered_flat_map.
//
// The global operator new and delete are replaced by counting ones, so every
// allocation is seen whoever makes it. Two figures per cache:
//   requested  the bytes asked of operator new, live after the fill;
//   heap       the same allocations as glibc's malloc lays them out on
//              x86-64 (8 bytes of header, rounded up to 16, 32 at least),
//              which is what the process pays for small nodes.
// "peak" is the most that was live at once from the start of the fill to the
// end of a Zipf(0.99) workload of hits over the entries that follows it
// (cachet's lru keeps a log of uses that grows between compactions).
// The rows "after evicting" first ask for N/2 more new keys once the cache
// is full, so that what eviction keeps (s3fifo's and w_tinylfu's ghost
// queues of key hashes) is counted too; the others measure the fill alone.
// Strings are 24 characters (keys and values), past the small-string buffer.
//
// Usage: memory_per_entry [--entries N] [--csv FILE]. Prints a table; exits
// 1 if a cache does not end up holding N entries.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <new>
#include <string>
#include <string_view>

#include "bench_common.hpp"

namespace {

// Counting: a header in front of each block (16 bytes, or the alignment when
// larger) holds the block's size first and the header's size last, so an
// unsized delete knows both.
std::size_t live_requested = 0;
std::size_t live_heap = 0;
std::size_t peak_requested = 0;

constexpr std::size_t glibc_chunk(std::size_t n) noexcept {
  const std::size_t chunk = (n + 8 + 15) & ~std::size_t{15};
  return chunk < 32 ? 32 : chunk;
}

void* counted_alloc(std::size_t n, std::size_t align) {
  const std::size_t header = align < 16 ? 16 : align;
  void* base = align <= 16 ? std::malloc(n + header) : std::aligned_alloc(align, (n + header + align - 1) / align * align);
  if (!base) throw std::bad_alloc();
  char* block = static_cast<char*>(base) + header;
  *static_cast<std::size_t*>(base) = n;
  *reinterpret_cast<std::size_t*>(block - sizeof(std::size_t)) = header;
  live_requested += n;
  live_heap += glibc_chunk(n);
  if (live_requested > peak_requested) peak_requested = live_requested;
  return block;
}

void counted_free(void* p) noexcept {
  if (!p) return;
  char* block = static_cast<char*>(p);
  const std::size_t header = *reinterpret_cast<std::size_t*>(block - sizeof(std::size_t));
  void* base = block - header;
  const std::size_t n = *static_cast<std::size_t*>(base);
  live_requested -= n;
  live_heap -= glibc_chunk(n);
  std::free(base);
}

}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n, 16); }
void* operator new[](std::size_t n) { return counted_alloc(n, 16); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n, 16);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }

namespace {

struct string_to_string {
  std::string operator()(std::string_view s) const { return "value:" + std::string(s.substr(6)); }  // 24 chars
};
struct int_to_int {
  int operator()(int x) const noexcept { return x * 3 + 1; }
};

struct row {
  std::string cache;
  std::string types;
  double requested = 0;
  double heap = 0;
  double peak = 0;
};

// Fills a cache made by make() with `entries` keys, then runs `hits` Zipf
// hits over them; measures bytes per entry. `size_of(cache)` must be entries.
template <class Key, class Make, class Size>
row measure(const std::string& cache, const std::string& types, std::size_t entries, Make make, Size size_of,
            const std::vector<std::uint32_t>& hit_ids, bool& ok, std::size_t evicting = 0) {
  char buffer[bench::string_key_length];
  const auto key = [&](std::uint64_t id) {
    if constexpr (std::is_same_v<Key, int>)
      return bench::int_key(id);
    else
      return bench::string_key(id, buffer);
  };
  const std::size_t before = live_requested;
  const std::size_t heap_before = live_heap;
  peak_requested = live_requested;
  row r;  // its strings are set after the measurement
  {
    auto f = make(entries);
    for (std::uint64_t id = 0; id < entries + evicting; ++id) (void)(*f)(key(id));
    r.requested = static_cast<double>(live_requested - before) / static_cast<double>(entries);
    r.heap = static_cast<double>(live_heap - heap_before) / static_cast<double>(entries);
    for (const std::uint32_t id : hit_ids) (void)(*f)(key(id));
    r.peak = static_cast<double>(peak_requested - before) / static_cast<double>(entries);
    if (size_of(*f) != entries) {
      std::cerr << "memory_per_entry: " << cache << " (" << types << ") holds " << size_of(*f) << " entries, not "
                << entries << '\n';
      ok = false;
    }
  }
  if (live_requested != before) {
    std::cerr << "memory_per_entry: " << cache << " leaked " << live_requested - before << " bytes\n";
    ok = false;
  }
  r.cache = cache;
  r.types = types;
  return r;
}

template <class Fn, class Storage>
auto cachet_maker(Storage storage) {
  return [storage](std::size_t) {
    return std::make_unique<cachet::cached<Fn, Storage, cachet::unsynchronized>>(Fn{}, storage,
                                                                                  cachet::unsynchronized{});
  };
}

template <class Table, class Fn, class Arg, class Value>
auto baseline_maker() {
  return [](std::size_t n) { return std::make_unique<baseline::memo<Table, Fn, baseline::no_lock, Arg, Value>>(Fn{}, n); };
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t entries = 1'000'000;
  std::string csv;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--entries" && i + 1 < argc) {
      entries = std::stoul(argv[++i]);
    } else if (a == "--csv" && i + 1 < argc) {
      csv = argv[++i];
    } else {
      std::cerr << "usage: memory_per_entry [--entries N] [--csv FILE]\n";
      return 2;
    }
  }
  const auto hit_ids = bench::id_stream(entries, bench::dist::zipf, 4 * entries);
  bool ok = true;
  const auto cached_size = [](auto& f) { return f.storage().size(); };
  const auto memo_size = [](auto& f) { return f.table().size(); };
  using istr_hash = bench::string_hash;
  using eq = std::equal_to<>;

  std::vector<row> rows;
  rows.push_back(measure<int>("lru", "int -> int", entries, cachet_maker<int_to_int>(cachet::lru{.capacity = entries}),
                              cached_size, hit_ids, ok));
  rows.push_back(measure<int>("baseline_classic_lru", "int -> int", entries,
                              baseline_maker<baseline::classic_lru<int, int, std::hash<int>, eq>, int_to_int, int, int>(),
                              memo_size, hit_ids, ok));
  rows.push_back(measure<std::string_view>(
      "lru", "string -> string", entries, cachet_maker<string_to_string>(cachet::lru{.capacity = entries}),
      cached_size, hit_ids, ok));
  rows.push_back(measure<std::string_view>(
      "baseline_classic_lru", "string -> string", entries,
      baseline_maker<baseline::classic_lru<std::string, std::string, istr_hash, eq>, string_to_string,
                     std::string_view, std::string>(),
      memo_size, hit_ids, ok));
  // The FIFO-based storages and w_tinylfu; with their ghosts of key hashes
  // in the rows after evicting.
  rows.push_back(measure<int>("sieve", "int -> int", entries,
                              cachet_maker<int_to_int>(cachet::sieve{.capacity = entries}), cached_size, hit_ids, ok));
  rows.push_back(measure<int>("s3fifo", "int -> int", entries,
                              cachet_maker<int_to_int>(cachet::s3fifo{.capacity = entries}), cached_size, hit_ids, ok));
  rows.push_back(measure<int>("w_tinylfu", "int -> int", entries,
                              cachet_maker<int_to_int>(cachet::w_tinylfu{.capacity = entries}), cached_size, hit_ids,
                              ok));
  rows.push_back(measure<int>("s3fifo, after evicting", "int -> int", entries,
                              cachet_maker<int_to_int>(cachet::s3fifo{.capacity = entries}), cached_size, hit_ids, ok,
                              entries / 2));
  rows.push_back(measure<int>("w_tinylfu, after evicting", "int -> int", entries,
                              cachet_maker<int_to_int>(cachet::w_tinylfu{.capacity = entries}), cached_size, hit_ids,
                              ok, entries / 2));
  rows.push_back(measure<int>("dict", "int -> int", entries, cachet_maker<int_to_int>(cachet::dict{}), cached_size,
                              hit_ids, ok));
  rows.push_back(measure<int>(
      "baseline_flat_map", "int -> int", entries,
      baseline_maker<baseline::raw_map<boost::unordered_flat_map<int, int>>, int_to_int, int, int>(), memo_size,
      hit_ids, ok));

  std::printf("Heap bytes per entry at %zu entries (requested from operator new; heap: as glibc lays them out)\n\n",
              entries);
  std::printf("| cache | key -> value | requested B/entry | heap B/entry | peak B/entry | requested vs classic LRU |\n");
  std::printf("| --- | --- | ---: | ---: | ---: | ---: |\n");
  std::ofstream out;
  if (!csv.empty()) {
    out.open(csv);
    out << "cache,types,entries,requested_bytes_per_entry,heap_bytes_per_entry,peak_bytes_per_entry,ratio_to_classic\n";
  }
  for (const row& r : rows) {
    const row* classic = nullptr;
    for (const row& c : rows)
      if (c.cache == "baseline_classic_lru" && c.types == r.types) classic = &c;
    const double ratio = classic ? r.requested / classic->requested : 0;
    char ratio_text[32] = "";
    if (classic) std::snprintf(ratio_text, sizeof ratio_text, "%.2fx", ratio);
    std::printf("| %s | %s | %.1f | %.1f | %.1f | %s |\n", r.cache.c_str(), r.types.c_str(), r.requested, r.heap,
                r.peak, ratio_text);
    if (out) out << r.cache << ',' << r.types << ',' << entries << ',' << r.requested << ',' << r.heap << ',' << r.peak
                 << ',' << ratio << '\n';
  }
  return ok ? 0 : 1;
}
