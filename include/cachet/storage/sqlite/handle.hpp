// cachet/storage/sqlite/handle.hpp: move-only RAII owners of a SQLite
// connection (sqlite_db) and of a prepared statement (sqlite_stmt), a scoped
// transaction, and the one place SQLite result codes become
// cachet::backend_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <sqlite3.h>

#include <cachet/errors.hpp>

namespace cachet::detail {

//! Throws backend_error: "<what>: <sqlite message> (<code>)", from `where`
//! (the storage's name, which holds the path).
[[noreturn]] inline void sqlite_fail(sqlite3* db, int rc, std::string_view what, const std::string& where) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (";
  message += sqlite3_errstr(rc);
  message += ", code " + std::to_string(rc) + ")";
  throw backend_error(message, where);
}

//! An open connection; closed by the destructor.
class sqlite_db {
 public:
  sqlite_db() = default;

  //! Opens (creating if missing) `path` read-write. Throws backend_error.
  sqlite_db(const std::string& path, const std::string& where) {
    constexpr int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw backend_error("cannot open the database file: " + message, where);
    }
    sqlite3_extended_result_codes(db_, 1);
  }

  sqlite_db(sqlite_db&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  sqlite_db& operator=(sqlite_db&& other) noexcept {
    std::swap(db_, other.db_);
    return *this;
  }
  // close_v2: statements finalized later still close the connection cleanly.
  ~sqlite_db() { sqlite3_close_v2(db_); }

  sqlite3* get() const noexcept { return db_; }

  //! Runs SQL without results (one or several statements). Throws backend_error.
  void exec(const std::string& sql, const std::string& where) const {
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) sqlite_fail(db_, rc, "cannot run \"" + sql.substr(0, 60) + "\"", where);
  }

 private:
  sqlite3* db_ = nullptr;
};

//! A prepared statement, prepared once and reused: bind, step, and reset
//! (done by the scope guard `run`, so that an exception never leaves a
//! statement holding a read snapshot or a lock).
class sqlite_stmt {
 public:
  sqlite_stmt() = default;
  sqlite_stmt(const sqlite_db& db, std::string_view sql, const std::string& where) : db_(db.get()) {
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt_, nullptr);
    if (rc != SQLITE_OK) sqlite_fail(db_, rc, "cannot prepare \"" + std::string(sql.substr(0, 60)) + "\"", where);
  }
  sqlite_stmt(sqlite_stmt&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}
  sqlite_stmt& operator=(sqlite_stmt&& other) noexcept {
    std::swap(db_, other.db_);
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~sqlite_stmt() { sqlite3_finalize(stmt_); }

  explicit operator bool() const noexcept { return stmt_ != nullptr; }

  //! One execution of the statement: binds, steps, reads columns; resets the
  //! statement when it goes out of scope. Parameters are 1-based, columns 0-based.
  class run {
   public:
    run(const sqlite_stmt& s, const std::string& where) : db_(s.db_), stmt_(s.stmt_), where_(where) {}
    run(const run&) = delete;
    run& operator=(const run&) = delete;
    ~run() { sqlite3_reset(stmt_); }

    run& blob(int i, std::string_view bytes) {
      // data() of an empty string_view may be null, which binds NULL: bind "" instead.
      const char* data = bytes.data() != nullptr ? bytes.data() : "";
      return check(sqlite3_bind_blob64(stmt_, i, data, bytes.size(), SQLITE_STATIC));
    }
    run& text(int i, std::string_view chars) {
      const char* data = chars.data() != nullptr ? chars.data() : "";
      return check(sqlite3_bind_text64(stmt_, i, data, chars.size(), SQLITE_STATIC, SQLITE_UTF8));
    }
    run& integer(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    run& null(int i) { return check(sqlite3_bind_null(stmt_, i)); }
    //! An integer, or NULL when `v` is empty.
    run& maybe(int i, std::optional<std::int64_t> v) { return v ? integer(i, *v) : null(i); }
    run& clear_bindings() {
      sqlite3_clear_bindings(stmt_);
      return *this;
    }

    //! Steps once: true if a row is ready, false when done. Throws backend_error.
    bool step() {
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      sqlite_fail(db_, rc, "cannot run \"" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + "\"", where_);
    }
    //! Steps to the end; returns the rows the statement itself changed.
    std::int64_t execute() {
      while (step()) {
      }
      return sqlite3_changes(db_);
    }

    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    std::optional<std::int64_t> maybe(int col) const {
      if (is_null(col)) return std::nullopt;
      return integer(col);
    }
    //! A column's bytes, valid until the next step or the end of the run.
    std::string_view bytes(int col) const {
      const void* data = sqlite3_column_blob(stmt_, col);  // before column_bytes, as SQLite advises
      const int n = sqlite3_column_bytes(stmt_, col);
      if (data == nullptr || n <= 0) return {};
      return {static_cast<const char*>(data), static_cast<std::size_t>(n)};
    }

   private:
    run& check(int rc) {
      if (rc != SQLITE_OK) sqlite_fail(db_, rc, "cannot bind a parameter", where_);
      return *this;
    }

    sqlite3* db_;
    sqlite3_stmt* stmt_;
    const std::string& where_;
  };

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

//! A transaction begun by `begin` (BEGIN or BEGIN IMMEDIATE), rolled back
//! by the destructor unless commit() ran.
class sqlite_transaction {
 public:
  sqlite_transaction(const sqlite_stmt& begin, const sqlite_stmt& commit, const sqlite_stmt& rollback,
                     const std::string& where)
      : commit_(commit), rollback_(rollback), where_(where) {
    sqlite_stmt::run(begin, where_).execute();
  }
  sqlite_transaction(const sqlite_transaction&) = delete;
  sqlite_transaction& operator=(const sqlite_transaction&) = delete;
  ~sqlite_transaction() {
    if (open_) {
      try {
        sqlite_stmt::run(rollback_, where_).execute();
      } catch (...) {  // nothing better to do in a destructor: SQLite rolls back on close
      }
    }
  }

  void commit() {
    sqlite_stmt::run(commit_, where_).execute();
    open_ = false;
  }

 private:
  const sqlite_stmt& commit_;
  const sqlite_stmt& rollback_;
  const std::string& where_;
  bool open_ = true;
};

}  // namespace cachet::detail
