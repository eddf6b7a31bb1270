// cachet/storage/w_tinylfu/regions.hpp: the entries of a w_tinylfu store and
// the three LRU lists they sit on: the admission window, and the main
// region's probation and protected segments, with the size each may reach.
//
// Nodes sit in one dense std::vector, with the key index over them
// (common/indexed_nodes.hpp); each is on one list, linked by 28-bit
// indices (head: newest, tail: oldest), and its region says which. Every
// move between lists is a relink, so nothing is allocated once the array
// has grown. A node's links, region and unsettled uses share 8 bytes
// (lfu_links), so that an int -> int entry takes 16 bytes, as an lru one.
// This class keeps the layout and the window resizing that window_sizer.hpp
// asks for (its moves take the oldest entries as they are, uses not yet
// settled travel with them); the store decides what is admitted, what
// leaves, and where a use moves an entry.
//
// PRECONDITION: Node has a member `lfu_links links` and, when Weighted,
// `std::size_t weight`.
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

//! A w_tinylfu entry's place, in two 32-bit words: its neighbours on its
//! list (28-bit indices, nil at the ends), its region and whether it was
//! used since it was placed (in prev's top bits), and its uses not yet
//! settled into the sketch (0-15, in next's top bits; halved when the
//! sketch ages, so a used entry may count 0).
class lfu_links {
 public:
  using index_t = std::uint32_t;
  //! No neighbour; also the bound on indices: a store holds fewer nodes.
  static constexpr index_t nil = (index_t{1} << 28) - 1;
  static constexpr unsigned max_uses = 15;

  index_t prev() const noexcept { return prev_ & nil; }
  index_t next() const noexcept { return next_ & nil; }
  void set_prev(index_t i) noexcept { prev_ = (prev_ & ~nil) | i; }
  void set_next(index_t i) noexcept { next_ = (next_ & ~nil) | i; }
  lfu_region region() const noexcept { return static_cast<lfu_region>((prev_ & region_bits) >> 28); }
  void set_region(lfu_region r) noexcept {
    prev_ = (prev_ & ~region_bits) | index_t{static_cast<std::uint8_t>(r)} << 28;
  }
  bool used() const noexcept { return (prev_ & used_bit) != 0; }
  unsigned uses() const noexcept { return next_ >> 28; }
  //! One more use, counted up to max_uses.
  void add_use() noexcept {
    prev_ |= used_bit;
    next_ += next_ < index_t{max_uses} << 28 ? index_t{1} << 28 : 0;
  }
  void halve_uses() noexcept { next_ = (next_ & nil) | (next_ >> 29) << 28; }
  //! Unused again, its uses settled.
  void clear_uses() noexcept {
    prev_ &= ~used_bit;
    next_ &= nil;
  }

 private:
  static constexpr index_t region_bits = index_t{3} << 28;
  static constexpr index_t used_bit = index_t{1} << 30;
  index_t prev_ = nil;  // region: bits 28-29 (window: 0); used: bit 30
  index_t next_ = nil;  // uses: bits 28-31
};

template <class Node, bool Weighted, class Hash, class KeyEqual>
class lfu_regions : indexed_nodes<Node, Hash, KeyEqual> {
  using base = indexed_nodes<Node, Hash, KeyEqual>;
  using base::nodes_;

 public:
  using index_t = std::uint32_t;
  using slot = typename base::slot;
  using index_set = typename base::index_set;
  static constexpr index_t nil = lfu_links::nil;

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
    list& l = lists_[at(n.links.region())];
    l.weight = l.weight - n.weight + weight;
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
      list& l = lists_[at(n.links.region())];
      if (n.links.prev() != nil) nodes_[n.links.prev()].links.set_next(i); else l.head = i;
      if (n.links.next() != nil) nodes_[n.links.next()].links.set_prev(i); else l.tail = i;
    }
  }

  void link_front(index_t i, lfu_region r) noexcept {
    Node& n = nodes_[i];
    list& l = lists_[at(r)];
    n.links.set_region(r);
    n.links.set_prev(nil);
    n.links.set_next(l.head);
    if (l.head != nil) nodes_[l.head].links.set_prev(i); else l.tail = i;
    l.head = i;
    l.weight += weight_of(i);
  }
  void unlink(index_t i) noexcept {
    Node& n = nodes_[i];
    list& l = lists_[at(n.links.region())];
    const index_t prev = n.links.prev();
    const index_t next = n.links.next();
    if (prev != nil) nodes_[prev].links.set_next(next); else l.head = next;
    if (next != nil) nodes_[next].links.set_prev(prev); else l.tail = prev;
    l.weight -= weight_of(i);
  }
  void relink_front(index_t i, lfu_region r) noexcept {
    unlink(i);
    link_front(i, r);
  }

  //! The oldest node of region r other than a and b (nil: none).
  index_t oldest_in(lfu_region r, index_t a = nil, index_t b = nil) const noexcept {
    index_t i = lists_[at(r)].tail;
    while (i != nil && (i == a || i == b)) i = nodes_[i].links.prev();
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
    for (index_t i = lists_[at(r)].tail; i != nil; i = nodes_[i].links.prev()) fn(nodes_[i]);
  }

  //! Halves every node's uses not yet settled (the sketch aged).
  void halve_uses() noexcept {
    for (Node& n : nodes_) n.links.halve_uses();
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
