// Numeric literals: integer ranges and separators, exact float rounding
// (round to nearest, ties to even, including subnormals), NaN payloads.
#include "engine/text/numbers.h"

#include <gtest/gtest.h>

namespace vivarium::engine::text {
namespace {

uint32_t f32(std::string_view s) {
  uint32_t b = 0;
  EXPECT_EQ(parse_f32(s, b), NumStatus::Ok) << s;
  return b;
}
uint64_t f64(std::string_view s) {
  uint64_t b = 0;
  EXPECT_EQ(parse_f64(s, b), NumStatus::Ok) << s;
  return b;
}
NumStatus f32_status(std::string_view s) {
  uint32_t b;
  return parse_f32(s, b);
}
uint64_t i(std::string_view s, unsigned bits) {
  uint64_t v = 0;
  EXPECT_EQ(parse_int(s, bits, v), NumStatus::Ok) << s;
  return v;
}
NumStatus i_status(std::string_view s, unsigned bits) {
  uint64_t v;
  return parse_int(s, bits, v);
}

TEST(TextNumbers, IntegersAcceptSignedAndUnsignedRanges) {
  EXPECT_EQ(i("0", 32), 0u);
  EXPECT_EQ(i("4294967295", 32), 0xFFFFFFFFu);
  EXPECT_EQ(i("-2147483648", 32), 0x80000000u);
  EXPECT_EQ(i("-1", 32), 0xFFFFFFFFu);
  EXPECT_EQ(i("+0x7fff_ffff", 32), 0x7FFFFFFFu);
  EXPECT_EQ(i("0xffff_ffff_ffff_ffff", 64), ~uint64_t{0});
  EXPECT_EQ(i("-0x8000000000000000", 64), uint64_t{1} << 63);
  EXPECT_EQ(i("1_000_000", 32), 1000000u);
  EXPECT_EQ(i_status("4294967296", 32), NumStatus::Range);
  EXPECT_EQ(i_status("-2147483649", 32), NumStatus::Range);
  EXPECT_EQ(i_status("18446744073709551616", 64), NumStatus::Range);
  EXPECT_EQ(i_status("256", 8), NumStatus::Range);
  EXPECT_EQ(i("-128", 8), 0x80u);
}

TEST(TextNumbers, UnderscoresOnlyBetweenDigits) {
  for (const char* bad : {"_1", "1_", "1__0", "0x_1", "0_x1", "0x1_", "+_1", "", "0x", "1a", "0xg"})
    EXPECT_EQ(i_status(bad, 32), NumStatus::Syntax) << bad;
  for (const char* bad : {"1_.0", "1._0", "1.0_", "1e_1", "1e1_", "0x1p_1", "0x1_.p1", ".5", "1e", "0x1p", "0x.1", "1.e+"})
    EXPECT_EQ(f32_status(bad), NumStatus::Syntax) << bad;
}

TEST(TextNumbers, NatRejectsSign) {
  uint64_t v;
  EXPECT_EQ(parse_nat("-1", UINT32_MAX, v), NumStatus::Syntax);
  EXPECT_EQ(parse_nat("+1", UINT32_MAX, v), NumStatus::Syntax);
  EXPECT_EQ(parse_nat("0x1_0000_0000", UINT32_MAX, v), NumStatus::Range);
  EXPECT_EQ(parse_nat("255", 255, v), NumStatus::Ok);
  EXPECT_EQ(v, 255u);
}

TEST(TextNumbers, DecimalFloatsRoundToNearestEven) {
  EXPECT_EQ(f32("1"), 0x3F800000u);
  EXPECT_EQ(f32("1."), 0x3F800000u);
  EXPECT_EQ(f32("-0.0"), 0x80000000u);
  EXPECT_EQ(f32("0.1"), 0x3DCCCCCDu);
  // 2^24 + 1 is a tie between 2^24 and 2^24 + 2: even mantissa wins.
  EXPECT_EQ(f32("16777217"), 0x4B800000u);
  EXPECT_EQ(f32("16777219"), 0x4B800002u);
  EXPECT_EQ(f32("1e-45"), 0x00000001u);  // rounds to the smallest subnormal
  EXPECT_EQ(f32("3.4028235e38"), 0x7F7FFFFFu);
  // The midpoint between the largest float and 2^128 is 3.4028235677973366e38.
  EXPECT_EQ(f32("3.4028235677e38"), 0x7F7FFFFFu);
  EXPECT_EQ(f32_status("3.4028235678e38"), NumStatus::Range);  // rounds to infinity
  EXPECT_EQ(f32_status("1e39"), NumStatus::Range);
  EXPECT_EQ(f64("0.1"), 0x3FB999999999999Aull);
  EXPECT_EQ(f64("1_000.000_1"), f64("1000.0001"));
  EXPECT_EQ(f64("1e-400"), 0u);  // underflow to zero is not an error
}

TEST(TextNumbers, HexFloatsRoundExactlyIncludingSubnormals) {
  EXPECT_EQ(f32("0x1p0"), 0x3F800000u);
  EXPECT_EQ(f32("0x1.8p1"), 0x40400000u);
  EXPECT_EQ(f32_status("0X1p0"), NumStatus::Syntax);  // the prefix is lowercase only
  EXPECT_EQ(f32("0x1.000001p0"), 0x3F800000u);  // tie -> even
  EXPECT_EQ(f32("0x1.000003p0"), 0x3F800002u);  // tie -> even (up)
  EXPECT_EQ(f32("0x1.0000011p0"), 0x3F800001u);  // just above the tie
  EXPECT_EQ(f32("0x1p-149"), 0x00000001u);
  EXPECT_EQ(f32("0x1p-150"), 0x00000000u);  // tie between 0 and min subnormal -> 0
  EXPECT_EQ(f32("0x1.8p-150"), 0x00000001u);
  EXPECT_EQ(f32("0x1.fffffep127"), 0x7F7FFFFFu);
  EXPECT_EQ(f32_status("0x1.ffffffp127"), NumStatus::Range);  // tie rounds up to 2^128
  EXPECT_EQ(f32_status("0x1p128"), NumStatus::Range);
  // A tie in the f64 subnormal range rounds up to the smallest normal.
  EXPECT_EQ(f64("0x1.fffffffffffffp-1023"), 0x0010000000000000ull);
  EXPECT_EQ(f64("0x1p-1074"), 1ull);
  EXPECT_EQ(f64("-0x0p+0"), 0x8000000000000000ull);
  EXPECT_EQ(f64("0x1.fffffffffffff7ffp1023"), 0x7FEFFFFFFFFFFFFFull);
  uint64_t b;
  EXPECT_EQ(parse_f64("0x1.fffffffffffff8p1023", b), NumStatus::Range);  // tie rounds to 2^1024
}

TEST(TextNumbers, InfinityAndNan) {
  EXPECT_EQ(f32("inf"), 0x7F800000u);
  EXPECT_EQ(f32("-inf"), 0xFF800000u);
  EXPECT_EQ(f32("nan"), 0x7FC00000u);
  EXPECT_EQ(f32("-nan"), 0xFFC00000u);
  EXPECT_EQ(f32("nan:0x1"), 0x7F800001u);
  EXPECT_EQ(f32("+nan:0x7f_ffff"), 0x7FFFFFFFu);
  EXPECT_EQ(f32_status("nan:0x0"), NumStatus::Range);
  EXPECT_EQ(f32_status("nan:0x800000"), NumStatus::Range);
  EXPECT_EQ(f32_status("nan:1"), NumStatus::Syntax);
  EXPECT_EQ(f64("nan:0xf_ffff_ffff_ffff"), 0x7FFFFFFFFFFFFFFFull);
  EXPECT_EQ(f64("-nan"), 0xFFF8000000000000ull);
  EXPECT_TRUE(is_number_syntax("-inf"));
  EXPECT_TRUE(is_number_syntax("0x1p+3"));
  EXPECT_FALSE(is_number_syntax("0drop"));
  EXPECT_FALSE(is_number_syntax("1.5.2"));
}

}  // namespace
}  // namespace vivarium::engine::text
