// tests/allocation_counter.hpp: replaces the global operator new and delete
// of one test program by counting ones, for tests that check that a hit
// allocates nothing. Include it from exactly one source of a program.
//
// Not under AddressSanitizer or ThreadSanitizer, which own new:
// CACHET_TEST_COUNT_ALLOCATIONS is then 0 and nothing is replaced.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "sanitizers.hpp"

#define CACHET_TEST_COUNT_ALLOCATIONS (!CACHET_TEST_SANITIZED)

#if CACHET_TEST_COUNT_ALLOCATIONS
namespace {
//! While true, every allocation adds one to allocation_count.
std::atomic<bool> counting_allocations{false};
std::atomic<long> allocation_count{0};

void* counted_alloc(std::size_t size, std::size_t alignment) {
  if (counting_allocations.load(std::memory_order_relaxed)) allocation_count.fetch_add(1);
  if (size == 0) size = 1;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

//! The allocations fn() makes.
template <class Fn>
long allocations_during(Fn&& fn) {
  allocation_count = 0;
  counting_allocations = true;
  fn();
  counting_allocations = false;
  return allocation_count.load();
}
}  // namespace

// The array and nothrow forms call these by default.
void* operator new(std::size_t size) { return counted_alloc(size, alignof(std::max_align_t)); }
void* operator new(std::size_t size, std::align_val_t a) { return counted_alloc(size, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#endif
