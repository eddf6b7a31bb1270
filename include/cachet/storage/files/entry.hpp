// cachet/storage/files/entry.hpp: the entry files of cachet::files: their
// names, their format, and the POSIX calls that read and write them.
//
// Name: <prefix><16 hex digits: a 64-bit hash of the key>.cachet
// Temporary file of a write in progress: .<entry name>.<pid>-<n>.tmp
//
// Content (integers little-endian):
//   offset  size  field
//   0       6     magic "cachet"
//   6       1     'F' (a files entry)
//   7       1     format version (2)
//   8       8     expires_at: int64 ns since the Unix epoch; INT64_MAX: never
//   16      8     key length
//   24      8     value length
//   32      8     XXH3-64 of bytes 16..32, the key and the value (not of
//                 expires_at, which touch rewrites in place)
//   40      ...   key, then value; the file ends there
//
// Version 1 (a 36-byte header ending in a CRC-32, which has blind spots over
// runs of 0x00 and 0xFF) is read as any other version: invalid_data, until
// the next set replaces it.
//
// A reader trusts none of it: the file's size (fstat) is checked against the
// store's max_entry_bytes and the header's lengths before any buffer of that
// size is made, and a file over files_one_read_bytes has its header read and
// checked before the rest is read.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cachet/coder/cereal/xxh3.hpp>
#include <cachet/errors.hpp>

namespace cachet::detail {

inline constexpr std::size_t files_header_size = 40;
inline constexpr std::string_view files_magic{"cachetF\x02", 8};
inline constexpr std::string_view files_suffix = ".cachet";
//! Files up to this size are read in one pread, header included; larger ones
//! have their header read and checked first.
inline constexpr std::uint64_t files_one_read_bytes = 64 * 1024;

//! A stable 64-bit hash of a key (FNV-1a, then MurmurHash3's finalizer):
//! the same in every process and build, so files outlive the program.
inline std::uint64_t files_hash(std::string_view key) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline std::string files_entry_name(std::string_view prefix, std::string_view key) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string name(prefix);
  const std::uint64_t h = files_hash(key);
  for (int shift = 60; shift >= 0; shift -= 4) name += digits[(h >> shift) & 0xF];
  name += files_suffix;
  return name;
}

