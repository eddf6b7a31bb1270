// tests/redis_test_support.hpp: what tests/test_redis.cpp asks of the server
// besides the stores: one redis-server for the whole run, redis-cli, and the
// server's counters (INFO commandstats, INFO clients) read through hiredis.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk_test_support.hpp"
#include "server_fixture.hpp"

namespace redis_test {

using cachet_test::message_of;

//! The redis-server of this test run (started on first use).
inline cachet_test::server_process& server() {
  static cachet_test::server_process s("redis-server", cachet_test::redis_args());
  return s;
}
inline std::string url(int db) { return "redis://" + server().address() + "/" + std::to_string(db); }
inline std::string socket_path() { return (server().dir() / "redis.sock").string(); }

//! What the shell command prints (stderr too), and its exit status.
struct command_result {
  int status;
  std::string output;
};
inline command_result run_command(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

//! What `redis-cli -p <port> <args>` prints, without the last newline.
inline std::string cli_at(int port, const std::string& args) {
  std::string out = run_command("redis-cli -p " + std::to_string(port) + " " + args).output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}
//! redis-cli on db `db` of the shared server.
inline std::string cli(int db, const std::string& args) {
  return cli_at(server().port(), "-n " + std::to_string(db) + " " + args);
}

//! A plain hiredis command on the shared server (not through a pool).
inline std::string raw(const char* format, const char* arg = nullptr) {
  std::unique_ptr<redisContext, void (*)(redisContext*)> c(redisConnect("127.0.0.1", server().port()), redisFree);
  if (!c || c->err) throw std::runtime_error("cannot connect to the test's redis-server");
  auto* r = static_cast<redisReply*>(arg ? redisCommand(c.get(), format, arg) : redisCommand(c.get(), format));
  if (r == nullptr) throw std::runtime_error("no reply");
  std::string out = r->str != nullptr ? std::string(r->str, r->len) : std::to_string(r->integer);
  freeReplyObject(r);
  return out;
}

//! The number after `field:` (or `field=` inside a line) in an INFO text.
inline long info_number(const std::string& info, const std::string& field) {
  const std::size_t at = info.find(field);
  if (at == std::string::npos) return 0;
  return std::stol(info.substr(at + field.size()));
}
//! How many times the server ran `command` (INFO commandstats).
inline long command_calls(const std::string& command) {
  return info_number(raw("INFO commandstats"), "cmdstat_" + command + ":calls=");
}
//! Clients connected to the shared server now, this probe's included.
inline long connected_clients() { return info_number(raw("INFO clients"), "connected_clients:") - 1; }

//! PTTL of `key` on db `db`, in milliseconds (-1: no TTL, -2: no key).
inline long pttl(int db, const std::string& key) { return std::stol(cli(db, "PTTL " + key)); }

//! Polls `done` every 20 ms until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(2)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

//! Runs fn(thread index) on `n` threads and joins them.
template <class Fn>
void run_threads(int n, Fn fn) {
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) threads.emplace_back(fn, t);
  for (auto& t : threads) t.join();
}

//! A TCP server on 127.0.0.1 that answers anything with bytes that are not
//! RESP (a server "answering garbage"), until destroyed.
class garbage_server {
 public:
  garbage_server() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("garbage_server: cannot listen");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) continue;
        char buffer[512];
        if (::recv(client, buffer, sizeof buffer, 0) > 0) (void)!::send(client, "garbage\r\n", 9, MSG_NOSIGNAL);
        ::shutdown(client, SHUT_WR);
        clients_.push_back(client);
      }
    });
  }
  garbage_server(const garbage_server&) = delete;
  garbage_server& operator=(const garbage_server&) = delete;
  ~garbage_server() {
    stop_ = true;
    thread_.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> clients_;
  std::thread thread_;
};

}  // namespace redis_test
