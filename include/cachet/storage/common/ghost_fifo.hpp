// cachet/storage/common/ghost_fifo.hpp: a ghost queue: the 64-bit hashes
// of the keys a store dropped most recently, oldest first out, bounded by a
// budget (a count, or a total weight). S3-FIFO's ghost queue (s3fifo/) and
// w_tinylfu's window sizing (w_tinylfu/window_sizer.hpp) use it.
//
// A hash table maps each remembered hash to the sequence number of its
// latest entry in a FIFO ring; a ring entry whose number is no longer the
// table's (its hash was taken, or remembered again) is stale and skipped.
// The ring is compacted when stale entries outnumber live ones, so each
// call is O(1) amortised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace cachet::detail {

//! Weighted: each hash costs the weight of its entry (else 1).
template <bool Weighted>
class ghost_fifo {
  struct unweighed {};
  using cost_type = std::conditional_t<Weighted, std::size_t, unweighed>;

  struct remembered {
    std::uint64_t seq;
    [[no_unique_address]] cost_type cost;
  };
  struct ring_entry {
    std::uint64_t hash;
    std::uint64_t seq;
  };

 public:
  ghost_fifo() = default;
  ghost_fifo(const ghost_fifo&) = default;
  ghost_fifo& operator=(const ghost_fifo&) = default;
  // A moved-from ghost is empty: its counters must not outlive its entries.
  ghost_fifo(ghost_fifo&& other) noexcept
      : table_(std::move(other.table_)),
        ring_(std::move(other.ring_)),
        front_(other.front_),
        used_(other.used_),
        next_seq_(other.next_seq_) {
    other.clear();
  }
  ghost_fifo& operator=(ghost_fifo&& other) noexcept {
    if (this != &other) {
      table_ = std::move(other.table_);
      ring_ = std::move(other.ring_);
      front_ = other.front_;
      used_ = other.used_;
      next_seq_ = other.next_seq_;
      other.clear();
    }
    return *this;
  }
  ~ghost_fifo() = default;

  //! Remembers `hash` as the newest entry (again, if it was), then forgets
  //! the oldest ones until the total cost is at most `budget`.
  void remember(std::uint64_t hash, std::size_t cost, std::size_t budget) {
    if (cost > budget) return;  // could never be held
    take(hash);
    const std::uint64_t seq = next_seq_++;
    ring_.push_back(ring_entry{hash, seq});
    table_.insert_or_assign(hash, remembered{seq, make_cost(cost)});
    used_ += cost;
    while (used_ > budget) pop_oldest();
    if (ring_.size() - front_ > 2 * table_.size() + 32) compact();
  }

  //! Whether `hash` was remembered; it is forgotten either way.
  bool take(std::uint64_t hash) {
    const auto it = table_.find(hash);
    if (it == table_.end()) return false;
    used_ -= cost_of(it->second);
    table_.erase(it);
    return true;
  }

  bool contains(std::uint64_t hash) const { return table_.contains(hash); }
  std::size_t size() const noexcept { return table_.size(); }

  void clear() noexcept {
    table_.clear();
    ring_.clear();
    front_ = 0;
    used_ = 0;
  }

 private:
  static cost_type make_cost([[maybe_unused]] std::size_t cost) noexcept {
    if constexpr (Weighted)
      return cost;
    else
      return {};
  }
  static std::size_t cost_of([[maybe_unused]] const remembered& r) noexcept {
    if constexpr (Weighted)
      return r.cost;
    else
      return 1;
  }

  // Forgets the oldest live entry (the caller knows there is one).
  void pop_oldest() {
    for (;;) {
      const ring_entry e = ring_[front_++];
      const auto it = table_.find(e.hash);
      if (it != table_.end() && it->second.seq == e.seq) {
        used_ -= cost_of(it->second);
        table_.erase(it);
        break;
      }
    }
    if (front_ > 32 && front_ * 2 > ring_.size()) compact();
  }

  // Drops the popped prefix and the stale entries.
  void compact() {
    std::size_t kept = 0;
    for (std::size_t i = front_; i < ring_.size(); ++i) {
      const auto it = table_.find(ring_[i].hash);
      if (it != table_.end() && it->second.seq == ring_[i].seq) ring_[kept++] = ring_[i];
    }
    ring_.resize(kept);
    front_ = 0;
  }

  boost::unordered_flat_map<std::uint64_t, remembered> table_;
  std::vector<ring_entry> ring_;
  std::size_t front_ = 0;
  std::size_t used_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace cachet::detail
