// Consumer test program for cachet::sqlite. Exits 0 when a second cache on
// the same database is served from disk. Usage: cachet_consumer_sqlite <db file>
#include <cachet/cachet.hpp>
#include <cachet/storage/sqlite.hpp>

#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::filesystem::path db = argv[1];
  std::filesystem::remove(db);
  int calls = 0;
  const auto square = [&calls](int x) {
    ++calls;
    return std::to_string(x * x);
  };
  {
    auto f = cachet::memoize(square, cachet::sqlite{.path = db, .table = "square"});
    if (f(12) != "144") return 1;
  }
  auto g = cachet::memoize(square, cachet::sqlite{.path = db, .table = "square"});
  return g(12) == "144" && calls == 1 ? 0 : 1;
}
