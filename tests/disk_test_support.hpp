// tests/disk_test_support.hpp: helpers shared by the tests of the storages
// that keep files: a temporary directory, an exception's message, and child
// processes (fork) for the cross-process tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

#include <sys/wait.h>
#include <unistd.h>

namespace cachet_test {

//! A fresh directory under the system's temporary directory, removed with its contents.
struct temp_dir {
  explicit temp_dir(const std::string& tag)
      : path(std::filesystem::temp_directory_path() /
             ("cachet-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(path);
  }
  temp_dir(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path path;
};

//! The what() of the E that f() throws, or "<no exception>".
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

//! Runs fn() in a child process that exits with its result (1 if it throws).
template <class Fn>
pid_t spawn(Fn fn) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int rc = 1;
    try {
      rc = fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %d: %s\n", static_cast<int>(::getpid()), e.what());
    } catch (...) {
    }
    ::_exit(rc);  // no destructors, no Catch2 reporting in the child
  }
  return pid;
}

//! The child's exit code, or 128 + the signal that ended it.
inline int exit_code(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace cachet_test
