// cachet/storage/files/files_store.hpp: the store of cachet::files: one file per
// entry in one directory. Included by <cachet/storage/files.hpp>; the file
// format is in <cachet/storage/files/entry.hpp>.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cachet/storage/files/entry.hpp>
#include <cachet/storage/common/unix_time.hpp>
#include <cachet/storage/common/wall_clock_maintenance.hpp>
#include <cachet/errors.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/files.hpp>

namespace cachet::detail {

//! The boundary of every files_store member: runs fn(), lets cachet's own
//! errors through, and turns any other exception (std::bad_alloc,
//! std::filesystem::filesystem_error, std::system_error, ...) into a
//! backend_error of `storage` naming the file where() returns.
template <class Where, class Fn>
decltype(auto) files_guard(const std::string& storage, Where&& where, std::string_view key, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw backend_error("out of memory at " + std::string(where()), storage, std::string(key));
  } catch (const std::exception& e) {
    throw backend_error(std::string(where()) + ": " + e.what(), storage, std::string(key));
  }
}

class files_store : public wall_clock_maintenance<files_store> {
 public:
  using wall_clock_maintenance<files_store>::count;
  using wall_clock_maintenance<files_store>::clear;
  using key_type = std::string;
  using value_type = std::string;

  //! Creates the directory if it is missing.
  explicit files_store(const files& policy)
      : root_(policy.root.string()),
        prefix_(policy.prefix),
        name_("files " + root_ + (prefix_.empty() ? "" : " prefix " + prefix_)),
        durable_(policy.durable),
        max_entry_bytes_(policy.max_entry_bytes) {
    if (root_.empty()) throw std::invalid_argument("cachet::files: no directory given (cachet::files{.root = ...})");
    if (prefix_.find('/') != std::string::npos || prefix_.find('\0') != std::string::npos)
      throw std::invalid_argument("cachet::files: the prefix must not hold '/' or NUL (" + name_ + ")");
    guarded({}, [&] {
      std::error_code ec;
      std::filesystem::create_directories(policy.root, ec);
      if (!ec && !std::filesystem::is_directory(policy.root, ec) && !ec)
        ec = std::make_error_code(std::errc::not_a_directory);
      if (ec) throw backend_error("cannot create the directory " + root_ + ": " + ec.message(), name_);
    });
  }

  //! The value of a live entry. A file holding another key (a hash
  //! collision) is a miss; an expired one is a miss and is removed; a file
  //! that is not a whole entry (over max_entry_bytes, lengths that disagree
  //! with its size, a bad checksum, not a regular file) raises
  //! cachet::invalid_data naming it, and is left for erase or set.
  std::optional<std::string> get(std::string_view key, time_point now) {
    return guarded(key, [&]() -> std::optional<std::string> {
      const std::string path = file_of(key);
      const files_fd fd = files_open(path, O_RDONLY | O_NONBLOCK, name_);
      if (!fd) return std::nullopt;
      entry_read e = read_entry(fd, path, key);
      if (!e.bad.empty()) corrupt(path, e.bad, key);
      if (!e.same_key) return std::nullopt;
      if (e.header.expires_at <= to_unix_ns(now)) {
        remove_if_same(path, e.st);
        return std::nullopt;
      }
      e.bytes.erase(0, files_header_size + e.header.key_size);
      return std::move(e.bytes);
    });
  }

  //! Writes a temporary file in the directory and renames it over the
  //! entry's file: readers see the old entry or the new one, never a part.
  //! An entry over max_entry_bytes is not written: the key's previous
  //! entry is removed and backend_error raised.
  void set(std::string_view key, std::string_view value, time_point deadline) {
    guarded(key, [&] {
      const std::string name = files_entry_name(prefix_, key);
      if (over_limit(files_header_size + key.size() + value.size())) {
        const std::string path = root_ + "/" + name;
        remove(path);  // else get would still answer the value this set replaces
        throw backend_error("not stored: an entry of " + std::to_string(files_header_size + key.size() + value.size()) +
                                " bytes is over max_entry_bytes (" + std::to_string(max_entry_bytes_) + ")",
                            name_, std::string(key));
      }
      write(name, files_encode(key, value, to_unix_ns(deadline)));
    });
  }

