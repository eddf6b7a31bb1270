// tests/test_files.cpp: cachet::files: the conformance suite, the entry
// files (collisions, atomic writes, foreign files), expiry, and several
// processes on one directory (fork). Bad entry files and size limits:
// tests/test_files_bad_input.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "files_test_support.hpp"
#include "storage_conformance.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

using namespace files_test;
using cachet_test::exit_code;
using cachet_test::message_of;
using cachet_test::spawn;

// One directory per fixture, one prefix per cache: the suite also shares a directory.
struct files_fixture {
  static constexpr const char* name = "files";
  temp_dir dir;
  int caches = 0;
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    const cachet::files policy{.root = dir.path, .prefix = "c" + std::to_string(++caches) + "-"};
    return cachet::memoize(std::move(fn), policy, clock, more...);
  }
};

}  // namespace

CACHET_STORAGE_CONFORMANCE_TESTS(std::tuple<files_fixture>)

TEST_CASE("files: models the store concepts", "[files]") {
  STATIC_REQUIRE(cachet::bulk_store<store>);
  temp_dir dir;
  auto f = cachet::memoize([](int x) { return x; }, cachet::files{.root = dir.path, .prefix = "sq-"});
  STATIC_REQUIRE(std::is_same_v<decltype(f)::coder_type, cachet::cereal_binary>);
  CHECK(f.storage().name() == "files " + dir.path.string() + " prefix sq-");
  f(3);
  CHECK(names_in(dir.path) == std::vector<std::string>{fs::path(f.storage().file_of("3")).filename().string()});
  CHECK_THAT(names_in(dir.path)[0], Catch::Matchers::Matches("sq-[0-9a-f]{16}\\.cachet"));
}

TEST_CASE("files: entries outlive the store; prefixes share a directory", "[files]") {
  temp_dir dir;
  const fs::path root = dir.path / "a" / "b";  // created
  {
    store s(cachet::files{.root = root, .prefix = "one-"});
    store t(cachet::files{.root = root, .prefix = "two-", .durable = true});
    s.set("k", "from one", cachet::no_deadline);
    t.set("k", "from two", t0 + 1h);
  }
  store s(cachet::files{.root = root, .prefix = "one-"});
  store t(cachet::files{.root = root, .prefix = "two-"});
  CHECK(s.get("k", t0) == opt("from one"));
  CHECK(t.get("k", t0) == opt("from two"));
  CHECK(t.get("k", t0 + 1h) == std::nullopt);  // expiry is kept in the file; the expired file goes
  CHECK(t.size() == 0u);
  CHECK(s.size() == 1u);
}

TEST_CASE("files: a file holding another key is a miss, never its value", "[files][collision]") {
  temp_dir dir;
  store s(cachet::files{.root = dir.path});
  s.set("a", "value of a", cachet::no_deadline);
  // Force a collision: b's file holds a's entry, as if both keys hashed alike.
  fs::copy_file(s.file_of("a"), s.file_of("b"));
  CHECK(s.get("b", t0) == std::nullopt);
  CHECK_FALSE(s.contains("b", t0));
  CHECK_FALSE(s.touch("b", t0, cachet::no_deadline));
  CHECK_FALSE(s.erase("b"));
  CHECK(fs::exists(s.file_of("b")));  // not b's to erase
  CHECK(s.get_many(std::vector<std::string>{"b", "a"}, t0) == std::vector<opt>{std::nullopt, "value of a"});
  s.set("b", "value of b", cachet::no_deadline);  // takes the file over
  CHECK(s.get("b", t0) == opt("value of b"));
  CHECK(s.get("a", t0) == opt("value of a"));
  // Keys that differ in length or by a NUL byte
  s.set(std::string("k\0", 2), "nul", cachet::no_deadline);
  CHECK(s.get("k", t0) == std::nullopt);
  CHECK(s.get(std::string("k\0", 2), t0) == opt("nul"));
}

TEST_CASE("files: writes leave no temporary file; clear leaves foreign files", "[files]") {
  temp_dir dir;
  store s(cachet::files{.root = dir.path, .prefix = "p"});
  store other(cachet::files{.root = dir.path, .prefix = "q"});
  for (int i = 0; i < 200; ++i) s.set(std::to_string(i % 50), value_for(i), cachet::no_deadline);
  other.set("x", "y", cachet::no_deadline);
  const auto names = names_in(dir.path);
  CHECK(names.size() == 51u);
  CHECK(std::none_of(names.begin(), names.end(), is_temp));
  const std::vector<std::string> foreign{"notes.txt", "p0123456789abcdef.cachet.bak", "p0123.cachet",
                                         "P0123456789ABCDEF.cachet", ".p0123456789abcdef.tmp"};
  for (const auto& name : foreign) std::ofstream(dir.path / name) << "not ours";
  fs::create_directory(dir.path / "p0123456789abcdef.cachet-dir");
  CHECK(s.size() == 50u);
  // A temporary file a killed writer left behind
  const std::string left = dir.path / ("." + fs::path(s.file_of("7")).filename().string() + ".999-1.tmp");
  std::ofstream(left) << "partial";
  CHECK(s.size() == 50u);
  s.clear();
  CHECK(s.size() == 0u);
  CHECK_FALSE(fs::exists(left));
  for (const auto& name : foreign) CHECK(fs::exists(dir.path / name));
  CHECK(fs::is_directory(dir.path / "p0123456789abcdef.cachet-dir"));
  CHECK(other.get("x", t0) == opt("y"));
}

