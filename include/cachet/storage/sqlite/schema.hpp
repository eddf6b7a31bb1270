// cachet/storage/sqlite/schema.hpp: the schema of cachet::sqlite files, the
// SQL of every statement the store prepares, and opening a file (pragmas,
// schema creation, version check).
//
// Schema, version 1 (cachet_meta.schema_version):
//   cachet_meta(name TEXT PRIMARY KEY, value INTEGER)      'schema_version' -> 1
//   cachet_tables(name TEXT PRIMARY KEY, entries, bytes)   one row per cache
//                                                          table, kept by triggers
//   <table>(key BLOB PRIMARY KEY, value BLOB, expires_at INTEGER NULL,
//           accessed_at INTEGER, size INTEGER)
//     expires_at: ns since the Unix epoch (system_clock); NULL: never
//     accessed_at: ns since the epoch of the last write, touch, or (with a
//                  size limit) read; eviction order
//     size: bytes of key + value
//   <table>_cachet_insert / _delete / _update: triggers keeping cachet_tables
//   <table>_cachet_accessed: index on accessed_at, made when a limit is set
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include <cachet/storage/sqlite/handle.hpp>
#include <cachet/errors.hpp>

namespace cachet::detail {

inline constexpr std::int64_t sqlite_schema_version = 1;

//! `name` as an SQL identifier ("...") or string literal ('...').
inline std::string sqlite_quote(std::string_view name, char quote = '"') {
  std::string out(1, quote);
  for (const char c : name) {
    out += c;
    if (c == quote) out += quote;
  }
  out += quote;
  return out;
}

//! The SQL of the statements on one cache table.
struct sqlite_sql {
  explicit sqlite_sql(std::string_view table_name)
      : table(sqlite_quote(table_name)),
        get("SELECT value, expires_at FROM " + table + " WHERE key = ?1"),
        drop_expired("DELETE FROM " + table + " WHERE key = ?1 AND expires_at <= ?2"),
        access("UPDATE " + table + " SET accessed_at = ?2 WHERE key = ?1"),
        put("INSERT INTO " + table +
            "(key, value, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, "
            "accessed_at = excluded.accessed_at, size = excluded.size"),
        erase("DELETE FROM " + table + " WHERE key = ?1"),
        contains("SELECT 1 FROM " + table + " WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?2)"),
        touch("UPDATE " + table +
              " SET expires_at = ?3, accessed_at = ?4 WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?2)"),
        stats("SELECT entries, bytes FROM cachet_tables WHERE name = ?1"),
        count_live("SELECT COUNT(*) FROM " + table + " WHERE expires_at IS NULL OR expires_at > ?1"),
        erase_expired("DELETE FROM " + table + " WHERE expires_at <= ?1"),
        clear("DELETE FROM " + table),
        oldest("SELECT size FROM " + table + " ORDER BY accessed_at, rowid"),
        evict("DELETE FROM " + table + " WHERE rowid IN (SELECT rowid FROM " + table +
              " ORDER BY accessed_at, rowid LIMIT ?1)") {}

  //! SELECT of the rows whose key is one of `n` parameters.
  std::string get_in(std::size_t n) const {
    std::string sql = "SELECT key, value, expires_at FROM " + table + " WHERE key IN (";
    for (std::size_t i = 1; i <= n; ++i) sql += (i == 1 ? "?" : ",?") + std::to_string(i);
    return sql + ")";
  }

  std::string table;
  std::string get, drop_expired, access, put, erase, contains, touch, stats, count_live, erase_expired, clear,
      oldest, evict;
};

//! Sets the connection up and makes or checks the schema of `table_name`.
//! Throws backend_error (from `where`) on a file that is not a database, a
//! schema version other than ours, or any SQLite failure.
inline void sqlite_open_schema(const sqlite_db& db, std::string_view table_name, bool limited,
                               int busy_timeout_ms, const std::string& where) {
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  {
    // The first read of the file: a file that is not SQLite fails here.
    // Switching to WAL needs a lock that SQLite does not wait for with the
    // busy handler: while another connection opens the same new file it
    // answers SQLITE_BUSY at once, so retry, with a short backoff, for up to
    // busy_timeout.
    const sqlite_stmt wal(db, "PRAGMA journal_mode = WAL", where);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
      try {
        sqlite_stmt::run(wal, where).execute();
        break;
      } catch (const backend_error&) {
        const int rc = sqlite3_errcode(db.get()) & 0xff;
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= give_up) throw;
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
  }
  db.exec("PRAGMA synchronous = NORMAL", where);

  const sqlite_stmt begin(db, "BEGIN IMMEDIATE", where), commit(db, "COMMIT", where),
      rollback(db, "ROLLBACK", where);
  sqlite_transaction transaction(begin, commit, rollback, where);
  db.exec("CREATE TABLE IF NOT EXISTS cachet_meta(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)", where);
  {
    sqlite_stmt version(db, "SELECT value FROM cachet_meta WHERE name = 'schema_version'", where);
    sqlite_stmt::run read(version, where);
    if (read.step()) {
      const std::int64_t found = read.integer(0);
      if (found != sqlite_schema_version)
        throw backend_error("the file holds the cachet schema version " + std::to_string(found) +
                                "; this cachet reads version " + std::to_string(sqlite_schema_version) +
                                " only (use another file, or delete this one)",
                            where);
    } else {
      db.exec("INSERT INTO cachet_meta(name, value) VALUES ('schema_version', " +
                  std::to_string(sqlite_schema_version) + ")",
              where);
    }
  }
  const std::string table = sqlite_quote(table_name);
  const std::string literal = sqlite_quote(table_name, '\'');
  const auto object = [&](std::string_view suffix) {
    return sqlite_quote(std::string(table_name) + "_cachet_" + std::string(suffix));
  };
  const auto stats_update = [&](std::string_view set) {
    return "UPDATE cachet_tables SET " + std::string(set) + " WHERE name = " + literal + ";";
  };
  db.exec(
      "CREATE TABLE IF NOT EXISTS cachet_tables(name TEXT PRIMARY KEY NOT NULL, entries INTEGER NOT NULL, "
      "bytes INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS " + table +
          "(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL, expires_at INTEGER, "
          "accessed_at INTEGER NOT NULL, size INTEGER NOT NULL);"
          "CREATE TRIGGER IF NOT EXISTS " + object("insert") + " AFTER INSERT ON " + table + " BEGIN " +
          stats_update("entries = entries + 1, bytes = bytes + new.size") + " END;"
          "CREATE TRIGGER IF NOT EXISTS " + object("delete") + " AFTER DELETE ON " + table + " BEGIN " +
          stats_update("entries = entries - 1, bytes = bytes - old.size") + " END;"
          "CREATE TRIGGER IF NOT EXISTS " + object("update") + " AFTER UPDATE OF size ON " + table + " BEGIN " +
          stats_update("bytes = bytes - old.size + new.size") + " END;",
      where);
  {
    // The table's counts, made once (counting the rows only if they were never counted).
    sqlite_stmt known(db, "SELECT 1 FROM cachet_tables WHERE name = " + literal, where);
    if (!sqlite_stmt::run(known, where).step())
      db.exec("INSERT INTO cachet_tables(name, entries, bytes) SELECT " + literal +
                  ", COUNT(*), COALESCE(SUM(size), 0) FROM " + table,
              where);
  }
  if (limited)
    db.exec("CREATE INDEX IF NOT EXISTS " + object("accessed") + " ON " + table + "(accessed_at)", where);
  transaction.commit();
}

}  // namespace cachet::detail
