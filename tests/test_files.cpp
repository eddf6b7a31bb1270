// tests/test_files.cpp: cachet::files: the conformance suite, the entry
// files (collisions, bad files, atomic writes, foreign files), expiry, and
// several processes on one directory (fork).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/crc.hpp>  // to write entries of format version 1

#include <cachet/cachet.hpp>
#include <cachet/storage/files.hpp>

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
  temp_dir() : cachet_test::temp_dir("files") {}
};

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

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool is_temp(const std::string& name) { return name.ends_with(".tmp"); }

using store = cachet::detail::files_store;
using opt = std::optional<std::string>;
const cachet::time_point t0 = cachet::manual_clock{}.now();

std::string value_for(int i, std::size_t size = 40) {
  std::string v = "value " + std::to_string(i) + " ";
  while (v.size() < size) v += static_cast<char>('a' + (v.size() + static_cast<std::size_t>(i)) % 26);
  return v;
}

// Replaces `path` with `bytes`.
void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Makes `path` `size` bytes long; past its content, a hole (no disk used).
void make_sparse(const std::string& path, std::uint64_t size) {
  if (!fs::exists(path)) write_file(path, "");
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(size)) == 0);
}

// An entry header for `key` whose key and value lengths are the ones given.
std::string header_claiming(const std::string& key, std::uint64_t key_size, std::uint64_t value_size) {
  std::string bytes = cachet::detail::files_encode(key, "", std::numeric_limits<std::int64_t>::max());
  cachet::detail::files_put_u64(bytes.data() + 16, key_size);
  cachet::detail::files_put_u64(bytes.data() + 24, value_size);
  return bytes;
}

// An entry as format version 1 wrote it: a 36-byte header whose last field
// is a CRC-32 of bytes 16..32, the key and the value.
std::string version_1_entry(const std::string& key, const std::string& value, std::int64_t expires_at) {
  std::string out(36, '\0');
  std::memcpy(out.data(), "cachetF\x01", 8);
  cachet::detail::files_put_u64(out.data() + 8, static_cast<std::uint64_t>(expires_at));
  cachet::detail::files_put_u64(out.data() + 16, key.size());
  cachet::detail::files_put_u64(out.data() + 24, value.size());
  boost::crc_32_type crc;
  crc.process_bytes(out.data() + 16, 16);
  crc.process_bytes(key.data(), key.size());
  crc.process_bytes(value.data(), value.size());
  for (int i = 0; i < 4; ++i) out[32 + i] = static_cast<char>((crc.checksum() >> (8 * i)) & 0xFFu);
  return out + key + value;
}

constexpr std::uint64_t gib = std::uint64_t{1} << 30;
constexpr std::size_t header_size = cachet::detail::files_header_size;

// Seconds that fn() takes.
template <class Fn>
double seconds_of(Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

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
