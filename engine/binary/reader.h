// A bounds-checked cursor over module bytes. Every read either succeeds or
// returns a Malformed error that names the byte offset (relative to the start
// of the module, so messages point at the same byte a hex dump shows).
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "vivarium/error.h"

namespace vivarium::engine {

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
  // One-byte encodings dominate real code, so they take an inlined fast path.
  Result<uint32_t> u32() {
    if (p_ != end_ && *p_ < 0x80) return *p_++;
    return uleb<uint32_t, 32>();
  }
  Result<uint64_t> u64() {
    if (p_ != end_ && *p_ < 0x80) return *p_++;
    return uleb<uint64_t, 64>();
  }
  Result<int32_t> s32() {
    if (p_ != end_ && *p_ < 0x80) return sext7(*p_++);
    return sleb<int32_t, 32>();
  }
  Result<int64_t> s64() {
    if (p_ != end_ && *p_ < 0x80) return sext7(*p_++);
    return sleb<int64_t, 64>();
  }
  Result<int64_t> s33() {
    if (p_ != end_ && *p_ < 0x80) return sext7(*p_++);
    return sleb<int64_t, 33>();
  }

  // A name: u32 length + UTF-8 bytes. "length out of bounds" when the length
  // runs past the input, "malformed UTF-8 encoding" for bad UTF-8.
  Result<std::string_view> name();

  // Moves the cursor to `p`, which must lie in [begin, end] of this reader.
  void skip_to(const uint8_t* p) { p_ = p; }
  const uint8_t* begin() const { return begin_; }
  const uint8_t* end() const { return end_; }
  uint64_t base_offset() const { return base_; }

 private:
  // The low 7 bits of a terminating byte as a signed value.
  static int32_t sext7(uint8_t b) { return static_cast<int32_t>(b) - ((b & 0x40) ? 0x80 : 0); }

  template <class T, int N>
  Result<T> uleb() {
    static_assert(N <= 64 && N <= static_cast<int>(sizeof(T) * 8));
    const uint64_t start = offset();
    uint64_t result = 0;
    for (int shift = 0;; shift += 7) {
      if (p_ == end_) return error(ErrorCode::UnexpectedEnd, "unexpected end");
      const uint8_t b = *p_++;
      if (shift + 7 >= N) {
        // Last permitted byte: no continuation, and only N - shift payload bits.
        if (b & 0x80) return error_at(start, ErrorCode::BadLeb, "integer representation too long");
        const int used = N - shift;  // 1..7
        if (used < 7 && (b >> used) != 0) return error_at(start, ErrorCode::BadLeb, "integer too large");
        return static_cast<T>(result | (static_cast<uint64_t>(b) << shift));
      }
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return static_cast<T>(result);
    }
  }

  template <class T, int N>
  Result<T> sleb() {
    static_assert(N <= 64);
    const uint64_t start = offset();
    uint64_t result = 0;
    for (int shift = 0;; shift += 7) {
      if (p_ == end_) return error(ErrorCode::UnexpectedEnd, "unexpected end");
      const uint8_t b = *p_++;
      if (shift + 7 >= N) {
        if (b & 0x80) return error_at(start, ErrorCode::BadLeb, "integer representation too long");
        const int used = N - shift;  // payload bits that belong to the value, 1..7
        // Bits used-1 .. 6 of the payload are the sign and its extension: all equal.
        const int top = (b & 0x7F) >> (used - 1);
        const int all = (1 << (8 - used)) - 1;
        if (top != 0 && top != all) return error_at(start, ErrorCode::BadLeb, "integer too large");
        result |= static_cast<uint64_t>(b & 0x7F) << shift;
        if constexpr (N < 64) {
          const uint64_t m = uint64_t{1} << (N - 1);
          const uint64_t v = result & ((uint64_t{1} << N) - 1);
          return static_cast<T>(static_cast<int64_t>((v ^ m) - m));
        } else {
          return static_cast<T>(static_cast<int64_t>(result));
        }
      }
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        if (b & 0x40) result |= ~uint64_t{0} << (shift + 7);  // shift + 7 < N <= 64 here
        return static_cast<T>(static_cast<int64_t>(result));
      }
    }
  }

  const uint8_t* p_;
  const uint8_t* begin_;
  const uint8_t* end_;
  uint64_t base_;
};

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), the one definition the decoder, the text lexer and WASI paths use.
// Length of the well-formed sequence starting at s[i] (i < s.size()), or 0.
size_t utf8_sequence_length(std::string_view s, size_t i);
bool is_valid_utf8(std::string_view s);

}  // namespace vivarium::engine
