// cachet/storage/sqlite/sqlite_store.hpp: the store of cachet::sqlite: one table of
// one SQLite file, through one connection and statements prepared once.
// Included by <cachet/storage/sqlite.hpp>; the schema is described in
// <cachet/storage/sqlite/schema.hpp>.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cachet/storage/sqlite/handle.hpp>
#include <cachet/storage/sqlite/schema.hpp>
#include <cachet/storage/common/unix_time.hpp>
#include <cachet/storage/common/wall_clock_maintenance.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/sqlite.hpp>

namespace cachet::detail {

class sqlite_store : public wall_clock_maintenance<sqlite_store> {
 public:
  using wall_clock_maintenance<sqlite_store>::count;
  using wall_clock_maintenance<sqlite_store>::clear;
  using key_type = std::string;
  using value_type = std::string;

  //! Opens (creating it and its directory if missing) the file and the table.
  explicit sqlite_store(const sqlite& policy)
      : name_("sqlite " + policy.path.string() + " table " + policy.table),
        max_entries_(static_cast<std::int64_t>(std::min<std::size_t>(policy.max_entries, INT64_MAX))),
        max_bytes_(static_cast<std::int64_t>(std::min<std::size_t>(policy.max_bytes, INT64_MAX))),
        table_(policy.table) {
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
    path_ = path.string();
    busy_ms_ = static_cast<int>(std::clamp<std::int64_t>(policy.busy_timeout.count(), 0, INT32_MAX));
    state_ = std::make_unique<state>(path_, table_, limited(), busy_ms_, name_);
  }

  std::optional<std::string> get(std::string_view key, time_point now) {
    state& s = live();
    const std::int64_t at = to_unix_ns(now);
    std::optional<std::string> out;
    {
      sqlite_stmt::run q(s.get, name_);
      if (!q.blob(1, key).step()) return std::nullopt;
      const auto expires = q.maybe(1);
      if (!expires || *expires > at) out.emplace(q.bytes(0));
    }
    if (!out) {  // expired: a miss, and reclaimed (unless rewritten meanwhile)
      sqlite_stmt::run(s.drop_expired, name_).blob(1, key).integer(2, at).execute();
      return out;
    }
    if (limited()) sqlite_stmt::run(s.access, name_).blob(1, key).integer(2, next_access(s)).execute();
    return out;
  }

  void set(std::string_view key, std::string_view value, time_point deadline) {
    state& s = writable();
    if (!limited()) return put(s, key, value, deadline);
    sqlite_transaction t(s.begin_write, s.commit, s.rollback, name_);
    put(s, key, value, deadline);
    evict(s);
    t.commit();
  }

  bool erase(std::string_view key) {
    return sqlite_stmt::run(writable().erase, name_).blob(1, key).execute() > 0;
  }

  bool contains(std::string_view key, time_point now) {
    sqlite_stmt::run q(live().contains, name_);
    return q.blob(1, key).integer(2, to_unix_ns(now)).step();
  }

  bool touch(std::string_view key, time_point now, time_point deadline) {
    state& s = writable();
    return sqlite_stmt::run(s.touch, name_)
               .blob(1, key)
               .integer(2, to_unix_ns(now))
               .maybe(3, stored_deadline(deadline))
               .integer(4, next_access(s))
               .execute() > 0;
  }

