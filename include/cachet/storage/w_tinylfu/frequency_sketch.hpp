// cachet/storage/w_tinylfu/frequency_sketch.hpp: the popularity estimate
// behind cachet::w_tinylfu: a count-min sketch of 4-bit counters with
// periodic aging and a doorkeeper (TinyLFU, Einziger, Friedman and Manes,
// ACM ToS 2017).
//
// Four rows of `width` counters (a power of two, 4 x the entries expected
// rounded up: 16 counters an entry, as Caffeine's FrequencySketch), sixteen
// to a 64-bit word. A key's counter in row r is picked by double hashing of
// one mixed 64-bit hash, so an estimate reads four words and hashes once.
// The doorkeeper, a Bloom filter of 8 bits per counter-width probed twice,
// takes each key's first occurrence since the last aging, so keys seen once
// never reach the counters. A key's estimate is the least of its four
// counters: the times it came back after that first occurrence. The
// doorkeeper's bit is not added to it, so a newcomer seen once does not
// outweigh an entry that has not come back since the aging (measured with
// bench/hitratio: adding it, as the paper does, cost 5 to 6.5 points on a
// loop larger than the cache, where every key is as frequent as the next
// and the ties must keep the residents, 0.4 to 0.6 on the Zipf streams and
// up to 1.7 on cache2k orm-busy).
//
// Aging: after `sample_size` increments (10 x the entries expected, as
// Caffeine) every counter is halved, the doorkeeper cleared, and the
// increment count halved, less a quarter of the counters that were odd
// (the counts the halving truncated, per row), so old popularity fades and
// counters rarely saturate. As in Caffeine, an increment that changes
// nothing (every counter of the key at 15) is not counted toward the
// sample; a first occurrence, which sets the doorkeeper, is. era() counts
// the agings, so that uses counted elsewhere meanwhile can be halved too.
//
// Tuning (measured with bench/hitratio against Caffeine 2.6.2, whose
// FrequencySketch is the source of the 16 counters an entry, the sample of
// 10 x, the count of only the increments that add, and the odd-count
// correction at reset): the first version had 4 counters an entry, 16
// doorkeeper bits a column and counted every increment; with a fixed
// window, 16 counters an entry raised the Zipf and scan hit ratios by 0.05
// to 0.7 points, each of the other two Caffeine rules by 0.05 to 0.25.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace cachet::detail {

class frequency_sketch {
 public:
  static constexpr unsigned rows = 4;
  static constexpr unsigned max_count = 15;

  //! A sketch for about `expected_entries` distinct popular keys: width
  //! 4 x bit_ceil(max(expected_entries, 16)), aging every 10 x
  //! expected_entries increments.
  explicit frequency_sketch(std::size_t expected_entries)
      : width_(counters_per_entry * std::bit_ceil(std::max<std::size_t>(expected_entries, 16))),
        sample_size_(samples_per_entry * std::max<std::size_t>(expected_entries, 1)),
        counters_(rows * width_ / counters_per_word, 0),
        doorkeeper_(doorkeeper_bits_per_counter * width_ / 64, 0) {}

  frequency_sketch(const frequency_sketch&) = default;
  frequency_sketch& operator=(const frequency_sketch&) = default;
  //! Leaves `other` an empty sketch of its size, still usable (as a
  //! moved-from w_tinylfu store must be once cleared).
  frequency_sketch(frequency_sketch&& other)
      : width_(other.width_),
        sample_size_(other.sample_size_),
        additions_(std::exchange(other.additions_, 0)),
        era_(other.era_),
        counters_(std::exchange(other.counters_, std::vector<std::uint64_t>(other.counters_.size(), 0))),
        doorkeeper_(std::exchange(other.doorkeeper_, std::vector<std::uint64_t>(other.doorkeeper_.size(), 0))) {}
  frequency_sketch& operator=(frequency_sketch&& other) {
    if (this != &other) {
      frequency_sketch taken(std::move(other));
      width_ = taken.width_;
      sample_size_ = taken.sample_size_;
      additions_ = taken.additions_;
      era_ = taken.era_;
      counters_ = std::move(taken.counters_);
      doorkeeper_ = std::move(taken.doorkeeper_);
    }
    return *this;
  }
  ~frequency_sketch() = default;

  //! Counts one occurrence of the key hashed to `hash`.
  void increment(std::uint64_t hash) noexcept {
    const std::uint64_t h = mix(hash);
    bool added = true;  // a first occurrence sets the doorkeeper
    if (doorkeeper_insert(h)) {  // seen before: the first occurrence stays in the doorkeeper
      const std::size_t lo = h & 0xffff'ffffu;
      const std::size_t hi = h >> 32;
      added = false;
      for (unsigned r = 0; r < rows; ++r) added = bump(r, (lo + r * hi) & (width_ - 1)) || added;
    }
    if (added && ++additions_ >= sample_size_) age();
  }

  //! Counts `times` occurrences of the key hashed to `hash` at once (the
  //! uses a w_tinylfu node gathered): what as many increment(hash) would
  //! leave, with one mix and one pass over the counters (an aging they
  //! would have crossed happens after them).
  void increment(std::uint64_t hash, unsigned times) noexcept {
    if (times == 0) return;
    const std::uint64_t h = mix(hash);
    std::size_t added = 0;
    if (!doorkeeper_insert(h)) {
      added = 1;
      --times;
    }
    if (times > 0) {
      const std::size_t lo = h & 0xffff'ffffu;
      const std::size_t hi = h >> 32;
      unsigned least = max_count;
      for (unsigned r = 0; r < rows; ++r) least = std::min(least, add(r, (lo + r * hi) & (width_ - 1), times));
      added += std::min(times, max_count - least);
    }
    additions_ += added;
    if (additions_ >= sample_size_) age();
  }
  //! How many times the counts were halved (mod 256): a count kept
  //! outside since era e is worth count >> (era() - e) now.
  std::uint8_t era() const noexcept { return era_; }

