// cachet/storage/common/shard_split.hpp: how a bounded storage policy splits
// its capacity (and max_weight) over the N parts of cachet::sharded<N>, for
// the policies' shard(index, count) members (lru, s3fifo, sieve, w_tinylfu).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cachet::detail {

//! Throws std::invalid_argument unless part `index` of `count` exists and
//! each part can hold at least one of `capacity` entries.
inline void check_shard(std::string_view storage, std::size_t capacity, std::size_t index, std::size_t count) {
  if (count == 0 || index >= count)
    throw std::invalid_argument("cachet::" + std::string(storage) + ": shard " + std::to_string(index) + " of " +
                                std::to_string(count) + " does not exist");
  if (capacity < count)
    throw std::invalid_argument("cachet::" + std::string(storage) + ": capacity " + std::to_string(capacity) +
                                " is less than the " + std::to_string(count) +
                                " shards it is split into (each needs at least 1)");
}

//! Part `index` of `count` of `total`: the parts sum to `total`, the first
//! `total % count` holding one more.
constexpr std::size_t shard_part(std::size_t total, std::size_t index, std::size_t count) noexcept {
  return total / count + (index < total % count ? 1 : 0);
}

}  // namespace cachet::detail
