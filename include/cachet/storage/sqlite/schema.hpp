// cachet/storage/sqlite/schema.hpp: the schema of cachet::sqlite files, the
// SQL of every statement the store prepares, and opening a file (pragmas,
// schema creation, version check, migration).
//
// Schema, version 2 (cachet_meta.schema_version):
//   cachet_meta(name TEXT PRIMARY KEY, value INTEGER)      'schema_version' -> 2
//   cachet_tables(name TEXT PRIMARY KEY, entries, bytes)   one row per cache
//                                                          table, kept by triggers
//   <table>(key BLOB PRIMARY KEY, value BLOB, expires_at INTEGER NULL,
//           accessed_at INTEGER, size INTEGER) WITHOUT ROWID
//     WITHOUT ROWID: a lookup is one B-tree search (a rowid table with a
//     key index takes two), as the simplest hand-written cache table does
//     expires_at: ns since the Unix epoch (system_clock); NULL: never
//     accessed_at: ns since the epoch of the last write, touch, or (with a
//                  size limit) read; eviction order
//     size: bytes of key + value
//   <table>_cachet_insert / _delete / _update: triggers keeping cachet_tables
//   <table>_cachet_accessed: index on accessed_at, made when a limit is set
// Version 1 (the same tables with rowids) is migrated in place, in one
// transaction, by the first connection of a newer cachet that opens the file.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <cachet/storage/sqlite/handle.hpp>
#include <cachet/errors.hpp>

namespace cachet::detail {

inline constexpr std::int64_t sqlite_schema_version = 2;

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
        // Whether a row is live is decided in SQL everywhere, with one
        // predicate, so that a value of another type written into
        // expires_at by another program gets the same answer from get,
        // contains, touch and count (SQL orders any text after any number).
        get("SELECT value, " + live("?2") + " FROM " + table + " WHERE key = ?1"),
        drop_expired("DELETE FROM " + table + " WHERE key = ?1 AND NOT " + live("?2")),
        access("UPDATE " + table + " SET accessed_at = ?2 WHERE key = ?1"),
        put("INSERT INTO " + table +
            "(key, value, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, "
            "accessed_at = excluded.accessed_at, size = excluded.size"),
        erase("DELETE FROM " + table + " WHERE key = ?1"),
        contains("SELECT 1 FROM " + table + " WHERE key = ?1 AND " + live("?2")),
        touch("UPDATE " + table + " SET expires_at = ?3, accessed_at = ?4 WHERE key = ?1 AND " + live("?2")),
        stats("SELECT entries, bytes FROM cachet_tables WHERE name = ?1"),
        count_live("SELECT COUNT(*) FROM " + table + " WHERE " + live("?1")),
        erase_expired("DELETE FROM " + table + " WHERE NOT " + live("?1")),
        clear("DELETE FROM " + table),
        oldest("SELECT size FROM " + table + " ORDER BY accessed_at, key"),
        evict("DELETE FROM " + table + " WHERE key IN (SELECT key FROM " + table +
              " ORDER BY accessed_at, key LIMIT ?1)") {}

  //! SELECT of the rows whose key is one of `n` parameters (?2 ...), and
  //! whether each is live at ?1.
  std::string get_in(std::size_t n) const {
    std::string sql = "SELECT key, value, " + live("?1") + " FROM " + table + " WHERE key IN (";
    for (std::size_t i = 2; i <= n + 1; ++i) sql += (i == 2 ? "?" : ",?") + std::to_string(i);
    return sql + ")";
  }

  //! The row is live at the time in `at` (ns since the epoch).
  static std::string live(std::string_view at) {
    return "(expires_at IS NULL OR expires_at > " + std::string(at) + ")";
  }

  std::string table;
  std::string get, drop_expired, access, put, erase, contains, touch, stats, count_live, erase_expired, clear,
      oldest, evict;
};

