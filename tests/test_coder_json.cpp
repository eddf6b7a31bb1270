// Tests of cereal_json against hostile text (issue 8): JSON that would crash
// Debian's rapidjson 1.1.0 or make it read another number is invalid_data
// before it is parsed, numbers outside their type's range are invalid_data,
// and every value cereal_json writes still reads back, bit for bit.
#include <catch2/catch.hpp>

#include <cachet/cachet.hpp>
#include <cachet/coder/cereal_json.hpp>

#include <cfloat>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {
std::string value_of(const std::string& number) { return R"({"value": )" + number + "}"; }
}  // namespace

TEST_CASE("cereal_json: JSON that would crash the parser is invalid_data", "[coders][garbage][hostile][json]") {
  const cachet::cereal_json json;
  // rapidjson 1.1.0 crashed (SIGSEGV) on both.
  const std::string long_number = R"({"value": 0.)" + std::string(360, '0') + R"(24489807643994812392})";
  CHECK_THROWS_WITH(json.decode<double>(long_number), Catch::Contains("a number of more than 40 characters"));
  const std::string deep = R"({"value": )" + std::string(200000, '[') + "}";
  CHECK_THROWS_WITH(json.decode<std::vector<int>>(deep), Catch::Contains("nesting deeper than 256"));
  // Found by fuzz/fuzz_decode: a zero mantissa with an exponent is undefined behaviour in rapidjson.
  for (const char* zero : {R"({"value": 0e080})", R"({"value": -0.000E5})", R"({"value": 0e1)",
                           R"({"value": 0.000000000000000000000000000000})",
                           // A number ends where JSON's grammar ends: 0.000...0 is parsed before the junk.
                           R"({"value": 0.0000000000000000000000000.10})", R"([-0.00000000000000000000000e1.5])"})
    CHECK_THROWS_WITH(json.decode<double>(zero), Catch::Contains("a zero written at length"));
  // Short numbers of more than 17 significant digits: rapidjson's full-precision
  // path read past its table of powers (SIGSEGV on the first), or returned
  // garbage (-2.2e307 for the second, -nan for the third). Found by a
  // differential probe against strtod; the fuzzer found the wrapping ones.
  for (const char* many_digits :
       {"0.9999918446744073709551615e-334", "1.00000000000000000001e-325", "99999999999999999999e-344",
        "1.0000000000000000001e-330", "12345678901234567890123e308", "18446744073709551615.7",
        "-0.0000018446744073709551615710", "184467440737095516155e-3", "18446744073709551615.4"})
    CHECK_THROWS_WITH(json.decode<double>(value_of(many_digits)), Catch::Contains("more than 17 significant digits"));
  // Past a double's range: rapidjson read 7e308 as -2.1e-308 and 11.5e-325 as -nan.
  for (const char* out_of_range : {"7e308", "1.7976931348623159e308", "11.5e-325", "2e-324", "1e-400", "1e999999999999"})
    CHECK_THROWS_WITH(json.decode<double>(value_of(out_of_range)), Catch::Contains("beyond a double's range"));
  // Integers are read at 64 bits; past them rapidjson went on as a double.
  for (const char* big : {"18446744073709551616", "-9223372036854775809", "100000000000000000000"})
    CHECK_THROWS_WITH(json.decode<double>(value_of(big)), Catch::Contains("an integer outside 64 bits"));
  CHECK(json.decode<double>(value_of("-0.0")) == 0.0);
  CHECK(json.decode<int>(value_of("0")) == 0);
  CHECK(json.decode<double>(value_of("10e1")) == 100.0);
  CHECK(json.decode<double>(value_of("5e-324")) == 4.9406564584124654e-324);
  CHECK(json.decode<double>(value_of("1.7976931348623157e308")) == DBL_MAX);
  CHECK(json.decode<std::int64_t>(value_of("-9223372036854775808")) == INT64_MIN);
  // Digits inside strings, and escapes, are not numbers.
  const std::string digits = std::string(1000, '7') + "\"[[[[" + std::string(300, '{') + "\\";
  CHECK(json.decode<std::string>(json.encode(digits)) == digits);
  using nested = std::vector<std::vector<std::vector<std::vector<int>>>>;
  const nested n{{{{1, 2}, {3}}, {}}, {{{4}}}};
  CHECK(json.decode<nested>(json.encode(n)) == n);
}

