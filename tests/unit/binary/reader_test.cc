// Strict LEB128 (spec 5.2.2), names and fixed-width reads of the byte Reader.
#include "engine/binary/reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace vivarium::engine {
namespace {

using Bytes = std::vector<uint8_t>;

#define EXPECT_LEB(method, bytes, expected)                       \
  do {                                                            \
    Bytes b_ = bytes;                                             \
    Reader r_(b_);                                                \
    auto v_ = r_.method();                                        \
    ASSERT_TRUE(v_.ok()) << #bytes << ": " << v_.error().message(); \
    EXPECT_EQ(*v_, expected) << #bytes;                           \
    EXPECT_TRUE(r_.at_end()) << #bytes << " not fully consumed";  \
  } while (0)

#define EXPECT_LEB_ERR(method, bytes, msg)                        \
  do {                                                            \
    Bytes b_ = bytes;                                             \
    Reader r_(b_);                                                \
    auto v_ = r_.method();                                        \
    ASSERT_FALSE(v_.ok()) << #bytes << " decoded";                \
    EXPECT_EQ(v_.error().message(), msg) << #bytes;               \
  } while (0)

#define B(...) (Bytes{__VA_ARGS__})

TEST(ReaderLeb, U32Values) {
  EXPECT_LEB(u32, B(0x00), 0u);
  EXPECT_LEB(u32, B(0x7F), 127u);
  EXPECT_LEB(u32, B(0x80, 0x01), 128u);
  EXPECT_LEB(u32, B(0xE5, 0x8E, 0x26), 624485u);
  // Non-minimal encodings are allowed as long as they fit in 5 bytes.
  EXPECT_LEB(u32, B(0x80, 0x00), 0u);
  EXPECT_LEB(u32, B(0x80, 0x80, 0x80, 0x80, 0x00), 0u);
  EXPECT_LEB(u32, B(0xFF, 0xFF, 0xFF, 0xFF, 0x0F), 0xFFFFFFFFu);
  EXPECT_LEB(u32, B(0x80, 0x80, 0x80, 0x80, 0x08), 0x80000000u);
}

TEST(ReaderLeb, U32Malformed) {
  // A sixth byte is never allowed.
  EXPECT_LEB_ERR(u32, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), "integer representation too long");
  EXPECT_LEB_ERR(u32, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), "integer representation too long");
  // The fifth byte carries only 4 payload bits.
  EXPECT_LEB_ERR(u32, B(0xFF, 0xFF, 0xFF, 0xFF, 0x1F), "integer too large");
  EXPECT_LEB_ERR(u32, B(0x80, 0x80, 0x80, 0x80, 0x10), "integer too large");
  EXPECT_LEB_ERR(u32, B(0x80, 0x80, 0x80, 0x80, 0x70), "integer too large");
  EXPECT_LEB_ERR(u32, B(0x80, 0x80, 0x80, 0x80, 0x40), "integer too large");
  // Truncated.
  EXPECT_LEB_ERR(u32, B(), "unexpected end");
  EXPECT_LEB_ERR(u32, B(0x80), "unexpected end");
  EXPECT_LEB_ERR(u32, B(0xFF, 0xFF, 0xFF, 0xFF), "unexpected end");
}

TEST(ReaderLeb, U64) {
  EXPECT_LEB(u64, B(0x00), 0u);
  EXPECT_LEB(u64, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), ~uint64_t{0});
  EXPECT_LEB(u64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), uint64_t{1} << 63);
  EXPECT_LEB(u64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0u);
  EXPECT_LEB(u64, B(0x80, 0x80, 0x80, 0x80, 0x10), uint64_t{1} << 32);  // u32 would reject this
  EXPECT_LEB_ERR(u64, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02), "integer too large");
  EXPECT_LEB_ERR(u64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E), "integer too large");
  EXPECT_LEB_ERR(u64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
                 "integer representation too long");
  EXPECT_LEB_ERR(u64, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), "unexpected end");
}

