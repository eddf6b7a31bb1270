// cachet/detail/key_visitors.hpp: the visitors the key walk drives (hash,
// equality, text form), the operations built on them (hash_value,
// equal_value, append_text and their compile-time checks), and the
// transparent hasher and equality typed stores use.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <cachet/detail/key_walk.hpp>

namespace cachet::detail {

// ---- floating-point arguments ----
//
// A key tells apart what a function can tell apart: -0.0 and 0.0 are two
// keys (1 / x differs), and every NaN is one key (== would make each NaN
// call a new entry that no later call finds).

template <class T>
std::size_t float_hash(T v) noexcept {
  if (v != v) return 0x7ff8'0000'0000'0001u;  // every NaN, whatever its sign and payload
  if (v == T{}) return std::signbit(v) ? 0x8000'0000'0000'0001u : 0u;
  return std::hash<T>{}(v);
}

template <class T>
bool float_equal(T a, T b) noexcept {
  if (a != a || b != b) return a != a && b != b;
  return a == b && std::signbit(a) == std::signbit(b);
}

// ---- the visitors ----

struct hash_visitor {
  template <class T>
  static constexpr bool customised = traits_hash<T>;
  template <class T>
  static constexpr bool accepts = traits_hash<T> || std_hashable<T>;

  template <class T>
  std::size_t leaf(const T& v) {
    if constexpr (traits_hash<T>)
      return key_traits<T>::hash(v);
    else if constexpr (std::is_floating_point_v<T>)
      return float_hash(v);
    else if constexpr (std_hashable<T>)
      return std::hash<T>{}(v);
    else
      return 0;  // the key policy's check has said so: no second error
  }
  std::size_t string(std::string_view s) { return std::hash<std::string_view>{}(s); }
  template <class T>
  std::size_t optional(const T& v) {
    return v ? hash_combine(1, walk(*this, *v)) : 0;
  }
  template <class T>
  std::size_t product(const T& v) {
    if constexpr (product_fields<T>::size == 1) {
      return walk(*this, product_fields<T>::template get<0>(v));  // one argument: the table mixes it
    } else {
      std::size_t seed = 0;
      for_each_field([&](const auto& field) { return seed = hash_combine(seed, walk(*this, field)), true; }, v);
      return seed;
    }
  }
  template <class T>
  std::size_t sequence(const T& v) {
    std::size_t seed = 0;
    std::size_t count = 0;
    for (const auto& e : v) seed = hash_combine(seed, walk(*this, e)), ++count;
    return hash_combine(seed, count);
  }
  // Order-independent: a sum of mixed element hashes.
  template <class T>
  std::size_t unordered(const T& v) {
    std::size_t sum = 0;
    for (const auto& e : v) sum += static_cast<std::size_t>(hash_mix(walk(*this, e)));
    return hash_combine(sum, v.size());
  }
};

// Equality of a key and a key or a lookup: both have the same shape
// (a lookup has string_views where the key has strings).
struct equal_visitor {
  template <class T>
  static constexpr bool customised = traits_equal<T>;
  template <class T>
  static constexpr bool accepts = traits_equal<T> || std::equality_comparable<T>;

