// cachet/storage/dict.hpp: an unbounded in-memory storage (ring's `dict`).
#pragma once

#include <cstddef>

#include <cachet/storage.hpp>

namespace cachet {

namespace detail {
template <class Spec>
class dict_store;
}

//! Keeps every entry until it is erased or expires: no eviction, so bound
//! it with an expiry policy or erase_expired(). Given a byte coder
//! (cereal_binary, ...) it keeps std::string -> bytes like a remote store
//! does, which lets tests run the byte path without a server.
struct dict {
  using cachet_family = family::storage;
  static constexpr bool typed = true;

  template <class Spec>
  using store_type = detail::dict_store<Spec>;

  //! The dict of part `index` of `count` (cachet::sharded<count>): a copy,
  //! since a dict has no bound to split.
  dict shard(std::size_t, std::size_t) const { return *this; }
};

}  // namespace cachet

#include <cachet/storage/dict/dict_store.hpp>