TEST(ReaderLeb, S32Values) {
  EXPECT_LEB(s32, B(0x00), 0);
  EXPECT_LEB(s32, B(0x3F), 63);
  EXPECT_LEB(s32, B(0x40), -64);
  EXPECT_LEB(s32, B(0x7F), -1);
  EXPECT_LEB(s32, B(0xC0, 0x00), 64);
  EXPECT_LEB(s32, B(0xBF, 0x7F), -65);
  EXPECT_LEB(s32, B(0xFF, 0xFF, 0xFF, 0xFF, 0x07), std::numeric_limits<int32_t>::max());
  EXPECT_LEB(s32, B(0x80, 0x80, 0x80, 0x80, 0x78), std::numeric_limits<int32_t>::min());
  // Non-minimal but in-range encodings of -1 and 0.
  EXPECT_LEB(s32, B(0xFF, 0xFF, 0xFF, 0xFF, 0x7F), -1);
  EXPECT_LEB(s32, B(0x80, 0x80, 0x80, 0x80, 0x00), 0);
  EXPECT_LEB(s32, B(0xFF, 0x7F), -1);
}

TEST(ReaderLeb, S32Malformed) {
  // Fifth byte: bits 3..6 must all equal the sign bit (bit 3).
  EXPECT_LEB_ERR(s32, B(0xFF, 0xFF, 0xFF, 0xFF, 0x0F), "integer too large");  // 2^31 as positive
  EXPECT_LEB_ERR(s32, B(0x80, 0x80, 0x80, 0x80, 0x70), "integer too large");  // -2^31 - 2^32
  EXPECT_LEB_ERR(s32, B(0xFF, 0xFF, 0xFF, 0xFF, 0x4F), "integer too large");
  EXPECT_LEB_ERR(s32, B(0x80, 0x80, 0x80, 0x80, 0x1F), "integer too large");
  EXPECT_LEB_ERR(s32, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), "integer representation too long");
  EXPECT_LEB_ERR(s32, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), "integer representation too long");
  EXPECT_LEB_ERR(s32, B(0xC0), "unexpected end");
}

TEST(ReaderLeb, S33BlockTypeRange) {
  EXPECT_LEB(s33, B(0x40), -64);
  EXPECT_LEB(s33, B(0xFF, 0xFF, 0xFF, 0xFF, 0x0F), int64_t{0xFFFFFFFF});  // largest type index
  EXPECT_LEB(s33, B(0x80, 0x80, 0x80, 0x80, 0x70), -(int64_t{1} << 32));
  EXPECT_LEB_ERR(s33, B(0x80, 0x80, 0x80, 0x80, 0x10), "integer too large");  // sign bit not extended
  EXPECT_LEB(s33, B(0xFF, 0xFF, 0xFF, 0xFF, 0x7F), -1);
  // Fifth byte: bits 4..6 must equal the sign bit (bit 4).
  EXPECT_LEB_ERR(s33, B(0xFF, 0xFF, 0xFF, 0xFF, 0x1F), "integer too large");
  EXPECT_LEB_ERR(s33, B(0x80, 0x80, 0x80, 0x80, 0x6F), "integer too large");
  EXPECT_LEB_ERR(s33, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), "integer representation too long");
}

TEST(ReaderLeb, S64) {
  EXPECT_LEB(s64, B(0x7F), -1);
  EXPECT_LEB(s64, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00), std::numeric_limits<int64_t>::max());
  EXPECT_LEB(s64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F), std::numeric_limits<int64_t>::min());
  EXPECT_LEB(s64, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), -1);
  EXPECT_LEB(s64, B(0x80, 0x80, 0x80, 0x80, 0x10), int64_t{1} << 32);
  EXPECT_LEB(s64, B(0x80, 0x80, 0x80, 0x80, 0x70), -(int64_t{1} << 32));
  // Tenth byte: only 0x00 or 0x7F.
  EXPECT_LEB_ERR(s64, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), "integer too large");
  EXPECT_LEB_ERR(s64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E), "integer too large");
  EXPECT_LEB_ERR(s64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40), "integer too large");
  EXPECT_LEB_ERR(s64, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F),
                 "integer representation too long");
}

