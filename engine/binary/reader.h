// A bounds-checked cursor over module bytes. Every read either succeeds or
// returns a Malformed error that names the byte offset (relative to the start
// of the module, so messages point at the same byte a hex dump shows).
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "vivarium/error.h"

namespace viv {

using vivarium::Error;
using vivarium::ErrorCode;
using vivarium::Location;
using vivarium::Result;

class Reader {
 public:
  // `base_offset` is the module offset of data[0].
  Reader(std::span<const uint8_t> data, uint64_t base_offset = 0)
      : p_(data.data()), begin_(data.data()), end_(data.data() + data.size()), base_(base_offset) {}

  uint64_t offset() const { return base_ + static_cast<uint64_t>(p_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool at_end() const { return p_ == end_; }
  const uint8_t* pos() const { return p_; }

  Error error(ErrorCode code, std::string msg) const { return error_at(offset(), code, std::move(msg)); }
  static Error error_at(uint64_t off, ErrorCode code, std::string msg) {
    Location loc;
    loc.offset = off;
    return Error(code, std::move(msg), loc);
  }

  Result<uint8_t> u8() {
    if (p_ == end_) return error(ErrorCode::UnexpectedEnd, "unexpected end");
    return *p_++;
  }
  Result<uint8_t> peek() const {
    if (p_ == end_) return error(ErrorCode::UnexpectedEnd, "unexpected end");
    return *p_;
  }
  Result<std::span<const uint8_t>> bytes(uint64_t n) {
    if (n > remaining()) return error(ErrorCode::UnexpectedEnd, "unexpected end");
    std::span<const uint8_t> s(p_, n);
    p_ += n;
    return s;
  }
  Result<uint32_t> fixed_u32() {
    VIV_TRY_ASSIGN(auto b, bytes(4));
    uint32_t v;
    std::memcpy(&v, b.data(), 4);
    return v;
  }
  Result<uint64_t> fixed_u64() {
    VIV_TRY_ASSIGN(auto b, bytes(8));
    uint64_t v;
    std::memcpy(&v, b.data(), 8);
    return v;
  }

  // Strict LEB128 (spec 5.2.2): at most ceil(N/7) bytes, and the unused bits
  // of the last byte must be zero (unsigned) or a sign extension (signed).
  Result<uint32_t> u32() { return uleb<uint32_t, 32>(); }
  Result<uint64_t> u64() { return uleb<uint64_t, 64>(); }
  Result<int32_t> s32() { return sleb<int32_t, 32>(); }
  Result<int64_t> s64() { return sleb<int64_t, 64>(); }
  Result<int64_t> s33() { return sleb<int64_t, 33>(); }

  // A name: u32 length + UTF-8 bytes ("malformed UTF-8 encoding" otherwise).
  Result<std::string_view> name();

  void skip_to(const uint8_t* p) { p_ = p; }

 private:
  template <class T, int N>
  Result<T> uleb() {
    uint64_t start = offset();
    T result = 0;
    int shift = 0;
    for (;;) {
      if (p_ == end_) return error_at(offset(), ErrorCode::UnexpectedEnd, "unexpected end");
      uint8_t b = *p_++;
      if (shift + 7 >= N) {
        // Last permitted byte: no continuation bit, and unused bits zero.
        if (b & 0x80) return error_at(start, ErrorCode::BadLeb, "integer representation too long");
        int used = N - shift;
        if (used < 7 && (b >> used) != 0) return error_at(start, ErrorCode::BadLeb, "integer too large");
        result |= static_cast<T>(b) << shift;
        return result;
      }
      result |= static_cast<T>(b & 0x7F) << shift;
      shift += 7;
      if (!(b & 0x80)) return result;
    }
  }
  template <class T, int N>
  Result<T> sleb() {
    uint64_t start = offset();
    uint64_t result = 0;
    int shift = 0;
    for (;;) {
      if (p_ == end_) return error_at(offset(), ErrorCode::UnexpectedEnd, "unexpected end");
      uint8_t b = *p_++;
      if (shift + 7 >= N) {
        if (b & 0x80) return error_at(start, ErrorCode::BadLeb, "integer representation too long");
        int used = N - shift;  // bits of payload that still belong to the value (1..7)
        // The remaining 7-used bits (and the value's sign bit) must all be equal.
        int8_t sb = static_cast<int8_t>(b << 1) >> 1;  // sign-extend 7-bit payload
        int64_t hi = static_cast<int64_t>(sb) >> (used - 1);
        if (hi != 0 && hi != -1) return error_at(start, ErrorCode::BadLeb, "integer too large");
        result |= static_cast<uint64_t>(b & 0x7F) << shift;
        shift += 7;
        break;
      }
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      shift += 7;
      if (!(b & 0x80)) {
        if (shift < 64 && (b & 0x40)) result |= ~uint64_t{0} << shift;
        return static_cast<T>(static_cast<int64_t>(result));
      }
    }
    // Sign-extend from N bits.
    if (N < 64) {
      uint64_t m = uint64_t{1} << (N - 1);
      uint64_t v = result & ((uint64_t{1} << N) - 1);
      return static_cast<T>(static_cast<int64_t>((v ^ m) - m));
    }
    return static_cast<T>(static_cast<int64_t>(result));
  }

  const uint8_t* p_;
  const uint8_t* begin_;
  const uint8_t* end_;
  uint64_t base_;
};

// Checks UTF-8 per the Unicode standard (no overlongs, surrogates or > U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace viv
