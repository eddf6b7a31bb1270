// tests/test_files_bad_input.cpp: cachet::files given entry files it did
// not write, or wrote in another version: corrupt, truncated, huge,
// overwritten with fill patterns, of format version 1, directories and
// FIFOs in an entry's place; size limits; only cachet errors leave a store.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_test_support.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using namespace files_test;
using cachet_test::message_of;

TEST_CASE("files: bad entry files are invalid_data naming the file; others stay", "[files][bad input]") {
  temp_dir dir;
  int calls = 0;
  auto f = cachet::memoize([&calls](int x) { ++calls; return std::to_string(x); }, cachet::files{.root = dir.path});
  auto& s = f.storage();
  f.set_many(std::vector<int>{1, 2, 3}, std::vector<std::string>{"one", "two", "three"});
  const std::string two = s.file_of("2");

  SECTION("truncated") { fs::resize_file(two, fs::file_size(two) - 3); }
  SECTION("shorter than a header") { fs::resize_file(two, 10); }
  SECTION("foreign content") { std::ofstream(two, std::ios::trunc) << "not a cachet file, but it has our name"; }
  bool header_whole = false;  // count() reads headers only
  SECTION("a flipped value byte") {
    header_whole = true;
    std::fstream file(two, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-1, std::ios::end);
    file.put('\x7f');
  }
  SECTION("a flipped key byte") {
    header_whole = true;
    std::fstream file(two, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(header_size);
    file.put('3');  // the key now reads "3": only the checksum tells
  }
  const auto before = fs::last_write_time(two);
  CHECK_THAT(message_of<cachet::invalid_data>([&] { f.get(2); }), Contains(two) && Contains("(key 2)"));
  CHECK_THAT(message_of<cachet::invalid_data>([&] { f.contains(2); }), Contains(two) && Contains("(key 2)"));
  CHECK_THAT(message_of<cachet::invalid_data>([&] { f.touch(2); }), Contains(two) && Contains("(key 2)"));
  CHECK(fs::last_write_time(two) == before);  // touch wrote nothing
  CHECK_THROWS_AS(f(2), cachet::invalid_data);
  CHECK_THROWS_AS(f.get_many(std::vector<int>{1, 2}), cachet::invalid_data);
  CHECK(f.get(1) == opt("one"));
  CHECK(f.get(3) == opt("three"));
  CHECK(s.count(t0) == (header_whole ? 3u : 2u));  // a bad header is no live entry
  CHECK(s.size() == 3u);
  CHECK(f.update(2) == "2");  // a new write replaces the bad file
  CHECK(f(2) == "2");
  CHECK(calls == 1);
  std::ofstream(two, std::ios::trunc) << "bad again";
  CHECK(f.erase(2));  // erase removes a bad file
  CHECK_FALSE(fs::exists(two));
}

TEST_CASE("files: erase removes an entry whose key bytes are corrupt, keeps another key's", "[files][bad input]") {
  temp_dir dir;
  store s(cachet::files{.root = dir.path});
  s.set("a", "value of a", cachet::no_deadline);
  fs::copy_file(s.file_of("a"), s.file_of("b"));  // a whole entry of another key
  CHECK_FALSE(s.erase("b"));
  {
    std::fstream file(s.file_of("b"), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-1, std::ios::end);
    file.put('\x7f');
  }
  CHECK(s.erase("b"));  // corrupt: removed
  CHECK_FALSE(fs::exists(s.file_of("b")));
  CHECK(s.get("a", t0) == opt("value of a"));
}

TEST_CASE("files: a value overwritten with a fill pattern, lengths kept, is invalid_data", "[files][bad input]") {
  // Runs of 0x00 or 0xFF are what a failing disk or a zeroed block leaves,
  // and where plain CRC-32 has blind spots; the checksum (XXH3-64) must see them.
  const char fill = GENERATE('\x00', '\xff');
  temp_dir dir;
  store s(cachet::files{.root = dir.path});
  s.set("k", value_for(1, 5000), cachet::no_deadline);
  const std::string path = s.file_of("k");
  std::string bytes = read_file(path);
  const std::size_t value_at = header_size + 1;

  SECTION("the whole value") { std::fill(bytes.begin() + value_at, bytes.end(), fill); }
  SECTION("a 4 KiB run inside the value") { std::fill_n(bytes.begin() + value_at + 500, 4096, fill); }
  SECTION("the value's last bytes") { std::fill(bytes.end() - 8, bytes.end(), fill); }
  SECTION("the checksum, the key and the value") { std::fill(bytes.begin() + 32, bytes.end(), fill); }
  write_file(path, bytes);
  REQUIRE(fs::file_size(path) == header_size + 1 + 5000);  // lengths still agree with the size
  CHECK_THAT(message_of<cachet::invalid_data>([&] { s.get("k", t0); }),
             Contains(path) && Contains("checksum mismatch"));
  CHECK_THROWS_AS(s.contains("k", t0), cachet::invalid_data);
  CHECK_THROWS_AS(s.touch("k", t0, cachet::no_deadline), cachet::invalid_data);
  CHECK(s.erase("k"));
}

TEST_CASE("files: an entry of format version 1 is another version's: invalid_data until set replaces it",
          "[files][bad input][format]") {
  temp_dir dir;
  store s(cachet::files{.root = dir.path});
  const std::string path = s.file_of("k");
  // A version 1 entry of 37 bytes is shorter than a version 2 header: its
  // version is named all the same.
  const std::string value = GENERATE(std::string("value bytes"), std::string());
  write_file(path, version_1_entry("k", value, std::numeric_limits<std::int64_t>::max()));
  const auto before = fs::last_write_time(path);
  CHECK_THAT(message_of<cachet::invalid_data>([&] { s.get("k", t0); }),
             Contains(path) && Contains("version 1 of the cachet::files format") && Contains("(key k)"));
  CHECK_THROWS_AS(s.contains("k", t0), cachet::invalid_data);
  CHECK_THROWS_AS(s.touch("k", t0, cachet::no_deadline), cachet::invalid_data);
  CHECK_THROWS_AS(s.get_many(std::vector<std::string>{"k"}, t0), cachet::invalid_data);
  CHECK(fs::last_write_time(path) == before);  // touch wrote nothing
  CHECK(s.size() == 1u);
  CHECK(s.count(t0) == 0u);                    // its header is not read as ours
  CHECK(s.erase_expired(t0 + 1000h) == 0u);    // nor its expiry
  CHECK(fs::exists(path));

  SECTION("set replaces it") {
    s.set("k", "new", cachet::no_deadline);
    CHECK(s.get("k", t0) == opt("new"));
    CHECK(read_file(path).substr(0, 8) == cachet::detail::files_magic);
    CHECK(s.count(t0) == 1u);
  }
  SECTION("erase removes it") {
    CHECK(s.erase("k"));
    CHECK_FALSE(fs::exists(path));
  }
  SECTION("clear removes it") {
    s.clear();
    CHECK_FALSE(fs::exists(path));
  }
  SECTION("a later version is another version too") {
    std::string bytes = cachet::detail::files_encode("k", "v", std::numeric_limits<std::int64_t>::max());
    bytes[7] = '\x03';
    write_file(path, bytes);
    CHECK_THAT(message_of<cachet::invalid_data>([&] { s.get("k", t0); }), Contains("another version"));
  }
}

TEST_CASE("files: under fail_open a version 1 entry is a reported miss that the result replaces",
          "[files][bad input][format]") {
  temp_dir dir;
  int calls = 0;
  std::vector<std::string> reported;
  auto f = cachet::memoize([&calls](int x) { ++calls; return 2 * x; }, cachet::files{.root = dir.path},
                           cachet::fail_open{.on_error = [&](const cachet::error& e) { reported.push_back(e.what()); }});
  const std::string path = f.storage().file_of(f.key(7));
  write_file(path, version_1_entry(f.key(7), "bytes of an old build", std::numeric_limits<std::int64_t>::max()));
  CHECK(f.get(7) == std::nullopt);
  CHECK(f(7) == 14);  // computed, and stored over the old file
  CHECK(f(7) == 14);
  CHECK(calls == 1);  // served from the new entry
  REQUIRE(reported.size() == 2u);
  CHECK_THAT(reported.back(), Contains(path) && Contains("version 1"));
  CHECK(read_file(path).substr(0, 8) == cachet::detail::files_magic);
}

TEST_CASE("files: a huge entry file is invalid_data from its size, never read", "[files][bad input][limit]") {
  temp_dir dir;
  store s(cachet::files{.root = dir.path});  // max_entry_bytes: 64 MiB
  CHECK(cachet::files{}.max_entry_bytes == 64u << 20);
  s.set("other", "kept", cachet::no_deadline);
  const std::string path = s.file_of("k");

  SECTION("100 GB of zeros") { make_sparse(path, 100 * gib); }
  SECTION("a whole header whose lengths fit a 100 GB file") {
    write_file(path, header_claiming("k", 1, 100 * gib - header_size - 1) + "k");
    make_sparse(path, 100 * gib);
  }
  SECTION("just over the limit") {
    write_file(path, header_claiming("k", 1, (64u << 20) - header_size) + "k");
    make_sparse(path, (64u << 20) + 1);
  }
  const double took = seconds_of([&] {
    CHECK_THAT(message_of<cachet::invalid_data>([&] { s.get("k", t0); }),
               Contains(path) && Contains("over max_entry_bytes (67108864)") && Contains("(key k)"));
    CHECK_THROWS_AS(s.contains("k", t0), cachet::invalid_data);
    CHECK_THROWS_AS(s.touch("k", t0, cachet::no_deadline), cachet::invalid_data);
    CHECK_THROWS_AS(s.get_many(std::vector<std::string>{"other", "k"}, t0), cachet::invalid_data);
    CHECK(s.count(t0) == 1u);  // not a live entry
    CHECK(s.erase_expired(t0 + 1000h) == 0u);
    CHECK(s.size() == 2u);
  });
  CHECK(took < 10.0);  // from fstat, not by reading 100 GB
  CHECK(s.get("other", t0) == opt("kept"));
  CHECK(s.erase("k"));
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("files: header lengths that disagree with the file are invalid_data, with or without a limit",
          "[files][bad input][limit]") {
  const std::size_t limit = GENERATE(std::size_t{64} << 20, std::size_t{0});
  temp_dir dir;
  store s(cachet::files{.root = dir.path, .max_entry_bytes = limit});
  const std::string path = s.file_of("k");
  constexpr std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();

  SECTION("a small file claiming a huge value") { write_file(path, header_claiming("k", 1, huge / 2) + "kv"); }
  SECTION("lengths whose sum wraps around") { write_file(path, header_claiming("k", huge, 38) + "kv"); }
  SECTION("a 100 GB file (sparse) whose header claims a small value") {
    write_file(path, header_claiming("k", 1, 1) + "kv");
    make_sparse(path, 100 * gib);
  }
  SECTION("a 100 GB file (sparse) of zeros") { make_sparse(path, 100 * gib); }
  const double took = seconds_of([&] {
    const std::string message = message_of<cachet::invalid_data>([&] { s.get("k", t0); });
    CHECK_THAT(message, Contains(path));
    if (limit == 0 || fs::file_size(path) < limit)
      CHECK_THAT(message, Contains("does not match its header") || Contains("not a cachet entry file"));
    else
      CHECK_THAT(message, Contains("over max_entry_bytes"));
    CHECK_THROWS_AS(s.contains("k", t0), cachet::invalid_data);
    CHECK_THROWS_AS(s.touch("k", t0, cachet::no_deadline), cachet::invalid_data);
    CHECK(s.count(t0) == 0u);
  });
  CHECK(took < 10.0);  // the header is checked before the rest is read
  CHECK(s.erase("k"));
  s.set("k", "v", cachet::no_deadline);
  CHECK(s.get("k", t0) == opt("v"));
}

TEST_CASE("files: max_entry_bytes bounds what is read and what is written", "[files][limit]") {
  temp_dir dir;
  const cachet::files small{.root = dir.path, .max_entry_bytes = 1000};
  store s(small);
  const std::string fits(1000 - header_size - 1, 'x');  // header + key "k" + value: exactly the limit
  s.set("k", fits, cachet::no_deadline);
  CHECK(s.get("k", t0) == opt(fits));
  CHECK(s.touch("k", t0, cachet::no_deadline));

  // One byte more is not stored, and the key's old entry goes: no stale value.
  CHECK_THAT(message_of<cachet::backend_error>([&] { s.set("k", fits + "x", cachet::no_deadline); }),
             Contains("over max_entry_bytes (1000)") && Contains("(key k)"));
  CHECK(s.get("k", t0) == std::nullopt);
  std::vector<cachet::entry<std::string, std::string>> batch{{"big", fits + "x", cachet::no_deadline}};
  CHECK_THROWS_AS(s.set_many(batch), cachet::backend_error);

  // An entry a store with a larger limit wrote is invalid_data to this one.
  store unlimited(cachet::files{.root = dir.path, .max_entry_bytes = 0});
  const std::string large(1 << 20, 'y');  // past files_one_read_bytes: header read first
  unlimited.set("large", large, cachet::no_deadline);
  CHECK(unlimited.get("large", t0) == opt(large));
  CHECK(unlimited.contains("large", t0));
  CHECK_THROWS_AS(s.get("large", t0), cachet::invalid_data);
  CHECK(s.erase("large"));
}

TEST_CASE("files: fail_open computes past a huge corrupt entry and reports it", "[files][bad input][limit]") {
  temp_dir dir;
  int calls = 0;
  std::vector<std::string> reported;
  auto f = cachet::memoize([&calls](int x) { ++calls; return 2 * x; }, cachet::files{.root = dir.path},
                           cachet::fail_open{.on_error = [&](const cachet::error& e) {
                             CHECK(dynamic_cast<const cachet::invalid_data*>(&e) != nullptr);
                             reported.push_back(e.what());
                           }});
  const std::string path = f.storage().file_of(f.key(7));
  write_file(path, header_claiming(f.key(7), f.key(7).size(), 100 * gib));
  make_sparse(path, 100 * gib);
  CHECK_FALSE(f.contains(7));
  CHECK_FALSE(f.touch(7));
  CHECK(f(7) == 14);  // computed, and stored over the bad file
  CHECK(calls == 1);
  REQUIRE(reported.size() == 3u);
  CHECK_THAT(reported.back(), Contains(path) && Contains("max_entry_bytes"));
  CHECK(fs::file_size(path) < 1000u);
  CHECK(f(7) == 14);
  CHECK(calls == 1);  // served from the new entry
  CHECK(reported.size() == 3u);

  // A checksum failure too: contains is false, get a miss, each reported.
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-1, std::ios::end);
    file.put('\x7f');
  }
  CHECK_FALSE(f.contains(7));
  CHECK_FALSE(f.get(7).has_value());
  CHECK(reported.size() == 5u);
  CHECK_THAT(reported.back(), Contains("checksum mismatch"));
}

