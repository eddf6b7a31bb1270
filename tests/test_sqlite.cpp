// tests/test_sqlite.cpp: cachet::sqlite: the conformance suite, the schema
// (sharing a file, version and migration, bad files and paths), size
// limits, expiry, bad value bytes. Several threads and processes on one
// file: tests/test_sqlite_concurrency.cpp.
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

#include <sqlite3.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/sqlite.hpp>

#include "sqlite_test_support.hpp"
#include "storage_conformance.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

using cachet_test::message_of;
using namespace sqlite_test;

// One file per fixture, one table per cache: the suite also shares a file.
// max_entries is a runtime value, so that both run one instantiation of the kit.
struct sqlite_fixture {
  std::size_t max_entries = 0;
  std::string name = max_entries == 0 ? "sqlite" : "sqlite with max_entries";
  temp_dir dir{};
  int tables = 0;
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    return cachet::memoize(std::move(fn),
                           cachet::sqlite{.path = dir.path / "cache.db", .table = "t" + std::to_string(++tables),
                                          .max_entries = max_entries},
                           clock, more...);
  }
};

}  // namespace

TEST_CASE("sqlite: storage conformance without and with max_entries", "[sqlite][conformance]") {
  sqlite_fixture fixture{.max_entries = GENERATE(std::size_t{0}, std::size_t{1000})};
  cachet_conformance::check_laws(fixture);
}

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
  CHECK(raw.query("SELECT value FROM cachet_meta WHERE name = 'schema_version'") == "2");
  CHECK_THAT(raw.query("SELECT sql FROM sqlite_master WHERE name = 'name'"), Contains("WITHOUT ROWID"));
  CHECK(raw.query("SELECT COUNT(*) FROM name") == "2");
  CHECK(raw.query("SELECT entries FROM cachet_tables WHERE name = 'name'") == "2");
}

TEST_CASE("sqlite: bad files and paths are backend_errors naming the path", "[sqlite][bad input]") {
  temp_dir dir;
  const fs::path db = dir.path / "cache.db";
  const auto open = [](fs::path p) { return [p] { store s(cachet::sqlite{.path = p}); }; };

  SECTION("a schema version this cachet does not read") {
    { store s(cachet::sqlite{.path = db}); }
    raw_db(db).query("UPDATE cachet_meta SET value = 3 WHERE name = 'schema_version'");
    CHECK_THAT(message_of<cachet::backend_error>(open(db)),
               Contains(db.string()) && Contains("schema version 3") && Contains("reads version 2"));
    CHECK(raw_db(db).query("SELECT value FROM cachet_meta") == "3");  // left as it was
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

TEST_CASE("sqlite: a file of schema version 1 is migrated, rows and counts kept", "[sqlite]") {
  temp_dir dir;
  const fs::path db = dir.path / "old.db";
  {
    raw_db raw(db);  // the layout cachet wrote before WITHOUT ROWID
    for (const char* sql : {
             "CREATE TABLE cachet_meta(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)",
             "INSERT INTO cachet_meta VALUES ('schema_version', 1)",
             "CREATE TABLE cachet_tables(name TEXT PRIMARY KEY NOT NULL, entries INTEGER NOT NULL, "
             "bytes INTEGER NOT NULL)",
             "CREATE TABLE old(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL, expires_at INTEGER, "
             "accessed_at INTEGER NOT NULL, size INTEGER NOT NULL)",
             "CREATE INDEX old_cachet_accessed ON old(accessed_at)",
             "CREATE TRIGGER old_cachet_insert AFTER INSERT ON old BEGIN UPDATE cachet_tables SET "
             "entries = entries + 1, bytes = bytes + new.size WHERE name = 'old'; END",
             "INSERT INTO cachet_tables VALUES ('old', 0, 0)",
             "INSERT INTO old VALUES (CAST('a' AS BLOB), x'01', NULL, 1, 2), (CAST('b' AS BLOB), x'02', NULL, 2, 2)",
         })
      raw.query(sql);
    REQUIRE(raw.query("SELECT entries FROM cachet_tables") == "2");
  }
  store s(cachet::sqlite{.path = db, .table = "old", .max_entries = 2});
  CHECK(s.get("a", t0) == std::optional<std::string>("\x01"));
  CHECK(s.size() == 2u);
  s.set("c", "\x03", cachet::no_deadline);  // b is the least recently used: a was read
  CHECK(s.size() == 2u);
  CHECK_FALSE(s.contains("b", t0));
  raw_db raw(db);
  CHECK(raw.query("SELECT value FROM cachet_meta WHERE name = 'schema_version'") == "2");
  CHECK_THAT(raw.query("SELECT sql FROM sqlite_master WHERE name = 'old'"), Contains("WITHOUT ROWID"));
  CHECK(raw.query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'old_cachet_accessed'") == "1");
  CHECK(raw.query("SELECT entries FROM cachet_tables WHERE name = 'old'") == "2");
  CHECK(raw.query("PRAGMA integrity_check") == "ok");
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
  CHECK(s.get("b", t0 + 20s) == std::nullopt);  // expired: a miss; the row goes with the next write
  CHECK(s.get_many(std::vector<std::string>{"c", std::string("nul\0key", 7)}, t0 + 30s) ==
        std::vector<std::optional<std::string>>{"3", std::nullopt});
  CHECK(s.size() == 3u);  // reads never write
  CHECK(s.touch("c", t0, t0 + 5s));
  CHECK(s.size() == 1u);  // the touch reclaimed the two expired rows met
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
  CHECK(s.size() == 1500u);  // reads never write
  const auto erased = s.erase_many(std::vector<std::string>{"200", "201", "200"});
  CHECK(erased == std::vector<bool>{true, false, false});
  CHECK(s.size() == 1500u - 51u - 1u);  // the expired ones met (0, 2, ..., 100) were reclaimed by the write
}

TEST_CASE("sqlite: rows another program wrote with odd types or sizes", "[sqlite][bad input]") {
  temp_dir dir;
  const fs::path db = dir.path / "c.db";
  store s(cachet::sqlite{.path = db, .table = "t", .max_entries = 2, .max_bytes = 4096});
  s.set("a", "1", cachet::no_deadline);
  raw_db raw(db);
  SECTION("a huge or negative size: eviction arithmetic saturates (found by fuzz_sqlite_row)") {
    for (const char* size : {"9223372036854775807", "-9223372036854775808"}) {
      raw.query(std::string("UPDATE t SET size = ") + size + ", accessed_at = 9223372036854775807 WHERE key = x'61'");
      s.set("b", "2", cachet::no_deadline);
      s.set("c", "3", cachet::no_deadline);
      CHECK(s.size() <= 2u);
      s.set("a", "1", cachet::no_deadline);
    }
  }
  SECTION("an expires_at that is not a number: get, contains, touch and count agree") {
    raw.query("UPDATE t SET expires_at = 'soon' WHERE key = x'61'");
    const bool live = s.get("a", t0).has_value();
    CHECK(s.contains("a", t0) == live);
    CHECK(s.get_many(std::vector<std::string>{"a"}, t0)[0].has_value() == live);
    CHECK(s.count(t0) == (live ? 1u : 0u));
    CHECK(s.touch("a", t0, cachet::no_deadline) == live);
  }
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
