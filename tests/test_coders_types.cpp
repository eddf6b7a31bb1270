// Tests of what the cereal coders check about a value's type: the values
// an enum accepts (enum_bounds, fixed underlying types, the range of values
// of the others), and what the type fingerprint covers (cereal class
// versions, cachet::schema_version, aggregates' field types).
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coders_test_support.hpp"

// ---------------------------------------------------------------------- enums

namespace coders_test {

enum colour { red, green, blue };         // no fixed underlying type: values [0, 3]
enum offset { behind = -3, ahead = 5 };   // no fixed underlying type: values [-8, 7]
enum flag_bits { no_flag = 0, high_flag = 1 << 20 };  // found by the power-of-two probes
enum sentinel { first_value, last_value = 0x7FFFFFFF };
enum class level : std::uint8_t { low, high };  // fixed: every std::uint8_t is a level
enum class grade : int { a = 1, b = 2, c = 3 };

// An enum stored as text by functions of its own: cachet leaves it to them.
enum class named : int { one = 1, two = 2 };
template <class Archive>
std::string save_minimal(const Archive&, const named& n) {
  return n == named::one ? "one" : "two";
}
template <class Archive>
void load_minimal(const Archive&, named& n, const std::string& text) {
  n = text == "one" ? named::one : named::two;
}

struct palette {
  colour main = red;
  std::vector<offset> offsets;
  level shade = level::low;
  friend bool operator==(const palette&, const palette&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::make_nvp("main", main), cereal::make_nvp("offsets", offsets), cereal::make_nvp("shade", shade));
  }
};

}  // namespace coders_test

// [enum_bounds]
template <>
struct cachet::enum_bounds<coders_test::grade> {
  static constexpr coders_test::grade min = coders_test::grade::a;
  static constexpr coders_test::grade max = coders_test::grade::c;
};
// [enum_bounds]

using namespace coders_test;  // the enums' enumerators, in the tests below

TEST_CASE("coders: the values an enum accepts", "[coders][enum]") {
  using cachet::detail::accepted_enum_range;
  STATIC_REQUIRE((accepted_enum_range<colour>().lo == 0 && accepted_enum_range<colour>().hi == 3));
  STATIC_REQUIRE((accepted_enum_range<offset>().lo == -8 && accepted_enum_range<offset>().hi == 7));
  STATIC_REQUIRE((accepted_enum_range<flag_bits>().lo == 0 && accepted_enum_range<flag_bits>().hi == (1u << 21) - 1));
  STATIC_REQUIRE(accepted_enum_range<sentinel>().hi == 0x7FFFFFFFu);
  STATIC_REQUIRE((accepted_enum_range<level>().lo == 0 && accepted_enum_range<level>().hi == 255));
  STATIC_REQUIRE((accepted_enum_range<grade>().lo == 1 && accepted_enum_range<grade>().hi == 3));
}

TEMPLATE_LIST_TEST_CASE("coders: enums round-trip", "[coders][enum]", all_coders) {
  check_round_trip<TestType>(blue);
  check_round_trip<TestType>(static_cast<colour>(3));  // no enumerator, but a value of colour
  check_round_trip<TestType>(std::vector<offset>{behind, ahead, static_cast<offset>(-8)});
  check_round_trip<TestType>(std::map<colour, int>{{red, 1}, {blue, 2}});
  check_round_trip<TestType>(palette{green, {ahead}, level::high});
  check_round_trip<TestType>(std::vector<level>{level::low, static_cast<level>(200)});
  check_round_trip<TestType>(std::vector<grade>{grade::a, grade::c});
  check_round_trip<TestType>(std::vector<named>{named::two, named::one});
  check_round_trip<TestType>(std::vector<flag_bits>{high_flag, no_flag});
}

namespace {

std::string little_endian(std::uint64_t v, std::size_t bytes) { return little_endian_u64(v).substr(0, bytes); }

}  // namespace

