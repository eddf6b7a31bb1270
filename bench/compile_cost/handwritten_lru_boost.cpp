// bench/compile_cost/handwritten_lru_boost.cpp: handwritten_lru.cpp with
// the index in a boost::unordered_flat_map instead of std::unordered_map:
// the hand-written cache on the hash table cachet's lru is built on, so
// that the compile cost of that table's headers is on both sides.
#include <boost/unordered/unordered_flat_map.hpp>

#define CACHET_HAND_INDEX boost::unordered_flat_map
#include "handwritten_lru.cpp"
