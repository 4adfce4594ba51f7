#include "engine/binary/reader.h"

namespace vivarium::engine {

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

size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  // Lead bytes C0, C1 and F5..FF can only start overlong or out-of-range forms.
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (s.size() - i < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace vivarium::engine