TEST_CASE("files: only cachet errors leave a store", "[files][bad input]") {
  temp_dir dir;
  const std::string storage = "files " + dir.path.string();
  const auto guard = [&](auto fn) {
    return [&, fn] { cachet::detail::files_guard(storage, [] { return std::string("/the/file"); }, "k", fn); };
  };
  const auto fs_error = guard([] {
    throw fs::filesystem_error("directory_iterator", "/the/file", std::make_error_code(std::errc::permission_denied));
  });
  CHECK_THAT(message_of<cachet::backend_error>(fs_error), Contains("/the/file") && Contains(storage) && Contains("(key k)"));
  const auto sys_error = guard([] { throw std::system_error(std::make_error_code(std::errc::io_error), "read"); });
  CHECK_THAT(message_of<cachet::backend_error>(sys_error), Contains("/the/file"));
  const auto no_memory = guard([] { throw std::bad_alloc(); });
  CHECK_THAT(message_of<cachet::backend_error>(no_memory), Contains("out of memory at /the/file"));
  CHECK_THROWS_AS(guard([] { throw cachet::invalid_data("bad"); })(), cachet::invalid_data);
  CHECK_THROWS_AS(guard([] { throw cachet::closed_storage("closed"); })(), cachet::closed_storage);
  CHECK(cachet::detail::files_guard(storage, [] { return std::string(); }, "", [] { return 5; }) == 5);
}

