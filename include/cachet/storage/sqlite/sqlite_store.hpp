// cachet/storage/sqlite/sqlite_store.hpp: the store of cachet::sqlite: one table of
// one SQLite file, through two connections (reads, writes) and statements
// prepared once. Included by <cachet/storage/sqlite.hpp>; the schema is
// described in <cachet/storage/sqlite/schema.hpp>.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cachet/storage/sqlite/connections.hpp>
#include <cachet/storage/sqlite/handle.hpp>
#include <cachet/storage/sqlite/read_log.hpp>
#include <cachet/storage/sqlite/write_budget.hpp>
#include <cachet/storage/common/unix_time.hpp>
#include <cachet/storage/common/wall_clock_maintenance.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/sqlite.hpp>

namespace cachet::detail {

//! Safe to call from several threads at once (storage_traits::thread_safe):
//! reads share one connection under one mutex, writes another under
//! another, so no read waits for a write, here or in another process.
class sqlite_store : public wall_clock_maintenance<sqlite_store> {
 public:
  using wall_clock_maintenance<sqlite_store>::count;
  using wall_clock_maintenance<sqlite_store>::clear;
  using key_type = std::string;
  using value_type = std::string;

  //! Opens (creating it and its directory if missing) the file and the table.
  explicit sqlite_store(const sqlite& policy) : sqlite_store(policy, store_options{}) {}

  //! As above; with options.lock_wait, a write waits at most that (or
  //! busy_timeout, if shorter) in all, for locks of any connection.
  sqlite_store(const sqlite& policy, const store_options& options)
      : name_("sqlite " + policy.path.string() + " table " + policy.table),
        max_entries_(static_cast<std::int64_t>(std::min<std::size_t>(policy.max_entries, INT64_MAX))),
        max_bytes_(static_cast<std::int64_t>(std::min<std::size_t>(policy.max_bytes, INT64_MAX))) {
    if (policy.table.empty() || policy.table.starts_with("sqlite_") || policy.table.starts_with("cachet_"))
      throw std::invalid_argument("cachet::sqlite: the table name must be non-empty and not start with "
                                  "sqlite_ or cachet_ (" + name_ + ")");
    const std::filesystem::path& path = policy.path;
    if (path.empty()) throw std::invalid_argument("cachet::sqlite: no path given (cachet::sqlite{.path = ...})");
    if (path.has_parent_path() && path != ":memory:") {
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec)
        throw backend_error("cannot create the directory " + path.parent_path().string() + ": " + ec.message(),
                            name_);
    }
    auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(policy.busy_timeout);
    if (options.lock_wait) lock_wait_ = wait = std::min(wait, *options.lock_wait);
    const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    shared_ = std::make_unique<shared>(sqlite_open_params{
        .path = path.string(),
        .table = policy.table,
        .limited = limited(),
        .busy_ms = static_cast<int>(std::clamp<std::int64_t>(wait_ms, 0, INT32_MAX)),
        .where = name_,
    });
  }

  sqlite_store(sqlite_store&&) noexcept = default;
  sqlite_store& operator=(sqlite_store&&) noexcept = default;
  ~sqlite_store() { close(); }

  std::optional<std::string> get(std::string_view key, time_point now) {
    shared& s = state();
    const std::int64_t at = to_unix_ns(now);
    std::optional<std::string> out;
    {
      std::lock_guard<std::mutex> g(s.read_mutex);
      sqlite_stmt::run q(reader(s).get, name_);
      if (!q.blob(1, key).integer(2, at).step()) return out;
      if (q.integer(1) == 0) {
        s.log.expired(key, at);  // a miss, reclaimed by the next write
        return out;
      }
      out.emplace(q.bytes(0));
    }
    if (limited()) s.log.accessed(key, next_access(s));
    return out;
  }

  void set(std::string_view key, std::string_view value, time_point deadline) {
    write([&](sqlite_writer& w) { put(w, key, value, deadline); }, /*one_statement=*/true, /*grows=*/true);
  }

  bool erase(std::string_view key) {
    bool erased = false;
    write([&](sqlite_writer& w) { erased = sqlite_stmt::run(w.erase, name_).blob(1, key).execute() > 0; },
          /*one_statement=*/true);
    return erased;
  }

