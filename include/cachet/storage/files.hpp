// cachet/storage/files.hpp: a persistent byte storage of one file per entry
// in a directory (ring's `shelve`, pyryver's FileCacheStorage). POSIX only;
// no library to link.
//
//     auto f = cachet::memoize(slow, cachet::files{.root = "cache/slow", .prefix = "slow-"});
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <type_traits>

#include <cachet/coder/cereal_binary.hpp>  // the byte storages' default coder
#include <cachet/storage.hpp>

namespace cachet {

namespace detail {
class files_store;

template <class Spec>
struct files_store_for {
  static_assert(std::is_same_v<typename Spec::key_type, std::string> &&
                    std::is_same_v<typename Spec::value_type, std::string>,
                "cachet::files keeps std::string keys and byte values: use a key policy that makes "
                "std::string keys (text_key, the default, or hashed_key) and a byte coder (cereal_binary, "
                "the default, cereal_portable, cereal_json or your own), not cachet::identity");
  using type = files_store;
};
}  // namespace detail

//! A storage of one file per entry under `root`.
//!
//! - File name: prefix + 16 hex digits of a 64-bit hash of the key +
//!   ".cachet". The file holds a header (magic, format version, expiry,
//!   lengths, XXH3-64 checksum), the full key and the value; the key is
//!   compared on every read, so a hash collision is a miss, never another
//!   key's value.
//! - Writes are atomic: a temporary file in the same directory, renamed over
//!   the entry (with `durable`, fsync'd first, and the directory after).
//!   Readers, other processes included, see the old entry or the new one;
//!   a killed writer leaves at most a hidden ".<name>.<pid>-<n>.tmp" file,
//!   which clear() removes.
//! - Nothing in a file is trusted: its size (fstat) is checked against
//!   `max_entry_bytes`, then its header (magic, version, lengths) against its
//!   size, before the rest is read; then its checksum. A file with our name
//!   that fails (over the limit, truncated, foreign, of another format
//!   version such as version 1's CRC-32 entries, corrupt, not a regular
//!   file) raises cachet::invalid_data naming it from get, contains and
//!   touch; erase removes it; the next set replaces it. Other entries are
//!   unaffected.
//! - Every member raises only cachet's errors: a failure of the file system
//!   (std::filesystem::filesystem_error, std::system_error) or of memory
//!   (std::bad_alloc) is a cachet::backend_error naming the file or directory.
//! - size() lists the directory; count(now) and erase_expired(now) also read
//!   each header. clear() removes only this prefix's entry and temporary
//!   files: nothing else in the directory is touched.
//! - Bulk members are loops (one file per entry).
//! Several caches may share a directory with distinct prefixes; one cache
//! may be used by several processes at once (the last write wins).
struct files {
  using cachet_family = family::storage;
  static constexpr bool typed = false;

  //! The directory; created with its parents if missing.
  std::filesystem::path root{};
  //! Starts every file name of this cache (no '/').
  std::string prefix{};
  //! fsync each entry and the directory before a write returns (slower;
  //! survives power loss, not only a crash of the process).
  bool durable = false;
  //! The largest entry file (header + key + value) read or written; 0: no
  //! limit. A larger file is invalid_data, found from its size before any of
  //! it is read; a larger set is not stored (backend_error, and the key's old
  //! entry is removed).
  std::size_t max_entry_bytes = std::size_t{64} << 20;

  template <class Spec>
  using store_type = typename detail::files_store_for<Spec>::type;
};

}  // namespace cachet

#include <cachet/storage/files/files_store.hpp>
