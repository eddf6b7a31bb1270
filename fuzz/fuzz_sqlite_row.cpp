// fuzz/fuzz_sqlite_row.cpp: libFuzzer target for the SQLite store's read
// path. Whoever can write the database file can put any SQLite type in any
// column of a cache table's row: each input (sqlite_row_input.hpp) is such
// a row, written with the SQLite C API under the key of f(1), next to a
// sound row of f(2). Then get, get_many, contains, touch, count, size,
// bytes, a write (with a size limit: an eviction), f(1) and erase_expired
// run through the memoized function and its storage(). Any outcome but a
// value, a miss or a cachet::error (a crash, a sanitizer report, another
// exception) is a finding.
//
// Only the public API and the cache table's column names (key, value,
// expires_at, accessed_at, size) are used. The database stays open across
// inputs (opening it per input would be most of the time); each input
// empties its table first, so that it reproduces alone.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <sqlite3.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/sqlite.hpp>

#include "sqlite_row_input.hpp"

namespace {

using cachet_fuzz::sql_type;
using cachet_fuzz::sql_value;

// Two caches on one file: table "t" without a limit, table "l" with both
// limits, whose writes evict by the rows' accessed_at and size.
auto make_cache(const std::filesystem::path& db, const char* table, bool limited, cachet::manual_clock clock) {
  return cachet::memoize([](int x) { return "value " + std::to_string(x); },
                         cachet::sqlite{.path = db,
                                        .table = table,
                                        .max_entries = limited ? 2u : 0u,
                                        .max_bytes = limited ? 4096u : 0u},
                         clock);
}
using cache = decltype(make_cache({}, "", false, cachet::manual_clock{}));

struct fixture {
  std::filesystem::path dir;
  cachet::manual_clock clock;
  cache unlimited;
  cache limited;
  sqlite3* raw = nullptr;  // the hostile writer's own connection

  static std::filesystem::path make_dir() {
    const auto dir = std::filesystem::temp_directory_path() / ("cachet-fuzz-sqlite-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
  }
  fixture()
      : dir(make_dir()),
        unlimited(make_cache(dir / "cache.db", "t", false, clock)),
        limited(make_cache(dir / "cache.db", "l", true, clock)) {
    if (sqlite3_open_v2((dir / "cache.db").c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) std::abort();
    sqlite3_busy_timeout(raw, 5000);
  }
  ~fixture() {
    sqlite3_close_v2(raw);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// The writer's statements may fail (a NOT NULL column given NULL, a table
// without counts): that is the writer's problem, not a finding.
void exec(sqlite3* db, const std::string& sql) { sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); }

void bind(sqlite3_stmt* s, int i, const sql_value& v) {
  switch (v.type) {
    case sql_type::blob: sqlite3_bind_blob64(s, i, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT); break;
    case sql_type::text:
      sqlite3_bind_text64(s, i, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    case sql_type::integer: sqlite3_bind_int64(s, i, v.integer()); break;
    case sql_type::real: sqlite3_bind_double(s, i, v.real()); break;
    case sql_type::null: sqlite3_bind_null(s, i); break;
  }
}

void write_row(sqlite3* db, const std::string& table, const std::string& key, const cachet_fuzz::sqlite_row_input& in) {
  sqlite3_stmt* s = nullptr;
  const std::string sql =
      "INSERT INTO " + table + "(key, value, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4, ?5)";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) std::abort();
  bind(s, 1, in.text_key ? sql_value{sql_type::text, key} : sql_value{sql_type::blob, key});
  bind(s, 2, in.value);
  bind(s, 3, in.expires_at);
  bind(s, 4, in.accessed_at);
  bind(s, 5, in.size);
  sqlite3_step(s);
  sqlite3_finalize(s);
}

cachet::time_point now_of(unsigned choice) {
  switch (choice) {
    case 0: return cachet::manual_clock{}.now();
    case 1: return cachet::time_point{};
    case 2: return cachet::time_point::min();
    default: return cachet::time_point::max();
  }
}

// Runs fn; a cachet::error is an allowed answer, anything else escapes.
template <class Fn>
void attempt(Fn&& fn) {
  try {
    fn();
  } catch (const cachet::error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fixture fx;
  const auto in = cachet_fuzz::sqlite_row_input::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  cache& f = in.limited ? fx.limited : fx.unlimited;
  const std::string table = in.limited ? "l" : "t";
  fx.clock.set(now_of(in.now));

  // A fresh table; counts kept beside it, if the schema has them, restarted
  // too, so that no earlier input's sizes linger.
  exec(fx.raw, "DELETE FROM " + table);
  exec(fx.raw, "UPDATE cachet_tables SET entries = 0, bytes = 0 WHERE name = '" + table + "'");
  attempt([&] { f.set(std::string("two"), 2); });
  write_row(fx.raw, table, f.key(1), in);

  const std::vector<std::string> keys{f.key(1), f.key(2), f.key(1)};
  attempt([&] { (void)f.storage().get_many(keys, fx.clock.now()); });
  attempt([&] { (void)f.get_many(std::vector<int>{1, 2}); });
  attempt([&] { (void)f.contains(1); });
  attempt([&] { (void)f.storage().count(fx.clock.now()); });
  attempt([&] { (void)f.storage().size(); });
  attempt([&] { (void)f.storage().bytes(); });
  attempt([&] { (void)f.get(1); });
  attempt([&] { (void)f.touch(1); });
  if (in.write_after) attempt([&] { f.set(std::string("three"), 3); });
  attempt([&] { (void)f(1); });
  attempt([&] { (void)f.storage().erase_expired(fx.clock.now()); });
  return 0;
}
