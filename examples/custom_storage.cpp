// examples/custom_storage.cpp: policies and argument types written by a user.
//   - logging_storage: a typed storage policy (see <cachet/storage.hpp>) over
//     a std::unordered_map that keeps deadlines and records every operation
//     the wrapper asks of it; used with text_key and sliding expiry;
//   - point: an argument type made usable through cachet::key_traits;
//   - tile: an argument type adapted with BOOST_HANA_DEFINE_STRUCT.
// (The byte coder decimal_coder is in examples/custom_coder.cpp.)
// Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

#include <cachet/cachet.hpp>  // the wrapper, every family, lru, dict

#include <boost/hana/define_struct.hpp>

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

// ---------------------------------------------------------------- a storage

// [logging-storage]
// A typed storage policy: keeps Key -> Value objects in a std::unordered_map,
// with their deadlines, and records each operation the wrapper asks of it.
// It keeps objects, so it leaves storage_traits::typed at its default (true),
// and it is not thread safe (one map, one log), so it leaves
// storage_traits::thread_safe at its default (false): the wrapper holds the
// sync policy's lock around every call of its store.
struct logging_storage {
  using cachet_family = cachet::family::storage;

  std::vector<std::string>* log = nullptr;  // where operations are recorded

  template <class Spec>
  class store_type {
   public:
    using key_type = typename Spec::key_type;
    using value_type = typename Spec::value_type;

    explicit store_type(const logging_storage& policy) : log_(policy.log) {}

    // Lookups are templates: the wrapper may pass a cheap lookup form that
    // Spec's (transparent) hasher and key_equal accept, not only key_type.
    template <class K>
    const value_type* get(const K& key, cachet::time_point now) {
      const auto it = live(key, now);
      record(it != map_.end() ? "get: hit" : "get: miss");
      return it != map_.end() ? &it->second.value : nullptr;
    }

    void set(key_type&& key, value_type&& value, cachet::time_point deadline) {
      record("set");
      map_.insert_or_assign(std::move(key), slot{std::move(value), deadline});
    }

    template <class K>
    bool erase(const K& key) {
      const auto it = map_.find(key);
      record(it != map_.end() ? "erase: removed" : "erase: absent");
      if (it == map_.end()) return false;
      map_.erase(it);
      return true;
    }

    template <class K>
    bool contains(const K& key, cachet::time_point now) {
      record("contains");
      return live(key, now) != map_.end();
    }

    template <class K>
    bool touch(const K& key, cachet::time_point now, cachet::time_point deadline) {
      record("touch");
      const auto it = live(key, now);
      if (it == map_.end()) return false;
      it->second.deadline = deadline;
      return true;
    }

    std::size_t size() const { return map_.size(); }
    void clear() { map_.clear(); }
    std::string name() const { return "logging"; }

   private:
    struct slot {
      value_type value;
      cachet::time_point deadline;  // cachet::no_deadline unless Spec::expiring
    };
    using map_type = std::unordered_map<key_type, slot, typename Spec::hasher, typename Spec::key_equal>;

    // The entry of `key` if it is live at `now`; an expired one is dropped.
    template <class K>
    typename map_type::iterator live(const K& key, cachet::time_point now) {
      auto it = map_.find(key);
      if (it != map_.end() && it->second.deadline <= now) {
        map_.erase(it);
        return map_.end();
      }
      return it;
    }

    void record(const char* what) {
      if (log_ != nullptr) log_->push_back(what);
    }

    std::vector<std::string>* log_;
    map_type map_;
  };
};
// [logging-storage]

// [store-concept]
// The store it makes for std::string keys and int values, with deadlines:
using logging_store = logging_storage::store_type<
    cachet::entry_spec<std::string, int, std::hash<std::string>, std::equal_to<>, true>>;
static_assert(cachet::store<logging_store>);
// [store-concept]

// [storage-traits]
// What the wrapper reads of it beyond the required members: the defaults,
// and native_bulk detected as false (it has no get_many), so the *_many
// operations call get, set and erase once per key, under one lock.
using logging_traits = cachet::storage_traits<logging_storage>;
static_assert(logging_traits::typed && !logging_traits::thread_safe && !logging_traits::own_expiry);
static_assert(!logging_traits::native_bulk<logging_store>);
// [storage-traits]

// ------------------------------------------------------- argument types

// A user type with neither std::hash nor ==.
struct point {
  int x;
  int y;
};

// [key-traits]
template <>
struct cachet::key_traits<point> {
  static std::size_t hash(const point& p) noexcept {  // for tuple_key
    return std::hash<std::uint64_t>{}(std::uint64_t{std::uint32_t(p.x)} << 32 | std::uint32_t(p.y));
  }
  static bool equal(const point& a, const point& b) noexcept {  // for tuple_key
    return a.x == b.x && a.y == b.y;
  }
  static void append_text(std::string& out, const point& p) {  // for text_key: "x;y"
    out += std::to_string(p.x) + ';' + std::to_string(p.y);
  }
};
// [key-traits]