//! The table of one cache and the triggers that keep its row of
//! cachet_tables (which this makes too, if missing).
inline std::string sqlite_table_ddl(std::string_view table_name) {
  const std::string table = sqlite_quote(table_name);
  const std::string literal = sqlite_quote(table_name, '\'');
  const auto object = [&](std::string_view suffix) {
    return sqlite_quote(std::string(table_name) + "_cachet_" + std::string(suffix));
  };
  const auto stats_update = [&](std::string_view set) {
    return "UPDATE cachet_tables SET " + std::string(set) + " WHERE name = " + literal + ";";
  };
  return "CREATE TABLE IF NOT EXISTS cachet_tables(name TEXT PRIMARY KEY NOT NULL, entries INTEGER NOT NULL, "
         "bytes INTEGER NOT NULL);"
         "CREATE TABLE IF NOT EXISTS " + table +
         "(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL, expires_at INTEGER, "
         "accessed_at INTEGER NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID;"
         "CREATE TRIGGER IF NOT EXISTS " + object("insert") + " AFTER INSERT ON " + table + " BEGIN " +
         stats_update("entries = entries + 1, bytes = bytes + new.size") + " END;"
         "CREATE TRIGGER IF NOT EXISTS " + object("delete") + " AFTER DELETE ON " + table + " BEGIN " +
         stats_update("entries = entries - 1, bytes = bytes - old.size") + " END;"
         "CREATE TRIGGER IF NOT EXISTS " + object("update") + " AFTER UPDATE OF size ON " + table + " BEGIN " +
         stats_update("bytes = bytes - old.size + new.size") + " END;";
}

//! The index on access times that eviction walks (tables with a limit).
inline std::string sqlite_index_ddl(std::string_view table_name) {
  return "CREATE INDEX IF NOT EXISTS " + sqlite_quote(std::string(table_name) + "_cachet_accessed") + " ON " +
         sqlite_quote(table_name) + "(accessed_at)";
}

//! cachet_meta's schema_version; 0 when the file has none yet.
inline std::int64_t sqlite_read_schema_version(const sqlite_db& db, const std::string& where) {
  const sqlite_stmt version(db, "SELECT value FROM cachet_meta WHERE name = 'schema_version'", where);
  sqlite_stmt::run read(version, where);
  return read.step() ? read.integer(0) : 0;
}

//! Inside the opening transaction: rebuilds every table of a version 1
//! file (listed in cachet_tables) as a WITHOUT ROWID table, rows, counts
//! and access index kept.
inline void sqlite_migrate_from_v1(const sqlite_db& db, const std::string& where) {
  std::vector<std::string> tables;
  {
    const sqlite_stmt list(db, "SELECT name FROM cachet_tables", where);
    sqlite_stmt::run q(list, where);
    while (q.step()) tables.emplace_back(q.bytes(0));
  }
  for (const std::string& name : tables) {
    const std::string index = name + "_cachet_accessed";
    bool indexed = false;
    {
      const sqlite_stmt find(db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1", where);
      indexed = sqlite_stmt::run(find, where).text(1, index).step();
    }
    const std::string table = sqlite_quote(name), moved = sqlite_quote(name + "_cachet_v1");
    // Renamed away (its triggers follow it and are dropped with it, without
    // firing); the new table's triggers count only rows inserted after the
    // copy, so the copy goes in before they exist.
    db.exec("ALTER TABLE " + table + " RENAME TO " + moved + ";"
            "CREATE TABLE " + table + "(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL, expires_at INTEGER, "
            "accessed_at INTEGER NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID;"
            "INSERT INTO " + table + " SELECT key, value, expires_at, accessed_at, size FROM " + moved + ";"
            "DROP TABLE " + moved + ";" + sqlite_table_ddl(name),
            where);
    if (indexed) db.exec(sqlite_index_ddl(name), where);
  }
}

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
  const std::int64_t found = sqlite_read_schema_version(db, where);
  if (found == 1) {
    sqlite_migrate_from_v1(db, where);
  } else if (found != 0 && found != sqlite_schema_version) {
    throw backend_error("the file holds the cachet schema version " + std::to_string(found) +
                            "; this cachet reads version " + std::to_string(sqlite_schema_version) +
                            " (and migrates version 1) only: use another file, or delete this one",
                        where);
  }
  if (found != sqlite_schema_version)
    db.exec("INSERT OR REPLACE INTO cachet_meta(name, value) VALUES ('schema_version', " +
                std::to_string(sqlite_schema_version) + ")",
            where);
  const std::string table = sqlite_quote(table_name);
  const std::string literal = sqlite_quote(table_name, '\'');
  db.exec(sqlite_table_ddl(table_name), where);
  {
    // The table's counts, made once (counting the rows only if they were never counted).
    sqlite_stmt known(db, "SELECT 1 FROM cachet_tables WHERE name = " + literal, where);
    if (!sqlite_stmt::run(known, where).step())
      db.exec("INSERT INTO cachet_tables(name, entries, bytes) SELECT " + literal +
                  ", COUNT(*), COALESCE(SUM(size), 0) FROM " + table,
              where);
  }
  if (limited) db.exec(sqlite_index_ddl(table_name), where);
  transaction.commit();
}

}  // namespace cachet::detail