  template <class T, class U>
  bool leaf(const T& a, const U& b) {
    if constexpr (traits_equal<T> && std::same_as<T, U>)
      return key_traits<T>::equal(a, b);
    else if constexpr (std::is_floating_point_v<T> && std::same_as<T, U>)
      return float_equal(a, b);
    else if constexpr (requires { { a == b } -> std::convertible_to<bool>; })
      return a == b;
    else
      return false;  // the key policy's check has said so
  }
  bool string(std::string_view a, std::string_view b) { return a == b; }
  template <class T, class U>
  bool optional(const T& a, const U& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a.has_value() || walk(*this, *a, *b);
  }
  template <class T, class U>
  bool product(const T& a, const U& b) {
    return for_each_field([&](const auto& x, const auto& y) { return walk(*this, x, y); }, a, b);
  }
  template <class T, class U>
  bool sequence(const T& a, const U& b) {
    auto ia = std::ranges::begin(a);
    auto ib = std::ranges::begin(b);
    const auto ea = std::ranges::end(a);
    const auto eb = std::ranges::end(b);
    for (; ia != ea && ib != eb; ++ia, ++ib)
      if (!walk(*this, *ia, *ib)) return false;
    return ia == ea && ib == eb;
  }
  // Each element of `a` is matched as often in `b`, among the elements the
  // containers file under its key (one, unless they are multi-containers).
  template <class T, class U>
  bool unordered(const T& a, const U& b) {
    static_assert(std::same_as<T, U>, "cachet: internal: unordered containers of different types");
    if (a.size() != b.size()) return false;
    for (const auto& x : a) {
      const auto& key = unordered_key_of<T>(x);
      const auto [a_first, a_last] = a.equal_range(key);
      const auto [b_first, b_last] = b.equal_range(key);
      const auto same_as_x = [&](const auto& y) { return walk(*this, x, y); };
      if (std::count_if(a_first, a_last, same_as_x) != std::count_if(b_first, b_last, same_as_x)) return false;
    }
    return true;
  }
};

//! Characters text_key escapes with a backslash inside strings, so that no
//! string can imitate a separator or a structure.
inline constexpr std::string_view text_specials = "\\:,()[]~";

inline void append_escaped(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size());
  for (char c : s) {
    if (text_specials.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
}

template <class T>
void append_number(std::string& out, T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (v != v) {  // one text for every NaN ("nan", not "-nan")
      out += "nan";
      return;
    }
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  out.append(buffer, result.ptr);
}

// The text form; its format is documented on cachet::text_key.
struct text_visitor {
  template <class T>
  static constexpr bool customised = traits_text<T>;
  template <class T>
  static constexpr bool accepts = traits_text<T> || std::is_arithmetic_v<T> || std::is_enum_v<T>;

  std::string& out;

  template <class T>
  void leaf(const T& v) {
    if constexpr (traits_text<T>)
      key_traits<T>::append_text(out, v);
    else if constexpr (std::same_as<T, bool>)
      out += v ? "true" : "false";
    else if constexpr (std::same_as<T, char>)
      append_escaped(out, std::string_view(&v, 1));
    else if constexpr (std::is_arithmetic_v<T>)
      append_number(out, v);
    else if constexpr (std::is_enum_v<T>)
      append_number(out, static_cast<std::underlying_type_t<T>>(v));
    // else: the key policy's check has said so
  }
  void string(std::string_view s) { append_escaped(out, s); }
  template <class T>
  void optional(const T& v) {
    if (!v) {
      out += '~';
    } else if constexpr (optional_like<typename T::value_type>) {
      out += '(';  // keeps optional<optional<U>>{nullopt} apart from nullopt
      walk(*this, *v);
      out += ')';
    } else {
      walk(*this, *v);
    }
  }
  template <class T>
  void product(const T& v) {
    out += '(';
    bool first = true;
    for_each_field(
        [&](const auto& field) {
          if (!first) out += ',';
          first = false;
          walk(*this, field);
          return true;
        },
        v);
    out += ')';
  }
  template <class T>
  void sequence(const T& v) {
    out += '[';
    bool first = true;
    bool last_empty = false;
    for (const auto& e : v) {
      if (!first) out += ',';
      first = false;
      const std::size_t before = out.size();
      walk(*this, e);
      last_empty = out.size() == before;
    }
    close_sequence(last_empty);
  }
  // The elements' texts, sorted: equal containers read alike whatever their
  // iteration order, and texts are unambiguous, so different ones differ.
  template <class T>
  void unordered(const T& v) {
    std::vector<std::string> texts;
    texts.reserve(v.size());
    for (const auto& e : v) {
      text_visitor element{texts.emplace_back()};
      walk(element, e);
    }
    std::sort(texts.begin(), texts.end());
    out += '[';
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (i != 0) out += ',';
      out += texts[i];
    }
    close_sequence(!texts.empty() && texts.back().empty());
  }
  // An empty last element (an empty string) is marked by a trailing comma,
  // as in Python's ("",): else [""] and [] would both read "[]".
  void close_sequence(bool last_empty) {
    if (last_empty) out += ',';
    out += ']';
  }
};

// ---- the operations ----

template <class T>
std::size_t hash_value(const T& v) {
  hash_visitor visitor;
  return walk(visitor, v);
}

template <class A, class B>
bool equal_value(const A& a, const B& b) {
  equal_visitor visitor;
  return walk(visitor, a, b);
}

template <class T>
void append_text(std::string& out, const T& v) {
  text_visitor visitor{out};
  walk(visitor, v);
}

template <class T>
constexpr bool is_hashable() {
  return walkable<hash_visitor, T>();
}
template <class T>
constexpr bool is_equality_comparable() {
  return walkable<equal_visitor, T>();
}
template <class T>
constexpr bool has_text() {
  return walkable<text_visitor, T>();
}

//! A transparent hasher over values and tuples of values, for typed stores.
struct value_hash {
  using is_transparent = void;
  template <class T>
  std::size_t operator()(const T& v) const {
    return hash_value(v);
  }
};

//! Transparent equality matching value_hash.
struct value_equal {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return equal_value(a, b);
  }
};

//! Text of a key for error messages; "?" for a key with no text form.
template <class Key>
std::string describe_key(const Key& key) {
  if constexpr (has_text<Key>()) {
    std::string out;
    append_text(out, key);
    return out;
  } else {
    return "?";
  }
}

}  // namespace cachet::detail
