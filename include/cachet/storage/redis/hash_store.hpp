// cachet/storage/redis/hash_store.hpp: the store of cachet::redis_hash: a
// cache's entries as the fields of one Redis hash, each field's value its
// deadline (8 bytes) then the coder's bytes. Redis 7.0 has no TTL per
// field, so the store compares deadlines with the `now` it is given, and
// deletes the expired fields it meets. Included by <cachet/storage/redis.hpp>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cachet/clock.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/common/unix_time.hpp>
#include <cachet/storage/redis.hpp>
#include <cachet/storage/redis/commands.hpp>
#include <cachet/storage/redis/pool.hpp>

namespace cachet::detail {

//! A deadline as the 8 bytes in front of a field's value: nanoseconds
//! since the epoch offset by 2^63, big-endian, so that byte order is time
//! order (no_deadline is all 0xff).
inline std::string redis_deadline_bytes(time_point t) {
  const std::uint64_t u = static_cast<std::uint64_t>(to_unix_ns(t)) ^ (std::uint64_t{1} << 63);
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(u >> (56 - 8 * i));
  return out;
}
inline std::int64_t redis_deadline_ns(std::string_view frame) {
  std::uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = u << 8 | static_cast<unsigned char>(frame[static_cast<std::size_t>(i)]);
  return static_cast<std::int64_t>(u ^ (std::uint64_t{1} << 63));
}

//! Safe to call from several threads at once; copies share the pool.
class redis_hash_store {
  // Runs fn(redis_connection&) for `command` on a connection of the pool (first: the
  // members below deduce their return types from it).
  template <class Fn>
  auto run(std::string_view command, Fn&& fn) const {
    return pool_.state().run(command, std::forward<Fn>(fn));
  }

 public:
  using key_type = std::string;
  using value_type = std::string;

  //! Checks the server at once (connect, AUTH, SELECT, PING).
  explicit redis_hash_store(const redis_hash& policy)
      : pool_(pool_of(policy)), hash_(policy.hash), name_(pool_.name() + " hash " + hash_) {
    if (hash_.empty()) throw std::invalid_argument("cachet::redis_hash: the hash name is empty (" + name_ + ")");
    run("PING", [](redis_connection& c) { c.check(*c.command(redis_command{"PING"}), "PING"); });
  }

  std::optional<std::string> get(std::string_view key, time_point now) {
    auto frame = run("HGET", [&](redis_connection& c) {
      return redis_value(c, *c.command(redis_command{"HGET", hash_, key}), "HGET");
    });
    if (!frame) return std::nullopt;
    if (live(*frame, now, key)) {
      frame->erase(0, 8);
      return frame;
    }
    forget_expired(std::vector<std::pair<std::string, std::string>>{{std::string(key), frame->substr(0, 8)}});
    return std::nullopt;
  }

  //! The value of a live field, its deadline set to `deadline` (one script).
  std::optional<std::string> get_and_touch(std::string_view key, time_point now, time_point deadline) {
    const std::string at = redis_deadline_bytes(now), to = redis_deadline_bytes(deadline);
    redis_command probe{"EVAL", probe_script, "1", hash_, key, at, "get_and_touch", to};
    return run("EVAL (get_and_touch)",
               [&](redis_connection& c) { return redis_value(c, *c.command(probe), "EVAL (get_and_touch)"); });
  }

  void set(std::string_view key, std::string_view value, time_point deadline) {
    const std::string frame = redis_deadline_bytes(deadline).append(value);
    run("HSET", [&](redis_connection& c) { c.check(*c.command(redis_command{"HSET", hash_, key, frame}), "HSET"); });
  }

  bool erase(std::string_view key) {
    return run("HDEL", [&](redis_connection& c) {
      return redis_integer(c, *c.command(redis_command{"HDEL", hash_, key}), "HDEL") > 0;
    });
  }

  bool contains(std::string_view key, time_point now) {
    const std::string k(key);
    return contains_many(std::span<const std::string>(&k, 1), now).front();
  }

  bool touch(std::string_view key, time_point now, time_point deadline) {
    const std::string k(key);
    return touch_many(std::span<const std::string>(&k, 1), now, deadline).front();
  }

