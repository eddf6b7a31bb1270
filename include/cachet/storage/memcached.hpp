// cachet/storage/memcached.hpp: a byte storage on one or more memcached
// servers. Link the CMake target cachet::memcached (it links libmemcached
// and libmemcachedutil, from Debian's libmemcached-dev).
//
//     auto f = cachet::memoize(slow, cachet::memcached{.servers = {"10.0.0.1:11211", "10.0.0.2:11211"}},
//                              cachet::expire_after_write{std::chrono::minutes{10}});
//
// Keys are the key policy's strings (text_key by default), mapped to safe
// memcached keys (see <cachet/storage/memcached/key_map.hpp>); values are
// the coder's bytes (cereal_binary by default) behind an 8-byte deadline
// header (see <cachet/storage/memcached/entry_format.hpp>).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <cachet/coder/cereal_binary.hpp>  // the byte storages' default coder
#include <cachet/storage.hpp>

namespace cachet {

namespace detail {
class memcached_store;

template <class Spec>
struct memcached_store_for {
  static_assert(std::is_same_v<typename Spec::key_type, std::string> &&
                    std::is_same_v<typename Spec::value_type, std::string>,
                "cachet::memcached keeps std::string keys and byte values: use a key policy that makes "
                "std::string keys (text_key, the default, or hashed_key) and a byte coder (cereal_binary, "
                "the default, cereal_portable, cereal_json or your own), not cachet::identity");
  using type = memcached_store;
};
}  // namespace detail

//! A storage on memcached servers, through libmemcached.
//!
//! - Several servers share the keys by consistent hashing (ketama): adding
//!   or removing one moves only about its share of the keys.
//! - A server that fails server_failure_limit times in a row leaves the ring
//!   for retry_timeout (its keys go to the others), then is tried again.
//!   Until then, each failure disables it for the rest of that second (its
//!   keys fail fast): with the default limit of 2, a dead server leaves the
//!   ring about a second after its first failure.
//! - Thread-safe (storage_traits::thread_safe): each call borrows one of
//!   pool_size connections (per server) and holds no other lock, so calls
//!   of several threads overlap on the wire.
//! - Expiry is the server's (storage_traits::own_expiry) and exact: the
//!   deadline travels with the value and readers compare it with their
//!   clock; the server drops the item, in whole seconds, after it.
//! - Every failure is a cachet::backend_error naming the server(s) and the
//!   command, never the value; an item that is not cachet's is
//!   cachet::invalid_data.
//! PRECONDITION: a store is never used across fork(): make a new one in the
//!   child.
struct memcached {
  using cachet_family = family::storage;
  static constexpr bool typed = false;
  static constexpr bool thread_safe = true;
  static constexpr bool own_expiry = true;

  //! "host:port" (port 11211 if left out; "[v6 address]:port" for IPv6).
  std::vector<std::string> servers{"127.0.0.1:11211"};
  //! The binary protocol instead of the text one.
  bool binary_protocol = false;
  //! How long connecting to a server may take.
  std::chrono::milliseconds connect_timeout{1000};
  //! How long one command may wait for the server to answer.
  std::chrono::milliseconds poll_timeout{1000};
  //! Failures in a row after which a server leaves the ring.
  std::uint32_t server_failure_limit = 2;
  //! How long a server that left the ring stays out before it is tried again.
  std::chrono::seconds retry_timeout{2};
  //! Connections shared by the threads that call one store.
  std::size_t pool_size = 8;
  //! Put before every key (at most 208 bytes; no space, '%' or control byte),
  //! so that several caches can share servers.
  std::string key_prefix{};

  template <class Spec>
  using store_type = typename detail::memcached_store_for<Spec>::type;
};

}  // namespace cachet

#include <cachet/storage/memcached/memcached_store.hpp>