//! Whether `name` is the name of an entry file of `prefix`.
inline bool files_is_entry_name(std::string_view name, std::string_view prefix) {
  if (name.size() != prefix.size() + 16 + files_suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(files_suffix))
    return false;
  for (const char c : name.substr(prefix.size(), 16))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

//! Whether `name` is a temporary file of a write of `prefix` (left behind
//! only by a writer that was killed).
inline bool files_is_temp_name(std::string_view name, std::string_view prefix) {
  const std::size_t entry_size = prefix.size() + 16 + files_suffix.size();
  if (!name.starts_with('.') || !name.ends_with(".tmp") || name.size() < 1 + entry_size + 1 + 4) return false;
  return files_is_entry_name(name.substr(1, entry_size), prefix) && name[1 + entry_size] == '.';
}

inline void files_put_u64(char* out, std::uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
inline std::uint64_t files_get_u64(const char* in) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

//! The checksum of an entry: XXH3-64 of its header's lengths (bytes 16..32),
//! its key and its value.
inline std::uint64_t files_checksum(std::string_view lengths, std::string_view key, std::string_view value) noexcept {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, lengths.data(), lengths.size());
  XXH3_64bits_update(&state, key.data(), key.size());
  XXH3_64bits_update(&state, value.data(), value.size());
  return static_cast<std::uint64_t>(XXH3_64bits_digest(&state));
}

//! The bytes of an entry file.
inline std::string files_encode(std::string_view key, std::string_view value, std::int64_t expires_at) {
  std::string out(files_header_size, '\0');
  out.reserve(files_header_size + key.size() + value.size());
  std::memcpy(out.data(), files_magic.data(), files_magic.size());
  files_put_u64(out.data() + 8, static_cast<std::uint64_t>(expires_at));
  files_put_u64(out.data() + 16, key.size());
  files_put_u64(out.data() + 24, value.size());
  files_put_u64(out.data() + 32, files_checksum(std::string_view(out).substr(16, 16), key, value));
  out += key;
  out += value;
  return out;
}

//! The header fields of an entry file.
struct files_header {
  std::int64_t expires_at = 0;
  std::uint64_t key_size = 0;
  std::uint64_t value_size = 0;
  std::uint64_t checksum = 0;
};

//! Reads the header from the first bytes of a file of `file_size` bytes;
//! nullptr, or why the file is not an entry file of this format.
inline const char* files_decode_header(std::string_view head, std::uint64_t file_size, files_header& out) {
  // Magic and version first, so that an entry of another version whose
  // header is shorter than ours (version 1: 36 bytes) is named as such.
  if (head.size() < files_magic.size()) return "shorter than an entry header (truncated, or not a cachet file)";
  if (head.substr(0, 6) != files_magic.substr(0, 6) || head[6] != 'F') return "not a cachet entry file";
  if (head[7] == '\x01') return "written in version 1 of the cachet::files format (this cachet reads version 2)";
  if (head[7] != files_magic[7]) return "written in another version of the cachet::files format";
  if (head.size() < files_header_size) return "shorter than an entry header (truncated, or not a cachet file)";
  out.expires_at = static_cast<std::int64_t>(files_get_u64(head.data() + 8));
  out.key_size = files_get_u64(head.data() + 16);
  out.value_size = files_get_u64(head.data() + 24);
  out.checksum = files_get_u64(head.data() + 32);
  if (out.key_size > file_size || out.value_size > file_size ||
      files_header_size + out.key_size + out.value_size != file_size)
    return "its length does not match its header (truncated or corrupt)";
  return nullptr;
}

//! A file descriptor, closed by the destructor.
class files_fd {
 public:
  explicit files_fd(int fd = -1) noexcept : fd_(fd) {}
  files_fd(files_fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  files_fd& operator=(files_fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~files_fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  //! Closes now, reporting close's error (write-back failures show there).
  int close() noexcept {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

inline std::string files_errno_text(int error) { return std::strerror(error); }

//! Opens `path`; an empty files_fd if it does not exist. Other failures:
//! backend_error from `where`.
inline files_fd files_open(const std::string& path, int flags, const std::string& where) {
  int fd;
  do fd = ::open(path.c_str(), flags | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno != ENOENT) throw backend_error("cannot open " + path + ": " + files_errno_text(errno), where);
  return files_fd(fd);
}

//! Reads up to `n` bytes at `offset` into `out`; returns how many (fewer
//! only at the end of the file).
inline std::size_t files_read_into(const files_fd& fd, std::uint64_t offset, char* out, std::size_t n,
                                   const std::string& path, const std::string& where) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd.get(), out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw backend_error("cannot read " + path + ": " + files_errno_text(errno), where);
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

//! Reads up to `n` bytes at `offset` (fewer only at the end of the file).
//! PRECONDITION: `n` is bounded (a header, or a size checked against the limit).
inline std::string files_read(const files_fd& fd, std::uint64_t offset, std::size_t n, const std::string& path,
                              const std::string& where) {
  std::string out(n, '\0');
  out.resize(files_read_into(fd, offset, out.data(), n, path, where));
  return out;
}

inline void files_write_all(int fd, std::string_view bytes, std::uint64_t offset, const std::string& path,
                            const std::string& where) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t put =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) throw backend_error("cannot write " + path + ": " + files_errno_text(errno), where);
    done += static_cast<std::size_t>(put);
  }
}

inline std::uint64_t files_size_of(const files_fd& fd, const std::string& path, const std::string& where,
                                   struct stat* st_out = nullptr) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw backend_error("cannot stat " + path + ": " + files_errno_text(errno), where);
  if (st_out != nullptr) *st_out = st;
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace cachet::detail