  //! Removes the key's file if it holds this key or is not a whole entry.
  bool erase(std::string_view key) {
    return guarded(key, [&] {
      const std::string path = file_of(key);
      const files_fd fd = files_open(path, O_RDONLY | O_NONBLOCK, name_);
      if (!fd) return false;
      const probe p = read_probe(fd, path, key);
      // Another key's entry, unless its key bytes are what is corrupt: the
      // checksum (rarely needed: a true collision) tells.
      if (p.bad.empty() && !p.same_key && read_entry(fd, path, key).bad.empty()) return false;
      return remove(path);
    });
  }

  //! Whether a live entry holds the key; validates the file as get does.
  bool contains(std::string_view key, time_point now) {
    return guarded(key, [&] {
      const std::string path = file_of(key);
      const files_fd fd = files_open(path, O_RDONLY | O_NONBLOCK, name_);
      if (!fd) return false;
      const entry_read e = read_entry(fd, path, key);
      if (!e.bad.empty()) corrupt(path, e.bad, key);
      return e.same_key && e.header.expires_at > to_unix_ns(now);
    });
  }

  //! Rewrites a live entry's expiry in place (8 bytes, outside the checksum),
  //! after validating the file as get does.
  bool touch(std::string_view key, time_point now, time_point deadline) {
    return guarded(key, [&] {
      const std::string path = file_of(key);
      const files_fd fd = files_open(path, O_RDWR | O_NONBLOCK, name_);
      if (!fd) return false;
      const entry_read e = read_entry(fd, path, key);
      if (!e.bad.empty()) corrupt(path, e.bad, key);
      if (!e.same_key || e.header.expires_at <= to_unix_ns(now)) return false;
      char expires[8];
      files_put_u64(expires, static_cast<std::uint64_t>(to_unix_ns(deadline)));
      files_write_all(fd.get(), std::string_view(expires, 8), 8, path, name_);
      if (durable_ && ::fdatasync(fd.get()) != 0)
        throw backend_error("cannot sync " + path + ": " + files_errno_text(errno), name_);
      return true;
    });
  }

