// Appends binary-format encodings (LEB128, names, vectors) to a byte buffer.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "vivarium/types.h"

namespace vivarium::engine::text {

using Bytes = std::vector<uint8_t>;

inline void put_u8(Bytes& b, uint8_t v) { b.push_back(v); }

inline void put_u32(Bytes& b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    if (v) byte |= 0x80;
    b.push_back(byte);
  } while (v);
}

inline void put_s64(Bytes& b, int64_t v) {
  for (;;) {
    uint8_t byte = v & 0x7F;
    v >>= 7;  // arithmetic shift keeps the sign
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    b.push_back(byte);
    if (done) return;
  }
}

inline void put_fixed(Bytes& b, const void* p, size_t n) {
  const uint8_t* s = static_cast<const uint8_t*>(p);
  b.insert(b.end(), s, s + n);
}

inline void put_bytes(Bytes& b, std::string_view s) {
  b.insert(b.end(), s.begin(), s.end());
}

inline void put_name(Bytes& b, std::string_view s) {
  put_u32(b, s.size());
  put_bytes(b, s);
}

// A section: id, size, contents.
inline void put_section(Bytes& out, uint8_t id, const Bytes& contents) {
  out.push_back(id);
  put_u32(out, contents.size());
  out.insert(out.end(), contents.begin(), contents.end());
}

inline void put_valtype(Bytes& b, vivarium::ValType t) { b.push_back(static_cast<uint8_t>(t)); }

inline void put_limits(Bytes& b, const vivarium::Limits& l) {
  put_u8(b, l.has_max ? 0x01 : 0x00);
  put_u32(b, l.min);
  if (l.has_max) put_u32(b, l.max);
}

// `i32.const 0; end`: the offset of the segments that inline elem/data create.
inline Bytes zero_offset() { return Bytes{0x41, 0x00, 0x0B}; }

}  // namespace vivarium::engine::text
