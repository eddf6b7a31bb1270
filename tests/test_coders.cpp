// Tests of the coders: round trips through cereal_binary, cereal_portable
// and cereal_json, directly and through memoize(fn, dict{}, coder); garbage
// bytes of every kind raise cachet::invalid_data; a user byte coder. Enums
// and the type fingerprint: tests/test_coders_types.cpp; hostile JSON:
// tests/test_coder_json.cpp.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_binary.hpp>
#include <cachet/coder/cereal_json.hpp>
#include <cachet/coder/cereal_portable.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/list.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/polymorphic.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "coders_test_support.hpp"
#include "sanitizers.hpp"


// ---------------------------------------------------------------- round trips

TEMPLATE_LIST_TEST_CASE("coders: values round-trip", "[coders]", all_coders) {
  check_round_trip<TestType>(0);
  check_round_trip<TestType>(-123456789);
  check_round_trip<TestType>(3.25);
  check_round_trip<TestType>(-1e300);
  check_round_trip<TestType>(std::string());
  check_round_trip<TestType>(std::string("plain \"quoted\" \\ text\n"));
  check_round_trip<TestType>(std::vector<std::string>{"a", "", "c,d"});
  check_round_trip<TestType>(std::vector<std::string>{});
  check_round_trip<TestType>(std::map<std::string, int>{{"x", 1}, {"y", -2}});
  check_round_trip<TestType>(std::optional<int>{});
  check_round_trip<TestType>(std::optional<int>{7});
  check_round_trip<TestType>(record{3, "r", {1.5, -2.0}});
}

TEMPLATE_LIST_TEST_CASE("coders: strings with embedded NULs round-trip (binary coders)", "[coders]", binary_coders) {
  check_round_trip<TestType>(with_nuls);
  check_round_trip<TestType>(std::vector<std::string>{with_nuls, std::string(1, '\0')});
}

// cereal 1.3's JSONInputArchive::loadValue(std::string&) assigns
// GetString() as a C string, so what follows the first NUL is lost (the
// JSON itself, "a\u0000b", is right). Marked [!shouldfail]: it documents the
// loss, and fails (so the mark can go) once cereal or cereal_json fixes it.
TEST_CASE("coders: cereal_json loses what follows a NUL in a string (cereal limitation)", "[coders][json][!shouldfail]") {
  check_round_trip<cachet::cereal_json>(with_nuls);
}

TEMPLATE_LIST_TEST_CASE("coders: values round-trip through memoize(fn, dict{}, coder)", "[coders][wrapper]",
                        all_coders) {
  check_wrapper_round_trip<TestType>(42);
  check_wrapper_round_trip<TestType>(2.5);
  check_wrapper_round_trip<TestType>(std::string("text"));
  check_wrapper_round_trip<TestType>(std::vector<std::string>{"a", "b"});
  check_wrapper_round_trip<TestType>(std::map<std::string, int>{{"k", 9}});
  check_wrapper_round_trip<TestType>(std::optional<int>{7});  // an empty one is not stored (test_results)
  check_wrapper_round_trip<TestType>(record{1, "x", {0.5}});
  if constexpr (!std::is_same_v<TestType, cachet::cereal_json>) check_wrapper_round_trip<TestType>(with_nuls);
}

TEST_CASE("coders: cereal_json writes readable {\"value\": ...}", "[coders][json]") {
  const cachet::cereal_json json;
  auto squeeze = [](std::string s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }), s.end());
    return s;
  };
  CHECK(squeeze(json.encode(42)) == R"({"value":42})");
  CHECK(squeeze(json.encode(std::string("hi"))) == R"({"value":"hi"})");
  CHECK(squeeze(json.encode(record{1, "n", {2.5}})) == R"({"value":{"id":1,"name":"n","scores":[2.5]}})");
  // and the bytes a store keeps are that text
  auto f = cachet::memoize([](int x) { return x * 2; }, cachet::dict{}, cachet::cereal_json{}, cachet::text_key{"d"});
  f(21);
  const std::string* stored = f.storage().get(std::string("d:21"), cachet::time_point{});
  REQUIRE(stored != nullptr);
  CHECK(squeeze(*stored) == R"({"value":42})");
}

// -------------------------------------------------------------------- garbage

TEMPLATE_LIST_TEST_CASE("coders: empty bytes are invalid_data", "[coders][garbage]", all_coders) {
  check_rejects<TestType, int>("");
  check_rejects<TestType, std::string>("");
  check_rejects<TestType, record>("");
}

