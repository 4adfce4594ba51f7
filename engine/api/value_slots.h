// Public Values <-> the slot layout of host_func.h (one 64-bit slot per value,
// v128 in two, references as pointers), used wherever the API meets the
// interpreter: calls, globals, tables.
#pragma once
#include <cstdint>
#include <cstring>

#include "vivarium/host_func.h"
#include "vivarium/types.h"

namespace vivarium::detail {

inline uint32_t slots_of(ValType t) { return t == ValType::V128 ? 2 : 1; }

inline void to_slots(const Value& v, RawSlot* out) {
  switch (v.type()) {
    case ValType::I32: out[0] = static_cast<uint32_t>(v.i32()); break;
    case ValType::I64: out[0] = static_cast<uint64_t>(v.i64()); break;
    case ValType::F32: out[0] = v.f32_bits(); break;
    case ValType::F64: out[0] = v.f64_bits(); break;
    case ValType::V128: std::memcpy(out, v.v128().bytes, 16); break;
    case ValType::FuncRef:
    case ValType::ExternRef: out[0] = static_cast<RawSlot>(reinterpret_cast<uintptr_t>(v.ref().ptr)); break;
  }
}

inline Value from_slots(ValType t, const RawSlot* in) {
  switch (t) {
    case ValType::I32: return Value::i32(static_cast<int32_t>(static_cast<uint32_t>(in[0])));
    case ValType::I64: return Value::i64(static_cast<int64_t>(in[0]));
    case ValType::F32: return Value::f32_bits(static_cast<uint32_t>(in[0]));
    case ValType::F64: return Value::f64_bits(in[0]);
    case ValType::V128: {
      V128 v;
      std::memcpy(v.bytes, in, 16);
      return Value::v128(v);
    }
    case ValType::FuncRef: return Value::funcref(Ref{reinterpret_cast<void*>(static_cast<uintptr_t>(in[0]))});
    case ValType::ExternRef: return Value::externref(Ref{reinterpret_cast<void*>(static_cast<uintptr_t>(in[0]))});
  }
  return Value();
}

inline void* ref_ptr(const Value& v) { return v.ref().ptr; }

}  // namespace vivarium::detail
