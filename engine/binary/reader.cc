#include "engine/binary/reader.h"

namespace viv {

Result<std::string_view> Reader::name() {
  VIV_TRY_ASSIGN(uint32_t len, u32());
  uint64_t at = offset();
  // The spec suite calls a length that runs past the input "length out of
  // bounds", unlike a truncated fixed-size read ("unexpected end").
  if (len > remaining()) return error(ErrorCode::UnexpectedEnd, "length out of bounds");
  std::string_view s(reinterpret_cast<const char*>(p_), len);
  p_ += len;
  if (!is_valid_utf8(s)) return error_at(at, ErrorCode::BadUtf8, "malformed UTF-8 encoding");
  return s;
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto* e = p + s.size();
  while (p < e) {
    uint8_t c = *p;
    if (c < 0x80) { ++p; continue; }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (e - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

}  // namespace viv