TEMPLATE_LIST_TEST_CASE("coders: random bytes are invalid_data", "[coders][garbage]", all_coders) {
  const TestType coder;
  for (unsigned seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    std::string bytes(seed % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    CAPTURE(seed);
    REQUIRE_THROWS_AS(coder.template decode<int>(bytes), cachet::invalid_data);
    REQUIRE_THROWS_AS(coder.template decode<std::vector<std::string>>(bytes), cachet::invalid_data);
    REQUIRE_THROWS_AS(coder.template decode<record>(bytes), cachet::invalid_data);
  }
}

TEMPLATE_LIST_TEST_CASE("coders: every truncation of a valid encoding is invalid_data", "[coders][garbage]",
                        all_coders) {
  const TestType coder;
  const record value{77, "a longer name", {1.0, 2.0, 3.0}};
  const std::string bytes = coder.encode(value);
  REQUIRE(coder.template decode<record>(bytes) == value);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    REQUIRE_THROWS_AS(coder.template decode<record>(bytes.substr(0, n)), cachet::invalid_data);
  }
  const std::string text_bytes = coder.encode(std::string("truncate me"));
  for (std::size_t n = 0; n < text_bytes.size(); ++n) {
    CAPTURE(n);
    REQUIRE_THROWS_AS(coder.template decode<std::string>(text_bytes.substr(0, n)), cachet::invalid_data);
  }
}

TEMPLATE_LIST_TEST_CASE("coders: a flipped bit anywhere is invalid_data (framed binary coders)", "[coders][garbage]",
                        binary_coders) {
  const TestType coder;
  const std::string bytes = coder.encode(record{5, "flip", {9.0}});
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(corrupt[i] ^ (1 << bit));
      CAPTURE(i, bit);
      REQUIRE_THROWS_AS(coder.template decode<record>(corrupt), cachet::invalid_data);
    }
  }
}

TEST_CASE("coders: a flipped bit in JSON is invalid_data or another value, never a crash", "[coders][garbage][json]") {
  // JSON has no checksum: "42" with a flipped bit may read "43".
  const cachet::cereal_json coder;
  const record value{5, "flip", {9.0}};
  const std::string bytes = coder.encode(value);
  int rejected = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(corrupt[i] ^ (1 << bit));
      try {
        (void)coder.decode<record>(corrupt);
      } catch (const cachet::invalid_data&) {
        ++rejected;
      }  // any other exception fails the test
    }
  }
  REQUIRE(rejected > static_cast<int>(bytes.size()) * 4);  // most flips break the syntax
}

TEMPLATE_LIST_TEST_CASE("coders: bytes of another type are invalid_data", "[coders][garbage]", all_coders) {
  const TestType coder;
  check_rejects<TestType, int>(coder.encode(std::string("12")));
  check_rejects<TestType, std::string>(coder.encode(12));
  check_rejects<TestType, record>(coder.encode(std::vector<std::string>{"a"}));
  check_rejects<TestType, std::vector<std::string>>(coder.encode(record{}));
  if constexpr (!std::is_same_v<TestType, cachet::cereal_json>) {
    // the frame's type fingerprint tells apart types of the same layout
    check_rejects<TestType, unsigned>(coder.encode(12));
    check_rejects<TestType, float>(coder.encode(12));
  }
}

TEMPLATE_LIST_TEST_CASE("coders: bytes of another coder are invalid_data", "[coders][garbage]", all_coders) {
  const auto check_from = [](const auto& other) {
    if constexpr (!std::is_same_v<std::remove_cvref_t<decltype(other)>, TestType>) {
      check_rejects<TestType, int>(other.encode(12));
      check_rejects<TestType, std::string>(other.encode(std::string("twelve")));
      check_rejects<TestType, record>(other.encode(record{1, "r", {}}));
    }
  };
  check_from(cachet::cereal_binary{});
  check_from(cachet::cereal_portable{});
  check_from(cachet::cereal_json{});
}

TEMPLATE_LIST_TEST_CASE("coders: a valid frame around a garbage payload is a value or invalid_data", "[coders][garbage]",
                        binary_coders) {
  // Rebuilds the frame (cachet/coder/cereal/envelope.hpp) with a correct
  // checksum, so the garbage reaches cereal itself.
  const TestType coder;
  const std::string header = coder.encode(0).substr(0, cachet::detail::envelope_size);  // fingerprint of int
  int rejected = 0;
  for (unsigned seed = 0; seed < 200; ++seed) {
    std::mt19937 rng(seed);
    std::string payload(seed % 9, '\0');
    for (char& c : payload) c = static_cast<char>(rng());
    std::string bytes = header + payload;
    cachet::detail::seal_envelope(bytes);
    CAPTURE(seed);
    try {
      const int v = coder.template decode<int>(bytes);
      // only an int's worth of bytes decodes (portable: after a byte-order flag)
      REQUIRE(payload.size() == sizeof(int) + (std::is_same_v<TestType, cachet::cereal_portable> ? 1 : 0));
      (void)v;
    } catch (const cachet::invalid_data&) {
      ++rejected;
    }
  }
  REQUIRE(rejected >= 170);
}

