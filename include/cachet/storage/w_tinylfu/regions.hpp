// cachet/storage/w_tinylfu/regions.hpp: the entries of a w_tinylfu store and
// the three LRU lists they sit on: the admission window, and the main
// region's probation and protected segments, with the size each may reach.
//
// Nodes sit in one dense std::vector, with the key index over them
// (common/indexed_nodes.hpp); each is on one list, linked by 32-bit
// indices (head: newest, tail: oldest), and its `region` says which. Every
// move between lists is a relink, so nothing is allocated once the array
// has grown. This class keeps the layout and the window resizing that
// window_sizer.hpp asks for (its moves take the oldest entries as they are,
// uses not yet settled travel with them); the store decides what is admitted,
// what leaves, and where a use moves an entry.
//
// PRECONDITION: Node has members `index_t prev, next; lfu_region region;`
// and, when Weighted, `std::size_t weight`.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <cachet/storage/common/indexed_nodes.hpp>

namespace cachet::detail {

//! Where an entry of a w_tinylfu store sits.
enum class lfu_region : std::uint8_t { window, probation, protected_ };

template <class Node, bool Weighted, class Hash, class KeyEqual>
class lfu_regions : indexed_nodes<Node, Hash, KeyEqual> {
  using base = indexed_nodes<Node, Hash, KeyEqual>;
  using base::nodes_;

 public:
  using index_t = std::uint32_t;
  using slot = typename base::slot;
  using index_set = typename base::index_set;
  static constexpr index_t nil = ~index_t{0};

  //! Caffeine's start: a 1% window (at least 1), then 20% of the rest for
  //! probation and 80% for protected. `maximum`: entries, or weight.
  explicit lfu_regions(std::size_t maximum) noexcept
      : maximum_(maximum), window_max_(std::max<std::size_t>(1, maximum / 100)) {
    const std::size_t main = maximum - window_max_;
    protected_max_ = main / 10 * 8 + main % 10 * 8 / 10;  // 80%, without overflow
  }

  const std::vector<Node>& nodes() const noexcept { return nodes_; }
  //! The key index over the nodes: the store finds, adds and erases slots.
  index_set& index() noexcept { return this->index_; }
  const index_set& index() const noexcept { return this->index_; }
  Node& operator[](index_t i) noexcept { return nodes_[i]; }
  const Node& operator[](index_t i) const noexcept { return nodes_[i]; }
  std::size_t size() const noexcept { return nodes_.size(); }

  std::size_t maximum() const noexcept { return maximum_; }
  std::size_t window_max() const noexcept { return window_max_; }
  std::size_t protected_max() const noexcept { return protected_max_; }
  std::size_t weight(lfu_region r) const noexcept { return lists_[at(r)].weight; }
  std::size_t total() const noexcept { return lists_[0].weight + lists_[1].weight + lists_[2].weight; }
  std::size_t weight_of(index_t i) const noexcept {
    if constexpr (Weighted)
      return nodes_[i].weight;
    else
      return 1;
  }
  //! Sets node i's weight, keeping its list's total.
  void reweigh(index_t i, std::size_t weight) noexcept
    requires Weighted
  {
    Node& n = nodes_[i];
    lists_[at(n.region)].weight = lists_[at(n.region)].weight - n.weight + weight;
    n.weight = weight;
  }

  //! Adds `n` at the end of the array, on no list nor in the index yet;
  //! returns its index.
  //! The array grows by doubling, to at most `most` nodes.
  index_t push(Node&& n, std::size_t most) {
    if (nodes_.size() == nodes_.capacity())
      nodes_.reserve(std::min(most, std::max<std::size_t>(16, nodes_.capacity() * 2)));
    nodes_.push_back(std::move(n));
    return static_cast<index_t>(nodes_.size() - 1);
  }
  //! Undoes push (the node was linked to no list).
  void pop() noexcept { nodes_.pop_back(); }
  index_t last() const noexcept { return static_cast<index_t>(nodes_.size() - 1); }

  //! After unlink(i), and i's slot erased from the index: the last node
  //! moves into i's place (its slot follows); the array shrinks.
  void fill_hole(index_t i) {
    if (base::fill_hole(i)) {
      Node& n = nodes_[i];
      list& l = lists_[at(n.region)];
      if (n.prev != nil) nodes_[n.prev].next = i; else l.head = i;
      if (n.next != nil) nodes_[n.next].prev = i; else l.tail = i;
    }
  }

  void link_front(index_t i, lfu_region r) noexcept {
    Node& n = nodes_[i];
    list& l = lists_[at(r)];
    n.region = r;
    n.prev = nil;
    n.next = l.head;
    if (l.head != nil) nodes_[l.head].prev = i; else l.tail = i;
    l.head = i;
    l.weight += weight_of(i);
  }
  void unlink(index_t i) noexcept {
    Node& n = nodes_[i];
    list& l = lists_[at(n.region)];
    if (n.prev != nil) nodes_[n.prev].next = n.next; else l.head = n.next;
    if (n.next != nil) nodes_[n.next].prev = n.prev; else l.tail = n.prev;
    l.weight -= weight_of(i);
  }
  void relink_front(index_t i, lfu_region r) noexcept {
    unlink(i);
    link_front(i, r);
  }