TEMPLATE_LIST_TEST_CASE("coders: an enum value its enum does not accept is invalid_data", "[coders][garbage][hostile][enum]",
                        binary_coders) {
  const TestType coder;
  const std::string flag = byte_order_flag<TestType>();
  const auto u32 = [](std::uint64_t v) { return little_endian(v, 4); };
  const auto colours = [&](std::uint64_t v) {
    return forged_frame(coder, std::vector<colour>(), flag + little_endian_u64(2) + u32(0) + u32(v));
  };
  CHECK(coder.template decode<std::vector<colour>>(colours(3)) == std::vector<colour>{red, static_cast<colour>(3)});
  CHECK_THROWS_WITH(coder.template decode<std::vector<colour>>(colours(4)),
                    Catch::Contains("an enum value of 4 outside [0, 3]"));
  // in a struct, and as a map key
  const std::string payload = u32(7) + little_endian_u64(0) + std::string(1, '\0');
  CHECK_THROWS_AS(coder.template decode<palette>(forged_frame(coder, palette{}, flag + payload)), cachet::invalid_data);
  const std::string item = u32(9) + u32(1);
  using colour_map = std::map<colour, int>;
  const std::string map_frame = forged_frame(coder, colour_map(), flag + little_endian_u64(1) + item);
  CHECK_THROWS_AS(coder.template decode<colour_map>(map_frame), cachet::invalid_data);
  // negative values, declared bounds; a fixed underlying type accepts all
  const auto offsets = [&](std::int32_t v) {
    return forged_frame(coder, std::vector<offset>(), flag + little_endian_u64(1) + u32(static_cast<std::uint32_t>(v)));
  };
  CHECK(coder.template decode<std::vector<offset>>(offsets(-8)) == std::vector<offset>{static_cast<offset>(-8)});
  CHECK_THROWS_WITH(coder.template decode<std::vector<offset>>(offsets(-9)), Catch::Contains("-9 outside [-8, 7]"));
  CHECK_THROWS_WITH(coder.template decode<grade>(forged_frame(coder, grade::a, flag + u32(0))),
                    Catch::Contains("0 outside [1, 3]"));
  CHECK(coder.template decode<level>(forged_frame(coder, level::low, flag + std::string(1, '\xc8'))) ==
        static_cast<level>(200));
}

TEST_CASE("coders: an enum value its enum does not accept is invalid_data (cereal_json)", "[coders][garbage][json][enum]") {
  const cachet::cereal_json json;
  CHECK(json.decode<std::vector<colour>>(R"({"value": [0, 3]})") == std::vector<colour>{red, static_cast<colour>(3)});
  CHECK_THROWS_WITH(json.decode<std::vector<colour>>(R"({"value": [0, 4]})"),
                    Catch::Equals("cachet: JSON value does not decode: an enum value of 4 outside [0, 3]"));
  CHECK_THROWS_AS(json.decode<palette>(R"({"value": {"main": 7, "offsets": [], "shade": 0}})"), cachet::invalid_data);
  using colour_map = std::map<colour, int>;
  CHECK_THROWS_AS(json.decode<colour_map>(R"({"value": [{"key": 9, "value": 1}]})"), cachet::invalid_data);
  CHECK_THROWS_AS(json.decode<std::vector<offset>>(R"({"value": [-9]})"), cachet::invalid_data);
  CHECK_THROWS_AS(json.decode<grade>(R"({"value": 4})"), cachet::invalid_data);
  CHECK(json.decode<level>(R"({"value": 200})") == static_cast<level>(200));
}

struct schema_checked {
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id);
  }
};
struct class_versioned {
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t) {
    ar(id);
  }
};

template <>
inline constexpr std::uint32_t cachet::schema_version<schema_checked> = 7;
CEREAL_CLASS_VERSION(class_versioned, 3)

