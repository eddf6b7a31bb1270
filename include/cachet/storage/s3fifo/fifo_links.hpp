// cachet/storage/s3fifo/fifo_links.hpp: FIFO queues threaded through a
// dense std::vector of nodes by 32-bit links (head = newest, tail =
// oldest), so that moving a node between queues is a relink, never an
// allocation. Each queue also sums what its nodes cost (1 each, or their
// weight).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace cachet::detail {

inline constexpr std::uint32_t no_link = ~std::uint32_t{0};

struct fifo_links {
  std::uint32_t head = no_link;
  std::uint32_t tail = no_link;
  std::size_t used = 0;  // the cost of the nodes linked

  //! Links node i (members `prev`, toward the head, and `next`) as the newest.
  template <class Node>
  void push_head(std::vector<Node>& nodes, std::uint32_t i, std::size_t cost) noexcept {
    Node& n = nodes[i];
    n.prev = no_link;
    n.next = head;
    if (head != no_link) nodes[head].prev = i; else tail = i;
    head = i;
    used += cost;
  }

  //! Takes node i, linked here, out of the queue.
  template <class Node>
  void unlink(std::vector<Node>& nodes, std::uint32_t i, std::size_t cost) noexcept {
    Node& n = nodes[i];
    if (n.prev != no_link) nodes[n.prev].next = n.next; else head = n.next;
    if (n.next != no_link) nodes[n.next].prev = n.prev; else tail = n.prev;
    used -= cost;
  }

  //! Node i holds, with its links, a node of this queue moved there from
  //! elsewhere in the array: its neighbours (or the ends) now point at i.
  template <class Node>
  void moved_to(std::vector<Node>& nodes, std::uint32_t i) noexcept {
    const Node& n = nodes[i];
    if (n.prev != no_link) nodes[n.prev].next = i; else head = i;
    if (n.next != no_link) nodes[n.next].prev = i; else tail = i;
  }
};

//! How much S3-FIFO's queues may hold (entries, or weight): in all, in the
//! small queue (`small_ratio` of it, at least 1) and in the main one (the
//! rest, also the ghost's budget).
struct queue_budgets {
  std::size_t total = 0;
  std::size_t small = 0;
  std::size_t main = 0;

  static queue_budgets split(std::size_t total, double small_ratio) {
    if (!(small_ratio > 0 && small_ratio < 1))
      throw std::invalid_argument("cachet::s3fifo: small_ratio must be above 0 and below 1");
    const auto share = static_cast<std::size_t>(static_cast<double>(total) * small_ratio);
    const std::size_t small = std::min(total, std::max<std::size_t>(1, share));
    return {total, small, total - small};
  }
};

}  // namespace cachet::detail
