// examples/custom_clock.cpp: a clock policy written by a user.
//   - frame_clock: reads a game loop's frame time, so every call in one
//     frame sees the same "now" and time moves only when a frame starts.
//     Copies share the frame time (through a pointer), as manual_clock's
//     copies do; used with expire_after_write.
// Exits 1 if anything it claims does not hold.
//
// Snippets between `// [name]` markers are copied into docs/;
// scripts/check_docs.py checks that the copies stay verbatim.

#include <cachet/cachet.hpp>

#include <chrono>
#include <iostream>
#include <string>

// [frame-clock]
// "Now" is the start of the current frame of a game loop.
struct frame_clock {
  using cachet_family = cachet::family::clock;

  const cachet::time_point* frame_start = nullptr;  // owned by the loop, which outlives the cache

  cachet::time_point now() const { return *frame_start; }
};
// [frame-clock]

static_assert(cachet::clock_policy<frame_clock>);

namespace {

int failures = 0;

void check(bool holds, const std::string& claim) {
  std::cout << (holds ? "  ok: " : "  FAILED: ") << claim << '\n';
  if (!holds) ++failures;
}

int searches = 0;
int path_length(int from, int to) {  // a path search, too slow to run every frame
  ++searches;
  return to > from ? to - from : from - to;
}

}  // namespace

int main() {
  using namespace std::chrono_literals;
  std::cout << "A clock policy (frame_clock) with expire_after_write:\n";
  // [use-frame-clock]
  cachet::time_point frame_start{};  // the loop sets it at the start of each frame
  auto paths = cachet::memoize(path_length, cachet::lru{.capacity = 1024},
                               cachet::expire_after_write{50ms}, frame_clock{&frame_start});

  for (int frame = 0; frame < 5; ++frame) {  // frames start at 0, 16, 32, 48 and 64 ms
    frame_start = cachet::time_point{} + frame * 16ms;
    paths(3, 10);  // searched at 0 ms, kept until 50 ms; searched again at 64 ms
  }
  // [use-frame-clock]
  check(searches == 2, "five frames, two searches: at 0 ms and, once expired, at 64 ms");
  check(paths.contains(3, 10), "the entry written at 64 ms is live in that frame");
  frame_start += 49ms;
  check(paths.contains(3, 10), "113 ms: still live (written at 64 ms, 50 ms to live)");
  frame_start += 1ms;
  check(!paths.contains(3, 10) && searches == 2, "114 ms: expired");

  if (failures != 0) {
    std::cout << failures << " claim(s) did not hold.\n";
    return 1;
  }
  std::cout << "Every claim held.\n";
  return 0;
}
