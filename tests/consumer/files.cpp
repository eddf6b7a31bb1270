// Consumer test program for cachet::cereal: a files storage, whose default
// coder is cereal_binary. Exits 0 when a second cache on the same directory
// is served from disk. Usage: cachet_consumer_files <empty or absent directory>
#include <cachet/cachet.hpp>
#include <cachet/storage/files.hpp>

#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::filesystem::path root = argv[1];
  std::filesystem::remove_all(root);
  int calls = 0;
  const auto square = [&calls](int x) {
    ++calls;
    return std::to_string(x * x);
  };
  {
    auto f = cachet::memoize(square, cachet::files{.root = root, .prefix = "square-"});
    if (f(12) != "144") return 1;
  }
  auto g = cachet::memoize(square, cachet::files{.root = root, .prefix = "square-"});
  return g(12) == "144" && calls == 1 ? 0 : 1;
}
