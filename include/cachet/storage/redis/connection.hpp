// cachet/storage/redis/connection.hpp: one blocking hiredis connection to a
// Redis server, logged in (AUTH) and on its db (SELECT), with a command
// timeout; commands sent alone or pipelined (all written, then all replies
// read: one round trip). Every failure is a cachet::backend_error naming
// the server and the command, never an argument (keys or values).
#pragma once

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <cachet/errors.hpp>
#include <cachet/storage/redis/url.hpp>

namespace cachet::detail {

struct redis_reply_deleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
//! A reply of hiredis, freed with it.
using redis_reply = std::unique_ptr<redisReply, redis_reply_deleter>;

//! The arguments of one command: views into strings that outlive the call.
class redis_command {
 public:
  redis_command() = default;
  redis_command(std::initializer_list<std::string_view> args) {
    for (std::string_view a : args) add(a);
  }
  redis_command& add(std::string_view arg) {
    data_.push_back(arg.data());
    sizes_.push_back(arg.size());
    return *this;
  }
  std::string_view name() const { return data_.empty() ? std::string_view() : std::string_view(data_[0], sizes_[0]); }
  int argc() const noexcept { return static_cast<int>(data_.size()); }
  const char** argv() noexcept { return data_.data(); }
  const std::size_t* sizes() const noexcept { return sizes_.data(); }

 private:
  std::vector<const char*> data_;
  std::vector<std::size_t> sizes_;
};

//! Blocks SIGPIPE in this thread for one round trip: hiredis writes with
//! write(), and a write to a server that died would otherwise kill the
//! process. A SIGPIPE raised meanwhile is consumed, unless this thread
//! already blocked SIGPIPE (then it may be the program's own).
class sigpipe_guard {
 public:
  sigpipe_guard() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;
  ~sigpipe_guard() {
    if (!sigismember(&old_, SIGPIPE)) {
      sigset_t pending;
      if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
      pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
  }

 private:
  sigset_t pipe_{}, old_{};
};

class redis_connection {
 public:
  //! Connects, sets the command timeout, logs in and selects the db.
  //! Throws backend_error (prefixed by `where`) if any step fails.
  redis_connection(const redis_endpoint& at, std::chrono::milliseconds connect_timeout,
                   std::chrono::milliseconds command_timeout, std::string where)
      : where_(std::move(where)) {
    const timeval connect = to_timeval(connect_timeout);
    ctx_.reset(at.socket.empty() ? redisConnectWithTimeout(at.host.c_str(), at.port, connect)
                                 : redisConnectUnixWithTimeout(at.socket.c_str(), connect));
    if (!ctx_) throw backend_error("cannot allocate a hiredis context", where_);
    if (ctx_->err != 0) throw backend_error(std::string("cannot connect: ") + ctx_->errstr, where_);
    if (command_timeout.count() > 0 && redisSetTimeout(ctx_.get(), to_timeval(command_timeout)) != REDIS_OK)
      throw backend_error(std::string("cannot set the command timeout: ") + ctx_->errstr, where_);
    sigpipe_guard guard;
    if (at.password) {
      redis_command auth{"AUTH"};
      if (!at.user.empty()) auth.add(at.user);
      auth.add(*at.password);
      check(*command(auth), "AUTH");
    }
    if (at.db != 0) {
      const std::string db = std::to_string(at.db);
      check(*command(redis_command{"SELECT", db}), "SELECT " + db);
    }
  }

  //! Whether the connection failed (an I/O error, a timeout, a protocol
  //! error): its replies are out of step with its commands, so it is dropped.
  bool broken() const noexcept { return ctx_->err != 0; }
  //! Whether it failed because the server closed it (a restart), so that a
  //! fresh connection may well succeed.
  bool stale() const noexcept { return stale_; }

  //! Sends one command and reads its reply; an error reply is returned as is.
  redis_reply command(redis_command& c) {
    void* raw = redisCommandArgv(ctx_.get(), c.argc(), c.argv(), c.sizes());
    if (raw == nullptr) fail(c.name());
    return redis_reply(static_cast<redisReply*>(raw));
  }
  redis_reply command(redis_command&& c) { return command(c); }

  //! Queues a command of a pipeline (nothing is sent yet).
  void append(redis_command& c) {
    if (redisAppendCommandArgv(ctx_.get(), c.argc(), c.argv(), c.sizes()) != REDIS_OK) fail(c.name());
  }
  //! The next reply of the pipeline (the first call sends it all).
  redis_reply reply(std::string_view label) {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) fail(label);
    return redis_reply(static_cast<redisReply*>(raw));
  }

  //! Throws backend_error if `r` is an error reply (naming `label` and the
  //! server's message, which holds no argument).
  void check(const redisReply& r, std::string_view label) const {
    if (r.type == REDIS_REPLY_ERROR) throw backend_error(std::string(label) + ": " + std::string(r.str, r.len), where_);
  }

  const std::string& where() const noexcept { return where_; }

 private:
  struct context_deleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
  };

  static timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>(ms.count() % 1000 * 1000)};
  }

  [[noreturn]] void fail(std::string_view label) {
    const int saved = errno;
    stale_ = ctx_->err == REDIS_ERR_EOF || (ctx_->err == REDIS_ERR_IO && (saved == EPIPE || saved == ECONNRESET));
    std::string why = ctx_->err != 0 ? ctx_->errstr : "no reply";
    if (ctx_->err == REDIS_ERR_IO && (saved == EAGAIN || saved == EWOULDBLOCK)) why = "timed out";
    if (ctx_->err == 0) ctx_->err = REDIS_ERR_OTHER;  // a reply went missing: never reuse it
    throw backend_error(std::string(label) + ": " + why, where_);
  }

  std::string where_;
  std::unique_ptr<redisContext, context_deleter> ctx_;
  bool stale_ = false;
};

}  // namespace cachet::detail
