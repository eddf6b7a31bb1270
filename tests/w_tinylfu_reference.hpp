// tests/w_tinylfu_reference.hpp: W-TinyLFU written plainly (a std::list per
// region, a std::map, the store's own sketch, window sizing and admission), for
// test_w_tinylfu.cpp to run in step with cachet's store on random streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <vector>

#include <cachet/storage/w_tinylfu.hpp>

namespace w_tinylfu_test {

using region = cachet::detail::lfu_region;

using int_spec = cachet::entry_spec<int, int, std::hash<int>, std::equal_to<int>, true>;
using int_store = cachet::detail::w_tinylfu_store<int_spec>;

//! W-TinyLFU as the store means it, plainly: a std::list per region (front:
//! newest), a std::map, the same sketch, window sizer or hill climber and
//! admission, unweighted.
//! A use is counted in its entry and settled when the entry is judged at
//! the old end of its list (lazy promotion, see w_tinylfu_store.hpp).
struct reference_w_tinylfu {
  struct entry {
    int value;
    cachet::time_point deadline;
    region where;
    std::list<int>::iterator position;
    unsigned uses = 0;     // not yet settled, at most 15
    std::uint8_t era = 0;  // the sketch's era when they were counted
  };
  reference_w_tinylfu(std::size_t capacity, bool adaptive, bool climbing = false)
      : maximum(capacity),
        window_max(std::max<std::size_t>(1, capacity / 100)),
        protected_max((capacity - window_max) * 8 / 10),
        ghosts(adaptive && !climbing),
        climbing(adaptive && climbing),
        sketch(capacity),
        sizer(capacity),
        climber(capacity, 20 * capacity) {}

  std::size_t maximum, window_max, protected_max;
  bool ghosts, climbing;
  cachet::detail::frequency_sketch sketch;
  cachet::detail::window_sizer<false> sizer;
  cachet::detail::hill_climber climber;
  cachet::detail::admission admission;  // the same draws as the store's
  std::list<int> lists[3];
  std::map<int, entry> entries;
  cachet::time_point latest{};

