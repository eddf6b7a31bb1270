// cachet/storage/memcached/client.hpp: cachet::memcached's connections: one
// libmemcached handle configured from the policy (ketama, timeouts, failure
// limit, protocol) and a libmemcachedutil pool of its clones, each lent to
// one call at a time. Part of <cachet/storage/memcached.hpp>.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libmemcached-1.0/memcached.h>
#include <libmemcachedutil-1.0/pool.h>

#include <cachet/errors.hpp>

namespace cachet::detail {

//! "host:port" (or "[v6]:port", or "host", port 11211) split in two.
inline std::pair<std::string, in_port_t> memcached_address(const std::string& address) {
  std::string host = address;
  unsigned long port = 11211;
  const auto colon = address.rfind(':');
  const bool bracketed = !address.empty() && address.front() == '[';
  if (colon != std::string::npos && (!bracketed || address[colon - 1] == ']')) {
    host = address.substr(0, colon);
    char* end = nullptr;
    port = std::strtoul(address.c_str() + colon + 1, &end, 10);
    if (colon + 1 == address.size() || *end != '\0' || port == 0 || port > 65535)
      throw std::invalid_argument("cachet::memcached: bad port in server address \"" + address + "\"");
  }
  if (bracketed) host = host.substr(1, host.size() - 2);
  if (host.empty()) throw std::invalid_argument("cachet::memcached: no host in server address \"" + address + "\"");
  return {host, static_cast<in_port_t>(port)};
}

//! "host:port" of one server.
inline std::string memcached_server_text(const memcached_instance_st* server) {
  if (server == nullptr) return "?";
  return std::string(memcached_server_name(server)) + ":" + std::to_string(memcached_server_port(server));
}

//! A configured handle and the pool of its clones; thread-safe.
class memcached_client {
 public:
  //! Policy: cachet::memcached (a template so that this header needs only its fields).
  template <class Policy>
  memcached_client(const Policy& policy, std::string name) : name_(std::move(name)) {
    if (policy.servers.empty()) throw std::invalid_argument("cachet::memcached: no server given (.servers = {...})");
    if (policy.pool_size == 0) throw std::invalid_argument("cachet::memcached: pool_size must be at least 1");
    master_ = memcached_create(nullptr);
    if (master_ == nullptr) throw backend_error("cannot create a libmemcached handle", name_);
    try {
      for (const auto& address : policy.servers) {
        const auto [host, port] = memcached_address(address);
        if (memcached_server_add(master_, host.c_str(), port) != MEMCACHED_SUCCESS)
          throw std::invalid_argument("cachet::memcached: cannot use server address \"" + address + "\"");
      }
      configure(policy);
      pool_ = memcached_pool_create(master_, 1, static_cast<std::uint32_t>(policy.pool_size));
      if (pool_ == nullptr) throw backend_error("cannot create the connection pool", name_);
    } catch (...) {
      memcached_free(master_);
      throw;
    }
  }
  memcached_client(const memcached_client&) = delete;
  memcached_client& operator=(const memcached_client&) = delete;
  ~memcached_client() {
    memcached_pool_destroy(pool_);
    memcached_free(master_);
  }

  //! One pooled handle, returned to the pool by the destructor.
  class lease {
   public:
    explicit lease(memcached_client& c) : client_(c) {
      memcached_return_t rc = MEMCACHED_SUCCESS;
      handle_ = memcached_pool_pop(c.pool_, /*block=*/true, &rc);
      if (handle_ == nullptr)
        throw backend_error(std::string("no connection from the pool: ") + memcached_strerror(nullptr, rc), c.name_);
    }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() { memcached_pool_release(client_.pool_, handle_); }
    memcached_st* get() const noexcept { return handle_; }

   private:
    memcached_client& client_;
    memcached_st* handle_;
  };

  lease borrow() { return lease(*this); }
  const std::string& name() const noexcept { return name_; }

  //! The server that holds `key` (already mapped), as "host:port".
  static std::string server_of(memcached_st* mc, std::string_view key) {
    memcached_return_t rc = MEMCACHED_SUCCESS;
    return memcached_server_text(memcached_server_by_key(mc, key.data(), key.size(), &rc));
  }

  //! The backend_error for `command` failing with `rc` on `server`.
  backend_error failure(memcached_st* mc, memcached_return_t rc, std::string_view command, std::string_view server,
                        std::string key = {}) const {
    std::string why = memcached_strerror(mc, rc);
    if (const std::string detail = error_detail(mc); !detail.empty() && detail != why) why += " (" + detail + ")";
    return backend_error(std::string(command) + " on " + std::string(server) + " failed: " + why, name_,
                         std::move(key));
  }

