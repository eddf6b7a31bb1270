// cachet/key/hashed_key.hpp: a fixed-length digest of the text key.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/uuid/detail/sha1.hpp>

#include <cachet/key/text_key.hpp>

namespace cachet {

//! The key is `prefix:` followed by the 40 hex digits of the SHA-1 of the
//! text_key form of the arguments: fixed length and plain ASCII whatever the
//! arguments, for stores with key limits (memcached: 250 bytes, no spaces).
//! Different arguments collide only if SHA-1 does.
struct hashed_key {
  using cachet_family = family::key;

  std::string prefix;

  //! bind<Params...>, with the parameters' positions named in errors.
  template <class Positions, class... Params>
  struct bind_at {
    using key_type = std::string;
    using hasher = detail::string_hash;
    using key_equal = std::equal_to<>;

    bind_at() = default;
    explicit bind_at(const hashed_key& policy) : prefix(policy.prefix) {}

    template <class... A>
    std::string make(const A&... args) const {
      const std::string text = text_.make(args...);
      boost::uuids::detail::sha1 sha;
      sha.process_bytes(text.data(), text.size());
      boost::uuids::detail::sha1::digest_type digest;
      sha.get_digest(digest);
      std::string out = prefix;
      if (!out.empty()) out += ':';
      constexpr char hex[] = "0123456789abcdef";
      // digest_type is unsigned int[5] up to Boost 1.85 and unsigned char[20]
      // from 1.86: print each element's bits, most significant first.
      for (const auto word : digest)
        for (int shift = static_cast<int>(sizeof(word)) * 8 - 4; shift >= 0; shift -= 4)
          out += hex[(static_cast<unsigned>(word) >> shift) & 0xFu];
      return out;
    }

    template <class... A>
    std::string lookup(const A&... args) const {
      return make(args...);
    }

    std::string prefix;

   private:
    text_key::bind_at<Positions, Params...> text_;
  };

  template <class... Params>
  using bind = bind_at<std::index_sequence_for<Params...>, Params...>;
};

}  // namespace cachet