  std::list<int>& list_of(region r) { return lists[static_cast<int>(r)]; }
  void link_front(int k, region r) {
    entry& e = entries.at(k);
    e.where = r;
    e.position = list_of(r).insert(list_of(r).begin(), k);
  }
  void move(int k, region r) {
    list_of(entries.at(k).where).erase(entries.at(k).position);
    link_front(k, r);
  }
  void remove(int k) {
    list_of(entries.at(k).where).erase(entries.at(k).position);
    entries.erase(k);
  }
  void demote() {  // as the window's resizing does: unsettled
    while (list_of(region::protected_).size() > protected_max) move(list_of(region::protected_).back(), region::probation);
  }
  // Uses counted before k agings of the sketch are worth uses >> k.
  static unsigned aged(unsigned uses, unsigned agings) { return agings >= 8 ? 0 : uses >> agings; }
  void use(int k) {
    entry& e = entries.at(k);
    e.uses = std::min(15u, aged(e.uses, static_cast<std::uint8_t>(sketch.era() - e.era)) + 1);
    e.era = sketch.era();
  }
  // Puts k's uses into the sketch; whether it had any.
  bool settle_uses(int k) {
    entry& e = entries.at(k);
    if (e.uses == 0) return false;
    const unsigned uses = aged(e.uses, static_cast<std::uint8_t>(sketch.era() - e.era));
    e.uses = 0;
    e.era = sketch.era();
    sketch.increment(std::hash<int>{}(k), uses);
    return true;
  }
  // The oldest of r but the excepted that was unused since placed; the used
  // ones met move as an eager use would have moved them.
  std::optional<int> settled_oldest(region r, std::optional<int> a = {}, std::optional<int> b = {}) {
    for (;;) {
      std::optional<int> found;
      for (auto it = list_of(r).rbegin(); it != list_of(r).rend() && !found; ++it)
        if (*it != a && *it != b) found = *it;
      if (!found || !settle_uses(*found)) return found;
      move(*found, r == region::window ? region::window : region::protected_);
      if (r == region::probation) settle_protected();
    }
  }
  void settle_protected() {
    while (list_of(region::protected_).size() > protected_max) {
      const int k = list_of(region::protected_).back();
      move(k, settle_uses(k) ? region::protected_ : region::probation);
    }
  }
  std::optional<int> settled_main_victim(std::optional<int> a = {}, std::optional<int> b = {}) {
    if (auto v = settled_oldest(region::probation, a, b)) return v;
    return settled_oldest(region::protected_, a, b);
  }
  bool expired(int k) const { return entries.at(k).deadline <= latest; }
  unsigned frequency(int k) const { return sketch.estimate(std::hash<int>{}(k)); }
  int duel(int candidate, int victim) {
    if (expired(candidate)) return candidate;
    if (expired(victim)) return victim;
    return admission.admit(frequency(candidate), frequency(victim)) ? victim : candidate;
  }
  std::optional<int> oldest(region r, std::optional<int> except = {}) {
    for (auto it = list_of(r).rbegin(); it != list_of(r).rend(); ++it)
      if (*it != except) return *it;
    return std::nullopt;
  }
  std::optional<int> main_victim(std::optional<int> except = {}) {
    if (auto v = oldest(region::probation, except)) return v;
    return oldest(region::protected_, except);
  }
  void insert(int k, int value, cachet::time_point deadline) {
    sketch.increment(std::hash<int>{}(k));
    if (ghosts) resize(sizer.on_miss(std::hash<int>{}(k), 1, window_max));
    if (climbing) climber.record_miss();
    entries[k] = entry{value, deadline, region::window, {}, 0, sketch.era()};
    link_front(k, region::window);
    while (list_of(region::window).size() > window_max) {
      const int candidate = *settled_oldest(region::window);
      move(candidate, region::probation);
      while (entries.size() > maximum) {
        const auto victim = settled_main_victim(candidate);
        const int loser = victim ? duel(candidate, *victim) : candidate;
        if (ghosts && !expired(loser)) {  // the sizer's ghosts
          if (loser == candidate)
            sizer.window_let_go(std::hash<int>{}(loser), 1);
          else
            sizer.main_evicted(std::hash<int>{}(loser), 1);
        }
        remove(loser);
        if (loser == candidate) break;
      }
    }
    while (entries.size() > maximum) {
      const auto candidate = settled_oldest(region::window);
      const auto victim = settled_main_victim();
      remove(candidate && victim ? duel(*candidate, *victim) : candidate ? *candidate : *victim);
    }
    if (climbing) climb();
  }
  void climb() {
    if (climber.sample_done()) resize(climber.adjustment(window_max));
  }
  void resize(std::int64_t change) {
    if (change > 0) {  // the window takes room from protected and fills it with main's oldest
      std::size_t quota = std::min(static_cast<std::size_t>(change), protected_max);
      protected_max -= quota;
      window_max += quota;
      demote();
      for (int moves = 0; main_victim() && quota > 0 && moves < 1000; --quota, ++moves)
        move(*main_victim(), region::window);
      protected_max += quota;
      window_max -= quota;
    } else if (change < 0 && window_max > 1) {  // the window's oldest go to probation
      std::size_t quota = std::min(static_cast<std::size_t>(-change), window_max - 1);
      protected_max += quota;
      window_max -= quota;
      for (int moves = 0; !list_of(region::window).empty() && quota > 0 && moves < 1000; --quota, ++moves)
        move(list_of(region::window).back(), region::probation);
      protected_max -= quota;
      window_max += quota;
    }
  }

  // The live entry of `key`; an expired one met here is reclaimed.
  entry* live(int k, cachet::time_point now) {
    latest = std::max(latest, now);
    const auto it = entries.find(k);
    if (it == entries.end()) return nullptr;
    if (it->second.deadline <= now) {
      remove(k);
      return nullptr;
    }
    return &it->second;
  }
  std::optional<int> get(int k, cachet::time_point now) {
    if (!live(k, now)) return std::nullopt;
    use(k);
    if (climbing) {
      climber.record_hit();
      climb();
    }
    return entries.at(k).value;
  }
  void set(int k, int value, cachet::time_point deadline) {
    if (const auto it = entries.find(k); it != entries.end()) {
      it->second.value = value;
      it->second.deadline = deadline;
      use(k);
      return;
    }
    insert(k, value, deadline);
  }
  bool erase(int k) {
    if (!entries.contains(k)) return false;
    remove(k);
    return true;
  }
  bool contains(int k, cachet::time_point now) { return live(k, now) != nullptr; }
  bool touch(int k, cachet::time_point now, cachet::time_point deadline) {
    entry* e = live(k, now);
    if (!e) return false;
    e->deadline = deadline;
    use(k);
    return true;
  }
  std::vector<int> keys_in(region r) const {
    return std::vector<int>(lists[static_cast<int>(r)].rbegin(), lists[static_cast<int>(r)].rend());
  }
};

}  // namespace w_tinylfu_test