  //! One HMGET (pipelined HMGETs of 4096 fields for larger batches); a
  //! second round trip deletes the expired fields met, if any.
  std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, time_point now) {
    std::vector<std::optional<std::string>> out;
    if (keys.empty()) return out;
    std::vector<redis_command> commands;
    for (std::size_t from = 0; from < keys.size(); from += chunk) {
      redis_command& hmget = commands.emplace_back(redis_command{"HMGET", hash_});
      for (std::size_t i = from; i < std::min(keys.size(), from + chunk); ++i) hmget.add(keys[i]);
    }
    run("HMGET", [&](redis_connection& c) {
      out.clear();
      for (const redis_reply& r : redis_pipeline(c, commands)) {
        if (r->type != REDIS_REPLY_ARRAY) throw backend_error("HMGET: expected an array reply", c.where());
        for (std::size_t i = 0; i < r->elements; ++i) out.push_back(redis_value(c, *r->element[i], "HMGET"));
      }
      if (out.size() != keys.size()) throw backend_error("HMGET: the reply has the wrong length", c.where());
    });
    std::vector<std::pair<std::string, std::string>> expired;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (!out[i]) continue;
      if (live(*out[i], now, keys[i])) {
        out[i]->erase(0, 8);
      } else {
        expired.emplace_back(keys[i], out[i]->substr(0, 8));
        out[i].reset();
      }
    }
    if (!expired.empty()) forget_expired(expired);
    return out;
  }

  //! One HSET of every field (a later entry for a field wins).
  void set_many(std::span<entry<std::string, std::string>> entries) {
    if (entries.empty()) return;
    std::deque<std::string> frames;
    redis_command hset{"HSET", hash_};
    for (const auto& e : entries)
      hset.add(e.key).add(frames.emplace_back(redis_deadline_bytes(e.deadline).append(e.value)));
    run("HSET", [&](redis_connection& c) { c.check(*c.command(hset), "HSET"); });
  }

  //! One pipelined round trip of `HDEL hash field` per key.
  std::vector<bool> erase_many(std::span<const std::string> keys) {
    std::vector<redis_command> commands;
    for (const std::string& k : keys) commands.push_back(redis_command{"HDEL", hash_, k});
    return answers(commands, "HDEL");
  }

  //! One pipelined round trip of the probe script per key.
  std::vector<bool> contains_many(std::span<const std::string> keys, time_point now) {
    const std::string at = redis_deadline_bytes(now);
    std::vector<redis_command> commands;
    for (const std::string& k : keys)
      commands.push_back(redis_command{"EVAL", probe_script, "1", hash_, k, at, "contains", ""});
    return answers(commands, "EVAL (contains)");
  }

  //! One pipelined round trip of the probe script per key: a live field
  //! gets `deadline`; an expired one is deleted.
  std::vector<bool> touch_many(std::span<const std::string> keys, time_point now, time_point deadline) {
    const std::string at = redis_deadline_bytes(now), to = redis_deadline_bytes(deadline);
    std::vector<redis_command> commands;
    for (const std::string& k : keys)
      commands.push_back(redis_command{"EVAL", probe_script, "1", hash_, k, at, "touch", to});
    return answers(commands, "EVAL (touch)");
  }

  //! HLEN: fields held, expired ones not yet deleted included.
  std::size_t size() const {
    return run("HLEN", [&](redis_connection& c) {
      return static_cast<std::size_t>(redis_integer(c, *c.command(redis_command{"HLEN", hash_}), "HLEN"));
    });
  }

  //! DEL of the hash: this cache's entries, nothing else.
  void clear() {
    run("DEL", [&](redis_connection& c) { c.check(*c.command(redis_command{"DEL", hash_}), "DEL"); });
  }

  //! Deletes the fields expired at `now` (HSCAN, then one script per page);
  //! returns how many.
  std::size_t erase_expired(time_point now) {
    std::vector<std::pair<std::string, std::string>> expired;
    run("HSCAN", [&](redis_connection& c) {
      expired.clear();
      std::string cursor = "0";
      do {
        const redis_reply r = c.command(redis_command{"HSCAN", hash_, cursor, "COUNT", "1000"});
        c.check(*r, "HSCAN");
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
            r->element[1]->type != REDIS_REPLY_ARRAY)
          throw backend_error("HSCAN: unexpected reply", c.where());
        cursor.assign(r->element[0]->str, r->element[0]->len);
        const redisReply& page = *r->element[1];
        for (std::size_t i = 0; i + 1 < page.elements; i += 2) {
          const std::string_view frame(page.element[i + 1]->str, page.element[i + 1]->len);
          if (frame.size() >= 8 && redis_deadline_ns(frame) <= to_unix_ns(now))
            expired.emplace_back(std::string(page.element[i]->str, page.element[i]->len), frame.substr(0, 8));
        }
      } while (cursor != "0");
    });
    return expired.empty() ? 0 : drop_expired(expired);
  }

  //! "redis <host>:<port>/<db> hash <hash>".
  const std::string& name() const noexcept { return name_; }
  const redis_pool& pool() const noexcept { return pool_; }

 private:
  static constexpr std::size_t chunk = 4096;

  // KEYS[1] the hash; ARGV: field, now, mode, new deadline. A field whose
  // deadline is at or before now is deleted and answers nil; else
  // "contains" answers 1, "touch" sets the deadline and answers 1,
  // "get_and_touch" sets it and answers the value. Bytes are compared one
  // by one: Lua's string `<` follows the server's locale.
  static constexpr const char* probe_script = R"lua(
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v or #v < 8 then return false end
local live = false
for i = 1, 8 do
  local x, y = string.byte(v, i), string.byte(ARGV[2], i)
  if x ~= y then live = x > y break end
