#include "tools/script/expect.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace vivarium::engine::script {

using vivarium::Ref;
using vivarium::ValType;
using vivarium::Value;

namespace {

// Exponent all ones plus the quiet (most significant fraction) bit.
constexpr uint64_t kQuiet32 = 0x7fc00000u, kAbs32 = 0x7fffffffu;
constexpr uint64_t kQuiet64 = 0x7ff8000000000000ull, kAbs64 = 0x7fffffffffffffffull;

uint64_t lane(const vivarium::V128& v, int lane_bits, size_t i) {
  size_t bytes = static_cast<size_t>(lane_bits / 8);
  uint64_t out = 0;
  std::memcpy(&out, v.bytes + i * bytes, bytes);  // little-endian host
  return out;
}

bool lane_matches(const ExpectedLane& l, uint64_t got, int lane_bits) {
  switch (l.kind) {
    case ExpectedLane::Exact: {
      uint64_t mask = lane_bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << lane_bits) - 1);
      return (got & mask) == (l.bits & mask);
    }
    case ExpectedLane::NanCanonical: return is_canonical_nan(got, lane_bits);
    case ExpectedLane::NanArithmetic: return is_arithmetic_nan(got, lane_bits);
  }
  return false;
}

bool exact(const Value& want, const Value& got) {
  if (want.type() != got.type()) return false;
  switch (want.type()) {
    case ValType::I32: return want.i32() == got.i32();
    case ValType::I64: return want.i64() == got.i64();
    case ValType::F32: return want.f32_bits() == got.f32_bits();
    case ValType::F64: return want.f64_bits() == got.f64_bits();
    case ValType::V128: return want.v128() == got.v128();
    case ValType::FuncRef:
    case ValType::ExternRef: return want.ref() == got.ref();
  }
  return false;
}

std::string lane_str(const ExpectedLane& l, int lane_bits, bool is_float) {
  if (l.kind == ExpectedLane::NanCanonical) return "nan:canonical";
  if (l.kind == ExpectedLane::NanArithmetic) return "nan:arithmetic";
  char buf[64];
  if (is_float && lane_bits == 32) {
    uint32_t b = static_cast<uint32_t>(l.bits);
    float f;
    std::memcpy(&f, &b, 4);
    std::snprintf(buf, sizeof buf, "%a", static_cast<double>(f));
  } else if (is_float) {
    double d;
    std::memcpy(&d, &l.bits, 8);
    std::snprintf(buf, sizeof buf, "%a", d);
  } else {
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, l.bits);
  }
  return buf;
}

}  // namespace

bool is_canonical_nan(uint64_t v, int bits) {
  return bits == 32 ? (v & kAbs32) == kQuiet32 : (v & kAbs64) == kQuiet64;
}

bool is_arithmetic_nan(uint64_t v, int bits) {
  return bits == 32 ? (v & kQuiet32) == kQuiet32 : (v & kQuiet64) == kQuiet64;
}

bool matches(const Expected& e, const Value& v, const ExternResolver& resolve) {
  switch (e.kind) {
    case Expected::Exact: return exact(e.value, v);
    case Expected::NanCanonical:
    case Expected::NanArithmetic: {
      if (v.type() != e.type) return false;
      int bits = e.type == ValType::F32 ? 32 : 64;
      uint64_t got = bits == 32 ? v.f32_bits() : v.f64_bits();
      return e.kind == Expected::NanCanonical ? is_canonical_nan(got, bits) : is_arithmetic_nan(got, bits);
    }
    case Expected::V128Lanes: {
      if (v.type() != ValType::V128 || e.lane_bits == 0) return false;
      size_t count = 128 / e.lane_bits;
      if (e.lanes.size() != count) return false;
      for (size_t i = 0; i < count; ++i) {
        if (!lane_matches(e.lanes[i], lane(v.v128(), e.lane_bits, i), e.lane_bits)) return false;
      }
      return true;
    }
    case Expected::RefNull: return v.type() == e.type && v.ref().is_null();
    case Expected::RefExtern:
      return v.type() == ValType::ExternRef && !v.ref().is_null() && resolve && v.ref() == resolve(e.extern_id);
    case Expected::RefFunc: return v.type() == ValType::FuncRef && !v.ref().is_null();
  }
  return false;
}

std::string describe(const Expected& e) {
  switch (e.kind) {
    case Expected::Exact: return e.value.to_string();
    case Expected::NanCanonical: return std::string(vivarium::to_string(e.type)) + ":nan:canonical";
    case Expected::NanArithmetic: return std::string(vivarium::to_string(e.type)) + ":nan:arithmetic";
    case Expected::V128Lanes: {
      std::string s = "v128 ";
      s += e.lane_float ? "f" : "i";
      s += std::to_string(e.lane_bits) + "x" + std::to_string(e.lane_bits ? 128 / e.lane_bits : 0) + " [";
      for (size_t i = 0; i < e.lanes.size(); ++i) {
        s += (i ? " " : "") + lane_str(e.lanes[i], e.lane_bits, e.lane_float);
      }
      return s + "]";
    }
    case Expected::RefNull: return e.type == ValType::FuncRef ? "ref.null func" : "ref.null extern";
    case Expected::RefExtern: return "ref.extern " + std::to_string(e.extern_id);
    case Expected::RefFunc: return "ref.func";
  }
  return "?";
}

}  // namespace vivarium::engine::script
