// examples/quickstart.cpp: cachet's quick start. Memoizes a slow function in
// memory (an lru with a 30 s time to live), times a miss and a hit, and walks
// through the sub-operations: get, contains, key, update, set, erase. Then
// memoizes it in a SQLite file, so that a second run is served from disk.
// Exits 1 if anything it claims does not hold.
//
// Usage: quickstart [--db PATH] [--fresh] [--expect-disk]
//   --db PATH       the SQLite file (default: cachet-quickstart.db)
//   --fresh         delete the file first
//   --expect-disk   fail unless the persistent entry came from an earlier run
//
// Snippets between `// [name]` markers are copied into README.md and docs/;
// scripts/check_docs.py checks that the copies stay verbatim.
#include <cachet/cachet.hpp>
#include <cachet/storage/sqlite.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

namespace {

int calls = 0;  // how many times fetch_profile really ran

// [quickstart-function]
// A slow function: pretend it asks a remote service for a user's profile.
std::string fetch_profile(int user, std::string lang) {
  ++calls;
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  return "profile of user " + std::to_string(user) + " (" + lang + ")";
}
// [quickstart-function]

int failures = 0;

// Prints a claim and whether it held.
void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

using milliseconds = std::chrono::duration<double, std::milli>;

// Runs fn() and returns its result and how long it took.
template <class Fn>
auto timed(Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  auto result = fn();
  return std::pair{std::move(result), milliseconds(std::chrono::steady_clock::now() - start)};
}

// The in-memory cache: every sub-operation once.
void in_memory() {
  std::cout << "In memory: cachet::lru{.capacity = 1024}, entries live 30 s.\n";

  // [quickstart-memoize]
  auto profiles = cachet::memoize(fetch_profile, cachet::lru{.capacity = 1024},
                                  cachet::expire_after_write{std::chrono::seconds{30}});

  std::string first = profiles(42, "en");   // a miss: runs fetch_profile, stores the result
  std::string second = profiles(42, "en");  // a hit: returns the stored result at once
  // [quickstart-memoize]
  check(first == second && calls == 1, "two calls with the same arguments ran fetch_profile once");
  profiles.erase(42, "en");
  calls = 0;

  // The same two calls, timed.
  const auto [miss, miss_time] = timed([&] { return profiles(42, "en"); });
  std::cout << "The first call missed and ran fetch_profile: " << miss_time.count() << " ms.\n";
  const auto [hit, hit_time] = timed([&] { return profiles(42, "en"); });
  std::cout << "The second call hit the cache: " << hit_time.count() << " ms.\n";
  check(miss_time.count() >= 200, "the miss took at least the function's 200 ms");
  check(hit_time * 4 < miss_time, "the hit took a fraction of the miss's time");
  check(hit == miss && calls == 1, "the hit returned the stored value without calling the function");

  // [quickstart-get]
  std::optional<std::string> cached = profiles.get(42, "en");  // the value: it is cached
  std::optional<std::string> absent = profiles.get(7, "en");   // std::nullopt: never computed
  bool has = profiles.contains(42, "en");                      // true
  // [quickstart-get]
  std::cout << "get(42, \"en\") found \"" << cached.value_or("") << "\"; get(7, \"en\") found "
            << (absent ? "something" : "nothing") << ", and did not call the function.\n";
  check(cached == miss && !absent && has && !profiles.contains(7, "en") && calls == 1,
        "get and contains read the cache and never call the function");

  // [quickstart-key]
  std::tuple<int, std::string> key = profiles.key(42, "en");  // what the lru stores
  // [quickstart-key]
  std::cout << "The lru keeps the entry under the tuple (" << std::get<0>(key) << ", \""
            << std::get<1>(key) << "\").\n";
  check(key == std::tuple<int, std::string>{42, "en"}, "key() is the tuple of the arguments");

  // [quickstart-update]
  std::string fresh = profiles.update(42, "en");     // always calls, stores the new result
  profiles.set("written by hand", 7, "fr");          // stores a value without calling
  std::string given = profiles(7, "fr");             // a hit: "written by hand"
  bool removed = profiles.erase(42, "en");           // true: there was an entry
  bool removed_again = profiles.erase(42, "en");     // false: it is gone
  // [quickstart-update]
  std::cout << "update(42, \"en\") called the function again; set() stored \"" << given
            << "\" for (7, \"fr\"); erase removed (42, \"en\").\n";
  check(fresh == miss && calls == 2, "update called the function");
  check(given == "written by hand" && calls == 2, "the value given to set is served without a call");
  check(removed && !removed_again && !profiles.contains(42, "en"), "erase removed the entry, once");
  check(profiles.storage().size() == 1, "one entry is left: (7, \"fr\")");
}

// The persistent cache: entries outlive the process.
void on_disk(const std::string& db_path, bool expect_disk) {
  std::cout << "\nOn disk: cachet::sqlite in " << db_path << ", entries live 24 h.\n";
  calls = 0;

  // [quickstart-sqlite]
  auto stored_profiles = cachet::memoize(fetch_profile, cachet::sqlite{.path = db_path, .table = "profiles"},
                                         cachet::expire_after_write{std::chrono::hours{24}});
  // [quickstart-sqlite]

  const bool was_on_disk = stored_profiles.contains(42, "en");
  const auto [profile, took] = timed([&] { return stored_profiles(42, "en"); });
  if (was_on_disk) {
    std::cout << "Served from disk, written by an earlier run: " << took.count()
              << " ms, and fetch_profile did not run.\n";
    check(calls == 0, "an earlier run's entry was read back from the SQLite file");
  } else {
    std::cout << "Not on disk yet: fetch_profile ran (" << took.count() << " ms) and the result was saved.\n"
              << "Run quickstart again: the second run is served from disk.\n";
    check(calls == 1 && stored_profiles.contains(42, "en"), "the result was saved to the SQLite file");
  }
  check(profile == "profile of user 42 (en)", "the persistent cache returns the function's result");
  if (expect_disk) check(was_on_disk, "this run was served from disk (--expect-disk)");
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path = "cachet-quickstart.db";
  bool fresh = false;
  bool expect_disk = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--db" && i + 1 < argc) {
      db_path = argv[++i];
    } else if (arg == "--fresh") {
      fresh = true;
    } else if (arg == "--expect-disk") {
      expect_disk = true;
    } else {
      std::cerr << "usage: quickstart [--db PATH] [--fresh] [--expect-disk]\n";
      return 2;
    }
  }
  if (fresh)
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);

  in_memory();
  on_disk(db_path, expect_disk);
  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