  // Bulk members: one file per entry, so loops (each write still atomic).
  std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, time_point now) {
    return guarded({}, [&] {
      std::vector<std::optional<std::string>> out;
      out.reserve(keys.size());
      for (const auto& key : keys) out.push_back(get(key, now));
      return out;
    });
  }
  void set_many(std::span<entry<std::string, std::string>> entries) {
    guarded({}, [&] {
      for (const auto& e : entries) set(e.key, e.value, e.deadline);
    });
  }
  std::vector<bool> erase_many(std::span<const std::string> keys) {
    return guarded({}, [&] {
      std::vector<bool> out;
      out.reserve(keys.size());
      for (const auto& key : keys) out.push_back(erase(key));
      return out;
    });
  }

  //! Entry files of this prefix, expired ones included (lists the directory).
  std::size_t size() const {
    return guarded({}, [&] {
      std::size_t n = 0;
      for_each_file([&](const std::string& name) { n += files_is_entry_name(name, prefix_) ? 1 : 0; });
      return n;
    });
  }

  //! Entries live at `now` (reads each file's header; a file whose header
  //! or size is bad is not counted, one with a bad checksum is: get finds
  //! that out).
  std::size_t count(time_point now) const {
    return guarded({}, [&] {
      std::size_t n = 0;
      const std::int64_t at = to_unix_ns(now);
      for_each_file([&](const std::string& name) {
        if (!files_is_entry_name(name, prefix_)) return;
        if (const auto h = header_of(root_ + "/" + name); h && h->expires_at > at) ++n;
      });
      return n;
    });
  }

  //! Removes the entries expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    return guarded({}, [&] {
      std::size_t n = 0;
      const std::int64_t at = to_unix_ns(now);
      for_each_file([&](const std::string& name) {
        if (!files_is_entry_name(name, prefix_)) return;
        const std::string path = root_ + "/" + name;
        if (const auto h = header_of(path); h && h->expires_at <= at && ::unlink(path.c_str()) == 0) ++n;
      });
      return n;
    });
  }

  //! Removes this prefix's entry files and leftover temporary files; any
  //! other file in the directory is left alone.
  void clear() {
    guarded({}, [&] {
      for_each_file([&](const std::string& name) {
        if (files_is_entry_name(name, prefix_) || files_is_temp_name(name, prefix_))
          ::unlink((root_ + "/" + name).c_str());
      });
    });
  }

  //! "files <root> prefix <prefix>": the prefix of every error's message.
  const std::string& name() const noexcept { return name_; }

  //! The file that holds (or would hold) `key`.
  std::string file_of(std::string_view key) const { return root_ + "/" + files_entry_name(prefix_, key); }

 private:
  // Runs fn at the store's boundary (files_guard), naming the key's file,
  // or the directory if no key is given.
  template <class Fn>
  std::invoke_result_t<Fn&> guarded(std::string_view key, Fn&& fn) const {
    return files_guard(
        name_, [&] { return key.data() == nullptr ? root_ : file_of(key); }, key, std::forward<Fn>(fn));
  }

  [[noreturn]] void corrupt(const std::string& path, const std::string& why, std::string_view key) const {
    throw invalid_data("bad entry file " + path + ": " + why, name_, std::string(key));
  }

  bool over_limit(std::uint64_t bytes) const noexcept { return max_entry_bytes_ != 0 && bytes > max_entry_bytes_; }

  // Why a file of this kind and size cannot be an entry, or "": checked
  // from fstat before anything is read.
  std::string check_stat(const struct stat& st) const {
    if (!S_ISREG(st.st_mode)) return "not a regular file";
    if (over_limit(static_cast<std::uint64_t>(st.st_size)))
      return std::to_string(st.st_size) + " bytes, over max_entry_bytes (" + std::to_string(max_entry_bytes_) + ")";
    return {};
  }

  struct entry_read {
    std::string bad;  // why the file is no entry, or ""
    files_header header;
    std::string bytes;  // the whole file, once checked
    bool same_key = false;
    struct stat st {};
  };

  // Validates the file as an entry: its size from fstat against the limit,
  // then its header against its size, then its checksum. A file up to
  // files_one_read_bytes is read in one pread; a larger one, its header
  // first. No buffer is larger than the limit or the file.
  entry_read read_entry(const files_fd& fd, const std::string& path, std::string_view key) const {
    entry_read e;
    const std::uint64_t size = files_size_of(fd, path, name_, &e.st);
    if (e.bad = check_stat(e.st); !e.bad.empty()) return e;
    if (size <= files_one_read_bytes) {
      e.bytes = files_read(fd, 0, size, path, name_);
      if (const char* bad = files_decode_header(e.bytes, e.bytes.size(), e.header)) {
        e.bad = bad;
        return e;
      }
    } else {
      e.bytes = files_read(fd, 0, files_header_size, path, name_);
      if (const char* bad = files_decode_header(e.bytes, size, e.header)) {
        e.bad = bad;
        return e;
      }
      e.bytes.resize(size);  // header + lengths == size <= the limit
      const std::size_t rest = size - files_header_size;
      if (files_read_into(fd, files_header_size, e.bytes.data() + files_header_size, rest, path, name_) != rest) {
        e.bad = "its length does not match its header (truncated or corrupt)";
        return e;
      }
    }
    const std::string_view bytes(e.bytes);
    const std::string_view stored_key = bytes.substr(files_header_size, e.header.key_size);
    const std::string_view value = bytes.substr(files_header_size + e.header.key_size);
    if (e.header.checksum != files_checksum(bytes.substr(16, 16), stored_key, value)) {
      e.bad = "checksum mismatch (corrupt)";
      return e;
    }
    e.same_key = stored_key == key;
    return e;
  }

  struct probe {
    std::string bad;  // why the file is no entry, or ""
    files_header header;
    bool same_key = false;
  };

  // The header and whether the file's key is `key`, reading no more (no checksum).
  probe read_probe(const files_fd& fd, const std::string& path, std::string_view key) const {
    struct stat st {};
    const std::uint64_t size = files_size_of(fd, path, name_, &st);
    probe p;
    if (p.bad = check_stat(st); !p.bad.empty()) return p;
    const std::string head =
        files_read(fd, 0, files_header_size + std::min<std::uint64_t>(key.size(), size), path, name_);
    if (const char* bad = files_decode_header(head, size, p.header)) {
      p.bad = bad;
      return p;
    }
    p.same_key = p.header.key_size == key.size() && std::string_view(head).substr(files_header_size) == key;
    return p;
  }

  // The header of a file whose size and header are sound, else nothing.
  std::optional<files_header> header_of(const std::string& path) const {
    const files_fd fd = files_open(path, O_RDONLY | O_NONBLOCK, name_);
    if (!fd) return std::nullopt;
    struct stat st {};
    const std::uint64_t size = files_size_of(fd, path, name_, &st);
    files_header h;
    if (!check_stat(st).empty() || files_decode_header(files_read(fd, 0, files_header_size, path, name_), size, h))
      return std::nullopt;
    return h;
  }

  void write(const std::string& name, const std::string& bytes) {
    static std::atomic<std::uint64_t> serial{0};
    std::string temp;
    int fd_or_error;
    int error = 0;
    bool remade = false;
    do {
      temp = root_ + "/." + name + "." + std::to_string(::getpid()) + "-" + std::to_string(++serial) + ".tmp";
      fd_or_error = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      error = fd_or_error < 0 ? errno : 0;
      if (error == ENOENT && !remade) {  // the directory was removed: make it again, once
        std::error_code ec;
        std::filesystem::create_directories(root_, ec);
        remade = true;
        error = EINTR;
      }
    } while (error == EEXIST || error == EINTR);
    if (error != 0) throw backend_error("cannot create " + temp + ": " + files_errno_text(error), name_);
    files_fd fd(fd_or_error);
    try {
      files_write_all(fd.get(), bytes, 0, temp, name_);
      if (durable_ && ::fsync(fd.get()) != 0)
        throw backend_error("cannot sync " + temp + ": " + files_errno_text(errno), name_);
      if (fd.close() != 0) throw backend_error("cannot write " + temp + ": " + files_errno_text(errno), name_);
      const std::string path = root_ + "/" + name;
      // ENOENT: a concurrent clear() removed the temporary file: as if the
      // write had come just before the clear.
      if (::rename(temp.c_str(), path.c_str()) != 0 && errno != ENOENT)
        throw backend_error("cannot rename " + temp + " to " + path + ": " + files_errno_text(errno), name_);
    } catch (...) {
      ::unlink(temp.c_str());
      throw;
    }
    if (durable_) sync_directory();
  }

  // Unlinks `path`: false if it was gone already.
  bool remove(const std::string& path) const {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    throw backend_error("cannot remove " + path + ": " + files_errno_text(errno), name_);
  }

  // Unlinks `path` if it is still the file described by `seen`, so that an
  // entry another process wrote meanwhile is kept.
  static void remove_if_same(const std::string& path, const struct stat& seen) {
    struct stat now {};
    if (::stat(path.c_str(), &now) == 0 && now.st_ino == seen.st_ino && now.st_dev == seen.st_dev)
      ::unlink(path.c_str());
  }

  // Calls fn with each name in the directory; a directory removed under the
  // store is empty (the next write makes it again).
  template <class Fn>
  void for_each_file(Fn&& fn) const {
    std::error_code ec;
    std::filesystem::directory_iterator it(root_, ec), end;
    if (ec == std::errc::no_such_file_or_directory) return;
    for (; !ec && it != end; it.increment(ec)) fn(it->path().filename().string());
    if (ec) throw backend_error("cannot list " + root_ + ": " + ec.message(), name_);
  }

  void sync_directory() const {
    const files_fd dir(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir || ::fsync(dir.get()) != 0)
      throw backend_error("cannot sync the directory " + root_ + ": " + files_errno_text(errno), name_);
  }

  std::string root_;
  std::string prefix_;
  std::string name_;
  bool durable_;
  std::size_t max_entry_bytes_;
};

}  // namespace cachet::detail
