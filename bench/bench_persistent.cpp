// bench/bench_persistent.cpp: the persistent storages through the wrapper,
// against raw SQLite in the same run.
//
//   get/sqlite/10k                    f.get(k): hits on a 10,000-row table
//   get/baseline_raw_sqlite/10k       one prepared SELECT of the same schema,
//                                     the value copied out (no decoding)
//   get/baseline_simple_sqlite/10k    the simplest SQLite cache a user would
//                                     write by hand: key TEXT PRIMARY KEY,
//                                     value BLOB, WITHOUT ROWID, WAL, one
//                                     prepared SELECT, the raw value copied
//                                     out (its own file; goal: get/sqlite
//                                     >= 0.8x of it)
//   set/sqlite/10k                    f.set(v, k): overwrites, autocommit
//   set/baseline_raw_sqlite/10k       the same UPSERT, prepared, autocommit
//   get_many/sqlite/10k/{1,16,128}    f.get_many(batch): hits
//   get_many/baseline_raw_sqlite/10k/{1,16,128}
//                                     one prepared SELECT per key, in one
//                                     read transaction
//   get_many/sqlite_store_only/10k/{1,128}
//                                     the store's get (1) and get_many (128)
//                                     alone: no key formatting, lock or decoding
//   get/files/1k, set/files/1k, get_many/files/1k/16
//                                     the files storage on 1,000 entries
// Values are 100-character strings (cereal binary through the wrapper, so
// ~120 bytes in the row). Every benchmark reports items_per_second (an item
// is one key); keys are visited in a fixed shuffled order. The database and
// the directory live in the system's temporary directory (WAL,
// synchronous=NORMAL: no fsync per commit).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/files.hpp>
#include <cachet/storage/sqlite.hpp>