  //! The live entries among `keys`, read in one transaction with one
  //! statement per chunk of keys (`key IN (...)`). Expired rows found are
  //! deleted afterwards.
  std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, time_point now) {
    state& s = live();
    const std::int64_t at = to_unix_ns(now);
    std::vector<std::optional<std::string>> out(keys.size());
    if (keys.empty()) return out;
    // Each distinct key is asked once; repeats copy the first's result.
    boost::unordered_flat_map<std::string_view, std::size_t> first;
    std::vector<std::string_view> distinct;
    first.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (first.try_emplace(keys[i], i).second) distinct.push_back(keys[i]);

    std::vector<std::string_view> expired;
    {
      sqlite_transaction t(limited() ? s.begin_write : s.begin_read, s.commit, s.rollback, name_);
      for (std::size_t from = 0; from < distinct.size(); from += max_chunk) {
        const std::size_t n = std::min(max_chunk, distinct.size() - from);
        sqlite_stmt::run q(in_statement(s, n), name_);
        q.clear_bindings();
        for (std::size_t j = 0; j < n; ++j) q.blob(static_cast<int>(j + 1), distinct[from + j]);
        while (q.step()) {
          const auto it = first.find(q.bytes(0));
          if (it == first.end()) continue;
          if (const auto expires = q.maybe(2); expires && *expires <= at)
            expired.push_back(keys[it->second]);
          else
            out[it->second].emplace(q.bytes(1));
        }
      }
      if (limited()) {
        const std::int64_t access = next_access(s);
        for (const auto& [key, index] : first)
          if (out[index]) sqlite_stmt::run(s.access, name_).blob(1, key).integer(2, access).execute();
        drop_expired(s, expired, at);
      }
      t.commit();
    }
    if (!expired.empty() && !limited()) {  // a write: its own transaction, never an upgraded read
      sqlite_transaction t(s.begin_write, s.commit, s.rollback, name_);
      drop_expired(s, expired, at);
      t.commit();
    }
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (const std::size_t j = first.find(std::string_view(keys[i]))->second; j != i) out[i] = out[j];
    return out;
  }

  //! Writes every entry in one transaction (all or none).
  void set_many(std::span<entry<std::string, std::string>> entries) {
    state& s = writable();
    if (entries.empty()) return;
    sqlite_transaction t(s.begin_write, s.commit, s.rollback, name_);
    for (const auto& e : entries) put(s, e.key, e.value, e.deadline);
    if (limited()) evict(s);
    t.commit();
  }

  //! Erases every key in one transaction; true where a row was removed.
  std::vector<bool> erase_many(std::span<const std::string> keys) {
    state& s = writable();
    std::vector<bool> out;
    out.reserve(keys.size());
    if (keys.empty()) return out;
    sqlite_transaction t(s.begin_write, s.commit, s.rollback, name_);
    for (const auto& key : keys) out.push_back(sqlite_stmt::run(s.erase, name_).blob(1, key).execute() > 0);
    t.commit();
    return out;
  }

  //! Rows in the table, expired ones not yet reclaimed included. O(1).
  std::size_t size() const { return static_cast<std::size_t>(stats().entries); }
  //! Bytes of keys and values in the table, as the max_bytes limit counts them. O(1).
  std::size_t bytes() const { return static_cast<std::size_t>(stats().bytes); }

  //! Live rows at `now` (scans the table).
  std::size_t count(time_point now) const {
    sqlite_stmt::run q(live().count_live, name_);
    q.integer(1, to_unix_ns(now)).step();
    return static_cast<std::size_t>(q.integer(0));
  }

