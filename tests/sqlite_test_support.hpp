// tests/sqlite_test_support.hpp: what the SQLite storage's tests share: a
// temporary directory, the SQLite C API bypassing cachet (what another
// program would see), and values that name the process that wrote them.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <sqlite3.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/sqlite.hpp>

#include "disk_test_support.hpp"

namespace sqlite_test {

namespace fs = std::filesystem;

struct temp_dir : cachet_test::temp_dir {
  temp_dir() : cachet_test::temp_dir("sqlite") {}
};

//! The SQLite C API, bypassing cachet: what another program would see.
struct raw_db {
  sqlite3* db = nullptr;
  explicit raw_db(const fs::path& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
  }
  raw_db(const raw_db&) = delete;
  ~raw_db() { sqlite3_close(db); }
  //! Runs `sql` with ?1 bound to `blob` if given; the first column of the first row, as text.
  std::string query(const std::string& sql, const std::string* blob = nullptr) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    if (blob != nullptr) sqlite3_bind_blob(s, 1, blob->data(), static_cast<int>(blob->size()), SQLITE_TRANSIENT);
    std::string out;
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr)
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    INFO(sql << ": " << sqlite3_errmsg(db));
    REQUIRE((rc == SQLITE_ROW || rc == SQLITE_DONE));
    return out;
  }
};

using store = cachet::detail::sqlite_store;
inline const cachet::time_point t0 = cachet::manual_clock{}.now();

inline std::string value_for(int process, int i) {
  return "process " + std::to_string(process) + " value " + std::to_string(i * 7);
}

}  // namespace sqlite_test