  bool contains(std::string_view key, time_point now) {
    shared& s = state();
    std::lock_guard<std::mutex> g(s.read_mutex);
    sqlite_stmt::run q(reader(s).contains, name_);
    return q.blob(1, key).integer(2, to_unix_ns(now)).step();
  }

  bool touch(std::string_view key, time_point now, time_point deadline) {
    bool renewed = false;
    write(
        [&](sqlite_writer& w) {
          renewed = sqlite_stmt::run(w.touch, name_)
                        .blob(1, key)
                        .integer(2, to_unix_ns(now))
                        .maybe(3, stored_deadline(deadline))
                        .integer(4, next_access(*shared_))
                        .execute() > 0;
        },
        /*one_statement=*/true);
    return renewed;
  }

  //! The live entries among `keys`, read in one read transaction with one
  //! statement per chunk of keys (`key IN (...)`).
  std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, time_point now) {
    shared& s = state();
    const std::int64_t at = to_unix_ns(now);
    std::vector<std::optional<std::string>> out(keys.size());
    if (keys.empty()) return out;
    // Each distinct key is asked once; repeats copy the first's result.
    boost::unordered_flat_map<std::string_view, std::size_t> first;
    std::vector<std::string_view> distinct;
    first.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (first.try_emplace(keys[i], i).second) distinct.push_back(keys[i]);
    {
      std::lock_guard<std::mutex> g(s.read_mutex);
      sqlite_reader& r = reader(s);
      sqlite_transaction t(r.begin, r.commit, r.rollback, name_);
      for (std::size_t from = 0; from < distinct.size(); from += max_chunk) {
        const std::size_t n = std::min(max_chunk, distinct.size() - from);
        sqlite_stmt::run q(r.get_in(n), name_);
        q.clear_bindings().integer(1, at);
        for (std::size_t j = 0; j < n; ++j) q.blob(static_cast<int>(j + 2), distinct[from + j]);
        while (q.step()) {
          const auto it = first.find(q.bytes(0));
          if (it == first.end()) continue;
          if (q.integer(2) == 0)
            s.log.expired(keys[it->second], at);
          else
            out[it->second].emplace(q.bytes(1));
        }
      }
      t.commit();
    }
    if (limited()) {
      const std::int64_t access = next_access(s);
      for (const auto& [key, index] : first)
        if (out[index]) s.log.accessed(key, access);
    }
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (const std::size_t j = first.find(std::string_view(keys[i]))->second; j != i) out[i] = out[j];
    return out;
  }

  //! Writes every entry in one transaction (all or none).
  void set_many(std::span<entry<std::string, std::string>> entries) {
    if (entries.empty()) return;
    write([&](sqlite_writer& w) {
      for (const auto& e : entries) put(w, e.key, e.value, e.deadline);
    }, /*one_statement=*/false, /*grows=*/true);
  }

  //! Erases every key in one transaction; true where a row was removed.
  std::vector<bool> erase_many(std::span<const std::string> keys) {
    std::vector<bool> out;
    out.reserve(keys.size());
    if (keys.empty()) return out;
    write(
        [&](sqlite_writer& w) {
          out.clear();
          for (const auto& key : keys) out.push_back(sqlite_stmt::run(w.erase, name_).blob(1, key).execute() > 0);
        },
        /*one_statement=*/false);
    return out;
  }

  //! Rows in the table, expired ones not yet reclaimed included. O(1).
  std::size_t size() const { return static_cast<std::size_t>(read_stats().entries); }
  //! Bytes of keys and values in the table, as the max_bytes limit counts them. O(1).
  std::size_t bytes() const { return static_cast<std::size_t>(read_stats().bytes); }

  //! Live rows at `now` (scans the table).
  std::size_t count(time_point now) const {
    shared& s = state();
    std::lock_guard<std::mutex> g(s.read_mutex);
    sqlite_stmt::run q(reader(s).count_live, name_);
    q.integer(1, to_unix_ns(now)).step();
    return static_cast<std::size_t>(q.integer(0));
  }

  //! Deletes the rows expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    std::size_t erased = 0;
    write(
        [&](sqlite_writer& w) {
          erased = static_cast<std::size_t>(
              sqlite_stmt::run(w.erase_expired, name_).integer(1, to_unix_ns(now)).execute());
        },
        /*one_statement=*/true);
    return erased;
  }

  void clear() {
    with_writer([&](shared& s, sqlite_writer& w) {
      sqlite_stmt::run(w.clear, name_).execute();
      s.log.clear();
    });
  }

  //! "sqlite <path> table <table>": the prefix of every error's message.
  const std::string& name() const noexcept { return name_; }

  //! Records the access times reads collected (without waiting for a lock
  //! another process holds) and closes the connections; any later use
  //! throws cachet::closed_storage.
  void close() noexcept {
    if (!shared_) return;
    shared& s = *shared_;
    std::scoped_lock g(s.write_mutex, s.read_mutex);
    if (s.writer && limited()) {
      try {
        sqlite3_busy_timeout(s.writer->db.get(), 0);
        const auto nothing = [](sqlite_writer&) {};
        write_locked(s, *s.writer, nothing, /*one_statement=*/true, /*grows=*/false);
      } catch (...) {  // access times are advice: losing them only blurs the eviction order
      }
    }
    s.closed = true;
    s.reader.reset();
    s.writer.reset();
  }

 private:
  struct shared {
    explicit shared(sqlite_open_params p) : params(std::move(p)) { open(); }
    // The writer first: it makes the schema the reader's statements need.
    void open() {
      reader.reset();
      writer.reset();  // the old file closed before the new one is made (its WAL goes with it)
      writer = std::make_unique<sqlite_writer>(params);
      reader = std::make_unique<sqlite_reader>(params);
    }

    sqlite_open_params params;  // first: the connections refer to params.where
    sqlite_write_mutex write_mutex;  // taken before read_mutex when both are
    std::mutex read_mutex;
    std::unique_ptr<sqlite_writer> writer;  // null after close() or a failed reopen
    std::unique_ptr<sqlite_reader> reader;
    sqlite_read_log log;
    std::atomic<std::int64_t> last_access{0};
    bool closed = false;
  };

  struct table_stats {
    std::int64_t entries = 0, bytes = 0;
  };

  // Keys per `key IN (...)` statement: a power of two, within SQLite's
  // default limit of 32766 parameters.
  static constexpr std::size_t max_chunk = 512;

  shared& state() const {
    if (!shared_) throw closed_storage("the storage is closed (or was moved from)", name_);
    return *shared_;
  }

  // Under read_mutex.
  sqlite_reader& reader(shared& s) const {
    if (s.closed) throw closed_storage("the storage is closed", name_);
    if (!s.reader) throw backend_error("the database file moved and could not be opened again; the next write retries", name_);
    return *s.reader;
  }

  // Under write_mutex. If the database file was deleted or renamed since it
  // was opened, writes would go to a file nobody can open again: both
  // connections are reopened first, on a new file at the path (one stat per
  // write; a failed reopen is tried again by the next write).
  sqlite_writer& writer(shared& s) {
    if (s.closed) throw closed_storage("the storage is closed", name_);
    if (!s.writer || !s.reader || s.writer->file_moved()) {
      std::lock_guard<std::mutex> g(s.read_mutex);
      s.log.clear();
      s.open();
    }
    return *s.writer;
  }

  // A write transaction running `body` after the log of reads is applied,
  // then evicting down to the limits. A body of one statement with nothing
  // else to do runs alone (autocommit), sparing BEGIN and COMMIT.
  template <class Body>
  void write(const Body& body, bool one_statement, bool grows = false) {
    with_writer([&](shared& s, sqlite_writer& w) { write_locked(s, w, body, one_statement, grows); });
  }

  // Runs body(s, writer) under write_mutex; with a lock_wait, the waits for
  // the mutex and for another connection's lock are bounded by it in all.
  template <class Body>
  void with_writer(const Body& body) {
    shared& s = state();
    const sqlite_write_budget budget(lock_wait_);
    const auto g = budget.lock(s.write_mutex, name_);
    sqlite_writer& w = writer(s);
    budget.bound(w.db.get());
    body(s, w);
  }

  template <class Body>
  void write_locked(shared& s, sqlite_writer& w, const Body& body, bool one_statement, bool grows) {
    const bool evicts = grows && limited();
    auto taken = s.log.take();
    if (one_statement && !evicts && taken.first.empty() && taken.second.empty()) return body(w);
    try {
      sqlite_transaction t(w.begin, w.commit, w.rollback, name_);
      for (const auto& [key, at] : taken.first)
        sqlite_stmt::run(w.access, name_).blob(1, key).integer(2, at).execute();
      for (const auto& [key, at] : taken.second)
        sqlite_stmt::run(w.drop_expired, name_).blob(1, key).integer(2, at).execute();
      body(w);
      if (evicts) evict(w);
      t.commit();
    } catch (...) {
      s.log.restore(std::move(taken));
      throw;
    }
  }

  bool limited() const noexcept { return max_entries_ > 0 || max_bytes_ > 0; }

  static std::optional<std::int64_t> stored_deadline(time_point deadline) {
    const std::int64_t ns = to_unix_ns(deadline);
    if (ns == unix_ns_never) return std::nullopt;
    return ns;
  }

  // Access times increase strictly within a store, so the eviction order
  // of this process's uses never ties.
  static std::int64_t next_access(shared& s) {
    const std::int64_t wall = wall_unix_ns();
    std::int64_t last = s.last_access.load(std::memory_order_relaxed), next = 0;
    do {
      next = std::max(wall, last + 1);
    } while (!s.last_access.compare_exchange_weak(last, next, std::memory_order_relaxed));
    return next;
  }

  void put(sqlite_writer& w, std::string_view key, std::string_view value, time_point deadline) {
    sqlite_stmt::run(w.put, name_)
        .blob(1, key)
        .blob(2, value)
        .maybe(3, stored_deadline(deadline))
        .integer(4, next_access(*shared_))
        .integer(5, static_cast<std::int64_t>(key.size() + value.size()))
        .execute();
  }

  table_stats read_stats() const {
    shared& s = state();
    std::lock_guard<std::mutex> g(s.read_mutex);
    return stats(reader(s).stats);
  }

  table_stats stats(const sqlite_stmt& statement) const {
    sqlite_stmt::run q(statement, name_);
    if (!q.text(1, shared_->params.table).step()) return {};
    return {std::max<std::int64_t>(q.integer(0), 0), std::max<std::int64_t>(q.integer(1), 0)};
  }

  // Inside a write transaction: deletes the least recently accessed rows
  // until the table is within max_entries and max_bytes. The counts are
  // read from the file, which another program may have written anything
  // into: the arithmetic saturates, and a negative size frees nothing.
  void evict(sqlite_writer& w) {
    const auto minus = [](std::int64_t a, std::int64_t b) {
      std::int64_t out = 0;
      return __builtin_sub_overflow(a, b, &out) ? (a < 0 ? INT64_MIN : INT64_MAX) : out;
    };
    const table_stats now = stats(w.stats);
    const std::int64_t extra_entries = max_entries_ > 0 ? minus(now.entries, max_entries_) : 0;
    const std::int64_t extra_bytes = max_bytes_ > 0 ? minus(now.bytes, max_bytes_) : 0;
    if (extra_entries <= 0 && extra_bytes <= 0) return;
    std::int64_t rows = 0, freed = 0;
    {
      sqlite_stmt::run q(w.oldest, name_);
      while ((rows < extra_entries || freed < extra_bytes) && q.step()) {
        ++rows;
        if (__builtin_add_overflow(freed, std::max<std::int64_t>(q.integer(0), 0), &freed)) freed = INT64_MAX;
      }
    }
    sqlite_stmt::run(w.evict, name_).integer(1, rows).execute();
  }

  std::string name_;
  std::int64_t max_entries_;
  std::int64_t max_bytes_;
  std::optional<std::chrono::nanoseconds> lock_wait_;  // fail-open: each write's bound in all
  std::unique_ptr<shared> shared_;
};

}  // namespace cachet::detail