  //! Deletes the rows expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    return static_cast<std::size_t>(
        sqlite_stmt::run(writable().erase_expired, name_).integer(1, to_unix_ns(now)).execute());
  }

  void clear() { sqlite_stmt::run(writable().clear, name_).execute(); }

  //! "sqlite <path> table <table>": the prefix of every error's message.
  const std::string& name() const noexcept { return name_; }

  //! Closes the connection; any later use throws cachet::closed_storage.
  void close() noexcept { state_.reset(); }

 private:
  struct state {
    state(const std::string& path, const std::string& table, bool limited, int busy_ms, const std::string& where)
        : db(path, where), sql(table) {
      sqlite_open_schema(db, table, limited, busy_ms, where);
      const auto prepare = [&](const std::string& text) { return sqlite_stmt(db, text, where); };
      get = prepare(sql.get);
      drop_expired = prepare(sql.drop_expired);
      access = prepare(sql.access);
      put = prepare(sql.put);
      erase = prepare(sql.erase);
      contains = prepare(sql.contains);
      touch = prepare(sql.touch);
      stats = prepare(sql.stats);
      count_live = prepare(sql.count_live);
      erase_expired = prepare(sql.erase_expired);
      clear = prepare(sql.clear);
      if (limited) {
        oldest = prepare(sql.oldest);
        evict = prepare(sql.evict);
      }
      begin_read = prepare("BEGIN");
      begin_write = prepare("BEGIN IMMEDIATE");
      commit = prepare("COMMIT");
      rollback = prepare("ROLLBACK");
    }

    sqlite_db db;  // first: destroyed after the statements
    sqlite_sql sql;
    sqlite_stmt get, drop_expired, access, put, erase, contains, touch, stats, count_live, erase_expired, clear,
        oldest, evict, begin_read, begin_write, commit, rollback;
    std::vector<sqlite_stmt> get_in;  // [k]: `key IN` of 2^k parameters, prepared on first use
    std::int64_t last_access = 0;
  };

  struct table_stats {
    std::int64_t entries = 0, bytes = 0;
  };

  // Keys per `key IN (...)` statement: a power of two, within SQLite's
  // default limit of 32766 parameters.
  static constexpr std::size_t max_chunk = 512;

  state& live() const {
    if (!state_) throw closed_storage("the storage is closed (or was moved from)", name_);
    return *state_;
  }

  // The connection for a write. If the database file was deleted or
  // renamed since it was opened, writes would go to a file nobody can open
  // again: the connection is reopened first, on a new file at the path (one
  // stat per write; reads keep the connection they have).
  state& writable() {
    state& s = live();
    int moved = 0;
    if (sqlite3_file_control(s.db.get(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
      state_.reset();  // close the old file before the new one is made
      state_ = std::make_unique<state>(path_, table_, limited(), busy_ms_, name_);
    }
    return *state_;
  }

  bool limited() const noexcept { return max_entries_ > 0 || max_bytes_ > 0; }

  static std::optional<std::int64_t> stored_deadline(time_point deadline) {
    const std::int64_t ns = to_unix_ns(deadline);
    if (ns == unix_ns_never) return std::nullopt;
    return ns;
  }

  // Access times increase strictly within a connection, so the eviction
  // order of this process's uses never ties.
  static std::int64_t next_access(state& s) {
    s.last_access = std::max(wall_unix_ns(), s.last_access + 1);
    return s.last_access;
  }

  void put(state& s, std::string_view key, std::string_view value, time_point deadline) {
    sqlite_stmt::run(s.put, name_)
        .blob(1, key)
        .blob(2, value)
        .maybe(3, stored_deadline(deadline))
        .integer(4, next_access(s))
        .integer(5, static_cast<std::int64_t>(key.size() + value.size()))
        .execute();
  }

  void drop_expired(state& s, const std::vector<std::string_view>& keys, std::int64_t at) {
    for (const auto key : keys) sqlite_stmt::run(s.drop_expired, name_).blob(1, key).integer(2, at).execute();
  }

  // The `key IN` statement for n keys: the one of the next power of two
  // parameters; the parameters left unbound are NULL and match nothing.
  const sqlite_stmt& in_statement(state& s, std::size_t n) const {
    std::size_t k = 0;
    while ((std::size_t{1} << k) < n) ++k;
    if (s.get_in.size() <= k) s.get_in.resize(k + 1);
    if (!s.get_in[k]) s.get_in[k] = sqlite_stmt(s.db, s.sql.get_in(std::size_t{1} << k), name_);
    return s.get_in[k];
  }

  table_stats stats() const {
    sqlite_stmt::run q(live().stats, name_);
    if (!q.text(1, table_).step()) return {};
    return {q.integer(0), q.integer(1)};
  }

  // Inside a write transaction: deletes the least recently accessed rows
  // until the table is within max_entries and max_bytes.
  void evict(state& s) {
    const table_stats now = stats();
    const std::int64_t extra_entries = max_entries_ > 0 ? now.entries - max_entries_ : 0;
    const std::int64_t extra_bytes = max_bytes_ > 0 ? now.bytes - max_bytes_ : 0;
    if (extra_entries <= 0 && extra_bytes <= 0) return;
    std::int64_t rows = 0, freed = 0;
    {
      sqlite_stmt::run q(s.oldest, name_);
      while ((rows < extra_entries || freed < extra_bytes) && q.step()) {
        ++rows;
        freed += q.integer(0);
      }
    }
    sqlite_stmt::run(s.evict, name_).integer(1, rows).execute();
  }

  std::string name_;
  std::int64_t max_entries_;
  std::int64_t max_bytes_;
  std::string table_;
  std::string path_;
  int busy_ms_ = 0;
  std::unique_ptr<state> state_;
};

}  // namespace cachet::detail
