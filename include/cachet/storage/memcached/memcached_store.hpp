// cachet/storage/memcached/memcached_store.hpp: the store of cachet::memcached:
// get, set, erase, contains, touch and their batches on memcached servers
// through a pool of libmemcached handles. Included by
// <cachet/storage/memcached.hpp>.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cachet/errors.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/memcached.hpp>
#include <cachet/storage/memcached/client.hpp>
#include <cachet/storage/memcached/entry_format.hpp>
#include <cachet/storage/memcached/key_map.hpp>

namespace cachet::detail {

//! Safe to call from several threads at once (storage_traits::thread_safe).
class memcached_store {
 public:
  using key_type = std::string;
  using value_type = std::string;

  //! Checks the policy (std::invalid_argument for no server, a bad address
  //! or prefix, a pool of 0); connects on first use.
  explicit memcached_store(const memcached& policy) : prefix_(policy.key_prefix) {
    check_memcached_prefix(prefix_);
    std::string name = "memcached ";
    for (std::size_t i = 0; i < policy.servers.size(); ++i) name += (i ? "," : "") + policy.servers[i];
    client_ = std::make_unique<memcached_client>(policy, std::move(name));
  }

  //! The live value of `key` at `now`: one round trip.
  std::optional<std::string> get(std::string_view key, time_point now) {
    const std::string k = map(key);
    auto l = c().borrow();
    std::size_t length = 0;
    std::uint32_t flags = 0;
    memcached_return_t rc = MEMCACHED_SUCCESS;
    const std::unique_ptr<char, decltype(&std::free)> item(
        memcached_get(l.get(), k.data(), k.size(), &length, &flags, &rc), &std::free);
    if (rc == MEMCACHED_NOTFOUND) rc = read_error(l.get());
    if (rc == MEMCACHED_NOTFOUND) return std::nullopt;
    if (rc != MEMCACHED_SUCCESS) throw c().failure(l.get(), rc, "get", memcached_client::server_of(l.get(), k), std::string(key));
    return live_value(std::string_view(item.get(), item ? length : 0), flags, now, key);
  }

  //! Stores `value` until `deadline` (see memcached_expiration). A value
  //! over the server's item size limit is a backend_error naming the limit;
  //! the server then holds nothing under `key`.
  void set(std::string_view key, std::string_view value, time_point deadline) {
    const std::string k = map(key);
    auto l = c().borrow();
    put(l.get(), k, key, value, deadline);
  }

  //! Whether the server held the key (live or not yet reclaimed).
  bool erase(std::string_view key) {
    const std::string k = map(key);
    auto l = c().borrow();
    const memcached_return_t rc = memcached_delete(l.get(), k.data(), k.size(), 0);
    if (rc == MEMCACHED_NOTFOUND) return false;
    if (rc != MEMCACHED_SUCCESS && rc != MEMCACHED_DELETED)
      throw c().failure(l.get(), rc, "delete", memcached_client::server_of(l.get(), k), std::string(key));
    return true;
  }

  bool contains(std::string_view key, time_point now) { return get(key, now).has_value(); }

  //! Renews a live entry to `deadline`: the header is rewritten under the
  //! item's CAS (two round trips), so a concurrent write is never undone.
  bool touch(std::string_view key, time_point now, time_point deadline) {
    return get_and_touch(key, now, deadline).has_value();
  }

  //! get, renewing a live entry to `deadline` (two round trips: gets, cas).
  std::optional<std::string> get_and_touch(std::string_view key, time_point now, time_point deadline) {
    const std::string k = map(key);
    const std::string keys[] = {std::string(key)};
    auto l = c().borrow();
    std::optional<std::string> value;
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::optional<fetched> found;
      multi_get(l.get(), std::span<const std::string>(keys), [&](std::size_t, fetched f) { found = std::move(f); });
      if (!found) return std::nullopt;
      value = live_value(found->item, found->flags, now, key);
      if (!value) return std::nullopt;
      switch (renew(l.get(), k, key, *value, deadline, found->cas)) {
        case renewal::done: return value;
        case renewal::gone: return std::nullopt;
        case renewal::raced: continue;  // written meanwhile: read it again
      }
    }
    return value;  // live, but rewritten by others each time: their deadlines stand
  }

  //! The live values of `keys`: one multi-get round trip (each server asked
  //! once, in parallel).
  std::vector<std::optional<std::string>> get_many(std::span<const std::string> keys, time_point now) {
    std::vector<std::optional<std::string>> out(keys.size());
    if (keys.empty()) return out;
    auto l = c().borrow();
    multi_get(l.get(), keys, [&](std::size_t i, fetched f) { out[i] = live_value(f.item, f.flags, now, keys[i]); });
    return out;
  }

  //! One multi-get round trip.
  std::vector<bool> contains_many(std::span<const std::string> keys, time_point now) {
    const auto found = get_many(keys, now);
    std::vector<bool> out(found.size());
    for (std::size_t i = 0; i < found.size(); ++i) out[i] = found[i].has_value();
    return out;
  }

