// tests/test_sqlite.cpp: cachet::sqlite: the conformance suite, the schema
// (sharing a file, version, bad files and paths), size limits, expiry,
// bad value bytes, and several processes on one file (fork).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/sqlite.hpp>

#include "disk_test_support.hpp"
#include "storage_conformance.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

using cachet_test::exit_code;
using cachet_test::message_of;
using cachet_test::spawn;

struct temp_dir : cachet_test::temp_dir {
  temp_dir() : cachet_test::temp_dir("sqlite") {}
};

// One file per fixture, one table per cache: the suite also shares a file.
template <std::size_t MaxEntries>
struct sqlite_fixture {
  static constexpr const char* name = MaxEntries == 0 ? "sqlite" : "sqlite with max_entries";
  temp_dir dir;
  int tables = 0;
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn),
                           cachet::sqlite{.path = dir.path / "cache.db", .table = "t" + std::to_string(++tables),
                                          .max_entries = MaxEntries},
                           clock, more...);
  }
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
const cachet::time_point t0 = cachet::manual_clock{}.now();

std::string value_for(int process, int i) {
  return "process " + std::to_string(process) + " value " + std::to_string(i * 7);
}

}  // namespace

CACHET_STORAGE_CONFORMANCE_TESTS(std::tuple<sqlite_fixture<0>, sqlite_fixture<1000>>)

TEST_CASE("sqlite: models the store concepts", "[sqlite]") {
  STATIC_REQUIRE(cachet::bulk_store<store>);
  STATIC_REQUIRE(std::is_nothrow_move_constructible_v<store>);
  temp_dir dir;
  auto f = cachet::memoize([](int x) { return x; }, cachet::sqlite{.path = dir.path / "a.db"});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::coder_type, cachet::cereal_binary>);
  STATIC_REQUIRE(std::is_same_v<decltype(f)::key_policy_type, cachet::text_key>);
  CHECK(f.storage().name() == "sqlite " + (dir.path / "a.db").string() + " table cachet");
}

TEST_CASE("sqlite: entries outlive the store; functions share a file, one table each", "[sqlite]") {
  temp_dir dir;
  const fs::path path = dir.path / "sub" / "dir" / "shared.db";  // directories are created
  int calls = 0;
  const auto square = [&calls](int x) { ++calls; return x * x; };
  const auto name = [&calls](std::string s) { ++calls; return s + "!"; };
  {
    auto f = cachet::memoize(square, cachet::sqlite{.path = path, .table = "square"});
    auto g = cachet::memoize(name, cachet::sqlite{.path = path, .table = "name"});
    CHECK(f(3) == 9);
    CHECK(g("x") == "x!");
    g.set("set", "y");
    CHECK(f.storage().size() == 1u);
    CHECK(g.storage().size() == 2u);
  }
  auto f = cachet::memoize(square, cachet::sqlite{.path = path, .table = "square"});
  auto g = cachet::memoize(name, cachet::sqlite{.path = path, .table = "name"});
  CHECK(f.get(3) == std::optional<int>(9));
  CHECK(g("y") == "set");
  CHECK(calls == 2);
  f.storage().clear();
  CHECK(f.storage().size() == 0u);
  CHECK(g.storage().size() == 2u);  // the other table is untouched
  raw_db raw(path);
  CHECK(raw.query("PRAGMA journal_mode") == "wal");
  CHECK(raw.query("SELECT value FROM cachet_meta WHERE name = 'schema_version'") == "1");
  CHECK(raw.query("SELECT COUNT(*) FROM name") == "2");
  CHECK(raw.query("SELECT entries FROM cachet_tables WHERE name = 'name'") == "2");
}

