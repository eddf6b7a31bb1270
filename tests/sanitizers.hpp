// tests/sanitizers.hpp: which sanitizer a test program is built under, for
// tests that replace the global operator new (the sanitizers own it).
// g++ says so with __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__, clang++ 14
// only through __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CACHET_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CACHET_TEST_SANITIZED 1
#endif
#endif
#ifndef CACHET_TEST_SANITIZED
#define CACHET_TEST_SANITIZED 0
#endif
