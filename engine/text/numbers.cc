#include "engine/text/numbers.h"

#include <locale.h>
#include <stdlib.h>

#include <cmath>
#include <cstring>
#include <string>

namespace vivarium::engine::text {
namespace {

bool is_dec(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
unsigned hex_digit(char c) {
  if (is_dec(c)) return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  return static_cast<unsigned>(c - 'A' + 10);
}

// Consumes `digit (_? digit)*` from s at i, appending the digits to out.
// Returns false when there is not at least one digit or an `_` is misplaced.
bool digits(std::string_view s, size_t& i, bool hex, std::string* out) {
  auto ok = [&](char c) { return hex ? is_hex(c) : is_dec(c); };
  if (i >= s.size() || !ok(s[i])) return false;
  for (;;) {
    if (out) out->push_back(s[i]);
    ++i;
    if (i < s.size() && s[i] == '_') {
      if (i + 1 >= s.size() || !ok(s[i + 1])) return false;
      ++i;
    } else if (i >= s.size() || !ok(s[i])) {
      return true;
    }
  }
}

// Magnitude of an unsigned literal (decimal or 0x hex), saturating: `overflow`
// is set when it exceeds 2^64-1.
NumStatus magnitude(std::string_view s, uint64_t& out, bool& overflow) {
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  size_t i = hex ? 2 : 0;
  std::string d;
  if (!digits(s, i, hex, &d) || i != s.size()) return NumStatus::Syntax;
  uint64_t v = 0;
  overflow = false;
  unsigned base = hex ? 16 : 10;
  for (char c : d) {
    unsigned dv = hex_digit(c);
    if (v > (UINT64_MAX - dv) / base) overflow = true;
    v = v * base + dv;
  }
  out = v;
  return NumStatus::Ok;
}

locale_t c_locale() {
  // Float parsing must not depend on the process locale's decimal point.
  static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return loc;
}

// Checks the float grammar and produces a string strtod understands, or
// returns Syntax. Handles finite literals only (inf/nan are done by callers).
NumStatus clean_float(std::string_view s, std::string& out) {
  size_t i = 0;
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  if (hex) {
    out += "0x";
    i = 2;
  }
  if (!digits(s, i, hex, &out)) return NumStatus::Syntax;
  if (i < s.size() && s[i] == '.') {
    ++i;
    out.push_back('.');
    if (i < s.size() && (hex ? is_hex(s[i]) : is_dec(s[i])))
      if (!digits(s, i, hex, &out)) return NumStatus::Syntax;
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    out.push_back(hex ? 'p' : 'e');
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) out.push_back(s[i++]);
    if (!digits(s, i, false, &out)) return NumStatus::Syntax;
  }
  if (i != s.size()) return NumStatus::Syntax;
  return NumStatus::Ok;
}

template <class Bits>
NumStatus parse_float(std::string_view text, Bits& bits, unsigned mant_bits, unsigned exp_bits) {
  bool neg = false;
  std::string_view s = text;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  const Bits sign = neg ? Bits{1} << (mant_bits + exp_bits) : 0;
  const Bits exp_all = ((Bits{1} << exp_bits) - 1) << mant_bits;
  if (s == "inf") {
    bits = sign | exp_all;
    return NumStatus::Ok;
  }
  if (s == "nan") {
    bits = sign | exp_all | (Bits{1} << (mant_bits - 1));
    return NumStatus::Ok;
  }
  if (s.substr(0, 4) == "nan:") {
    std::string_view p = s.substr(4);
    if (p.size() < 3 || p[0] != '0' || p[1] != 'x') return NumStatus::Syntax;
    uint64_t payload;
    bool overflow;
    if (magnitude(p, payload, overflow) != NumStatus::Ok) return NumStatus::Syntax;
    if (overflow || payload == 0 || payload >= (uint64_t{1} << mant_bits)) return NumStatus::Range;
    bits = sign | exp_all | static_cast<Bits>(payload);
    return NumStatus::Ok;
  }
  if (s.empty() || !is_dec(s[0])) return NumStatus::Syntax;
  std::string clean;
  if (neg) clean.push_back('-');
  if (clean_float(s, clean) != NumStatus::Ok) return NumStatus::Syntax;
  if constexpr (sizeof(Bits) == 4) {
    float f = strtof_l(clean.c_str(), nullptr, c_locale());
    if (std::isinf(f)) return NumStatus::Range;
    std::memcpy(&bits, &f, 4);
  } else {
    double d = strtod_l(clean.c_str(), nullptr, c_locale());
    if (std::isinf(d)) return NumStatus::Range;
    std::memcpy(&bits, &d, 8);
  }
  return NumStatus::Ok;
}

}  // namespace

NumStatus parse_nat(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty() || !is_dec(text[0])) return NumStatus::Syntax;
  bool overflow;
  NumStatus st = magnitude(text, out, overflow);
  if (st != NumStatus::Ok) return st;
  if (overflow || out > max) return NumStatus::Range;
  return NumStatus::Ok;
}

NumStatus parse_int(std::string_view text, unsigned bits, uint64_t& out) {
  bool neg = false;
  std::string_view s = text;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || !is_dec(s[0])) return NumStatus::Syntax;
  uint64_t mag;
  bool overflow;
  NumStatus st = magnitude(s, mag, overflow);
  if (st != NumStatus::Ok) return st;
  if (overflow) return NumStatus::Range;
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  if (neg) {
    if (mag > (uint64_t{1} << (bits - 1))) return NumStatus::Range;
    out = (0 - mag) & mask;
  } else {
    if (mag > mask) return NumStatus::Range;
    out = mag;
  }
  return NumStatus::Ok;
}

bool is_number_syntax(std::string_view text) {
  uint64_t v;
  if (parse_int(text, 64, v) != NumStatus::Syntax) return true;
  return parse_f64(text, v) != NumStatus::Syntax;
}

NumStatus parse_f32(std::string_view text, uint32_t& bits) { return parse_float<uint32_t>(text, bits, 23, 8); }
NumStatus parse_f64(std::string_view text, uint64_t& bits) { return parse_float<uint64_t>(text, bits, 52, 11); }

}  // namespace vivarium::engine::text