TEMPLATE_LIST_TEST_CASE("coders: fill patterns over the checksum and the payload are invalid_data",
                        "[coders][garbage][hostile]", binary_coders) {
  // With CRC-32, a frame whose last 8 bytes (checksum and an int) were all
  // 0xFF passed, and decoded as -1: CRC-32 of four 0xFF bytes is 0xFFFFFFFF.
  const TestType coder;
  for (const char fill : {'\xff', '\0'}) {
    for (std::size_t tail = 4; tail <= 16; tail += 4) {
      std::string bytes = coder.encode(std::int64_t{0x0102030405060708});  // no 0x00 or 0xFF byte
      REQUIRE(bytes.size() >= tail);
      std::fill(bytes.end() - static_cast<std::ptrdiff_t>(tail), bytes.end(), fill);
      CAPTURE(tail, static_cast<int>(fill));
      CHECK_THROWS_AS(coder.template decode<std::int64_t>(bytes), cachet::invalid_data);
    }
  }
}

TEST_CASE("coders: the type fingerprint covers cereal class versions and cachet::schema_version",
          "[coders][garbage]") {
  CHECK_THAT(cachet::detail::fingerprint_text<schema_checked>(), Catch::Contains("schema version 7"));
  CHECK_THAT(cachet::detail::fingerprint_text<class_versioned>(), Catch::Contains("cereal version 3"));
  CHECK_THAT(cachet::detail::fingerprint_text<int>(), Catch::Contains("cereal version 0") && Catch::Contains("schema version 0"));
  // Bytes written under another version of a type are another type's bytes:
  // forge a frame with the fingerprint of the same name at version 0.
  const cachet::cereal_binary coder;
  std::string bytes = coder.encode(schema_checked{4});
  CHECK(coder.decode<schema_checked>(bytes).id == 4);
  const std::string old_text = cachet::detail::fingerprint_text<int>();  // any other fingerprint
  cachet::detail::put_u64(bytes.data() + 4, XXH3_64bits(old_text.data(), old_text.size()));
  cachet::detail::seal_envelope(bytes);
  CHECK_THROWS_WITH(coder.decode<schema_checked>(bytes), Catch::Contains("written for another type"));
}

// Two versions of one struct: a field changed from int to float.
namespace shape_v1 {
struct point {
  int x = 0;
  int y = 0;
};
}  // namespace shape_v1
namespace shape_v2 {
struct point {
  float x = 0;
  int y = 0;
  friend bool operator==(const point&, const point&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(x), CEREAL_NVP(y));
  }
};
}  // namespace shape_v2

namespace fingerprint_test {
// Types whose fields cachet cannot bind: their fingerprint is their name and versions.
struct derived : shape_v2::point {
  int z = 0;
  friend bool operator==(const derived&, const derived&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<shape_v2::point>(this), CEREAL_NVP(z));
  }
};
inline int referenced = 0;
struct with_reference {
  int& r = referenced;
  int v = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(r), CEREAL_NVP(v));
  }
};
class with_constructor {
 public:
  with_constructor() = default;
  explicit with_constructor(int v) : v_(v) {}
  friend bool operator==(const with_constructor&, const with_constructor&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::make_nvp("v", v_));
  }

 private:
  int v_ = 0;
};
struct with_anonymous_union {
  union {
    int i;
    float f;
  };
  int tag = 0;
};
struct with_array {  // brace elision hides how many fields an array takes
  int values[2] = {0, 0};
  friend bool operator==(const with_array&, const with_array&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(values));
  }
};
// Reflected: bit-fields (which Boost.PFR cannot bind).
struct packed {
  unsigned low : 4 = 0;
  unsigned high : 4 = 0;
  std::int64_t rest = 0;
  friend bool operator==(const packed&, const packed&) = default;
  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_nvp("low", unsigned{low}), cereal::make_nvp("high", unsigned{high}), CEREAL_NVP(rest));
  }
  template <class Archive>
  void load(Archive& ar) {
    unsigned l = 0, h = 0;
    ar(l, h, rest);
    low = l & 0xF;
    high = h & 0xF;
  }
};
struct nested {
  shape_v2::point origin;
  std::vector<shape_v2::point> path;
  std::optional<std::map<std::string, shape_v2::point>> named_points;
};
}  // namespace fingerprint_test

