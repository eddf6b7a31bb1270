// tests/server_fixture.hpp: real servers for the remote storages' tests:
// Debian's redis-server and memcached started on 127.0.0.1 on a free port
// (and, for Redis, a unix socket), killed by the destructor. A server that
// cannot be started is an error, never a skipped test.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cachet_test {

//! A port on 127.0.0.1 that nothing listens on now (the kernel's choice).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

//! True if a TCP connection to 127.0.0.1:port succeeds.
inline bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

//! The full path of `program` on PATH (or in /usr/sbin, /usr/bin), or "".
inline std::string find_program(const std::string& program) {
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t from = 0;
  while (from <= path.size()) {
    const std::size_t to = std::min(path.find(':', from), path.size());
    const std::filesystem::path candidate = std::filesystem::path(path.substr(from, to - from)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    from = to + 1;
  }
  return "";
}

//! A server process listening on 127.0.0.1:port(). start() runs it (again,
//! on the same port after stop()); the destructor stops it.
class server_process {
 public:
  //! `program` (found on PATH) with `args`, in which "{port}" is replaced by
  //! the port and "{dir}" by a private temporary directory.
  server_process(std::string program, std::vector<std::string> args)
      : program_(std::move(program)), args_(std::move(args)), port_(free_port()) {
    char pattern[] = "/tmp/cachet-server-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    start();
  }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;
  ~server_process() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int port() const noexcept { return port_; }
  //! "127.0.0.1:<port>"
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const noexcept { return dir_; }
  bool running() const noexcept { return pid_ > 0; }

  void start() {
    if (pid_ > 0) return;
    const std::string path = find_program(program_);
    if (path.empty())
      throw std::runtime_error(program_ + " is not installed (scripts/test installs it: apt-get install " +
                               (program_ == "redis-server" ? std::string("redis-server") : program_) + ")");
    std::vector<std::string> argv{path};
    for (std::string arg : args_) {
      replace(arg, "{port}", std::to_string(port_));
      replace(arg, "{dir}", dir_.string());
      argv.push_back(std::move(arg));
    }
    std::fflush(nullptr);  // else the child would write the parent's buffered output again
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      const std::string log = (dir_ / "server.log").string();
      if (std::freopen(log.c_str(), "a", stdout) == nullptr || std::freopen(log.c_str(), "a", stderr) == nullptr)
        ::_exit(126);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!accepts_connections(port_)) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error(program_ + " exited at start (port " + std::to_string(port_) + "); see " +
                                 (dir_ / "server.log").string());
      }
      if (std::chrono::steady_clock::now() > give_up) {
        stop();
        throw std::runtime_error(program_ + " did not listen on " + address() + " within 10 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  //! Kills the server (SIGKILL: as a crash would) and waits for it.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

 private:
  static void replace(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  }

  std::string program_;
  std::vector<std::string> args_;
  int port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

//! redis-server on 127.0.0.1:port and on the unix socket dir()/redis.sock;
//! nothing saved to disk. `extra` are more "--name value" arguments
//! (e.g. {"--requirepass", "secret"}).
inline std::vector<std::string> redis_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--port",         "{port}", "--bind",         "127.0.0.1", "--save",      "",
                                "--appendonly",   "no",     "--dir",          "{dir}",     "--unixsocket", "{dir}/redis.sock",
                                "--unixsocketperm", "700",  "--daemonize",    "no",        "--protected-mode", "no"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

//! memcached on 127.0.0.1:port, TCP only; `extra` are more arguments
//! (e.g. {"-I", "1m"} for the item size limit).
inline std::vector<std::string> memcached_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"-l", "127.0.0.1", "-p", "{port}", "-U", "0", "-m", "64"};
  if (::geteuid() == 0) args.insert(args.end(), {"-u", "root"});  // memcached refuses to run as root otherwise
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace cachet_test
