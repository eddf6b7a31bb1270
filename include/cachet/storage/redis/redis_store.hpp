// cachet/storage/redis/redis_store.hpp: the store of cachet::redis: one
// string key per entry, the deadline as the key's TTL. Included by
// <cachet/storage/redis.hpp>.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <cachet/clock.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/redis.hpp>
#include <cachet/storage/redis/commands.hpp>
#include <cachet/storage/redis/pool.hpp>

namespace cachet::detail {

//! Safe to call from several threads at once; copies share the pool.
class redis_store {
  // Runs fn(redis_connection&) for `command` on a connection of the pool (first: the
  // members below deduce their return types from it).
  template <class Fn>
  auto run(std::string_view command, Fn&& fn) const {
    return pool_.state().run(command, std::forward<Fn>(fn));
  }

 public:
  using key_type = std::string;
  using value_type = std::string;

  //! Checks the server at once (connect, AUTH, SELECT, PING): a wrong
  //! password or an unreachable server is a backend_error here.
  explicit redis_store(const redis& policy)
      : pool_(pool_of(policy)),
        prefix_(policy.prefix),
        name_(pool_.name() + (prefix_.empty() ? "" : " prefix " + prefix_)) {
    run("PING", [](redis_connection& c) { c.check(*c.command(redis_command{"PING"}), "PING"); });
  }

  std::optional<std::string> get(std::string_view key, time_point) {
    const std::string k = full(key);
    return run("GET", [&](redis_connection& c) { return redis_value(c, *c.command(redis_command{"GET", k}), "GET"); });
  }

  //! GET that also sets the TTL to `deadline` (GETEX PX / PERSIST; GETDEL
  //! if it has passed): a sliding expiry in one round trip.
  std::optional<std::string> get_and_touch(std::string_view key, time_point, time_point deadline) {
    const std::string k = full(key);
    const auto ttl = redis_ttl_ms(deadline);
    const std::string ms = ttl ? std::to_string(*ttl) : std::string();
    redis_command command = !ttl        ? redis_command{"GETEX", k, "PERSIST"}
                            : *ttl <= 0 ? redis_command{"GETDEL", k}
                                        : redis_command{"GETEX", k, "PX", ms};
    return run(command.name(),
               [&](redis_connection& c) { return redis_value(c, *c.command(command), command.name()); });
  }

  void set(std::string_view key, std::string_view value, time_point deadline) {
    std::deque<std::string> text;
    redis_command command = write_command(text, key, value, deadline);
    run(command.name(), [&](redis_connection& c) { c.check(*c.command(command), command.name()); });
  }

  bool erase(std::string_view key) {
    const std::string k = full(key);
    return run("DEL", [&](redis_connection& c) {
      return redis_integer(c, *c.command(redis_command{"DEL", k}), "DEL") > 0;
    });
  }

  bool contains(std::string_view key, time_point) {
    const std::string k = full(key);
    return run("EXISTS", [&](redis_connection& c) {
      return redis_integer(c, *c.command(redis_command{"EXISTS", k}), "EXISTS") > 0;
    });
  }

  bool touch(std::string_view key, time_point now, time_point deadline) {
    const std::string k(key);
    return touch_many(std::span<const std::string>(&k, 1), now, deadline).front();
  }

  //! One MGET (pipelined MGETs of 4096 keys for larger batches).
  std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, time_point) {
    std::vector<std::optional<std::string>> out;
    if (keys.empty()) return out;
    out.reserve(keys.size());
    const std::vector<std::string> names = full(keys);
    std::vector<redis_command> commands;
    for (std::size_t from = 0; from < names.size(); from += mget_chunk) {
      redis_command& mget = commands.emplace_back(redis_command{"MGET"});
      for (std::size_t i = from; i < std::min(names.size(), from + mget_chunk); ++i) mget.add(names[i]);
    }
    return run("MGET", [&](redis_connection& c) {
      out.clear();
      for (const redis_reply& r : redis_pipeline(c, commands)) {
        if (r->type != REDIS_REPLY_ARRAY) throw backend_error("MGET: expected an array reply", c.where());
        for (std::size_t i = 0; i < r->elements; ++i) out.push_back(redis_value(c, *r->element[i], "MGET"));
      }
      if (out.size() != keys.size()) throw backend_error("MGET: the reply has the wrong length", c.where());
      return std::move(out);
    });
  }

  //! One pipelined round trip: SET (or DEL, for a deadline past) per entry.
  void set_many(std::span<entry<std::string, std::string>> entries) {
    if (entries.empty()) return;
    std::deque<std::string> text;
    std::vector<redis_command> commands;
    commands.reserve(entries.size());
    for (const auto& e : entries) commands.push_back(write_command(text, e.key, e.value, e.deadline));
    run("SET (pipelined)", [&](redis_connection& c) { redis_pipeline(c, commands); });
  }

  //! One pipelined round trip of `DEL key` per key, so each answer is known.
  std::vector<bool> erase_many(std::span<const std::string> keys) { return per_key(keys, "DEL"); }

  //! One pipelined round trip of `EXISTS key` per key.
  std::vector<bool> contains_many(std::span<const std::string> keys, time_point) { return per_key(keys, "EXISTS"); }

