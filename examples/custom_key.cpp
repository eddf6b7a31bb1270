// examples/custom_key.cpp: a key policy written by a user.
//   - case_insensitive_key: keys a function of one string parameter so that
//     spellings differing only in ASCII case are one call. The key keeps the
//     first spelling; its hasher and key_equal ignore case, and its lookup
//     form is a std::string_view, so a hit allocates nothing.
// Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

#include <cachet/cachet.hpp>

#include <algorithm>
#include <cctype>
#include <concepts>
#include <cstddef>
#include <iostream>
#include <string>
#include <string_view>

// [case-insensitive-key]
// A key policy for functions of one string parameter: "Ada", "ADA" and "ada"
// are one call. The key keeps the spelling of the first call.
struct case_insensitive_key {
  using cachet_family = cachet::family::key;

  template <class... Params>
  struct bind {
    static_assert(sizeof...(Params) == 1 && (std::convertible_to<const Params&, std::string_view> && ...),
                  "case_insensitive_key: the function must take one string parameter");

    static char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

    using key_type = std::string;
    struct hasher {  // transparent: hashes std::string and std::string_view alike
      using is_transparent = void;
      std::size_t operator()(std::string_view s) const {
        std::size_t h = 14695981039346656037u;  // FNV-1a over the lower-case bytes
        for (char c : s) h = (h ^ static_cast<unsigned char>(lower(c))) * 1099511628211u;
        return h;
      }
    };
    struct key_equal {
      using is_transparent = void;
      bool operator()(std::string_view a, std::string_view b) const {
        return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
      }
    };

    explicit bind(const case_insensitive_key&) {}

    template <class A>
    key_type make(const A& text) const {  // the owning key, stored on a miss
      return std::string(std::string_view(text));
    }
    template <class A>
    std::string_view lookup(const A& text) const {  // what a lookup passes: no copy
      return std::string_view(text);
    }
  };
};
// [case-insensitive-key]

// [key-concept]
static_assert(cachet::key_policy_for<case_insensitive_key, const std::string&>);
// [key-concept]

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int lookups = 0;
std::string find_user(const std::string& email) {
  ++lookups;
  return "user <" + email + ">";
}

}  // namespace

int main() {
  std::cout << "A key policy (case_insensitive_key) over lru:\n";
  // [use-case-insensitive-key]
  auto users = cachet::memoize(find_user, cachet::lru{.capacity = 64}, case_insensitive_key{});
  users("Ada@Example.com");  // a miss: the key is "Ada@Example.com"
  users("ada@example.COM");  // a hit: the same call, whatever the case
  // [use-case-insensitive-key]
  check(lookups == 1, "two spellings, one call of the function");
  check(users("ADA@EXAMPLE.COM") == "user <Ada@Example.com>", "the entry keeps the first call's result");
  check(users.key("ADA@example.com") == "ADA@example.com", "key() is make(): the spelling given");
  check(users.contains("ada@example.com") && !users.contains("bob@example.com"), "contains() looks up the same way");

  using bound = case_insensitive_key::bind<const std::string&>;
  const bound key{case_insensitive_key{}};
  check(bound::hasher{}(key.lookup(std::string("MiXeD"))) == bound::hasher{}(key.make(std::string("mixed"))),
        "the law: the lookup form hashes like make() of the same call");

  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
