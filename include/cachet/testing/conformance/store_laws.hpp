// cachet/testing/conformance/store_laws.hpp: the laws the storage
// conformance kit runs on a store directly (store.empty ... store.bulk): each
// takes the store of a fresh cache of std::string(int) under
// expire_after_write, so that it keeps deadlines, and calls get, set,
// contains, erase, touch, size, clear, name and the bulk members with keys
// from the wrapper and explicit times. Part of
// <cachet/testing/storage_conformance.hpp>, which lists the laws.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/testing/conformance/fixtures.hpp>
#include <cachet/testing/conformance/report.hpp>

#include <cachet/testing/conformance/checks_begin.hpp>

namespace cachet::testing::detail {

using namespace std::chrono_literals;

//! The cache whose store the store laws use: deadlines kept.
template <class F>
auto store_cache(session<F>& ctx) {
  return ctx.make([](int x) { return "result " + std::to_string(x); }, expire_after_write{1h});
}

//! The store laws' view of a store: keys from the wrapper, values from text.
template <class Cache>
struct store_probe {
  Cache& cache;
  using store_type = typename Cache::store_type;
  using key_type = typename store_type::key_type;
  using value_type = typename store_type::value_type;

  store_type& s() { return cache.storage(); }
  key_type k(int i) { return cache.key(i); }
  static value_type v(std::string_view text) { return value_type(std::string(text)); }
  opt<value_type> get(int i, time_point t) {
    auto r = s().get(k(i), t);
    if (!r) return std::nullopt;
    return value_type(*r);
  }
  void set(int i, std::string_view text, time_point deadline) { s().set(k(i), v(text), deadline); }
  bool contains(int i, time_point t) { return s().contains(k(i), t); }
  bool erase(int i) { return s().erase(k(i)); }
  bool touch(int i, time_point t, time_point deadline) { return s().touch(k(i), t, deadline); }
  std::size_t size() { return static_cast<std::size_t>(s().size()); }
};

template <class F, class Law>
void with_store(session<F>& ctx, Law law) {
  auto cache = store_cache(ctx);
  store_probe<decltype(cache)> p{cache};
  law(p, ctx.clock.now());
}

template <class F>
void store_empty(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    CACHET_CONFORMANCE_CHECK_(p.size() == 0u);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0));
  });
}

template <class F>
void store_get(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    const time_point d = t0 + 10s;
    p.set(1, "one", d);
    p.set(2, "two", t0 + 20s);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("one")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("one")));  // a get does not consume
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == opt<V>(p.v("two")));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_(p.get(1, d - 1ns) == opt<V>(p.v("one")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, d) == std::nullopt);  // at the deadline: gone
    CACHET_CONFORMANCE_CHECK_(p.get(1, d + 1s) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_(p.get(2, d + 1s) == opt<V>(p.v("two")));
  });
}

template <class F>
void store_set(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "old", t0 + 10s);
    p.set(1, "new", t0 + 30s);  // a later deadline
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("new")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 20s) == opt<V>(p.v("new")));
    p.set(1, "newer", t0 + 25s);  // an earlier one
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 24s) == opt<V>(p.v("newer")));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 25s) == std::nullopt);
    p.set(1, "again", t0 + 60s);  // revives the expired key
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 30s) == opt<V>(p.v("again")));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0 + 59s));
  });
}

template <class F>
void store_no_deadline(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "forever", no_deadline);
    const time_point far = t0 + std::chrono::hours{24 * 365 * 100};
    CACHET_CONFORMANCE_CHECK_(p.get(1, far) == opt<V>(p.v("forever")));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, far));
    CACHET_CONFORMANCE_CHECK_(p.touch(1, far, no_deadline));
    CACHET_CONFORMANCE_CHECK_(p.get(1, far + 1h) == opt<V>(p.v("forever")));
  });
}

template <class F>
void store_bytes(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    std::string all(256, '\0');
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>(i);
    std::string big(64 * 1024, 'x');
    for (std::size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>(i % 251);
    const std::string nul("a\0b\0", 4);
    p.set(1, "", no_deadline);
    p.set(2, nul, no_deadline);
    p.set(3, all, no_deadline);
    p.set(4, big, no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("")));
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == opt<V>(p.v(nul)));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == opt<V>(p.v(all)));
    CACHET_CONFORMANCE_CHECK_(p.get(4, t0) == opt<V>(p.v(big)));
  });
}

template <class F>
void store_contains(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "one", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0 + 10s - 1ns));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0 + 10s));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(2, t0));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(2, t0));  // contains never creates
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == std::nullopt);
    p.set(3, "three", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_(p.contains(3, t0 + 5s));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0 + 5s) == opt<V>(p.v("three")));  // nor consumes
  });
}

template <class F>
void store_erase(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "one", no_deadline);
    p.set(2, "two", no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.erase(1));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.erase(1));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.erase(3));
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0));
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0) == opt<V>(p.v("two")));  // other keys stay
    p.set(1, "back", no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("back")));
  });
}