  //! libmemcached's last error message without the handle's address in
  //! front and the source location behind: "(0x55..) A TIMEOUT OCCURRED,
  //! time out,  host: h:p -> ./src/io.cc:220" gives "A TIMEOUT OCCURRED,
  //! time out, host: h:p".
  static std::string error_detail(const memcached_st* mc) {
    const char* raw = memcached_last_error_message(mc);
    std::string text = raw != nullptr ? raw : "";
    if (const auto end = text.find(") "); text.starts_with("(0x") && end != std::string::npos) text.erase(0, end + 2);
    text = text.substr(0, text.find(" -> "));
    for (char& c : text)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // a garbage answer's bytes may be quoted
    for (std::size_t at; (at = text.find("  ")) != std::string::npos;) text.erase(at, 1);
    while (!text.empty() && (text.back() == ' ' || text.back() == ',')) text.pop_back();
    return text;
  }

  //! Calls on(server, name, value) for each statistic of `group` ("" for
  //! the general ones, "settings", ...) of every server, through `mc` (a
  //! handle the caller holds) or a borrowed one; throws if a server does not
  //! answer.
  template <class On>
  void stats(const char* group, On on, memcached_st* mc = nullptr) {
    if (mc == nullptr) {
      lease l = borrow();
      return stats(group, on, l.get());
    }
    struct context {
      On& on;
    } ctx{on};
    const auto each = [](const memcached_instance_st* server, const char* k, size_t kn, const char* v, size_t vn,
                         void* p) -> memcached_return_t {
      static_cast<context*>(p)->on(memcached_server_text(server), std::string_view(k, kn), std::string_view(v, vn));
      return MEMCACHED_SUCCESS;
    };
    const memcached_return_t rc = memcached_stat_execute(mc, group, each, &ctx);
    if (rc != MEMCACHED_SUCCESS)
      throw failure(mc, rc, *group != '\0' ? std::string("stats ") + group : std::string("stats"), servers());
  }

  //! The servers, comma-separated.
  std::string servers() const { return name_.substr(name_.find(' ') + 1); }

 private:
  template <class Policy>
  void configure(const Policy& policy) {
    const auto set = [&](memcached_behavior_t what, std::uint64_t value) {
      if (memcached_behavior_set(master_, what, value) != MEMCACHED_SUCCESS)
        throw std::invalid_argument("cachet::memcached: libmemcached refused a setting (behavior " +
                                    std::to_string(static_cast<int>(what)) + " = " + std::to_string(value) + ")");
    };
    const auto ms = [](std::chrono::milliseconds d) { return static_cast<std::uint64_t>(d.count() < 1 ? 1 : d.count()); };
    set(MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, policy.binary_protocol ? 1 : 0);
    // Consistent hashing: adding or losing a server moves only its share of keys.
    set(MEMCACHED_BEHAVIOR_DISTRIBUTION, MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA);
    set(MEMCACHED_BEHAVIOR_NO_BLOCK, 1);  // connect_timeout applies only to non-blocking sockets
    set(MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
    set(MEMCACHED_BEHAVIOR_SUPPORT_CAS, 1);  // touch rewrites the header under a CAS
    set(MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, ms(policy.connect_timeout));
    set(MEMCACHED_BEHAVIOR_POLL_TIMEOUT, ms(policy.poll_timeout));
    set(MEMCACHED_BEHAVIOR_SND_TIMEOUT, ms(policy.poll_timeout) * 1000);
    set(MEMCACHED_BEHAVIOR_RCV_TIMEOUT, ms(policy.poll_timeout) * 1000);
    // After server_failure_limit failures in a row a server leaves the ring
    // (its keys go to the others) and is tried again retry_timeout later
    // (DEAD_TIMEOUT). Between those failures libmemcached disables the
    // server for RETRY_TIMEOUT whole seconds; 0 means until the next second,
    // so a dead server is out of the ring about limit - 1 seconds after its
    // first failure, not (limit - 1) x retry_timeout.
    set(MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, policy.server_failure_limit);
    set(MEMCACHED_BEHAVIOR_REMOVE_FAILED_SERVERS, 1);
    const auto retry = static_cast<std::uint64_t>(policy.retry_timeout.count() < 1 ? 1 : policy.retry_timeout.count());
    set(MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, 0);
    set(MEMCACHED_BEHAVIOR_DEAD_TIMEOUT, retry);
  }

  std::string name_;
  memcached_st* master_ = nullptr;
  memcached_pool_st* pool_ = nullptr;
};

}  // namespace cachet::detail
