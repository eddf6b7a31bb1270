// cachet/errors.hpp: the exception hierarchy.
//
//   std::runtime_error
//   └── cachet::error
//       ├── backend_error    the store could not be reached or failed
//       ├── invalid_data     stored bytes do not decode
//       ├── closed_storage   the storage was used after close
//       ├── entry_not_found  a call that promises a value found none
//       └── reentrant_call   the function called itself on a call in flight
//
// Each carries the storage's name and the key it was about, when known, and
// puts both in what().
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace cachet {

class error : public std::runtime_error {
 public:
  //! `what` says what went wrong; `storage` and `key` say where, if known.
  error(const std::string& what, std::string storage = {}, std::string key = {})
      : std::runtime_error(compose(what, storage, key)),
        reason_(what),
        storage_(std::move(storage)),
        key_(std::move(key)) {}

  //! What went wrong, without the storage and the key.
  const std::string& reason() const noexcept { return reason_; }
  //! The storage that raised it ("lru", "dict", a path, a server address).
  const std::string& storage() const noexcept { return storage_; }
  //! The key, as text, that the operation was about; empty if none.
  const std::string& key() const noexcept { return key_; }

 private:
  static std::string compose(const std::string& what, const std::string& storage,
                             const std::string& key) {
    std::string out = "cachet: ";
    if (!storage.empty()) out += storage + ": ";
    out += what;
    if (!key.empty()) out += " (key " + key + ")";
    return out;
  }

  std::string reason_;
  std::string storage_;
  std::string key_;
};

class backend_error : public error {
 public:
  using error::error;
};

class invalid_data : public error {
 public:
  using error::error;
};

class closed_storage : public error {
 public:
  using error::error;
};

class entry_not_found : public error {
 public:
  using error::error;
};

//! A memoized function called itself, through its wrapper, with the
//! arguments of a call it is still computing in the same thread: waiting
//! for that call would never end (under a single-flight sync policy such as
//! cachet::mutex). Thrown at once; it always propagates.
class reentrant_call : public error {
 public:
  using error::error;
};

}  // namespace cachet
