// fuzz/fuzz_files_entry.cpp: libFuzzer target for the files storage's read
// path. The input is written as the entry file of one key; get, contains
// and touch must answer or raise a cachet::error (invalid_data for a bad
// entry), never crash or throw anything else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <cachet/errors.hpp>
#include <cachet/storage/files.hpp>

namespace {

struct fixture {
  std::filesystem::path root;
  cachet::detail::files_store store;
  std::string entry_path;

  static std::filesystem::path make_root() {
    const auto dir = std::filesystem::temp_directory_path() / ("cachet-fuzz-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
  }
  fixture()
      : root(make_root()),
        store(cachet::files{.root = root, .max_entry_bytes = 1 << 20}),
        entry_path((root / cachet::detail::files_entry_name("", "key")).string()) {}
  ~fixture() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fixture f;
  {
    std::ofstream out(f.entry_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const cachet::time_point now{};
  try {
    (void)f.store.get("key", now);
  } catch (const cachet::error&) {
  }
  try {
    (void)f.store.contains("key", now);
  } catch (const cachet::error&) {
  }
  try {
    (void)f.store.touch("key", now, cachet::no_deadline);
  } catch (const cachet::error&) {
  }
  return 0;
}