// [hana-struct]
struct tile {
  BOOST_HANA_DEFINE_STRUCT(tile, (int, zoom), (std::string, layer));
};
// [hana-struct]

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int route_calls = 0;
int route_length(point from, point to) {
  ++route_calls;
  return std::abs(to.x - from.x) + std::abs(to.y - from.y);
}

int station_calls = 0;
std::optional<std::string> find_station(point near) {
  ++station_calls;
  if (near.x < 0) return std::nullopt;  // nothing there (yet)
  return "station " + std::to_string(near.x) + "/" + std::to_string(near.y);
}

int user_calls = 0;
std::string lookup_user(std::string email) {
  ++user_calls;
  return "user <" + email + ">";
}

int tile_calls = 0;
std::string render(tile t) {
  ++tile_calls;
  return t.layer + "@" + std::to_string(t.zoom);
}

void user_storage() {
  std::cout << "A user storage (logging_storage) with text_key and expire_after_access:\n";
  // [use-logging-storage]
  std::vector<std::string> log;
  cachet::manual_clock clock;  // copies share one time: `clock` moves the cache's clock
  auto routes = cachet::memoize(route_length, logging_storage{.log = &log}, cachet::text_key{"route"},
                                cachet::expire_after_access{std::chrono::minutes{10}}, clock);

  routes(point{0, 0}, point{3, 4});  // log: "get: miss", "set"
  routes(point{0, 0}, point{3, 4});  // log: "get: hit", "touch" (a hit renews the entry)
  // [use-logging-storage]
  for (const auto& line : log) std::cout << "    store: " << line << '\n';
  check(route_calls == 1 && log == std::vector<std::string>{"get: miss", "set", "get: hit", "touch"},
        "a miss then a hit: the store saw get, set, get and touch");
  check(routes.key(point{0, 0}, point{3, 4}) == "route:0;0:3;4", "the text key uses key_traits<point>::append_text");

  clock.advance(std::chrono::minutes{9});
  check(routes(point{0, 0}, point{3, 4}) == 7, "9 minutes later the entry is live; the hit renews it");
  clock.advance(std::chrono::minutes{9});
  check(routes.contains(point{0, 0}, point{3, 4}), "18 minutes after the write, 9 after the last use: still live");
  clock.advance(std::chrono::minutes{11});
  check(!routes.contains(point{0, 0}, point{3, 4}) && route_calls == 1,
        "11 minutes without a use: expired (and dropped by the store)");

  // [entry-not-found]
  try {
    routes.at(point{1, 1}, point{2, 2});  // at() promises a value and never computes one
  } catch (const cachet::entry_not_found& e) {
    std::cout << e.what() << '\n';  // cachet: logging: no live entry (key route:1;1:2;2)
  }
  // [entry-not-found]
  bool threw = false;
  try {
    routes.at(point{1, 1}, point{2, 2});
  } catch (const cachet::entry_not_found& e) {
    threw = e.storage() == "logging" && e.key() == "route:1;1:2;2" &&
            std::string(e.what()) == "cachet: logging: no live entry (key route:1;1:2;2)";
  }
  check(threw, "at() on a missing entry throws entry_not_found naming the storage and the key");
}

void argument_types() {
  std::cout << "User argument types:\n";
  // [per-entry]
  // Stations found are kept 5 minutes; "nothing there" is returned but not stored.
  auto stations = cachet::memoize(find_station, cachet::lru{.capacity = 64},
                                  cachet::expire_per_entry{[](const std::optional<std::string>& station) {
                                    return station ? std::chrono::minutes{5} : std::chrono::minutes{0};
                                  }});
  // [per-entry]
  stations(point{1, 2});
  stations(point{1, 2});
  check(station_calls == 1, "point works with tuple_key through key_traits<point>::hash and ::equal");
  stations(point{-1, 0});
  check(!stations.contains(point{-1, 0}) && stations.storage().size() == 1,
        "a value whose time to live is zero is not stored");

  // [custom-key]
  // E-mail addresses are keyed in lower case: "Ada@Example.com" and
  // "ada@example.com" share one entry.
  auto users = cachet::memoize(lookup_user, cachet::lru{.capacity = 64},
                               cachet::custom_key{[](const std::string& email) {
                                 std::string key = email;
                                 for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                                 return key;
                               }});
  // [custom-key]
  users("Ada@Example.com");
  users("ada@example.com");
  check(user_calls == 1 && users.key("ADA@example.COM") == "ada@example.com",
        "custom_key keyed both spellings on one lower-case string");

  auto tiles = cachet::memoize(render, cachet::dict{});
  tiles(tile{3, "roads"});
  tiles(tile{3, "roads"});
  tiles(tile{4, "roads"});
  check(tile_calls == 2, "a Hana struct is hashed and compared member by member");
  auto tile_names = cachet::memoize(render, cachet::dict{}, cachet::text_key{"tile"});
  check(tile_names.key(tile{3, "roads"}) == "tile:(3,roads)", "its text form lists its members in parentheses");
}

}  // namespace

int main() {
  user_storage();
  argument_types();
  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
