// cachet/storage/redis.hpp: byte storages on a Redis server (hiredis).
// Link the CMake target cachet::redis (it links hiredis and cachet::cereal).
//
//     auto f = cachet::memoize(slow, cachet::redis{.url = "redis://127.0.0.1:6379/2", .prefix = "slow:"});
//     auto g = cachet::memoize(slow, cachet::redis_hash{.url = "redis://127.0.0.1:6379/2", .hash = "slow"});
//
// cachet::redis keeps each entry in a string key of its own, with the
// deadline as the server's TTL; cachet::redis_hash keeps a cache's entries
// as the fields of one hash, each with its deadline in front of its value.
// Both share connections through cachet::redis_pool. See docs/remote.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <type_traits>

#include <cachet/coder/cereal_binary.hpp>  // the byte storages' default coder
#include <cachet/storage.hpp>
#include <cachet/storage/redis/pool.hpp>

namespace cachet {

namespace detail {
class redis_store;
class redis_hash_store;

template <class Spec, class Store>
struct redis_store_for {
  static_assert(std::is_same_v<typename Spec::key_type, std::string> &&
                    std::is_same_v<typename Spec::value_type, std::string>,
                "cachet::redis and cachet::redis_hash keep std::string keys and byte values: use a key policy "
                "that makes std::string keys (text_key, the default, or hashed_key) and a byte coder "
                "(cereal_binary, the default, cereal_portable, cereal_json or your own), not cachet::identity");
  using type = Store;
};
}  // namespace detail

//! A storage on a Redis server: one string key per entry.
//!
//! - The key is `prefix + key` (the key policy's text: readable in
//!   redis-cli), the value the coder's bytes as they are.
//! - The deadline is the key's TTL (SET ... PX, rounded up to the
//!   millisecond from the wall clock now); no_deadline sets none. A deadline
//!   already past stores nothing (and deletes the key). The server expires
//!   entries on real time (storage_traits::own_expiry): the `now` given to
//!   get, contains and touch is not compared with anything.
//! - A sliding expiry renews in the read (GETEX ... PX: one round trip).
//!   get_many is one MGET (pipelined chunks of 4096 keys past that);
//!   set_many, erase_many, contains_many and touch_many one pipelined round
//!   trip each.
//! - size(): DBSIZE with an empty prefix, else the keys under the prefix
//!   (SCAN: O(keys in the db)). clear(): FLUSHDB with an empty prefix (the
//!   whole db!), else the keys under the prefix (SCAN + DEL).
//! - Thread-safe (storage_traits::thread_safe): each call takes a connection
//!   of the pool for its round trip; no lock is held meanwhile.
//! - Every failure (no server, a timeout, a wrong password, an error reply)
//!   is a cachet::backend_error naming the server and the command.
//! Give either `.url` (a pool of its own) or `.pool` (shared), not both.
//! PRECONDITION: a store (or pool) is never used across fork(): make a new
//!   one in the child, which would otherwise share the parent's sockets.
struct redis {
  using cachet_family = family::storage;
  static constexpr bool typed = false;
  static constexpr bool thread_safe = true;
  static constexpr bool own_expiry = true;

  //! redis://[[user]:password@]host[:port][/db] or unix://[[user]:password@]/path.sock[?db=N];
  //! empty (and no pool): redis://127.0.0.1:6379/0.
  std::string url{};
  //! A pool shared with other caches; url and the fields below are then unused.
  redis_pool pool{};
  //! Put in front of every key, e.g. "app:users:"; clear() and size() then
  //! see only the keys under it.
  std::string prefix{};
  //! At most this many connections (for a pool of its own).
  std::size_t pool_size = 8;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{1000};

  template <class Spec>
  using store_type = typename detail::redis_store_for<Spec, detail::redis_store>::type;
};

//! A storage on a Redis server: the fields of one hash, `.hash`.
//!
//! - The field is the key policy's text; its value is 8 bytes of deadline
//!   (big-endian nanoseconds since the Unix epoch, offset by 2^63 so that
//!   they sort as numbers; all 0xff for no_deadline) followed by the coder's
//!   bytes.
//! - Redis 7.0 has no TTL per field, so the store keeps expiry itself, as
//!   the disk storages do: a field whose deadline is at or before the `now`
//!   given is a miss (storage_traits::own_expiry is false); a read that
//!   meets one deletes it (only if its deadline is unchanged), and
//!   erase_expired(now) sweeps the hash (HSCAN). The hash has no TTL.
//! - get: HGET; get_many: one HMGET; set_many: one HSET; erase: HDEL;
//!   contains, touch and get_and_touch: one small Lua script (EVAL) each, so
//!   that a deadline is read and renewed atomically in one round trip.
//! - size(): HLEN (expired fields not yet deleted included); clear(): DEL
//!   of the hash.
//! Give either `.url` or `.pool`, not both.
struct redis_hash {
  using cachet_family = family::storage;
  static constexpr bool typed = false;
  static constexpr bool thread_safe = true;

  std::string url{};
  redis_pool pool{};
  //! The hash's key; give each memoized function its own.
  std::string hash = "cachet";
  std::size_t pool_size = 8;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{1000};

  template <class Spec>
  using store_type = typename detail::redis_store_for<Spec, detail::redis_hash_store>::type;
};

}  // namespace cachet

#include <cachet/storage/redis/hash_store.hpp>
#include <cachet/storage/redis/redis_store.hpp>