TEST_CASE("coders: the type fingerprint covers an aggregate's field types", "[coders][garbage][fingerprint]") {
  using cachet::detail::fingerprint_text;
  using cachet::detail::structure_text;
  constexpr int depth = cachet::detail::structure_depth;
  const std::string i = typeid(int).name(), f = typeid(float).name();
  CHECK(structure_text<shape_v1::point, depth>() == "{" + i + ";" + i + ";}");
  CHECK(structure_text<shape_v2::point, depth>() == "{" + f + ";" + i + ";}");
  CHECK_THAT(fingerprint_text<shape_v2::point>(), Catch::StartsWith(std::string(typeid(shape_v2::point).name()) + "{" + f));
  CHECK(cachet::detail::type_fingerprint<shape_v1::point>() != cachet::detail::type_fingerprint<shape_v2::point>());
  // Nested aggregates and the types named by template arguments.
  const std::string point = structure_text<shape_v2::point, depth>();
  const std::string nested = structure_text<fingerprint_test::nested, depth>();
  CHECK_THAT(nested, Catch::StartsWith("{" + std::string(typeid(shape_v2::point).name()) + point));
  CHECK_THAT(nested, Catch::Contains("<" + point + ",>") && Catch::Contains("<<," + point));  // vector, optional<map>
  CHECK(structure_text<std::vector<shape_v1::point>, depth>() != structure_text<std::vector<shape_v2::point>, depth>());
  CHECK(structure_text<std::vector<int>, depth>().empty());
  // Bytes an older program wrote when point.x was an int: another type.
  const cachet::cereal_binary coder;
  std::string bytes = coder.encode(shape_v2::point{1.5f, 2});
  CHECK(coder.decode<shape_v2::point>(bytes) == shape_v2::point{1.5f, 2});
  const std::string old_text =
      typeid(shape_v2::point).name() + structure_text<shape_v1::point, depth>() + "|cereal version 0|schema version 0";
  cachet::detail::put_u64(bytes.data() + 4, XXH3_64bits(old_text.data(), old_text.size()));
  cachet::detail::seal_envelope(bytes);
  CHECK_THROWS_WITH(coder.decode<shape_v2::point>(bytes), Catch::Contains("written for another type"));
}

TEST_CASE("coders: which types' fields the fingerprint reads", "[coders][fingerprint]") {
  using cachet::detail::reflected_field_count;
  using namespace fingerprint_test;
  STATIC_REQUIRE(reflected_field_count<record>() == 3);
  STATIC_REQUIRE(reflected_field_count<palette>() == 3);
  STATIC_REQUIRE(reflected_field_count<packed>() == 3);
  STATIC_REQUIRE(reflected_field_count<nested>() == 3);
  STATIC_REQUIRE(reflected_field_count<derived>() == 0);
  STATIC_REQUIRE(reflected_field_count<with_reference>() == 0);
  STATIC_REQUIRE(reflected_field_count<with_constructor>() == 0);
  STATIC_REQUIRE(reflected_field_count<with_anonymous_union>() == 0);
  STATIC_REQUIRE(reflected_field_count<with_array>() == 0);
  STATIC_REQUIRE(reflected_field_count<std::string>() == 0);
  const std::string u = typeid(unsigned).name();
  CHECK(cachet::detail::structure_text<packed, cachet::detail::structure_depth>() ==
        "{" + u + ";" + u + ";" + typeid(std::int64_t).name() + ";}");
  CHECK(cachet::detail::fingerprint_text<derived>() ==
        std::string(typeid(derived).name()) + "|cereal version 0|schema version 0");
}

TEMPLATE_LIST_TEST_CASE("coders: types whose fields are not reflected still round-trip", "[coders][fingerprint]",
                        all_coders) {
  using namespace fingerprint_test;
  check_round_trip<TestType>(derived{{2.5f, 3}, 4});
  check_round_trip<TestType>(with_constructor{7});
  check_round_trip<TestType>(packed{5, 9, -1});
  check_round_trip<TestType>(with_array{{1, -1}});
  const TestType coder;
  referenced = 0;
  const with_reference decoded = coder.template decode<with_reference>(coder.encode(with_reference{referenced, 8}));
  CHECK(decoded.v == 8);
}
