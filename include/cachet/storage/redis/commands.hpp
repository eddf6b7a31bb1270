// cachet/storage/redis/commands.hpp: what both Redis stores need: the pool a
// policy asks for, deadlines as times to live, replies read as values, and
// pipelines (all commands written, then all replies read).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <cachet/clock.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage/redis/connection.hpp>
#include <cachet/storage/redis/pool.hpp>

namespace cachet::detail {

//! The pool of a redis or redis_hash policy: its own, or the shared one.
template <class Policy>
redis_pool pool_of(const Policy& p) {
  if (p.pool) {
    if (!p.url.empty())
      throw std::invalid_argument("cachet::redis: give .url or .pool, not both (url " + redis_url_for_display(p.url) +
                                  ")");
    return p.pool;
  }
  return redis_pool(redis_pool_settings{.url = p.url.empty() ? "redis://127.0.0.1:6379/0" : p.url,
                                        .size = p.pool_size,
                                        .connect_timeout = p.connect_timeout,
                                        .command_timeout = p.command_timeout});
}

//! The time to live of `deadline` from the wall clock now, in milliseconds
//! rounded up: nullopt for no_deadline, <= 0 if it has passed.
inline std::optional<long long> redis_ttl_ms(time_point deadline) {
  if (deadline == no_deadline) return std::nullopt;
  const time_point now = std::chrono::system_clock::now();
  if (deadline <= now) return 0;
  return std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
}

//! A string reply as a value, nil as nothing; anything else is an error.
inline std::optional<std::string> redis_value(const redis_connection& c, const redisReply& r, std::string_view label) {
  if (r.type == REDIS_REPLY_STRING) return std::string(r.str, r.len);
  if (r.type == REDIS_REPLY_NIL) return std::nullopt;
  c.check(r, label);
  throw backend_error(std::string(label) + ": unexpected reply type " + std::to_string(r.type), c.where());
}

inline long long redis_integer(const redis_connection& c, const redisReply& r, std::string_view label) {
  if (r.type == REDIS_REPLY_INTEGER) return r.integer;
  c.check(r, label);
  throw backend_error(std::string(label) + ": expected an integer reply", c.where());
}

//! Sends `commands` in one round trip and returns their replies in order.
//! An error reply throws backend_error once every reply is read (so the
//! connection stays in step); a lost connection throws at once.
inline std::vector<redis_reply> redis_pipeline(redis_connection& c, std::span<redis_command> commands) {
  std::vector<redis_reply> out;
  out.reserve(commands.size());
  for (auto& command : commands) c.append(command);
  std::optional<std::size_t> first_error;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    out.push_back(c.reply(commands[i].name()));
    if (!first_error && out.back()->type == REDIS_REPLY_ERROR) first_error = i;
  }
  if (first_error) c.check(*out[*first_error], std::string(commands[*first_error].name()) + " (pipelined)");
  return out;
}

//! `s` with the glob characters of SCAN MATCH escaped.
inline std::string redis_glob_escaped(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace cachet::detail