  //! The oldest node of region r other than a and b (nil: none).
  index_t oldest_in(lfu_region r, index_t a = nil, index_t b = nil) const noexcept {
    index_t i = lists_[at(r)].tail;
    while (i != nil && (i == a || i == b)) i = nodes_[i].prev;
    return i;
  }
  //! The main region's next victim other than a and b: probation's oldest,
  //! else protected's.
  index_t main_victim(index_t a = nil, index_t b = nil) const noexcept {
    const index_t v = oldest_in(lfu_region::probation, a, b);
    return v != nil ? v : oldest_in(lfu_region::protected_, a, b);
  }

  //! Lazy promotion (see w_tinylfu_store.hpp): the oldest node of region r
  //! other than a and b that was not used since it was placed. settle(i)
  //! puts node i's uses into the sketch and says whether it had any; each
  //! used node met on the way moves as its uses would have moved it (the
  //! window's to the window's front, probation's to protected, protected's
  //! to protected's front). Ends: each move clears a node's uses.
  template <class Settle>
  index_t settled_oldest(lfu_region r, Settle&& settle, index_t a = nil, index_t b = nil) {
    for (;;) {
      const index_t i = oldest_in(r, a, b);
      if (i == nil || !settle(i)) return i;
      if (r == lfu_region::probation) {
        relink_front(i, lfu_region::protected_);
        settle_protected(settle);
      } else {
        relink_front(i, r);
      }
    }
  }
  //! Probation's settled oldest, else protected's.
  template <class Settle>
  index_t settled_main_victim(Settle&& settle, index_t a = nil, index_t b = nil) {
    const index_t v = settled_oldest(lfu_region::probation, settle, a, b);
    return v != nil ? v : settled_oldest(lfu_region::protected_, settle, a, b);
  }
  //! While protected is over its size, its oldest unused nodes go to
  //! probation's front; used ones, settled, to protected's front.
  template <class Settle>
  void settle_protected(Settle&& settle) {
    list& kept = lists_[at(lfu_region::protected_)];
    while (kept.weight > protected_max_ && kept.tail != nil) {
      const index_t i = kept.tail;
      relink_front(i, settle(i) ? lfu_region::protected_ : lfu_region::probation);
    }
  }

  //! Entries one resize moves at most (as Caffeine), bounding its pause.
  static constexpr std::size_t most_moved = 1000;

  //! As Caffeine: the window takes up to `amount` of room from protected,
  //! filling it with the main region's oldest entries (most_moved at most);
  //! room no entry fills goes back. The total held is unchanged.
  void grow_window(std::size_t amount) noexcept {
    std::size_t quota = std::min(amount, protected_max_);
    protected_max_ -= quota;
    window_max_ += quota;
    demote_protected_overflow();
    std::size_t moves = 0;
    for (index_t i = main_victim(); i != nil && weight_of(i) <= quota && moves++ < most_moved; i = main_victim()) {
      quota -= weight_of(i);
      relink_front(i, lfu_region::window);
    }
    protected_max_ += quota;
    window_max_ -= quota;
  }

  //! The window gives up to `amount` of room (keeping at least 1) to
  //! protected; its oldest entries (most_moved at most) move to probation
  //! unjudged (the total held is unchanged). Room no entry left goes back.
  void shrink_window(std::size_t amount) noexcept {
    if (window_max_ <= 1) return;
    std::size_t quota = std::min(amount, window_max_ - 1);
    protected_max_ += quota;
    window_max_ -= quota;
    std::size_t moves = 0;
    for (index_t i = oldest_in(lfu_region::window); i != nil && weight_of(i) <= quota && moves++ < most_moved;
         i = oldest_in(lfu_region::window)) {
      quota -= weight_of(i);
      relink_front(i, lfu_region::probation);
    }
    protected_max_ -= quota;
    window_max_ += quota;
  }

  //! Calls fn(node) for region r's nodes, oldest first.
  template <class Fn>
  void for_each_in(lfu_region r, Fn&& fn) const {
    for (index_t i = lists_[at(r)].tail; i != nil; i = nodes_[i].prev) fn(nodes_[i]);
  }

  //! Drops every node; the sizes stay.
  void clear() noexcept {
    this->forget_nodes();
    lists_ = {};
  }

 private:
  struct list {
    index_t head = nil;
    index_t tail = nil;
    std::size_t weight = 0;
  };

  static std::size_t at(lfu_region r) noexcept { return static_cast<std::size_t>(r); }

  void demote_protected_overflow() noexcept {
    list& kept = lists_[at(lfu_region::protected_)];
    while (kept.weight > protected_max_ && kept.tail != nil) relink_front(kept.tail, lfu_region::probation);
  }

  std::array<list, 3> lists_{};
  std::size_t maximum_;
  std::size_t window_max_;
  std::size_t protected_max_ = 0;
};

}  // namespace cachet::detail