TEST_CASE("sqlite: bad files and paths are backend_errors naming the path", "[sqlite][bad input]") {
  temp_dir dir;
  const fs::path db = dir.path / "cache.db";
  const auto open = [](fs::path p) { return [p] { store s(cachet::sqlite{.path = p}); }; };

  SECTION("a schema version this cachet does not read") {
    { store s(cachet::sqlite{.path = db}); }
    raw_db(db).query("UPDATE cachet_meta SET value = 2 WHERE name = 'schema_version'");
    CHECK_THAT(message_of<cachet::backend_error>(open(db)),
               Contains(db.string()) && Contains("schema version 2") && Contains("reads version 1"));
    CHECK(raw_db(db).query("SELECT value FROM cachet_meta") == "2");  // left as it was
  }
  SECTION("a file that is not SQLite") {
    std::ofstream(db) << std::string(2000, 'x');
    CHECK_THAT(message_of<cachet::backend_error>(open(db)), Contains(db.string()) && Contains("not a database"));
    CHECK(fs::file_size(db) == 2000u);  // not overwritten
  }
  SECTION("a directory under a regular file") {
    std::ofstream(dir.path / "file") << "x";
    const fs::path bad = dir.path / "file" / "sub" / "cache.db";
    CHECK_THAT(message_of<cachet::backend_error>(open(bad)), Contains(bad.string()));
  }
  SECTION("a path that is a directory") {
    CHECK_THAT(message_of<cachet::backend_error>(open(dir.path)), Contains(dir.path.string()));
  }
  SECTION("a path under /proc") {
    const fs::path bad = "/proc/cachet-no-such-dir/cache.db";
    CHECK_THAT(message_of<cachet::backend_error>(open(bad)), Contains(bad.string()));
  }
  SECTION("a bad table name or no path") {
    CHECK_THROWS_AS(store(cachet::sqlite{.path = db, .table = ""}), std::invalid_argument);
    CHECK_THROWS_AS(store(cachet::sqlite{.path = db, .table = "cachet_meta"}), std::invalid_argument);
    CHECK_THROWS_AS(store(cachet::sqlite{}), std::invalid_argument);
  }
  SECTION("odd table names are quoted") {
    store s(cachet::sqlite{.path = db, .table = "a \"quoted\" 'name'; DROP TABLE x"});
    s.set("k", "v", cachet::no_deadline);
    CHECK(s.get("k", t0) == std::optional<std::string>("v"));
  }
}

TEST_CASE("sqlite: under fail_open a file that cannot be opened does not stop memoize", "[sqlite][bad input]") {
  temp_dir dir;
  const fs::path db = dir.path / "cache.db";
  std::ofstream(db) << std::string(2000, 'x');
  int calls = 0;
  std::vector<std::string> reported;
  const auto twice = [&calls](int x) { return ++calls, 2 * x; };
  CHECK_THROWS_AS(cachet::memoize(twice, cachet::sqlite{.path = db}), cachet::backend_error);
  auto f = cachet::memoize(twice, cachet::sqlite{.path = db},
                           cachet::fail_open{.on_error = [&](const cachet::error& e) { reported.push_back(e.what()); }});
  REQUIRE(reported.size() == 1);
  CHECK_THAT(reported[0], Contains("not a database"));
  CHECK(f(4) == 8);
  CHECK(f(4) == 8);
  CHECK(calls == 2);  // served by the function, nothing stored
  CHECK(fs::file_size(db) == 2000u);  // the file is left as it was
}

TEST_CASE("sqlite: a database file deleted while open is made again by the next write", "[sqlite][bad input]") {
  temp_dir dir;
  const fs::path db = dir.path / "cache.db";
  store s(cachet::sqlite{.path = db, .table = "t"});
  s.set("before", "1", cachet::no_deadline);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  REQUIRE_FALSE(fs::exists(db));
  s.set("after", "2", cachet::no_deadline);  // not into the deleted file
  REQUIRE(fs::exists(db));
  const std::string after = "after";
  CHECK(raw_db(db).query("SELECT value FROM t WHERE key = ?1", &after) == "2");
  CHECK(s.get("after", t0) == std::optional<std::string>("2"));
  CHECK(s.get("before", t0) == std::nullopt);  // it went with the file
  store other(cachet::sqlite{.path = db, .table = "t"});  // another connection sees the write
  CHECK(other.get("after", t0) == std::optional<std::string>("2"));
}

