// bench/baselines/caffeine/run_caffeine.hpp: runs CaffeineHitRatio.java
// (Caffeine, the Java cache, through its plain cache API) on a trace's keys
// at several capacities, `runs` caches each, in one JVM, for bench/hitratio's
// caffeine column (the mean over the runs) and its spread (min and max).
// The paths come from bench/CMakeLists.txt (CACHET_JAVA, CACHET_CAFFEINE_JAR,
// CACHET_CAFFEINE_CLASSES) when it found a JDK and Debian's caffeine.jar.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>  // getpid, for the temp file's name

#include "../../hitratio_traces.hpp"

namespace hitratio {

#if defined(CACHET_JAVA) && defined(CACHET_CAFFEINE_JAR) && defined(CACHET_CAFFEINE_CLASSES)
// Why Caffeine cannot run, or nullopt when it can.
inline std::optional<std::string> caffeine_unavailable() {
  for (const char* needed : {CACHET_JAVA, CACHET_CAFFEINE_JAR, CACHET_CAFFEINE_CLASSES "/CaffeineHitRatio.class"})
    if (!std::filesystem::exists(needed))
      return std::string(needed) + " is missing (reinstall default-jdk-headless libcaffeine-java, or rebuild hitratio)";
  return std::nullopt;
}
#else
inline std::optional<std::string> caffeine_unavailable() {
  return "hitratio was built without a JDK or caffeine.jar "
         "(Debian: default-jdk-headless libcaffeine-java; then reconfigure)";
}
#endif

//! Caffeine's hit ratios at each capacity, over its runs.
struct caffeine_ratios {
  std::vector<double> mean, min, max;
};

// Caffeine's hit ratios at each of `capacities`, over `runs` caches each
// (every cache seeds its randomness afresh), from one JVM; on failure,
// nullopt and the reason in `error`.
inline std::optional<caffeine_ratios> run_caffeine(const trace& t, const std::vector<std::size_t>& capacities,
                                                   unsigned runs, std::string& error) {
#if defined(CACHET_JAVA) && defined(CACHET_CAFFEINE_JAR) && defined(CACHET_CAFFEINE_CLASSES)
  if (const auto why = caffeine_unavailable()) {
    error = *why;
    return std::nullopt;
  }
  // CaffeineHitRatio reads little-endian u32 keys.
  const auto keys_path = std::filesystem::temp_directory_path() /
                         ("cachet-hitratio-" + std::to_string(::getpid()) + "-" + t.name + ".u32");
  {
    std::vector<unsigned char> bytes(t.keys.size() * 4);
    for (std::size_t i = 0; i < t.keys.size(); ++i)
      for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<unsigned char>(t.keys[i] >> (8 * b));
    std::ofstream out(keys_path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      error = "cannot write " + keys_path.string();
      return std::nullopt;
    }
  }
  std::string command = shell_quote(CACHET_JAVA) + " -cp " +
                        shell_quote(CACHET_CAFFEINE_JAR ":" CACHET_CAFFEINE_CLASSES) + " CaffeineHitRatio " +
                        shell_quote(keys_path.string()) + ' ' + std::to_string(runs);
  for (const std::size_t c : capacities) {
    command += ' ';
    command += std::to_string(c);
  }
  std::string output;
  int status = -1;
  if (FILE* java = popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, java)) > 0;) output.append(buffer, got);
    status = pclose(java);
  }
  std::filesystem::remove(keys_path);
  if (status != 0) {
    error = "java exited with status " + std::to_string(status) + " (its messages are above)";
    return std::nullopt;
  }
  caffeine_ratios ratios;
  std::istringstream lines(output);
  for (std::size_t capacity; lines >> capacity;) {
    double mean = 0, min = 0, max = 0;
    if (!(lines >> mean >> min >> max) || ratios.mean.size() == capacities.size() ||
        capacity != capacities[ratios.mean.size()])
      break;
    ratios.mean.push_back(mean);
    ratios.min.push_back(min);
    ratios.max.push_back(max);
  }
  if (ratios.mean.size() != capacities.size()) {
    error = "unexpected output from CaffeineHitRatio: " + output;
    return std::nullopt;
  }
  return ratios;
#else
  (void)t;
  (void)capacities;
  (void)runs;
  error = *caffeine_unavailable();
  return std::nullopt;
#endif
}

}  // namespace hitratio