  //! How often the key hashed to `hash` came back after its first
  //! occurrence since the counts were last halved (and half as much
  //! before): never less than the truth, up to 15. The first occurrence is
  //! the doorkeeper's (see seen()).
  unsigned estimate(std::uint64_t hash) const noexcept {
    const std::uint64_t h = mix(hash);
    const std::size_t lo = h & 0xffff'ffffu;
    const std::size_t hi = h >> 32;
    unsigned least = max_count;
    for (unsigned r = 0; r < rows; ++r) least = std::min(least, count(r, (lo + r * hi) & (width_ - 1)));
    return least;
  }

  //! Whether the doorkeeper has (probably) seen the key hashed to `hash`
  //! since the last aging.
  bool seen(std::uint64_t hash) const noexcept { return doorkeeper_has(mix(hash)); }

  //! Forgets every count.
  void clear() noexcept {
    std::ranges::fill(counters_, 0);
    std::ranges::fill(doorkeeper_, 0);
    additions_ = 0;
  }

  std::size_t width() const noexcept { return width_; }
  std::size_t sample_size() const noexcept { return sample_size_; }
  //! Increments that added since the last aging (plus about half of those
  //! before it).
  std::size_t additions() const noexcept { return additions_; }
  //! The bytes the counters and the doorkeeper take.
  std::size_t bytes() const noexcept { return (counters_.size() + doorkeeper_.size()) * sizeof(std::uint64_t); }

 private:
  static constexpr unsigned counters_per_word = 16;
  static constexpr std::size_t counters_per_entry = 4;  // in each row
  static constexpr std::size_t samples_per_entry = 10;
  static constexpr std::size_t doorkeeper_bits_per_counter = 8;

  // std::hash of an integer is the integer: spread every input bit (the
  // finalizer of SplitMix64).
  static std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9e37'79b9'7f4a'7c15u;
    x = (x ^ (x >> 30)) * 0xbf58'476d'1ce4'e5b9u;
    x = (x ^ (x >> 27)) * 0x94d0'49bb'1331'11ebu;
    return x ^ (x >> 31);
  }

  std::uint64_t& word_of(unsigned row, std::size_t column) noexcept {
    return counters_[(row * width_ + column) / counters_per_word];
  }
  static unsigned shift_of(std::size_t column) noexcept { return static_cast<unsigned>(column % counters_per_word) * 4; }

  unsigned count(unsigned row, std::size_t column) const noexcept {
    const std::uint64_t word = counters_[(row * width_ + column) / counters_per_word];
    return static_cast<unsigned>((word >> shift_of(column)) & 0xfu);
  }

  // Returns whether the counter grew (it stops at max_count).
  bool bump(unsigned row, std::size_t column) noexcept {
    if (count(row, column) >= max_count) return false;
    word_of(row, column) += std::uint64_t{1} << shift_of(column);
    return true;
  }

  // Adds up to `times` to a counter (it stops at max_count); returns the count before.
  unsigned add(unsigned row, std::size_t column, unsigned times) noexcept {
    const unsigned before = count(row, column);
    const unsigned grown = std::min(max_count, before + times);
    word_of(row, column) += std::uint64_t{grown - before} << shift_of(column);
    return before;
  }

  // The doorkeeper's two bit positions, from a second mix of h (independent of the rows').
  std::size_t doorkeeper_bit(std::uint64_t h, unsigned probe) const noexcept {
    const std::uint64_t g = mix(h ^ (0x5851'f42d'4c95'7f2du + probe));
    return static_cast<std::size_t>(g) & (doorkeeper_.size() * 64 - 1);
  }

  bool doorkeeper_has(std::uint64_t h) const noexcept {
    for (unsigned p = 0; p < 2; ++p) {
      const std::size_t bit = doorkeeper_bit(h, p);
      if ((doorkeeper_[bit / 64] >> (bit % 64) & 1u) == 0) return false;
    }
    return true;
  }

  // Returns whether h was (probably) there already.
  bool doorkeeper_insert(std::uint64_t h) noexcept {
    bool present = true;
    for (unsigned p = 0; p < 2; ++p) {
      const std::size_t bit = doorkeeper_bit(h, p);
      std::uint64_t& word = doorkeeper_[bit / 64];
      const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
      if ((word & mask) == 0) present = false;
      word |= mask;
    }
    return present;
  }

  void age() noexcept {
    std::size_t odd = 0;  // counters the halving truncates
    for (std::uint64_t& word : counters_) {
      odd += static_cast<std::size_t>(std::popcount(word & 0x1111'1111'1111'1111u));
      word = (word >> 1) & 0x7777'7777'7777'7777u;
    }
    std::ranges::fill(doorkeeper_, 0);
    additions_ = additions_ / 2 - std::min(additions_ / 2, odd / rows);
    ++era_;
  }

  std::size_t width_;
  std::size_t sample_size_;
  std::size_t additions_ = 0;
  std::uint8_t era_ = 0;
  std::vector<std::uint64_t> counters_;
  std::vector<std::uint64_t> doorkeeper_;
};

}  // namespace cachet::detail
