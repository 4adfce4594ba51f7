// Value types and values as the public API sees them.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vivarium {

// Encoded as in the binary format, so a decoded byte converts directly.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

constexpr bool is_num(ValType t) { return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64; }
constexpr bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
const char* to_string(ValType t);  // "i32", "funcref", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  // "(i32, i64) -> (f32)"
};

struct Limits {
  uint32_t min = 0;
  bool has_max = false;
  uint32_t max = 0;
  bool operator==(const Limits&) const = default;
};

struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
  bool operator==(const TableType&) const = default;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
  bool operator==(const MemoryType&) const = default;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
  bool operator==(const GlobalType&) const = default;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* to_string(ExternKind k);

struct alignas(16) V128 {
  uint8_t bytes[16] = {};
  bool operator==(const V128& o) const { return std::memcmp(bytes, o.bytes, 16) == 0; }
};

// A reference: null, a function (opaque handle owned by a Store), or a host
// value (externref) the embedder chose. Compared by identity.
struct Ref {
  void* ptr = nullptr;
  bool is_null() const { return ptr == nullptr; }
  bool operator==(const Ref&) const = default;
};

class Value {
 public:
  Value() : type_(ValType::I32) {}
  static Value i32(int32_t v) { Value x(ValType::I32); x.u_.i32 = v; return x; }
  static Value i64(int64_t v) { Value x(ValType::I64); x.u_.i64 = v; return x; }
  static Value f32(float v) { Value x(ValType::F32); x.u_.f32 = v; return x; }
  static Value f64(double v) { Value x(ValType::F64); x.u_.f64 = v; return x; }
  static Value f32_bits(uint32_t b) { Value x(ValType::F32); std::memcpy(&x.u_.f32, &b, 4); return x; }
  static Value f64_bits(uint64_t b) { Value x(ValType::F64); std::memcpy(&x.u_.f64, &b, 8); return x; }
  static Value v128(const V128& v) { Value x(ValType::V128); x.u_.v128 = v; return x; }
  static Value funcref(Ref r) { Value x(ValType::FuncRef); x.u_.ref = r; return x; }
  static Value externref(Ref r) { Value x(ValType::ExternRef); x.u_.ref = r; return x; }
  static Value null_of(ValType t) { Value x(t); return x; }
  static Value zero_of(ValType t) { return Value(t); }

  ValType type() const { return type_; }
  int32_t i32() const { return u_.i32; }
  int64_t i64() const { return u_.i64; }
  float f32() const { return u_.f32; }
  double f64() const { return u_.f64; }
  uint32_t f32_bits() const { uint32_t b; std::memcpy(&b, &u_.f32, 4); return b; }
  uint64_t f64_bits() const { uint64_t b; std::memcpy(&b, &u_.f64, 8); return b; }
  const V128& v128() const { return u_.v128; }
  Ref ref() const { return u_.ref; }

  std::string to_string() const;  // "i32:42", "f64:0x1p+0", "funcref:null", ...

 private:
  explicit Value(ValType t) : type_(t) {}
  ValType type_;
  union U {
    U() : v128() {}
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    V128 v128;
    Ref ref;
  } u_;
};

// Raw calling convention shared by host functions and every execution tier:
// one 64-bit slot per value, v128 in two slots (low half first), references
// as pointers. Results are written in the same layout.
using RawSlot = uint64_t;

// One section of a module's binary, as `vivarium inspect` lists it.
struct SectionInfo {
  std::string name;   // "type", "code", "custom:name", ...
  uint8_t id = 0;
  uint64_t offset = 0;  // of the section's contents
  uint64_t size = 0;
};

}  // namespace vivarium