template <class F>
void store_touch(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    p.set(1, "one", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_(p.touch(1, t0 + 5s, t0 + 30s));  // later
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0 + 20s) == opt<V>(p.v("one")));
    CACHET_CONFORMANCE_CHECK_(p.contains(1, t0 + 30s - 1ns));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(1, t0 + 30s));

    p.set(2, "two", t0 + 60s);
    CACHET_CONFORMANCE_CHECK_(p.touch(2, t0, t0 + 15s));  // earlier
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0 + 15s - 1ns) == opt<V>(p.v("two")));
    CACHET_CONFORMANCE_CHECK_(p.get(2, t0 + 15s) == std::nullopt);

    CACHET_CONFORMANCE_CHECK_FALSE_(p.touch(3, t0, t0 + 10s));  // missing: not created
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(3, t0));
    CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == std::nullopt);

    p.set(4, "four", t0 + 10s);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.touch(4, t0 + 10s, t0 + 100s));  // expired: not revived
    CACHET_CONFORMANCE_CHECK_(p.get(4, t0 + 11s) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(4, t0 + 11s));
  });
}

template <class F>
void store_size(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point) {
    for (int i = 0; i < 5; ++i) p.set(i, "v" + std::to_string(i), no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.size() == 5u);
    p.set(2, "replaced", no_deadline);
    CACHET_CONFORMANCE_CHECK_(p.size() == 5u);
    (void)p.erase(0);
    CACHET_CONFORMANCE_CHECK_(p.size() == 4u);
    (void)p.erase(0);
    CACHET_CONFORMANCE_CHECK_(p.size() == 4u);
    const auto& view = std::as_const(p.s());
    CACHET_CONFORMANCE_CHECK_(static_cast<std::size_t>(view.size()) == 4u);  // const, as the concept asks
  });
}

template <class F>
void store_clear(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using V = typename std::remove_reference_t<decltype(p)>::value_type;
    for (int i = 0; i < 5; ++i) p.set(i, "v" + std::to_string(i), t0 + 10s);
    p.s().clear();
    CACHET_CONFORMANCE_CHECK_(p.size() == 0u);
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == std::nullopt);
    CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(4, t0));
    CACHET_CONFORMANCE_CHECK_FALSE_(p.erase(2));
    p.set(1, "after", no_deadline);  // still usable
    CACHET_CONFORMANCE_CHECK_(p.get(1, t0) == opt<V>(p.v("after")));
    CACHET_CONFORMANCE_CHECK_(p.size() == 1u);
  });
}

template <class F>
void store_name(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point) {
    const std::string name = std::as_const(p.s()).name();
    CACHET_CONFORMANCE_CHECK_FALSE_(name.empty());
  });
}

template <class F>
void store_bulk(session<F>& ctx, checker& chk) {
  with_store(ctx, [&](auto& p, time_point t0) {
    using probe = std::remove_reference_t<decltype(p)>;
    using K = typename probe::key_type;
    using V = typename probe::value_type;
    if constexpr (bulk_store<typename probe::store_type>) {
      auto& s = p.s();
      const std::vector<K> none;
      std::vector<entry<K, V>> nothing;
      CACHET_CONFORMANCE_CHECK_(s.get_many(std::span<const K>(none), t0).empty());
      CACHET_CONFORMANCE_NO_THROW_(s.set_many(std::span<entry<K, V>>(nothing)));
      CACHET_CONFORMANCE_CHECK_(s.erase_many(std::span<const K>(none)).empty());
      CACHET_CONFORMANCE_CHECK_(p.size() == 0u);

      std::vector<entry<K, V>> entries;
      entries.push_back({p.k(1), p.v("one"), t0 + 10s});
      entries.push_back({p.k(2), p.v("two"), t0 + 20s});
      entries.push_back({p.k(3), p.v("three"), no_deadline});
      s.set_many(std::span<entry<K, V>>(entries));
      CACHET_CONFORMANCE_CHECK_(p.size() == 3u);
      const std::vector<K> keys{p.k(3), p.k(4), p.k(1), p.k(2), p.k(1)};
      CACHET_CONFORMANCE_CHECK_(s.get_many(std::span<const K>(keys), t0) ==
                                std::vector<opt<V>>{p.v("three"), std::nullopt, p.v("one"), p.v("two"), p.v("one")});
      CACHET_CONFORMANCE_CHECK_(s.get_many(std::span<const K>(keys), t0 + 10s) ==
                                std::vector<opt<V>>{p.v("three"), std::nullopt, std::nullopt, p.v("two"), std::nullopt});
      CACHET_CONFORMANCE_CHECK_(p.get(2, t0 + 20s) == std::nullopt);  // each entry's own deadline

      std::vector<entry<K, V>> replace;
      replace.push_back({p.k(3), p.v("three again"), t0 + 5s});
      s.set_many(std::span<entry<K, V>>(replace));
      CACHET_CONFORMANCE_CHECK_(p.get(3, t0) == opt<V>(p.v("three again")));
      CACHET_CONFORMANCE_CHECK_(p.get(3, t0 + 5s) == std::nullopt);

      p.set(5, "five", no_deadline);
      const std::vector<K> erase{p.k(5), p.k(6), p.k(5)};
      CACHET_CONFORMANCE_CHECK_(s.erase_many(std::span<const K>(erase)) == std::vector<bool>{true, false, false});
      CACHET_CONFORMANCE_CHECK_FALSE_(p.contains(5, t0));
    }
  });
}

}  // namespace cachet::testing::detail

#include <cachet/testing/conformance/checks_end.hpp>