TEST_CASE("cereal_json: a number outside its type's range is invalid_data, not another value", "[coders][hostile][json]") {
  const cachet::cereal_json json;
  // cereal's JSON archive cast these: 300 read as 44, -40000 as 25536, 1e300 as inf.
  CHECK_THROWS_WITH(json.decode<std::uint8_t>(value_of("300")), Catch::Contains("out of its type's range"));
  CHECK_THROWS_WITH(json.decode<short>(value_of("-40000")), Catch::Contains("out of its type's range"));
  CHECK_THROWS_WITH(json.decode<int>(value_of("2147483648")), Catch::Contains("out of its type's range"));
  CHECK_THROWS_WITH(json.decode<char>(value_of("200")), Catch::Contains("out of its type's range"));
  CHECK_THROWS_WITH(json.decode<float>(value_of("1e300")), Catch::Contains("out of a float's range"));
  CHECK_THROWS_AS(json.decode<unsigned>(value_of("-1")), cachet::invalid_data);
  CHECK(json.decode<std::uint8_t>(value_of("255")) == 255);
  CHECK(json.decode<short>(value_of("-32768")) == -32768);
  CHECK(json.decode<float>(value_of("3.4028234663852886e38")) == FLT_MAX);
}

TEST_CASE("cereal_json: every number it writes reads back bit for bit", "[coders][json]") {
  const cachet::cereal_json json;
  auto same = [](const auto& a, const auto& b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  for (const double d : {0.0, -0.0, DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN, -DBL_TRUE_MIN, 1e20, 1e21, 1e22, 1e-7,
                         0.1, 123456789012345678.0, 2.2250738585072009e-308})
    CHECK(same(json.decode<double>(json.encode(d)), d));
  for (const float f : {0.0f, FLT_MAX, -FLT_MAX, FLT_MIN, FLT_TRUE_MIN, 1e20f}) CHECK(same(json.decode<float>(json.encode(f)), f));
  CHECK(json.decode<std::uint64_t>(json.encode(UINT64_MAX)) == UINT64_MAX);
  CHECK(json.decode<std::int64_t>(json.encode(INT64_MIN)) == INT64_MIN);
  std::mt19937_64 random(8);
  int differ = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t bits = random();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    float f;
    const auto bits32 = static_cast<std::uint32_t>(bits >> 7);
    std::memcpy(&f, &bits32, sizeof f);
    if (d == d && d - d == 0 && !same(json.decode<double>(json.encode(d)), d)) ++differ;
    if (f == f && f - f == 0 && !same(json.decode<float>(json.encode(f)), f)) ++differ;
    if (json.decode<std::int64_t>(json.encode(static_cast<std::int64_t>(bits))) != static_cast<std::int64_t>(bits)) ++differ;
  }
  CHECK(differ == 0);
}

TEST_CASE("cereal_json: a stored number that crashed the parser is a miss under fail_open", "[coders][hostile][json][wrapper]") {
  int calls = 0, reported = 0;
  auto f = cachet::memoize([&](int x) { ++calls; return x * 1.5; }, cachet::dict{}, cachet::cereal_json{},
                           cachet::fail_open{.on_error = [&](const cachet::error& e) {
                             ++reported;
                             CHECK(dynamic_cast<const cachet::invalid_data*>(&e) != nullptr);
                           }});
  for (const char* hostile : {"0.9999918446744073709551615e-334", "1.00000000000000000001e-325", "7e308"}) {
    f.storage().set(f.key(1), value_of(hostile), cachet::no_deadline);
    calls = 0;
    CHECK(f(1) == 1.5);
    CHECK(calls == 1);
  }
  CHECK(reported == 3);
  CHECK(f(1) == 1.5);  // the computed value replaced the hostile one
  CHECK(calls == 1);
}