TEST(ReaderLeb, ErrorsPointAtTheIntegerAndAreMalformedPhase) {
  Bytes b = {0xAA, 0x80, 0x80, 0x80, 0x80, 0x10};
  Reader r(b, 100);
  ASSERT_TRUE(r.u8().ok());
  auto v = r.u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().where().offset, 101u);  // module offset of the LEB's first byte
  EXPECT_EQ(v.error().code(), ErrorCode::BadLeb);
  EXPECT_EQ(v.error().phase(), vivarium::Phase::Malformed);
}

// Encodes v minimally, then pads with sign-extension bytes to `pad_to` bytes
// (a legal non-minimal encoding), so both the fast and slow paths are tested.
void encode_s(int64_t v, size_t pad_to, Bytes& out) {
  out.clear();
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
      out.push_back(b);
      break;
    }
    out.push_back(b | 0x80);
  }
  const uint8_t fill = (out.back() & 0x40) ? 0x7F : 0x00;
  while (out.size() < pad_to) {
    out.back() |= 0x80;
    out.push_back(fill);
  }
}

TEST(ReaderLeb, RandomRoundTrips) {
  std::mt19937_64 rng(12345);
  Bytes b;
  for (int i = 0; i < 20000; ++i) {
    const int bits = 1 + static_cast<int>(rng() % 64);
    int64_t v = static_cast<int64_t>(rng());
    v >>= (64 - bits);  // random magnitude, both signs
    for (int pad : {1, 10}) {
      encode_s(v, pad, b);
      Reader r64(b);
      auto x = r64.s64();
      ASSERT_TRUE(x.ok()) << v;
      EXPECT_EQ(*x, v);
      if (v >= INT32_MIN && v <= INT32_MAX && b.size() <= 5) {
        Reader r32(b);
        auto y = r32.s32();
        ASSERT_TRUE(y.ok()) << v;
        EXPECT_EQ(*y, v);
      }
    }
    // Unsigned: a random 32-bit value, padded to 5 bytes.
    uint32_t u = static_cast<uint32_t>(rng()) >> (rng() % 32);
    b.clear();
    uint32_t t = u;
    for (int k = 0; k < 4; ++k, t >>= 7) b.push_back(static_cast<uint8_t>((t & 0x7F) | 0x80));
    b.push_back(static_cast<uint8_t>(t));
    Reader ru(b);
    auto z = ru.u32();
    ASSERT_TRUE(z.ok());
    EXPECT_EQ(*z, u);
  }
}

TEST(ReaderName, LengthAndUtf8) {
  Bytes ok = {0x03, 'a', 'b', 'c'};
  Reader r(ok);
  auto n = r.name();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, "abc");
  EXPECT_TRUE(r.at_end());

  Bytes long_len = {0x05, 'a', 'b'};
  Reader r2(long_len);
  auto n2 = r2.name();
  ASSERT_FALSE(n2.ok());
  EXPECT_EQ(n2.error().message(), "length out of bounds");

  Bytes bad = {0x02, 0xC0, 0x80};  // overlong NUL
  Reader r3(bad);
  auto n3 = r3.name();
  ASSERT_FALSE(n3.ok());
  EXPECT_EQ(n3.error().message(), "malformed UTF-8 encoding");
  EXPECT_EQ(n3.error().where().offset, 1u);
}

TEST(ReaderUtf8, Validity) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));              // U+0080
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));          // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));             // overlong
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));         // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));         // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));     // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(is_valid_utf8("\x80"));                 // lone continuation
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));             // truncated
  EXPECT_FALSE(is_valid_utf8("\xE2\x28\xA1"));         // bad continuation
}

TEST(ReaderFixed, LittleEndianAndBounds) {
  Bytes b = {0x78, 0x56, 0x34, 0x12, 1, 2, 3};
  Reader r(b);
  auto x = r.fixed_u32();
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(*x, 0x12345678u);
  auto y = r.fixed_u32();
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.error().message(), "unexpected end");
  EXPECT_EQ(r.remaining(), 3u);  // a failed read consumes nothing
}

}  // namespace
}  // namespace vivarium::engine
