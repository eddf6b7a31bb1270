// cachet/storage/sqlite/connections.hpp: the two connections of a
// cachet::sqlite store, each with the statements it runs, prepared once.
//
// Reads and writes go through different connections, each used under its
// own mutex: in WAL mode a reader never waits for a writer, so while one
// thread's write waits for another process's write lock, the other threads'
// hits go on, on the reader (except hits that renew their entry, under
// expire_after_access: a renewal is a write).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <cachet/storage/sqlite/handle.hpp>
#include <cachet/storage/sqlite/schema.hpp>

namespace cachet::detail {

//! What opening a connection needs to know.
struct sqlite_open_params {
  std::string path;
  std::string table;
  bool limited = false;
  int busy_ms = 0;
  std::string where;  // the store's name, for errors
};

//! The connection that reads: get, contains, get_many, counts.
struct sqlite_reader {
  explicit sqlite_reader(const sqlite_open_params& p) : db(p.path, p.where), sql(p.table), where(p.where) {
    sqlite3_busy_timeout(db.get(), p.busy_ms);
    get = prepare(sql.get);
    contains = prepare(sql.contains);
    stats = prepare(sql.stats);
    count_live = prepare(sql.count_live);
    begin = prepare("BEGIN");
    commit = prepare("COMMIT");
    rollback = prepare("ROLLBACK");
  }

  //! The `key IN` statement for n keys: the one of the next power of two
  //! parameters (prepared on first use); parameters left unbound are NULL
  //! and match nothing.
  const sqlite_stmt& get_in(std::size_t n) {
    std::size_t k = 0;
    while ((std::size_t{1} << k) < n) ++k;
    if (get_in_.size() <= k) get_in_.resize(k + 1);
    if (!get_in_[k]) get_in_[k] = prepare(sql.get_in(std::size_t{1} << k));
    return get_in_[k];
  }

  sqlite_db db;  // first: destroyed after the statements
  sqlite_sql sql;
  const std::string& where;
  sqlite_stmt get, contains, stats, count_live, begin, commit, rollback;

 private:
  sqlite_stmt prepare(std::string_view text) const { return sqlite_stmt(db, text, where); }

  std::vector<sqlite_stmt> get_in_;  // [k]: 2^k parameters
};

//! The connection that writes; it also makes (or migrates) the schema.
struct sqlite_writer {
  explicit sqlite_writer(const sqlite_open_params& p) : db(p.path, p.where), sql(p.table), where(p.where) {
    sqlite_open_schema(db, p.table, p.limited, p.busy_ms, where);
    drop_expired = prepare(sql.drop_expired);
    access = prepare(sql.access);
    put = prepare(sql.put);
    erase = prepare(sql.erase);
    touch = prepare(sql.touch);
    stats = prepare(sql.stats);
    erase_expired = prepare(sql.erase_expired);
    clear = prepare(sql.clear);
    if (p.limited) {
      oldest = prepare(sql.oldest);
      evict = prepare(sql.evict);
    }
    begin = prepare("BEGIN IMMEDIATE");
    commit = prepare("COMMIT");
    rollback = prepare("ROLLBACK");
  }

  //! True if the file was deleted or renamed since it was opened: writes
  //! would then go to a file nobody can open again.
  bool file_moved() const noexcept {
    int moved = 0;
    return sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved != 0;
  }

  sqlite_db db;  // first: destroyed after the statements
  sqlite_sql sql;
  const std::string& where;
  sqlite_stmt drop_expired, access, put, erase, touch, stats, erase_expired, clear, oldest, evict, begin, commit,
      rollback;

 private:
  sqlite_stmt prepare(std::string_view text) const { return sqlite_stmt(db, text, where); }
};

}  // namespace cachet::detail