TEST_CASE("sqlite: value bytes that do not decode are invalid_data; other entries stay", "[sqlite][bad input]") {
  temp_dir dir;
  const fs::path db = dir.path / "cache.db";
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return std::to_string(x); }, cachet::sqlite{.path = db});
  f.set_many(std::vector<int>{1, 2, 3}, std::vector<std::string>{"one", "two", "three"});
  const std::string key = f.key(2);
  raw_db(db).query("UPDATE cachet SET value = x'00ff00ff' WHERE key = ?1", &key);

  CHECK_THAT(message_of<cachet::invalid_data>([&] { f.get(2); }), Contains(db.string()) && Contains("(key 2)"));
  CHECK_THROWS_AS(f(2), cachet::invalid_data);
  CHECK_THROWS_AS(f.get_many(std::vector<int>{1, 2}), cachet::invalid_data);
  CHECK(f.get(1) == std::optional<std::string>("one"));
  CHECK(f.get(3) == std::optional<std::string>("three"));
  CHECK(f.update(2) == "2");  // a new write repairs the entry
  CHECK(f(2) == "2");
  CHECK(calls == 1);
}

TEST_CASE("sqlite: expiry, count and erase_expired on a given time", "[sqlite]") {
  temp_dir dir;
  store s(cachet::sqlite{.path = dir.path / "c.db"});
  s.set("a", "1", t0 + 10s);
  s.set("b", "2", t0 + 20s);
  s.set("c", "3", cachet::no_deadline);
  s.set(std::string("nul\0key", 7), "", t0 + 30s);  // a key with a NUL byte, an empty value
  CHECK(s.size() == 4u);
  CHECK(s.count(t0) == 4u);
  CHECK(s.count(t0 + 10s) == 3u);
  CHECK(s.get(std::string("nul\0key", 7), t0) == std::optional<std::string>(""));
  CHECK(s.get("nul", t0) == std::nullopt);
  CHECK(s.erase_expired(t0 + 15s) == 1u);  // a
  CHECK(s.size() == 3u);
  CHECK(s.get("b", t0 + 20s) == std::nullopt);  // expired: a miss, and the row goes
  CHECK(s.size() == 2u);
  CHECK(s.get_many(std::vector<std::string>{"c", std::string("nul\0key", 7)}, t0 + 30s) ==
        std::vector<std::optional<std::string>>{"3", std::nullopt});
  CHECK(s.size() == 1u);
  CHECK(s.touch("c", t0, t0 + 5s));
  CHECK(s.count(t0 + 5s) == 0u);
  CHECK(s.bytes() == 2u);  // "c" + "3"
}

TEST_CASE("sqlite: size limits evict the least recently accessed rows", "[sqlite][limit]") {
  temp_dir dir;
  SECTION("max_entries") {
    store s(cachet::sqlite{.path = dir.path / "c.db", .max_entries = 3});
    for (const char* k : {"a", "b", "c"}) s.set(k, "v", cachet::no_deadline);
    CHECK(s.get("a", t0));  // a is now the most recent
    s.set("d", "v", cachet::no_deadline);
    CHECK(s.size() == 3u);
    CHECK_FALSE(s.contains("b", t0));
    CHECK(s.touch("c", t0, cachet::no_deadline));
    CHECK(s.get_many(std::vector<std::string>{"a"}, t0)[0]);  // bulk reads are accesses too
    std::vector<cachet::entry<std::string, std::string>> batch{{"e", "v"}, {"f", "v"}};
    s.set_many(batch);
    CHECK(s.size() == 3u);
    CHECK(s.contains("a", t0));
    CHECK_FALSE(s.contains("c", t0));
    CHECK_FALSE(s.contains("d", t0));
  }
  SECTION("max_bytes: key + value") {
    store s(cachet::sqlite{.path = dir.path / "c.db", .max_bytes = 300});
    const std::string hundred(99, 'v');  // 1 + 99 bytes per entry
    for (const char* k : {"a", "b", "c"}) s.set(k, hundred, cachet::no_deadline);
    CHECK(s.bytes() == 300u);
    s.set("d", "", cachet::no_deadline);
    CHECK_FALSE(s.contains("a", t0));
    CHECK(s.bytes() == 201u);
    s.set("b", std::string(299, 'w'), cachet::no_deadline);  // larger: c and d go
    CHECK(s.size() == 1u);
    s.set("x", std::string(400, 'w'), cachet::no_deadline);  // larger than the limit: not kept
    CHECK(s.size() == 0u);
  }
}