TEST_CASE("files: expiry, count and erase_expired on a given time", "[files]") {
  temp_dir dir;
  store s(cachet::files{.root = dir.path});
  s.set("a", "1", t0 + 10s);
  s.set("b", "2", t0 + 20s);
  s.set("c", "", cachet::no_deadline);
  CHECK(s.count(t0 + 10s) == 2u);
  CHECK(s.get("c", t0) == opt(""));
  CHECK(s.erase_expired(t0 + 15s) == 1u);
  CHECK(s.size() == 2u);
  CHECK(s.touch("b", t0 + 19s, t0 + 60s));  // in place
  CHECK(s.get("b", t0 + 59s) == opt("2"));
  CHECK(s.count(t0 + 60s) == 1u);
  CHECK_FALSE(s.touch("b", t0 + 60s, t0 + 90s));
  CHECK(s.erase_many(std::vector<std::string>{"c", "c", "b"}) == std::vector<bool>{true, false, true});
  CHECK(s.size() == 0u);
}

TEST_CASE("files: a directory removed under a store is made again by the next write", "[files]") {
  temp_dir dir;
  store s(cachet::files{.root = dir.path / "cache"});
  s.set("a", "1", cachet::no_deadline);
  fs::remove_all(dir.path / "cache");
  CHECK(s.get("a", t0) == std::nullopt);
  s.set("a", "2", cachet::no_deadline);
  CHECK(s.get("a", t0) == opt("2"));
}

TEST_CASE("files: a value written by one process is read by another", "[files][process]") {
  temp_dir dir;
  const cachet::files policy{.root = dir.path, .prefix = "x"};
  const auto fn = [](int x) { return "computed " + std::to_string(x); };
  const pid_t writer = spawn([&] {
    auto f = cachet::memoize(fn, policy);
    f.set("from the child", 1);
    return f(2) == "computed 2" ? 0 : 2;
  });
  REQUIRE(exit_code(writer) == 0);
  auto f = cachet::memoize(fn, policy);
  CHECK(f.get(1) == opt("from the child"));
  CHECK(f.get(2) == opt("computed 2"));
}

TEST_CASE("files: two processes writing the same keys: every read is whole", "[files][process]") {
  temp_dir dir;
  const cachet::files policy{.root = dir.path};
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    children.push_back(spawn([&, p] {
      store s(policy);
      for (int i = 0; i < 1000; ++i) {
        const int k = (i * 7 + p) % 100;
        s.set(std::to_string(k), value_for(k, 1000 + 10 * k), cachet::no_deadline);
        const auto back = s.get(std::to_string((k + 1) % 100), t0);
        if (back && *back != value_for((k + 1) % 100, 1000 + 10 * ((k + 1) % 100))) return 4;
      }
      return 0;
    }));
  }
  for (const pid_t child : children) CHECK(exit_code(child) == 0);
  store s(policy);
  CHECK(s.size() == 100u);
  for (const auto& name : names_in(dir.path)) CHECK_FALSE(is_temp(name));
}

TEST_CASE("files: a writer killed mid-write never leaves a partial entry", "[files][process]") {
  temp_dir dir;
  const cachet::files policy{.root = dir.path};
  constexpr int keys = 64;
  const std::size_t big = 1 << 20;
  int started[2];
  REQUIRE(::pipe(started) == 0);
  const pid_t child = spawn([&] {
    store s(policy);
    for (int round = 0;; ++round) {
      for (int k = 0; k < keys; ++k) {
        s.set(std::to_string(k), value_for(k, big), cachet::no_deadline);
        if (round == 0 && k == 0 && ::write(started[1], "s", 1) != 1) return 3;
      }
    }
  });
  char byte;
  REQUIRE(::read(started[0], &byte, 1) == 1);  // one entry is written; the next are under way
  ::kill(child, SIGKILL);
  CHECK(exit_code(child) == 128 + SIGKILL);
  ::close(started[0]);
  ::close(started[1]);

  store s(policy);
  int whole = 0;
  for (int k = 0; k < keys; ++k) {
    const auto v = s.get(std::to_string(k), t0);  // never invalid_data
    if (v) CHECK(*v == value_for(k, big));
    whole += v ? 1 : 0;
  }
  CHECK(whole >= 1);
  CHECK(s.count(t0) == static_cast<std::size_t>(whole));
  s.clear();  // and the temporary file, if the kill left one
  CHECK(names_in(dir.path).empty());
}

TEST_CASE("files: count(), count(include_expired) and clear(expired_only) use the wall clock", "[files]") {
  temp_dir dir;
  cachet::detail::files_store s(cachet::files{.root = dir.path});
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