TEST_CASE("files: a directory or a FIFO with an entry's name; a root gone or not a directory", "[files][bad input]") {
  temp_dir dir;
  const fs::path root = dir.path / "cache";
  store s(cachet::files{.root = root});
  s.set("a", "1", cachet::no_deadline);

  SECTION("a directory at the entry's path") {
    const std::string path = s.file_of("k");
    fs::create_directory(path);
    CHECK_THAT(message_of<cachet::invalid_data>([&] { s.get("k", t0); }), Contains(path) && Contains("not a regular file"));
    CHECK_THROWS_AS(s.contains("k", t0), cachet::invalid_data);
    CHECK_THAT(message_of<cachet::backend_error>([&] { s.touch("k", t0, cachet::no_deadline); }),
               Contains(path) && Contains("Is a directory"));  // touch opens to write
    CHECK_THAT(message_of<cachet::backend_error>([&] { s.erase("k"); }), Contains(path));
    CHECK_THAT(message_of<cachet::backend_error>([&] { s.set("k", "v", cachet::no_deadline); }), Contains(path));
    CHECK(s.count(t0) == 1u);
    CHECK(s.get("a", t0) == opt("1"));
  }
  SECTION("a FIFO at the entry's path: no read blocks") {
    const std::string path = s.file_of("k");
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    CHECK_THAT(message_of<cachet::invalid_data>([&] { s.get("k", t0); }), Contains(path) && Contains("not a regular file"));
    CHECK_THROWS_AS(s.contains("k", t0), cachet::invalid_data);
    CHECK_THROWS_AS(s.touch("k", t0, cachet::no_deadline), cachet::invalid_data);
    CHECK(s.count(t0) == 1u);
    CHECK(s.erase("k"));
    CHECK_FALSE(fs::exists(path));
  }
  SECTION("the root removed: an empty cache") {
    fs::remove_all(root);
    CHECK(s.size() == 0u);
    CHECK(s.count(t0) == 0u);
    CHECK(s.erase_expired(t0) == 0u);
    s.clear();
    CHECK_FALSE(s.contains("a", t0));
    CHECK_FALSE(s.touch("a", t0, cachet::no_deadline));
    CHECK_FALSE(s.erase("a"));
  }
  SECTION("the root replaced by a file: backend_error naming it") {
    fs::remove_all(root);
    write_file(root, "a file");
    CHECK_THAT(message_of<cachet::backend_error>([&] { s.get("a", t0); }), Contains(s.file_of("a")));
    CHECK_THROWS_AS(s.contains("a", t0), cachet::backend_error);
    CHECK_THROWS_AS(s.erase("a"), cachet::backend_error);
    CHECK_THAT(message_of<cachet::backend_error>([&] { s.size(); }), Contains(root.string()));
    CHECK_THROWS_AS(s.count(t0), cachet::backend_error);
    CHECK_THROWS_AS(s.set("a", "2", cachet::no_deadline), cachet::backend_error);
  }
  SECTION("the root unreadable (not as root, who reads anything)") {
    if (::geteuid() != 0) {
      fs::permissions(root, fs::perms::none);
      CHECK_THAT(message_of<cachet::backend_error>([&] { s.get("a", t0); }), Contains(s.file_of("a")));
      CHECK_THAT(message_of<cachet::backend_error>([&] { s.size(); }), Contains(root.string()));
      fs::permissions(root, fs::perms::owner_all);
    }
  }
}