TEST_CASE("sqlite: get_many over many chunks, repeats and misses", "[sqlite][bulk]") {
  temp_dir dir;
  store s(cachet::sqlite{.path = dir.path / "c.db"});
  std::vector<cachet::entry<std::string, std::string>> batch;
  for (int i = 0; i < 3000; i += 2) batch.push_back({std::to_string(i), value_for(0, i), t0 + std::chrono::seconds{i}});
  s.set_many(batch);
  std::vector<std::string> keys;
  for (int i = 2999; i >= 0; --i) keys.push_back(std::to_string(i % 1500 == 7 ? 8 : i));
  const auto found = s.get_many(keys, t0 + 100s);
  REQUIRE(found.size() == keys.size());
  for (std::size_t j = 0; j < keys.size(); ++j) {
    const int i = std::stoi(keys[j]);
    INFO("key " << i);
    CHECK(found[j] == (i % 2 == 0 && i > 100 ? std::optional<std::string>(value_for(0, i)) : std::nullopt));
  }
  CHECK(s.size() == 1500u - 51u);  // the expired ones met (0, 2, ..., 100) were reclaimed
  const auto erased = s.erase_many(std::vector<std::string>{"200", "201", "200"});
  CHECK(erased == std::vector<bool>{true, false, false});
}

TEST_CASE("sqlite: a moved-from or closed store throws closed_storage", "[sqlite]") {
  temp_dir dir;
  store a(cachet::sqlite{.path = dir.path / "c.db"});
  a.set("k", "v", cachet::no_deadline);
  store b(std::move(a));
  CHECK(b.get("k", t0) == std::optional<std::string>("v"));
  CHECK_THROWS_AS(a.size(), cachet::closed_storage);
  b.close();
  CHECK_THROWS_AS(b.get("k", t0), cachet::closed_storage);
}

// ------------------------------------------------------------ processes

TEST_CASE("sqlite: a value written by one process is read by another", "[sqlite][process]") {
  temp_dir dir;
  const cachet::sqlite policy{.path = dir.path / "c.db", .table = "shared"};
  const auto fn = [](int x) { return "computed " + std::to_string(x); };
  const pid_t writer = spawn([&] {
    auto f = cachet::memoize(fn, policy);
    f.set("from the child", 1);
    return f(2) == "computed 2" ? 0 : 2;
  });
  REQUIRE(exit_code(writer) == 0);
  auto f = cachet::memoize(fn, policy);
  CHECK(f.get(1) == std::optional<std::string>("from the child"));
  CHECK(f.get(2) == std::optional<std::string>("computed 2"));
  f.set("from the parent", 3);
  const pid_t reader = spawn([&] { return cachet::memoize(fn, policy).get(3) == "from the parent" ? 0 : 2; });
  CHECK(exit_code(reader) == 0);
}