// ------------------------------------------------- hostile frames, valid checksum


// Replaced only without the sanitizers, whose own operator new cannot be
// mixed with these (under ASan, its allocator limits stand in for the check).
#if !CACHET_TEST_SANITIZED
void* operator new(std::size_t size) {
  std::size_t seen = largest_allocation.load(std::memory_order_relaxed);
  while (size > seen && !largest_allocation.compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

TEMPLATE_LIST_TEST_CASE("coders: a length prefix larger than the bytes that remain is invalid_data, unallocated",
                        "[coders][garbage][hostile]", binary_coders) {
  const TestType coder;
  const std::string flag = byte_order_flag<TestType>();
  const auto rejects_without_allocating = [&](const std::string& bytes, auto type_tag) {
    using T = typename decltype(type_tag)::type;
    largest_allocation = 0;
    try {
      (void)coder.template decode<T>(bytes);
      FAIL("decoded");
    } catch (const cachet::invalid_data& e) {
      CHECK_THAT(e.what(), Catch::Contains("length prefix"));
    }
    CHECK(largest_allocation < 64 * 1024);
  };
  // A string whose length field says 3 GiB, in a 20-byte frame.
  rejects_without_allocating(forged_frame(coder, std::string(), flag + little_endian_u64(3ull << 30) + "abc"),
                             std::type_identity<std::string>{});
  // A vector<string> of 2^27 elements.
  rejects_without_allocating(forged_frame(coder, std::vector<std::string>(), flag + little_endian_u64(1ull << 27)),
                             std::type_identity<std::vector<std::string>>{});
  // A map whose count is 2^40.
  rejects_without_allocating(forged_frame(coder, std::map<std::string, int>(), flag + little_endian_u64(1ull << 40)),
                             std::type_identity<std::map<std::string, int>>{});
  // An honest value still round-trips.
  CHECK(coder.template decode<std::vector<std::string>>(coder.encode(std::vector<std::string>{"a", "", "bc"})) ==
        std::vector<std::string>{"a", "", "bc"});
}

TEMPLATE_LIST_TEST_CASE("coders: a count the bytes cannot hold allocates about the bytes, not count x element size",
                        "[coders][garbage][hostile]", binary_coders) {
  // Found by an audit: a count of 1,000,000 in a 1 MB value, for elements of
  // 4 KiB, sized a vector of 4 GB (10 s) before the bytes ran out.
  using block = std::array<char, 4096>;
  const TestType coder;
  const std::string flag = byte_order_flag<TestType>();
  constexpr std::size_t count = 100'000;
  const std::string elements(count, '\0');  // room for 24 blocks, not 100,000
  const auto rejects_in_bounded_memory = [&](auto type_tag) {
    using T = typename decltype(type_tag)::type;
    const std::string frame = forged_frame(coder, T(), flag + little_endian_u64(count) + elements);
    largest_allocation = 0;
    CHECK_THROWS_WITH(coder.template decode<T>(frame), Catch::Contains("truncated"));
    CHECK(largest_allocation < 2 * count);
  };
  rejects_in_bounded_memory(std::type_identity<std::vector<block>>{});
  rejects_in_bounded_memory(std::type_identity<std::deque<block>>{});
  rejects_in_bounded_memory(std::type_identity<std::list<block>>{});
  // Numbers: count x sizeof(T) is checked before the vector is sized.
  const std::string numbers = forged_frame(coder, std::vector<double>(), flag + little_endian_u64(count) + elements);
  largest_allocation = 0;
  CHECK_THROWS_WITH(coder.template decode<std::vector<double>>(numbers), Catch::Contains("length prefix"));
  CHECK(largest_allocation < 64 * 1024);
  // Honest values still round-trip.
  block b{};
  b[7] = 'x';
  CHECK(coder.template decode<std::vector<block>>(coder.encode(std::vector<block>{b, b})) == std::vector<block>{b, b});
  CHECK(coder.template decode<std::list<std::string>>(coder.encode(std::list<std::string>{"a", "bc"})) ==
        std::list<std::string>{"a", "bc"});
  CHECK(coder.template decode<std::deque<int>>(coder.encode(std::deque<int>{1, 2, 3})) == std::deque<int>{1, 2, 3});
  CHECK(coder.template decode<std::vector<double>>(coder.encode(std::vector<double>{0.5, -2})) ==
        std::vector<double>{0.5, -2});
}

TEMPLATE_LIST_TEST_CASE("coders: a bool byte other than 0 or 1 is invalid_data", "[coders][garbage][hostile]",
                        binary_coders) {
  const TestType coder;
  const std::string flag = byte_order_flag<TestType>();
  CHECK(coder.template decode<bool>(forged_frame(coder, true, flag + std::string(1, '\1'))) == true);
  CHECK(coder.template decode<bool>(forged_frame(coder, true, flag + std::string(1, '\0'))) == false);
  CHECK_THROWS_AS(coder.template decode<bool>(forged_frame(coder, true, flag + std::string(1, '\2'))),
                  cachet::invalid_data);
  CHECK_THROWS_AS(
      coder.template decode<std::vector<bool>>(forged_frame(coder, std::vector<bool>(), flag + little_endian_u64(2) + "\1\xff")),
      cachet::invalid_data);
}

namespace coders_test {
struct shape {
  virtual ~shape() = default;
  int sides = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(sides));
  }
};
struct square : shape {
  double side = 1;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<shape>(this), CEREAL_NVP(side));
  }
};
}  // namespace coders_test
CEREAL_REGISTER_TYPE(coders_test::square)
using coders_test::shape;
using coders_test::square;

