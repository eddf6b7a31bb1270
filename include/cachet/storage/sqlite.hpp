// cachet/storage/sqlite.hpp: a persistent byte storage in one SQLite file.
// Link the CMake target cachet::sqlite (it links SQLite::SQLite3).
//
//     auto f = cachet::memoize(slow, cachet::sqlite{.path = "cache/app.db", .table = "slow"});
//
// One table per cache in one file: several memoized functions (and several
// processes) can share a file, each function with its own table (its own
// connection). Keys are the key policy's strings (text_key by default),
// values the coder's bytes (cereal_binary by default).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <type_traits>

#include <cachet/coder/cereal_binary.hpp>  // the byte storages' default coder
#include <cachet/storage.hpp>

namespace cachet {

namespace detail {
class sqlite_store;

template <class Spec>
struct sqlite_store_for {
  static_assert(std::is_same_v<typename Spec::key_type, std::string> &&
                    std::is_same_v<typename Spec::value_type, std::string>,
                "cachet::sqlite keeps std::string keys and byte values: use a key policy that makes "
                "std::string keys (text_key, the default, or hashed_key) and a byte coder (cereal_binary, "
                "the default, cereal_portable, cereal_json or your own), not cachet::identity");
  using type = sqlite_store;
};
}  // namespace detail

//! A storage in a SQLite database file (WAL journal, synchronous=NORMAL).
//!
//! - Entries survive the process; other processes see them at once.
//!   Concurrent writers wait for each other up to busy_timeout (writes are
//!   BEGIN IMMEDIATE transactions): SQLITE_BUSY surfaces only after that.
//!   Under cachet::fail_open a write waits at most the policy's lock_wait
//!   (100 ms) in all, for this process's other writes to the store (its
//!   write mutex) and for another process's lock, then fails ("database is
//!   locked") and is skipped and reported.
//! - Thread-safe (storage_traits::thread_safe): the wrapper holds no lock
//!   around it. Reads and writes use two connections, each under its own
//!   mutex, so a hit never waits for a write, even one blocked on another
//!   process's lock; except under expire_after_access, where a hit renews
//!   the entry with a write (a touch), bounded as any write.
//! - set_many and erase_many are one transaction each (all or nothing, even
//!   if the process is killed); get_many is one read transaction, one
//!   statement per 512 keys.
//! - With max_entries or max_bytes (key + value bytes) set, each write then
//!   deletes the least recently accessed rows until the table fits. Reads
//!   never write: the access times of hits (and the expired rows a read
//!   meets) are kept in memory, up to 8192 keys, and written by the store's
//!   next write (or close()), before it evicts.
//! - Every SQLite failure is a cachet::backend_error whose message holds the
//!   path: a file that is not SQLite, a schema version this cachet does not
//!   read, a directory that cannot be created. Files of schema version 1
//!   (older cachet) are migrated on open.
//! - The store's own members, beyond those every store has: count(now)
//!   (live rows), erase_expired(now), bytes(), close().
//! PRECONDITION: a store is never used across fork(): open a new one in the
//!   child.
struct sqlite {
  using cachet_family = family::storage;
  static constexpr bool typed = false;
  static constexpr bool thread_safe = true;

  //! The database file; created with its directories if missing.
  std::filesystem::path path{};
  //! The table of this cache; give each memoized function sharing a file its own.
  std::string table = "cachet";
  //! At most this many rows (0: unlimited); least recently accessed go first.
  std::size_t max_entries = 0;
  //! At most this many bytes of keys and values (0: unlimited).
  std::size_t max_bytes = 0;
  //! How long a write waits for another connection's write to finish.
  std::chrono::milliseconds busy_timeout{5000};

  template <class Spec>
  using store_type = typename detail::sqlite_store_for<Spec>::type;
};

}  // namespace cachet

#include <cachet/storage/sqlite/sqlite_store.hpp>