TEST_CASE("sqlite: two processes write and read one file at once", "[sqlite][process]") {
  temp_dir dir;
  const cachet::sqlite policy{.path = dir.path / "c.db", .table = "busy", .busy_timeout = 30s};
  constexpr int writes = 2000, batch = 10;
  int go[2];
  REQUIRE(::pipe(go) == 0);
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    children.push_back(spawn([&, p] {
      auto f = cachet::memoize([](int, int) -> std::string { throw std::logic_error("never called"); }, policy);
      char byte;
      if (::read(go[0], &byte, 1) != 1) return 3;
      for (int i = 0; i < writes; i += batch) {
        if (i % 100 == 0) {  // a batch through set_many and get_many
          std::vector<std::pair<int, int>> calls;
          std::vector<std::string> values;
          for (int j = i; j < i + batch; ++j) calls.emplace_back(p, j), values.push_back(value_for(p, j));
          f.set_many(calls, values);
          const auto back = f.get_many(calls);
          for (int j = 0; j < batch; ++j)
            if (back[j] != values[j]) return 4;
        } else {
          for (int j = i; j < i + batch; ++j) {
            f.set(value_for(p, j), p, j);
            if (f.get(p, j) != value_for(p, j)) return 5;
            const auto other = f.get(1 - p, j);  // the other process's, if written yet
            if (other && *other != value_for(1 - p, j)) return 6;
          }
        }
      }
      return 0;
    }));
  }
  REQUIRE(::write(go[1], "gg", 2) == 2);  // start both at once
  for (const pid_t child : children) CHECK(exit_code(child) == 0);
  ::close(go[0]);
  ::close(go[1]);
  store s(policy);
  CHECK(s.size() == 2u * writes);
  CHECK(s.count(t0) == 2u * writes);
  CHECK(raw_db(policy.path).query("SELECT COUNT(*) FROM busy") == std::to_string(2 * writes));
}

TEST_CASE("sqlite: a writer killed during set_many leaves the whole batch or none", "[sqlite][process]") {
  temp_dir dir;
  const cachet::sqlite policy{.path = dir.path / "c.db", .table = "killed"};
  constexpr int before = 100, batch = 100000;
  {
    store s(policy);
    for (int i = 0; i < before; ++i) s.set("old" + std::to_string(i), value_for(9, i), cachet::no_deadline);
  }
  const fs::path wal = policy.path.string() + "-wal";
  const auto wal_size = [&] { std::error_code ec; const auto n = fs::file_size(wal, ec); return ec ? 0 : n; };
  const auto wal_before = wal_size();
  int started[2];
  REQUIRE(::pipe(started) == 0);
  const pid_t child = spawn([&] {
    store s(policy);
    std::vector<cachet::entry<std::string, std::string>> entries;
    for (int i = 0; i < batch; ++i)
      entries.push_back({"new" + std::to_string(i), value_for(1, i) + std::string(200, '.')});
    if (::write(started[1], "s", 1) != 1) return 3;
    s.set_many(entries);
    return 0;
  });
  char byte;
  REQUIRE(::read(started[0], &byte, 1) == 1);
  // The transaction spills pages into the WAL as it goes: kill it once it has begun writing.
  for (int i = 0; i < 20000 && wal_size() <= wal_before; ++i) ::usleep(100);
  ::kill(child, SIGKILL);
  const int code = exit_code(child);
  ::close(started[0]);
  ::close(started[1]);
  INFO("child exit code " << code << " (128 + 9: killed)");

  store s(policy);  // opens, recovering the WAL
  raw_db raw(policy.path);
  CHECK(raw.query("PRAGMA integrity_check") == "ok");
  const std::size_t rows = s.size();
  CHECK((rows == before || rows == before + batch));
  CHECK(raw.query("SELECT COUNT(*) FROM killed") == std::to_string(rows));
  for (int i = 0; i < before; ++i) CHECK(s.get("old" + std::to_string(i), t0) == value_for(9, i));
  if (rows == before + batch) CHECK(s.get("new99999", t0) == value_for(1, 99999) + std::string(200, '.'));
  s.set("after", "v", cachet::no_deadline);  // and it takes writes again
  CHECK(s.get("after", t0) == std::optional<std::string>("v"));
}

TEST_CASE("sqlite: count(), count(include_expired) and clear(expired_only) use the wall clock", "[sqlite]") {
  temp_dir dir;
  cachet::detail::sqlite_store s(cachet::sqlite{.path = dir.path / "wall.db"});
  const auto now = std::chrono::system_clock::now();
  s.set("old", "v", now - std::chrono::hours{1});
  s.set("new", "v", now + std::chrono::hours{1});
  s.set("forever", "v", cachet::no_deadline);
  CHECK(s.count() == 2);
  CHECK(s.count(true) == 3);
  s.clear(true);
  CHECK(s.count(true) == 2);
  s.clear(false);
  CHECK(s.count(true) == 0);
}
