#!/usr/bin/env bash
# bench/compile_cost/measure.sh: how long the compiler takes over a TU that
# memoizes one function with cachet, against one that does the same with a
# hand-written LRU on std::unordered_map (the goal's baseline) and one on
# boost::unordered_flat_map (the table cachet's stores use), and over TUs
# that only include <cachet/cachet.hpp> or Boost's flat map (the floor).
# Each is compiled RUNS times (-std=c++20 -O2, the same flags for all; the
# first run warms the file cache and is not counted); the best time counts.
# The time is the compiler's CPU time (user + system), which other work on
# the machine inflates far less than the wall time.
#
# Usage: measure.sh [--runs N] [--csv FILE]. Compiler: $CXX, else c++.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=5
csv=""
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    *) echo "usage: measure.sh [--runs N] [--csv FILE]" >&2; exit 2 ;;
  esac
done

cxx=${CXX:-c++}
flags=(-std=c++20 -O2 -I"$root/include" -c -o /dev/null)

# best_ms FILE: the least CPU time over $runs compilations, in ms.
best_ms() {
  local file=$1 best="" cpu ms i
  "$cxx" "${flags[@]}" "$file"  # warm-up, not counted
  for ((i = 0; i < runs; i++)); do
    cpu=$({ TIMEFORMAT='%3U %3S'; time "$cxx" "${flags[@]}" "$file"; } 2>&1)
    ms=$(awk -v t="$cpu" 'BEGIN { split(t, a, " "); printf "%d", (a[1] + a[2]) * 1000 }')
    if [[ -z "$best" || "$ms" -lt "$best" ]]; then best=$ms; fi
  done
  echo "$best"
}

hand=$(best_ms "$here/handwritten_lru.cpp")
hand_boost=$(best_ms "$here/handwritten_lru_boost.cpp")
cachet=$(best_ms "$here/cachet_memoize.cpp")
include=$(best_ms "$here/include_only.cpp")
table=$(best_ms "$here/boost_table_only.cpp")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "Compile CPU time (user + system), best of $runs ($("$cxx" --version | head -n1); ${flags[*]:0:2})"
echo
echo "| translation unit | ms |"
echo "| --- | ---: |"
echo "| handwritten_lru.cpp (std::list + std::unordered_map + std::mutex) | $hand |"
echo "| handwritten_lru_boost.cpp (the same on boost::unordered_flat_map) | $hand_boost |"
echo "| cachet_memoize.cpp (memoize with cachet::lru) | $cachet |"
echo "| include_only.cpp (#include <cachet/cachet.hpp>, nothing else) | $include |"
echo "| boost_table_only.cpp (#include <boost/unordered/unordered_flat_map.hpp>, nothing else) | $table |"
echo
echo "compile cost ratio (cachet / hand-written): $(ratio "$cachet" "$hand")x"
echo "the same, against the hand-written LRU on Boost's flat map: $(ratio "$cachet" "$hand_boost")x"
echo "Boost's flat map header alone / hand-written: $(ratio "$table" "$hand")x"
if [[ -n "$csv" ]]; then
  {
    echo "tu,best_ms,runs"
    echo "handwritten_lru,$hand,$runs"
    echo "handwritten_lru_boost,$hand_boost,$runs"
    echo "cachet_memoize,$cachet,$runs"
    echo "include_only,$include,$runs"
    echo "boost_table_only,$table,$runs"
  } >"$csv"
fi
