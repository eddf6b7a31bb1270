// cachet/storage/redis/pool.hpp: cachet::redis_pool, a shared handle to at
// most N connections to one Redis server. Give one pool to many memoized
// functions (cachet::redis{.pool = pool, ...}) and they share its
// connections; a policy given a URL makes a pool of its own.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/errors.hpp>
#include <cachet/storage/redis/connection.hpp>
#include <cachet/storage/redis/url.hpp>

namespace cachet {

//! How to reach a Redis server, and how many connections to keep.
struct redis_pool_settings {
  //! redis://[[user]:password@]host[:port][/db] or unix://[[user]:password@]/path.sock[?db=N]
  std::string url = "redis://127.0.0.1:6379/0";
  //! At most this many connections are open at once; a thread that finds
  //! them all busy waits for one (up to connect_timeout + command_timeout).
  std::size_t size = 8;
  //! The longest a connect (and the login on it) may take.
  std::chrono::milliseconds connect_timeout{1000};
  //! The longest one command (or pipeline) may wait for the server; past
  //! it the call fails and the connection is dropped. 0: no limit.
  std::chrono::milliseconds command_timeout{1000};
};

namespace detail {

//! The pool's shared state: idle connections, how many are open, and the
//! back-off after a failed connect. The mutex is held only to take or give
//! back a connection, never across a round trip.
class redis_pool_state {
 public:
  explicit redis_pool_state(redis_pool_settings settings)
      : settings_(std::move(settings)),
        endpoint_(parse_redis_url(settings_.url)),
        name_("redis " + endpoint_.address()) {
    if (settings_.size == 0) throw std::invalid_argument("cachet::redis_pool: the pool size must be at least 1");
  }

  const std::string& name() const noexcept { return name_; }
  std::size_t capacity() const noexcept { return settings_.size; }
  std::size_t open() const {
    std::lock_guard<std::mutex> g(mutex_);
    return open_;
  }

  //! Runs fn(redis_connection&) on a connection of the pool and returns
  //! what it returns; `command` names it in errors. A connection that fails
  //! is dropped; if it was an idle one the server had closed (a restart),
  //! the other idle ones go too and fn runs once more on a new connection.
  template <class Fn>
  auto run(std::string_view command, Fn&& fn) {
    std::string stale;  // the failure of a closed idle connection, retried once
    for (;;) {
      std::pair<std::unique_ptr<redis_connection>, bool> taken;
      try {
        taken = acquire();
      } catch (const backend_error& e) {
        throw backend_error(std::string(command) + ": " + (stale.empty() ? "" : stale + "; then ") + e.reason(), name_);
      }
      auto& [connection, reused] = taken;
      try {
        sigpipe_guard guard;
        if constexpr (std::is_void_v<decltype(fn(*connection))>) {
          fn(*connection);
          release(std::move(connection));
          return;
        } else {
          auto out = fn(*connection);
          release(std::move(connection));
          return out;
        }
      } catch (const backend_error& e) {
        const bool retry = stale.empty() && reused && connection->stale();
        release(std::move(connection));
        if (!retry) throw;
        stale = e.reason();
      } catch (...) {
        release(std::move(connection));
        throw;
      }
      drop_idle();
    }
  }

 private:
  using clock = std::chrono::steady_clock;

  std::pair<std::unique_ptr<redis_connection>, bool> acquire() {
    std::unique_lock<std::mutex> g(mutex_);
    const auto give_up = clock::now() + settings_.connect_timeout + settings_.command_timeout;
    for (;;) {
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return {std::move(c), true};
      }
      if (open_ < settings_.size) {
        const auto now = clock::now();
        if (now < retry_at_) {
          const auto wait = std::chrono::ceil<std::chrono::milliseconds>(retry_at_ - now).count();
          throw backend_error(
              "not connected (" + last_failure_ + "); the next attempt is in " + std::to_string(wait) + " ms", name_);
        }
        ++open_;
        g.unlock();
        return {connect(), false};
      }
      if (cv_.wait_until(g, give_up) == std::cv_status::timeout && idle_.empty() && open_ >= settings_.size)
        throw backend_error("no connection of the pool (" + std::to_string(settings_.size) + ") came free in time",
                            name_);
    }
  }

  // Outside the mutex (it may take connect_timeout); counted in open_ already.
  std::unique_ptr<redis_connection> connect() {
    try {
      sigpipe_guard guard;
      auto c =
          std::make_unique<redis_connection>(endpoint_, settings_.connect_timeout, settings_.command_timeout, name_);
      std::lock_guard<std::mutex> g(mutex_);
      backoff_ = std::chrono::milliseconds{0};
      return c;
    } catch (const backend_error& e) {
      std::lock_guard<std::mutex> g(mutex_);
      --open_;
      // 100 ms doubling to 2 s: a dead server costs one connect per delay,
      // not one per call.
      backoff_ = std::min(std::chrono::milliseconds{2000}, std::max(std::chrono::milliseconds{100}, backoff_ * 2));
      retry_at_ = clock::now() + backoff_;
      last_failure_ = e.reason();
      cv_.notify_one();
      throw;
    }
  }

  void release(std::unique_ptr<redis_connection> c) {
    std::unique_ptr<redis_connection> dropped;
    {
      std::lock_guard<std::mutex> g(mutex_);
      if (c->broken()) {
        --open_;
        dropped = std::move(c);
      } else {
        idle_.push_back(std::move(c));
      }
    }
    cv_.notify_one();
  }

  void drop_idle() {
    std::vector<std::unique_ptr<redis_connection>> dropped;
    {
      std::lock_guard<std::mutex> g(mutex_);
      dropped.swap(idle_);
      open_ -= dropped.size();
    }
    cv_.notify_all();
  }

  redis_pool_settings settings_;
  detail::redis_endpoint endpoint_;
  std::string name_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<redis_connection>> idle_;
  std::size_t open_ = 0;
  clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_failure_;
};

}  // namespace detail

//! A handle to a pool of connections to one Redis server; copies share it.
//! Connections are made when first needed. Thread-safe.
//!
//!     cachet::redis_pool pool({.url = "redis://cache.local:6379/1", .size = 16});
//!     auto f = cachet::memoize(fetch_user, cachet::redis{.pool = pool, .prefix = "user:"});
//!     auto g = cachet::memoize(fetch_order, cachet::redis{.pool = pool, .prefix = "order:"});
//!
//! Throws std::invalid_argument for a malformed URL or a size of 0.
class redis_pool {
 public:
  //! No pool: a policy holding one makes its own from its URL.
  redis_pool() = default;
  explicit redis_pool(redis_pool_settings settings)
      : state_(std::make_shared<detail::redis_pool_state>(std::move(settings))) {}

  explicit operator bool() const noexcept { return state_ != nullptr; }
  //! "redis <host>:<port>/<db>" (or "redis unix:<path>?db=<db>").
  const std::string& name() const { return state().name(); }
  //! The most connections open at once.
  std::size_t capacity() const { return state().capacity(); }
  //! The connections open now (busy or idle).
  std::size_t open_connections() const { return state().open(); }

  //! For the stores: the shared state.
  detail::redis_pool_state& state() const {
    if (!state_) throw std::logic_error("cachet::redis_pool: an empty pool handle was used");
    return *state_;
  }

 private:
  std::shared_ptr<detail::redis_pool_state> state_;
};

}  // namespace cachet
