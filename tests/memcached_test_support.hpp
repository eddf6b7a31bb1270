// tests/memcached_test_support.hpp: helpers of tests/test_memcached.cpp: a
// memcached server per test (tests/server_fixture.hpp), the conformance
// fixtures (a server per cache), raw access to a server,
// a fake server that hangs or answers garbage, and a proxy that counts
// round trips.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cachet/cachet.hpp>
#include <cachet/storage/memcached.hpp>

#include "server_fixture.hpp"

namespace memcached_test {

using namespace std::chrono_literals;

struct memcached_server : cachet_test::server_process {
  explicit memcached_server(std::vector<std::string> extra = {})
      : server_process("memcached", cachet_test::memcached_args(std::move(extra))) {}
  cachet::memcached policy(bool binary = false) const { return {.servers = {address()}, .binary_protocol = binary}; }
};

// clear() flushes the whole server and size() counts the server's items:
// each cache of the suite gets a server of its own. The protocol is a
// runtime choice, as in cachet::memcached, so that both run one
// instantiation of the kit.
struct memcached_fixture {
  bool binary = false;
  std::string name = binary ? "memcached (binary protocol)" : "memcached (text protocol)";
  std::deque<std::unique_ptr<memcached_server>> servers{};
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    servers.push_back(std::make_unique<memcached_server>());
    return cachet::memoize(std::move(fn), servers.back()->policy(binary), clock, more...);
  }
};

// The same store, declared to keep deadlines on the caller's clock, so that
// the kit also runs its expiry laws (on a manual clock of 2020): the
// deadline in each item's header makes them hold on any clock, within the
// time the server keeps the item (memcached_expired_grace for deadlines
// already past on the wall clock).
struct memcached_on_any_clock : cachet::memcached {
  static constexpr bool own_expiry = false;
};

struct exact_fixture {
  static constexpr const char* name = "memcached, expiry laws on a manual clock";
  std::deque<std::unique_ptr<memcached_server>> servers{};
  template <class Fn, class... More>
  auto memoize(Fn fn, cachet::manual_clock clock, More... more) {
    servers.push_back(std::make_unique<memcached_server>());
    memcached_on_any_clock policy;
    policy.servers = {servers.back()->address()};
    return cachet::memoize(std::move(fn), policy, clock, more...);
  }
};

//! The general statistic `name` of the server at `address`.
inline std::size_t stat_of(const std::string& address, std::string_view name) {
  std::size_t out = 0;
  cachet::detail::memcached_client client(cachet::memcached{.servers = {address}}, "memcached " + address);
  client.stats("", [&](const std::string&, std::string_view n, std::string_view v) {
    if (n == name) out = std::stoull(std::string(v));
  });
  return out;
}

//! Sets `key` to `value` with `flags`, as another client would.
inline void set_raw(const std::string& address, const std::string& key, const std::string& value, std::uint32_t flags) {
  cachet::detail::memcached_client client(cachet::memcached{.servers = {address}}, "memcached " + address);
  auto l = client.borrow();
  REQUIRE(memcached_set(l.get(), key.data(), key.size(), value.data(), value.size(), 0, flags) == MEMCACHED_SUCCESS);
}

//! Polls `done` every 20 ms for at most `limit`.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = 10s) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

//! A TCP listener on 127.0.0.1 whose thread serves each connection with
//! serve(fd) until the destructor.
class tcp_listener {
 public:
  template <class Serve>
  explicit tcp_listener(Serve serve) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, serve] {
      std::vector<std::thread> connections;
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client >= 0) connections.emplace_back([this, serve, client] { serve(client, stop_); ::close(client); });
      }
      for (auto& t : connections) t.join();
    });
  }
  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;
  ~tcp_listener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

//! Waits up to 20 ms for `fd` to be readable; reads into `buf`. -1: closed.
inline long read_some(int fd, char* buf, std::size_t size) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 20) <= 0) return 0;
  const long n = ::read(fd, buf, size);
  return n <= 0 ? -1 : n;
}

//! A "server" that reads requests and never answers.
inline void hang(int fd, const std::atomic<bool>& stop) {
  char buf[4096];
  while (!stop && read_some(fd, buf, sizeof buf) >= 0) {
  }
}

//! A "server" that answers every request with a line no protocol has.
inline void babble(int fd, const std::atomic<bool>& stop) {
  char buf[4096];
  for (long n = 0; !stop && (n = read_some(fd, buf, sizeof buf)) >= 0;)
    if (n > 0 && ::write(fd, "WHAT IS THIS\r\n\x01\x02\xff", 17) < 0) return;
}

//! Forwards connections to `target`, counting round trips: a burst of bytes
//! from the client after the server last spoke (or first) is one.
class counting_proxy {
 public:
  explicit counting_proxy(int target_port)
      : listener_([this, target_port](int client, const std::atomic<bool>& stop) { forward(client, target_port, stop); }) {}
  std::string address() const { return listener_.address(); }
  int round_trips() const { return trips_; }

 private:
  void forward(int client, int target_port, const std::atomic<bool>& stop) {
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(target_port));
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return (void)::close(server);
    bool client_spoke_last = false;
    char buf[65536];
    while (!stop) {
      pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(p, 2, 20) <= 0) continue;
      for (int side = 0; side < 2; ++side) {
        if ((p[side].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const long n = ::read(p[side].fd, buf, sizeof buf);
        if (n <= 0) return (void)::close(server);
        if (side == 0 && !client_spoke_last) ++trips_;
        client_spoke_last = side == 0;
        if (::write(p[1 - side].fd, buf, static_cast<std::size_t>(n)) != n) return (void)::close(server);
      }
    }
    ::close(server);
  }

  std::atomic<int> trips_{0};
  tcp_listener listener_;
};

}  // namespace memcached_test