  //! One pipelined round trip: PEXPIRE per key (PERSIST + EXISTS for
  //! no_deadline, DEL for a deadline past); true where the key existed.
  std::vector<bool> touch_many(std::span<const std::string> keys, time_point, time_point deadline) {
    std::vector<bool> out;
    if (keys.empty()) return out;
    const std::vector<std::string> names = full(keys);
    const auto ttl = redis_ttl_ms(deadline);
    const std::string ms = ttl ? std::to_string(*ttl) : std::string();
    std::vector<redis_command> commands;
    for (const std::string& k : names) {
      if (!ttl) {
        commands.push_back(redis_command{"PERSIST", k});  // 0 for a key without a TTL too: EXISTS answers
        commands.push_back(redis_command{"EXISTS", k});
      } else {
        commands.push_back(*ttl <= 0 ? redis_command{"DEL", k} : redis_command{"PEXPIRE", k, ms});
      }
    }
    return run("PEXPIRE (pipelined)", [&](redis_connection& c) {
      const auto replies = redis_pipeline(c, commands);
      out.clear();
      const std::size_t step = ttl ? 1 : 2;
      for (std::size_t i = step - 1; i < replies.size(); i += step)
        out.push_back(redis_integer(c, *replies[i], commands[i].name()) > 0);
      return std::move(out);
    });
  }

  //! DBSIZE with no prefix; else the keys under the prefix (SCAN).
  std::size_t size() const {
    if (prefix_.empty())
      return run("DBSIZE", [](redis_connection& c) {
        return static_cast<std::size_t>(redis_integer(c, *c.command(redis_command{"DBSIZE"}), "DBSIZE"));
      });
    std::unordered_set<std::string> seen;  // SCAN may return a key twice
    scan([&](redis_connection&, const redisReply& keys) {
      for (std::size_t i = 0; i < keys.elements; ++i) seen.emplace(keys.element[i]->str, keys.element[i]->len);
    });
    return seen.size();
  }

  //! FLUSHDB with no prefix (every key of the db); else deletes the keys
  //! under the prefix (SCAN, then DEL per page).
  void clear() {
    if (prefix_.empty()) {
      run("FLUSHDB", [](redis_connection& c) { c.check(*c.command(redis_command{"FLUSHDB"}), "FLUSHDB"); });
      return;
    }
    scan([](redis_connection& c, const redisReply& keys) {
      if (keys.elements == 0) return;
      redis_command del{"DEL"};
      for (std::size_t i = 0; i < keys.elements; ++i) del.add({keys.element[i]->str, keys.element[i]->len});
      c.check(*c.command(del), "DEL");
    });
  }

  //! "redis <host>:<port>/<db>[ prefix <prefix>]".
  const std::string& name() const noexcept { return name_; }
  //! The pool this store uses (shared with its copies).
  const redis_pool& pool() const noexcept { return pool_; }

 private:
  static constexpr std::size_t mget_chunk = 4096;

  std::string full(std::string_view key) const {
    std::string out;
    out.reserve(prefix_.size() + key.size());
    return out.append(prefix_).append(key);
  }
  std::vector<std::string> full(std::span<const std::string> keys) const {
    std::vector<std::string> out;
    out.reserve(keys.size());
    for (const auto& k : keys) out.push_back(full(k));
    return out;
  }

  // SET key value [PX ms], or DEL key for a deadline past; its texts kept in `text`.
  redis_command write_command(std::deque<std::string>& text, std::string_view key, std::string_view value,
                              time_point deadline) const {
    const std::string& k = text.emplace_back(full(key));
    const auto ttl = redis_ttl_ms(deadline);
    if (ttl && *ttl <= 0) return redis_command{"DEL", k};  // no stale value served
    redis_command set{"SET", k, value};
    if (ttl) set.add("PX").add(text.emplace_back(std::to_string(*ttl)));
    return set;
  }

  std::vector<bool> per_key(std::span<const std::string> keys, std::string_view command) {
    std::vector<bool> out;
    if (keys.empty()) return out;
    const std::vector<std::string> names = full(keys);
    std::vector<redis_command> commands;
    commands.reserve(names.size());
    for (const std::string& k : names) commands.push_back(redis_command{command, k});
    return run(command, [&](redis_connection& c) {
      out.clear();
      for (const redis_reply& r : redis_pipeline(c, commands)) out.push_back(redis_integer(c, *r, command) > 0);
      return std::move(out);
    });
  }

  // Calls page(connection, keys array) for each page of SCAN MATCH prefix*,
  // all on one connection.
  template <class Page>
  void scan(Page page) const {
    const std::string match = redis_glob_escaped(prefix_) + "*";
    run("SCAN", [&](redis_connection& c) {
      std::string cursor = "0";
      do {
        const redis_reply r = c.command(redis_command{"SCAN", cursor, "MATCH", match, "COUNT", "1000"});
        c.check(*r, "SCAN");
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
            r->element[1]->type != REDIS_REPLY_ARRAY)
          throw backend_error("SCAN: unexpected reply", c.where());
        cursor.assign(r->element[0]->str, r->element[0]->len);
        page(c, *r->element[1]);
      } while (cursor != "0");
    });
  }

  redis_pool pool_;
  std::string prefix_;
  std::string name_;
};

}  // namespace cachet::detail