  //! One multi-get round trip, then one CAS per live entry.
  std::vector<bool> touch_many(std::span<const std::string> keys, time_point now, time_point deadline) {
    std::vector<bool> out(keys.size(), false);
    if (keys.empty()) return out;
    // Repeated keys are renewed once and answer as their first occurrence.
    boost::unordered_flat_map<std::string_view, std::size_t> first;
    for (std::size_t i = 0; i < keys.size(); ++i) first.try_emplace(keys[i], i);
    auto l = c().borrow();
    std::vector<std::pair<std::size_t, fetched>> live;
    multi_get(l.get(), keys, [&](std::size_t i, fetched f) {
      if (first.at(keys[i]) == i && memcached_deadline(f.item, f.flags).value_or(0) > to_unix_ns(now))
        live.emplace_back(i, std::move(f));
    });
    for (auto& [i, f] : live) {
      const auto value = live_value(f.item, f.flags, now, keys[i]);
      out[i] = renew(l.get(), map(keys[i]), keys[i], *value, deadline, f.cas) == renewal::done;
    }
    for (std::size_t i = 0; i < keys.size(); ++i) out[i] = out[first.at(keys[i])];
    return out;
  }

  //! Writes every entry (one round trip each); if some fail, the others are
  //! still written, then the first failure is thrown.
  void set_many(std::span<entry<std::string, std::string>> entries) {
    if (entries.empty()) return;
    auto l = c().borrow();
    std::exception_ptr first;
    for (const auto& e : entries) {
      try {
        put(l.get(), map(e.key), e.key, e.value, e.deadline);
      } catch (const backend_error&) {
        if (!first) first = std::current_exception();
      }
    }
    if (first) std::rethrow_exception(first);
  }

  //! One delete per key; true where the server held the key.
  std::vector<bool> erase_many(std::span<const std::string> keys) {
    std::vector<bool> out;
    out.reserve(keys.size());
    for (const auto& key : keys) out.push_back(erase(key));
    return out;
  }

  //! The items the servers hold (curr_items summed over `stats`): every
  //! item of every cache on these servers, expired ones not yet reclaimed
  //! included. Approximate wherever the servers are shared.
  std::size_t size() const {
    std::size_t items = 0;
    c().stats("", [&](const std::string&, std::string_view name, std::string_view value) {
      if (name == "curr_items") items += std::strtoull(std::string(value).c_str(), nullptr, 10);
    });
    return items;
  }

