// fuzz/seeds.cpp: writes the seed corpora of fuzz_files_entry and
// fuzz_sqlite_row in the current formats (files entry version, cereal frame),
// so that a format change is one run away from fresh seeds:
//
//   cmake --build build-fuzz --target fuzz_seeds && build-fuzz/fuzz/fuzz_seeds fuzz/corpus
//
// The other corpora are not touched.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>

#include <cachet/coder/cereal_binary.hpp>
#include <cachet/storage/files.hpp>

#include "sqlite_row_input.hpp"

namespace {

namespace fs = std::filesystem;
using cachet_fuzz::sql_type;
using cachet_fuzz::sql_value;

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  std::cout << path.string() << ": " << bytes.size() << " bytes\n";
}

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

// fuzz_files_entry reads the entry of key "key" at the epoch.
void files_entry_seeds(const fs::path& dir) {
  using cachet::detail::files_encode;
  write(dir / "valid", files_encode("key", "value bytes", never));
  write(dir / "other-key", files_encode("other", "v", 1234));
  write(dir / "expired", files_encode("key", "old", 0));
  write(dir / "empty-value", files_encode("key", "", never));
}

// fuzz_sqlite_row's row is f(1), whose value is the std::string "value 1".
void sqlite_row_seeds(const fs::path& dir) {
  const std::string frame = cachet::cereal_binary{}.encode(std::string("value 1"));
  const auto size_of = [&](const std::string& value) {
    return sql_value::of_integer(static_cast<std::int64_t>(value.size() + 8));  // about key + value
  };
  const sql_value null{sql_type::null, {}};
  cachet_fuzz::sqlite_row_input in;
  in.value = {sql_type::blob, frame};
  in.expires_at = null;
  in.accessed_at = sql_value::of_integer(1);
  in.size = size_of(frame);
  write(dir / "valid", in.serialize());

  cachet_fuzz::sqlite_row_input limited = in;
  limited.limited = true;
  limited.write_after = true;
  write(dir / "valid-limited", limited.serialize());

  cachet_fuzz::sqlite_row_input expired = in;
  expired.expires_at = sql_value::of_integer(1);
  write(dir / "expired", expired.serialize());

  cachet_fuzz::sqlite_row_input text = in;
  text.value.type = sql_type::text;
  text.expires_at = {sql_type::text, "tomorrow"};
  write(dir / "text", text.serialize());

  cachet_fuzz::sqlite_row_input numbers = in;
  numbers.value = sql_value::of_integer(42);
  numbers.expires_at = sql_value::of_real(1.5e300);
  numbers.accessed_at = {sql_type::blob, "\x01\x02"};
  numbers.size = sql_value::of_real(-0.5);
  write(dir / "numbers", numbers.serialize());

  cachet_fuzz::sqlite_row_input nulls = in;
  nulls.value = null;
  nulls.accessed_at = null;
  nulls.size = null;
  write(dir / "nulls", nulls.serialize());

  // Sizes at the ends of int64 in the limited table, the row accessed last.
  cachet_fuzz::sqlite_row_input huge = limited;
  huge.size = sql_value::of_integer(std::numeric_limits<std::int64_t>::max());
  huge.accessed_at = sql_value::of_integer(never);
  write(dir / "huge-size", huge.serialize());
  huge.size = sql_value::of_integer(std::numeric_limits<std::int64_t>::min());
  write(dir / "negative-size", huge.serialize());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds <fuzz/corpus directory>\n";
    return 2;
  }
  const fs::path root = argv[1];
  fs::create_directories(root / "files_entry");
  fs::create_directories(root / "sqlite_row");
  files_entry_seeds(root / "files_entry");
  sqlite_row_seeds(root / "sqlite_row");
  return 0;
}