TEST_CASE("coders: cereal_json reads polymorphic pointers (its archive is registered)", "[coders][json]") {
  const cachet::cereal_json json;
  auto drawing = std::vector<std::shared_ptr<shape>>{std::make_shared<square>()};
  static_cast<square&>(*drawing[0]).side = 2.5;
  const auto decoded = json.decode<std::vector<std::shared_ptr<shape>>>(json.encode(drawing));
  REQUIRE(decoded.size() == 1);
  const auto* read = dynamic_cast<const square*>(decoded[0].get());
  REQUIRE(read != nullptr);
  CHECK(read->side == 2.5);
}

// ---------------------------------------------------------- through the wrapper

TEMPLATE_LIST_TEST_CASE("coders: corrupt bytes in the store make get throw invalid_data naming dict and the key",
                        "[coders][wrapper]", all_coders) {
  int calls = 0;
  auto f = cachet::memoize([&](int x, const std::string& s) { ++calls; return s + std::to_string(x); }, cachet::dict{},
                           TestType{}, cachet::text_key{"fn"});
  REQUIRE(f.key(3, "a:b") == "fn:3:a\\:b");
  f.storage().set(f.key(3, "a:b"), std::string("\x01garbage"), cachet::no_deadline);
  try {
    (void)f.get(3, "a:b");
    FAIL("get returned a value from corrupt bytes");
  } catch (const cachet::invalid_data& e) {
    CHECK(e.storage() == "dict");
    CHECK(e.key() == "fn:3:a\\:b");
    CHECK(std::string(e.what()).starts_with("cachet: dict: "));
    CHECK(std::string(e.what()).ends_with("(key fn:3:a\\:b)"));
    CHECK_FALSE(e.reason().empty());
  }
  REQUIRE_THROWS_AS(f(3, "a:b"), cachet::invalid_data);
  REQUIRE_THROWS_AS(f.at(3, "a:b"), cachet::invalid_data);
  REQUIRE(calls == 0);
  // overwriting the entry repairs it
  REQUIRE(f.update(3, "a:b") == "a:b3");
  REQUIRE(f.get(3, "a:b") == std::optional<std::string>("a:b3"));
}

TEST_CASE("coders: a user byte coder works with dict", "[coders][wrapper][user]") {
  STATIC_REQUIRE(cachet::byte_coder_for<decimal_coder, int>);
  int calls = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return x * 10; }, cachet::dict{}, decimal_coder{},
                           cachet::text_key{"ten"});
  REQUIRE(f(4) == 40);
  REQUIRE(f(4) == 40);
  REQUIRE(calls == 1);
  const std::string* stored = f.storage().get(std::string("ten:4"), cachet::time_point{});
  REQUIRE(stored != nullptr);
  REQUIRE(*stored == "40");

  f.storage().set(std::string("ten:5"), std::string("4x"), cachet::no_deadline);
  try {
    (void)f.get(5);
    FAIL("decoded corrupt text");
  } catch (const cachet::invalid_data& e) {
    CHECK(e.storage() == "dict");
    CHECK(e.key() == "ten:5");
    CHECK(e.reason() == "not a decimal int: 4x");
  }
}