end
if not live then redis.call('HDEL', KEYS[1], ARGV[1]) return false end
if ARGV[3] == 'contains' then return 1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4] .. string.sub(v, 9))
if ARGV[3] == 'touch' then return 1 end
return string.sub(v, 9)
)lua";

  // KEYS[1] the hash; ARGV: field, deadline bytes, field, deadline bytes...
  // Deletes each field still holding that deadline (a field written again
  // meanwhile stays).
  static constexpr const char* drop_script = R"lua(
local n = 0
for i = 1, #ARGV, 2 do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v and string.sub(v, 1, 8) == ARGV[i + 1] then n = n + redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return n
)lua";

  // Whether `frame` is live at `now`; a frame shorter than its deadline was
  // not written by cachet.
  bool live(std::string_view frame, time_point now, std::string_view key) const {
    if (frame.size() < 8)
      throw invalid_data("the field is shorter than its 8-byte deadline: not written by cachet::redis_hash", name_,
                         std::string(key));
    return redis_deadline_ns(frame) > to_unix_ns(now);
  }

  std::size_t drop_expired(const std::vector<std::pair<std::string, std::string>>& fields) {
    redis_command drop{"EVAL", drop_script, "1", hash_};
    for (const auto& [field, deadline] : fields) drop.add(field).add(deadline);
    return run("EVAL (drop expired)", [&](redis_connection& c) {
      return static_cast<std::size_t>(redis_integer(c, *c.command(drop), "EVAL (drop expired)"));
    });
  }

  // drop_expired for a read: the read's answer stands if it fails (the
  // fields stay for the next read or erase_expired).
  void forget_expired(const std::vector<std::pair<std::string, std::string>>& fields) noexcept {
    try {
      drop_expired(fields);
    } catch (...) {
    }
  }

  std::vector<bool> answers(std::vector<redis_command>& commands, std::string_view label) {
    std::vector<bool> out;
    if (commands.empty()) return out;
    return run(label, [&](redis_connection& c) {
      out.clear();
      for (const redis_reply& r : redis_pipeline(c, commands)) {
        if (r->type == REDIS_REPLY_NIL)
          out.push_back(false);
        else
          out.push_back(redis_integer(c, *r, label) > 0);
      }
      return std::move(out);
    });
  }

  redis_pool pool_;
  std::string hash_;
  std::string name_;
};

}  // namespace cachet::detail
