// cachet/storage/files/files_store.hpp: the store of cachet::files: one file per
// entry in one directory. Included by <cachet/storage/files.hpp>; the file
// format is in <cachet/storage/files/entry.hpp>.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
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
        durable_(policy.durable) {
    if (root_.empty()) throw std::invalid_argument("cachet::files: no directory given (cachet::files{.root = ...})");
    if (prefix_.find('/') != std::string::npos || prefix_.find('\0') != std::string::npos)
      throw std::invalid_argument("cachet::files: the prefix must not hold '/' or NUL (" + name_ + ")");
    std::error_code ec;
    std::filesystem::create_directories(policy.root, ec);
    if (!ec && !std::filesystem::is_directory(policy.root, ec) && !ec)
      ec = std::make_error_code(std::errc::not_a_directory);
    if (ec) throw backend_error("cannot create the directory " + root_ + ": " + ec.message(), name_);
  }

  //! The value of a live entry. A file holding another key (a hash
  //! collision) is a miss; an expired one is a miss and is removed; a file
  //! that is not a whole entry raises cachet::invalid_data naming it.
  std::optional<std::string> get(std::string_view key, time_point now) {
    const std::string path = file_of(key);
    const files_fd fd = files_open(path, O_RDONLY, name_);
    if (!fd) return std::nullopt;
    struct stat st {};
    const std::uint64_t size = files_size_of(fd, path, name_, &st);
    std::string bytes = files_read(fd, 0, size, path, name_);
    files_header h;
    if (const char* bad = files_decode_header(bytes, bytes.size(), h)) corrupt(path, bad, key);
    const std::string_view stored_key = std::string_view(bytes).substr(files_header_size, h.key_size);
    const std::string_view value = std::string_view(bytes).substr(files_header_size + h.key_size);
    if (h.crc != files_crc(std::string_view(bytes).substr(16, 16), stored_key, value))
      corrupt(path, "checksum mismatch (corrupt)", key);
    if (stored_key != key) return std::nullopt;
    if (h.expires_at <= to_unix_ns(now)) {
      remove_if_same(path, st);
      return std::nullopt;
    }
    bytes.erase(0, files_header_size + h.key_size);
    return bytes;
  }

  //! Writes a temporary file in the directory and renames it over the
  //! entry's file: readers see the old entry or the new one, never a part.
  void set(std::string_view key, std::string_view value, time_point deadline) {
    const std::string name = files_entry_name(prefix_, key);
    const std::string bytes = files_encode(key, value, to_unix_ns(deadline));
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

  //! Removes the key's file if it holds this key (or is corrupt).
  bool erase(std::string_view key) {
    const std::string path = file_of(key);
    const files_fd fd = files_open(path, O_RDONLY, name_);
    if (!fd) return false;
    const probe p = read_probe(fd, path, key);
    if (p.bad == nullptr && !p.same_key) return false;
    return ::unlink(path.c_str()) == 0;
  }

  bool contains(std::string_view key, time_point now) {
    const std::string path = file_of(key);
    const files_fd fd = files_open(path, O_RDONLY, name_);
    if (!fd) return false;
    const probe p = read_probe(fd, path, key);
    if (p.bad != nullptr) corrupt(path, p.bad, key);
    return p.same_key && p.header.expires_at > to_unix_ns(now);
  }

  //! Rewrites a live entry's expiry in place (8 bytes, outside the checksum).
  bool touch(std::string_view key, time_point now, time_point deadline) {
    const std::string path = file_of(key);
    const files_fd fd = files_open(path, O_RDWR, name_);
    if (!fd) return false;
    const probe p = read_probe(fd, path, key);
    if (p.bad != nullptr) corrupt(path, p.bad, key);
    if (!p.same_key || p.header.expires_at <= to_unix_ns(now)) return false;
    char expires[8];
    files_put_u64(expires, static_cast<std::uint64_t>(to_unix_ns(deadline)));
    files_write_all(fd.get(), std::string_view(expires, 8), 8, path, name_);
    if (durable_ && ::fdatasync(fd.get()) != 0)
      throw backend_error("cannot sync " + path + ": " + files_errno_text(errno), name_);
    return true;
  }

  // Bulk members: one file per entry, so loops (each write still atomic).
  std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, time_point now) {
    std::vector<std::optional<std::string>> out;
    out.reserve(keys.size());
    for (const auto& key : keys) out.push_back(get(key, now));
    return out;
  }
  void set_many(std::span<entry<std::string, std::string>> entries) {
    for (const auto& e : entries) set(e.key, e.value, e.deadline);
  }
  std::vector<bool> erase_many(std::span<const std::string> keys) {
    std::vector<bool> out;
    out.reserve(keys.size());
    for (const auto& key : keys) out.push_back(erase(key));
    return out;
  }

  //! Entry files of this prefix, expired ones included (lists the directory).
  std::size_t size() const {
    std::size_t n = 0;
    for_each_file([&](const std::string& name) { n += files_is_entry_name(name, prefix_) ? 1 : 0; });
    return n;
  }

  //! Entries live at `now` (reads each file's header; a file whose header
  //! is bad is not counted, one with a bad value is: get finds that out).
  std::size_t count(time_point now) const {
    std::size_t n = 0;
    const std::int64_t at = to_unix_ns(now);
    for_each_file([&](const std::string& name) {
      if (!files_is_entry_name(name, prefix_)) return;
      if (const auto h = header_of(root_ + "/" + name); h && h->expires_at > at) ++n;
    });
    return n;
  }

  //! Removes the entries expired at `now`; returns how many.
  std::size_t erase_expired(time_point now) {
    std::size_t n = 0;
    const std::int64_t at = to_unix_ns(now);
    for_each_file([&](const std::string& name) {
      if (!files_is_entry_name(name, prefix_)) return;
      const std::string path = root_ + "/" + name;
      if (const auto h = header_of(path); h && h->expires_at <= at && ::unlink(path.c_str()) == 0) ++n;
    });
    return n;
  }

  //! Removes this prefix's entry files and leftover temporary files; any
  //! other file in the directory is left alone.
  void clear() {
    for_each_file([&](const std::string& name) {
      if (files_is_entry_name(name, prefix_) || files_is_temp_name(name, prefix_))
        ::unlink((root_ + "/" + name).c_str());
    });
  }

  //! "files <root> prefix <prefix>": the prefix of every error's message.
  const std::string& name() const noexcept { return name_; }

  //! The file that holds (or would hold) `key`.
  std::string file_of(std::string_view key) const { return root_ + "/" + files_entry_name(prefix_, key); }

 private:
  struct probe {
    const char* bad = nullptr;  // why the file is no entry, or nullptr
    files_header header;
    bool same_key = false;
  };

  [[noreturn]] void corrupt(const std::string& path, const char* why, std::string_view key) const {
    throw invalid_data("bad entry file " + path + ": " + why, name_, std::string(key));
  }

  // The header and whether the file's key is `key`, reading no more.
  probe read_probe(const files_fd& fd, const std::string& path, std::string_view key) const {
    const std::uint64_t size = files_size_of(fd, path, name_);
    const std::string head = files_read(fd, 0, files_header_size + key.size(), path, name_);
    probe p;
    p.bad = files_decode_header(head, size, p.header);
    p.same_key = p.bad == nullptr && p.header.key_size == key.size() &&
                 std::string_view(head).substr(files_header_size) == key;
    return p;
  }

  std::optional<files_header> header_of(const std::string& path) const {
    const files_fd fd = files_open(path, O_RDONLY, name_);
    if (!fd) return std::nullopt;
    files_header h;
    if (files_decode_header(files_read(fd, 0, files_header_size, path, name_), files_size_of(fd, path, name_), h))
      return std::nullopt;
    return h;
  }

  // Unlinks `path` if it is still the file described by `seen`, so that an
  // entry another process wrote meanwhile is kept.
  static void remove_if_same(const std::string& path, const struct stat& seen) {
    struct stat now {};
    if (::stat(path.c_str(), &now) == 0 && now.st_ino == seen.st_ino && now.st_dev == seen.st_dev)
      ::unlink(path.c_str());
  }

  template <class Fn>
  void for_each_file(Fn&& fn) const {
    std::error_code ec;
    std::filesystem::directory_iterator it(root_, ec), end;
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
};

}  // namespace cachet::detail