  //! Flushes every server (flush_all): the entries of every cache on them
  //! go. The servers reclaim flushed items in the background; clear()
  //! returns once they count none, or after 2 s.
  void clear() {
    {
      auto l = c().borrow();
      const memcached_return_t rc = memcached_flush(l.get(), 0);
      if (rc != MEMCACHED_SUCCESS) throw c().failure(l.get(), rc, "flush_all", c().servers());
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (size() != 0 && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  //! "memcached <server>,<server>...": the prefix of every error's message.
  const std::string& name() const noexcept {
    static const std::string moved_from = "memcached (moved from)";
    return client_ ? client_->name() : moved_from;
  }

  //! The memcached key `key` is stored under (see key_map.hpp).
  std::string server_key(std::string_view key) const { return map(key); }

 private:
  struct fetched {
    std::string item;
    std::uint32_t flags = 0;
    std::uint64_t cas = 0;
  };
  enum class renewal { done, gone, raced };

  memcached_client& c() const {
    if (!client_) throw closed_storage("the store was moved from", "memcached");
    return *client_;
  }

  // libmemcached reports a text-protocol answer it cannot parse as a miss,
  // keeping the read failure as the handle's last error (each command
  // clears it first): that error, else MEMCACHED_NOTFOUND.
  static memcached_return_t read_error(memcached_st* mc) {
    const memcached_return_t last = memcached_last_error(mc);
    if (last == MEMCACHED_SUCCESS || last == MEMCACHED_END || last == MEMCACHED_NOTFOUND) return MEMCACHED_NOTFOUND;
    return last;
  }

  std::string map(std::string_view key) const { return memcached_key(prefix_, key); }

  // The value in `item` if it is live at `now`; invalid_data if it is not
  // an item cachet wrote.
  std::optional<std::string> live_value(std::string_view item, std::uint32_t flags, time_point now,
                                        std::string_view key) const {
    const auto deadline = memcached_deadline(item, flags);
    if (!deadline)
      throw invalid_data("not an entry cachet wrote (flags " + std::to_string(flags) + ", " +
                             std::to_string(item.size()) + " bytes)",
                         name(), std::string(key));
    if (*deadline <= to_unix_ns(now)) return std::nullopt;
    return std::string(item.substr(memcached_header_size));
  }

  // One mget over the distinct mapped keys, calling found(i, item) once per
  // key index i the servers hold (repeated keys each get a copy).
  template <class Found>
  void multi_get(memcached_st* mc, std::span<const std::string> keys, Found found) {
    std::vector<std::string> mapped(keys.size());
    boost::unordered_flat_map<std::string_view, std::vector<std::size_t>> where;
    std::vector<const char*> raw;
    std::vector<std::size_t> lengths;
    where.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      mapped[i] = map(keys[i]);
      auto [it, fresh] = where.try_emplace(mapped[i]);
      it->second.push_back(i);
      if (fresh) {
        raw.push_back(mapped[i].data());
        lengths.push_back(mapped[i].size());
      }
    }
    const memcached_return_t sent = memcached_mget(mc, raw.data(), lengths.data(), raw.size());
    // Every answer is read before anything throws, so that none is left on
    // the connection for the handle's next user.
    std::vector<std::pair<const std::vector<std::size_t>*, fetched>> got;
    memcached_return_t rc = MEMCACHED_END;
    if (sent == MEMCACHED_SUCCESS || sent == MEMCACHED_SOME_ERRORS) {
      memcached_result_st result;
      memcached_result_create(mc, &result);
      const std::unique_ptr<memcached_result_st, decltype(&memcached_result_free)> hold(&result, &memcached_result_free);
      while (memcached_fetch_result(mc, &result, &rc) != nullptr) {
        const auto it =
            where.find(std::string_view(memcached_result_key_value(&result), memcached_result_key_length(&result)));
        if (it == where.end()) continue;
        got.emplace_back(&it->second, fetched{std::string(memcached_result_value(&result), memcached_result_length(&result)),
                                              memcached_result_flags(&result), memcached_result_cas(&result)});
      }
    }
    if (sent != MEMCACHED_SUCCESS) throw c().failure(mc, sent, "get (multi-get)", c().servers());
    if (rc == MEMCACHED_END || rc == MEMCACHED_NOTFOUND) rc = read_error(mc);
    if (rc != MEMCACHED_END && rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND)
      throw c().failure(mc, rc, "get (multi-get)", c().servers());
    for (auto& [indices, f] : got) {
      for (std::size_t j = 1; j < indices->size(); ++j) found((*indices)[j], f);
      found(indices->front(), std::move(f));
    }
  }

  void put(memcached_st* mc, const std::string& k, std::string_view key, std::string_view value, time_point deadline) {
    const std::string framed = memcached_frame(deadline, value);
    const memcached_return_t rc = memcached_set(mc, k.data(), k.size(), framed.data(), framed.size(),
                                                memcached_expiration(deadline, std::chrono::system_clock::now()),
                                                memcached_entry_flags);
    if (rc != MEMCACHED_SUCCESS) throw write_failure(mc, rc, "set", k, key, framed.size());
  }

  renewal renew(memcached_st* mc, const std::string& k, std::string_view key, std::string_view value,
                time_point deadline, std::uint64_t cas) {
    const std::string framed = memcached_frame(deadline, value);
    const memcached_return_t rc = memcached_cas(mc, k.data(), k.size(), framed.data(), framed.size(),
                                                memcached_expiration(deadline, std::chrono::system_clock::now()),
                                                memcached_entry_flags, cas);
    if (rc == MEMCACHED_SUCCESS) return renewal::done;
    if (rc == MEMCACHED_NOTFOUND) return renewal::gone;
    if (rc == MEMCACHED_DATA_EXISTS) return renewal::raced;
    throw write_failure(mc, rc, "cas (touch)", k, key, framed.size());
  }

  // A failed write: the item size limit, named, when the item was too big.
  backend_error write_failure(memcached_st* mc, memcached_return_t rc, std::string_view command, const std::string& k,
                              std::string_view key, std::size_t bytes) const {
    const std::string server = memcached_client::server_of(mc, k);
    const char* detail = memcached_last_error_message(mc);
    const bool too_big = rc == MEMCACHED_E2BIG ||
                         (detail != nullptr && std::string_view(detail).find("too large") != std::string_view::npos);
    if (!too_big) return c().failure(mc, rc, command, server, std::string(key));
    std::string limit = "unknown";
    try {
      c().stats("settings", [&](const std::string& from, std::string_view name, std::string_view value) {
        if (from == server && name == "item_size_max") limit = size_text(std::strtoull(std::string(value).c_str(), nullptr, 10));
      }, mc);  // the caller's handle: a pool of one has no other
    } catch (const backend_error&) {  // the limit is a detail of the message
    }
    return backend_error(std::string(command) + " on " + server + ": value of " + std::to_string(bytes - memcached_header_size) +
                             " bytes is over the server's item size limit (" + limit + "); not stored",
                         name(), std::string(key));
  }

  static std::string size_text(unsigned long long bytes) {
    if (bytes != 0 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
    if (bytes != 0 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
    return std::to_string(bytes) + " bytes";
  }

  std::string prefix_;
  std::unique_ptr<memcached_client> client_;
};

}  // namespace cachet::detail