TEST_CASE("files: value bytes that do not decode are invalid_data naming the storage", "[files][bad input]") {
  temp_dir dir;
  auto f = cachet::memoize([](int x) { return x; }, cachet::files{.root = dir.path});
  f.storage().set(f.key(5), "\x01\x02garbage", cachet::no_deadline);  // a whole entry, bytes no coder wrote
  CHECK_THAT(message_of<cachet::invalid_data>([&] { f.get(5); }), Contains(dir.path.string()) && Contains("(key 5)"));
  CHECK(f(6) == 6);
}

TEST_CASE("files: a root that cannot be made is a backend_error naming it", "[files][bad input]") {
  temp_dir dir;
  std::ofstream(dir.path / "file") << "x";
  const auto open = [](fs::path p) { return [p] { store s(cachet::files{.root = p}); }; };
  const std::string file = (dir.path / "file").string();
  CHECK_THAT(message_of<cachet::backend_error>(open(dir.path / "file" / "sub")), Contains(file));
  CHECK_THAT(message_of<cachet::backend_error>(open(dir.path / "file")), Contains((dir.path / "file").string()));
  CHECK_THAT(message_of<cachet::backend_error>(open("/proc/cachet-no-such-dir")), Contains("/proc/cachet-no-such-dir"));
  CHECK_THROWS_AS(store(cachet::files{.root = dir.path, .prefix = "a/b"}), std::invalid_argument);
  CHECK_THROWS_AS(store(cachet::files{}), std::invalid_argument);
}

// ------------------------------------------------------------ processes