namespace {

namespace fs = std::filesystem;

constexpr int sqlite_entries = 10000;
constexpr int files_entries = 1000;

std::string value_of(int i) {
  std::string v = "value " + std::to_string(i) + " ";
  v.resize(100, '.');
  return v;
}

std::string computed(int x) { return value_of(x); }

//! The keys 0..n-1 in a fixed shuffled order.
std::vector<int> order(int n) {
  std::vector<int> keys(static_cast<std::size_t>(n));
  std::iota(keys.begin(), keys.end(), 0);
  std::shuffle(keys.begin(), keys.end(), std::mt19937(42));
  return keys;
}

struct workspace {
  fs::path dir = fs::temp_directory_path() / ("cachet-bench-" + std::to_string(::getpid()));
  workspace() { fs::create_directories(dir); }
  ~workspace() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path db() const { return dir / "bench.db"; }
};
workspace& space() {
  static workspace w;
  return w;
}

auto sqlite_cache() { return cachet::memoize(computed, cachet::sqlite{.path = space().db(), .table = "bench"}); }
auto files_cache() { return cachet::memoize(computed, cachet::files{.root = space().dir / "files"}); }

//! Writes keys 0..n-1 into a cache. Every read case writes its rows first,
//! so that each is measured in the state of a live cache, its rows in the
//! WAL (in a file that no connection wrote since it was last checkpointed,
//! SQLite stats the file on every read transaction to learn its size: a
//! reader then pays one more system call, cachet and hand-written alike).
template <class Cache>
void fill(Cache& f, int n) {
  std::vector<int> keys(static_cast<std::size_t>(n));
  std::iota(keys.begin(), keys.end(), 0);
  std::vector<std::string> values;
  for (const int k : keys) values.push_back(value_of(k));
  f.set_many(keys, values);
}

//! The baseline: the same table through the SQLite C API.
class raw_sqlite {
 public:
  raw_sqlite() {
    sqlite3_open(space().db().c_str(), &db_);
    sqlite3_busy_timeout(db_, 5000);
    sqlite3_exec(db_, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
    prepare(get_, "SELECT value, expires_at FROM bench WHERE key = ?1");
    prepare(put_,
            "INSERT INTO bench(key, value, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, "
            "accessed_at = excluded.accessed_at, size = excluded.size");
    prepare(begin_, "BEGIN");
    prepare(commit_, "COMMIT");
  }
  raw_sqlite(const raw_sqlite&) = delete;
  ~raw_sqlite() {
    for (sqlite3_stmt* s : {get_, put_, begin_, commit_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  std::string get(int k) {
    const std::string key = std::to_string(k);
    sqlite3_bind_blob(get_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    std::string out;
    if (sqlite3_step(get_) == SQLITE_ROW && sqlite3_column_type(get_, 1) == SQLITE_NULL) {
      const void* data = sqlite3_column_blob(get_, 0);
      out.assign(static_cast<const char*>(data), static_cast<std::size_t>(sqlite3_column_bytes(get_, 0)));
    }
    sqlite3_reset(get_);
    return out;
  }

  void set(int k, const std::string& bytes) {
    const std::string key = std::to_string(k);
    sqlite3_bind_blob(put_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_blob(put_, 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
    sqlite3_bind_null(put_, 3);
    // The access time, as cachet writes it (a constant would let SQLite skip rewriting an unchanged row).
    sqlite3_bind_int64(put_, 4, std::chrono::system_clock::now().time_since_epoch().count());
    sqlite3_bind_int64(put_, 5, static_cast<sqlite3_int64>(key.size() + bytes.size()));
    if (sqlite3_step(put_) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
    sqlite3_reset(put_);
  }

  void begin() { run(begin_); }
  void commit() { run(commit_); }

 private:
  void prepare(sqlite3_stmt*& s, const char* sql) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }
  void run(sqlite3_stmt* s) {
    sqlite3_step(s);
    sqlite3_reset(s);
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt *get_ = nullptr, *put_ = nullptr, *begin_ = nullptr, *commit_ = nullptr;
};

//! The baseline a user writes without cachet: a key-value table of its own.
class simple_sqlite {
 public:
  simple_sqlite() {
    if (sqlite3_open((space().dir / "simple.db").c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open");
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = NORMAL");
    exec("CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID");
    if (sqlite3_prepare_v3(db_, "SELECT value FROM kv WHERE key = ?1", -1, SQLITE_PREPARE_PERSISTENT, &get_,
                           nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }
  simple_sqlite(const simple_sqlite&) = delete;
  ~simple_sqlite() {
    sqlite3_finalize(get_);
    sqlite3_close(db_);
  }

  void fill(int n) {
    exec("BEGIN");
    sqlite3_stmt* put = nullptr;
    sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO kv(key, value) VALUES (?1, ?2)", -1, &put, nullptr);
    for (int k = 0; k < n; ++k) {
      const std::string key = std::to_string(k), value = value_of(k);
      sqlite3_bind_text(put, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
      sqlite3_bind_blob(put, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
      sqlite3_step(put);
      sqlite3_reset(put);
    }
    sqlite3_finalize(put);
    exec("COMMIT");
  }

  std::optional<std::string> get(int k) {
    const std::string key = std::to_string(k);
    sqlite3_bind_text(get_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    std::optional<std::string> out;
    if (sqlite3_step(get_) == SQLITE_ROW)
      out.emplace(static_cast<const char*>(sqlite3_column_blob(get_, 0)),
                  static_cast<std::size_t>(sqlite3_column_bytes(get_, 0)));
    sqlite3_reset(get_);
    return out;
  }

 private:
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
};

void get_simple(benchmark::State& state) {
  simple_sqlite simple;
  simple.fill(sqlite_entries);
  const auto keys = order(sqlite_entries);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(simple.get(keys[i++ % keys.size()]));
  state.SetItemsProcessed(state.iterations());
}

void get_sqlite(benchmark::State& state) {
  auto f = sqlite_cache();
  fill(f, sqlite_entries);
  const auto keys = order(sqlite_entries);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.get(keys[i++ % keys.size()]));
  state.SetItemsProcessed(state.iterations());
}

void get_raw(benchmark::State& state) {
  auto f = sqlite_cache();
  fill(f, sqlite_entries);
  raw_sqlite raw;
  const auto keys = order(sqlite_entries);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(raw.get(keys[i++ % keys.size()]));
  state.SetItemsProcessed(state.iterations());
}

void set_sqlite(benchmark::State& state) {
  auto f = sqlite_cache();
  fill(f, sqlite_entries);
  const auto keys = order(sqlite_entries);
  const std::string values[] = {value_of(1), value_of(2)};  // every write changes the row
  std::size_t i = 0;
  for (auto _ : state) {
    f.set(values[i & 1], keys[i % keys.size()]);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void set_raw(benchmark::State& state) {
  { auto f = sqlite_cache(); fill(f, sqlite_entries); }
  raw_sqlite raw;
  const cachet::cereal_binary coder;  // the bytes the wrapper stores, encoded once
  const std::string bytes[] = {coder.encode(value_of(1)), coder.encode(value_of(2))};
  const auto keys = order(sqlite_entries);
  std::size_t i = 0;
  for (auto _ : state) {
    raw.set(keys[i % keys.size()], bytes[i & 1]);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

// f.get_many over consecutive batches of state.range(0) keys.
template <class Cache, class Keys>
void run_get_many(benchmark::State& state, Cache& f, const Keys& keys) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::size_t from = 0;
  for (auto _ : state) {
    if (from + batch > keys.size()) from = 0;
    benchmark::DoNotOptimize(f.get_many(std::span(keys).subspan(from, batch)));
    from += batch;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void get_many_sqlite(benchmark::State& state) {
  auto f = sqlite_cache();
  fill(f, sqlite_entries);
  run_get_many(state, f, order(sqlite_entries));
}

void get_many_raw(benchmark::State& state) {
  auto f = sqlite_cache();
  fill(f, sqlite_entries);
  raw_sqlite raw;
  const auto keys = order(sqlite_entries);
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> out(batch);
  std::size_t from = 0;
  for (auto _ : state) {
    if (from + batch > keys.size()) from = 0;
    raw.begin();
    for (std::size_t j = 0; j < batch; ++j) out[j] = raw.get(keys[from + j]);
    raw.commit();
    benchmark::DoNotOptimize(out.data());
    from += batch;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The store alone (no key formatting, no lock, no decoding): what the wrapper adds.
void get_store(benchmark::State& state) {
  auto f = sqlite_cache();
  fill(f, sqlite_entries);
  auto& store = f.storage();
  std::vector<std::string> keys;
  for (const int k : order(sqlite_entries)) keys.push_back(f.key(k));
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::size_t from = 0;
  for (auto _ : state) {
    if (from + batch > keys.size()) from = 0;
    if (batch == 1)
      benchmark::DoNotOptimize(store.get(keys[from], cachet::time_point{}));
    else
      benchmark::DoNotOptimize(store.get_many(std::span(keys).subspan(from, batch), cachet::time_point{}));
    from += batch;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void get_files(benchmark::State& state) {
  auto f = files_cache();
  fill(f, files_entries);
  const auto keys = order(files_entries);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.get(keys[i++ % keys.size()]));
  state.SetItemsProcessed(state.iterations());
}

void set_files(benchmark::State& state) {
  auto f = files_cache();
  fill(f, files_entries);
  const auto keys = order(files_entries);
  const std::string values[] = {value_of(1), value_of(2)};
  std::size_t i = 0;
  for (auto _ : state) {
    f.set(values[i & 1], keys[i % keys.size()]);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void get_many_files(benchmark::State& state) {
  auto f = files_cache();
  fill(f, files_entries);
  run_get_many(state, f, order(files_entries));
}

}  // namespace

BENCHMARK(get_sqlite)->Name("get/sqlite/10k");
BENCHMARK(get_raw)->Name("get/baseline_raw_sqlite/10k");
BENCHMARK(get_simple)->Name("get/baseline_simple_sqlite/10k");
BENCHMARK(set_sqlite)->Name("set/sqlite/10k");
BENCHMARK(set_raw)->Name("set/baseline_raw_sqlite/10k");
BENCHMARK(get_many_sqlite)->Name("get_many/sqlite/10k")->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(get_many_raw)->Name("get_many/baseline_raw_sqlite/10k")->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(get_store)->Name("get_many/sqlite_store_only/10k")->Arg(1)->Arg(128);
BENCHMARK(get_files)->Name("get/files/1k");
BENCHMARK(set_files)->Name("set/files/1k");
BENCHMARK(get_many_files)->Name("get_many/files/1k")->Arg(16);

BENCHMARK_MAIN();
