#include <cinttypes>
#include <cstdio>

#include "vivarium/types.h"

namespace vivarium {

const char* to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "<unknown type>";
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "<unknown kind>";
}

std::string FuncType::to_string() const {
  auto list = [](const std::vector<ValType>& v) {
    std::string s = "(";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::string(vivarium::to_string(v[i]));
    return s + ")";
  };
  return list(params) + " -> " + list(results);
}

std::string Value::to_string() const {
  char buf[96];
  switch (type_) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "i32:%" PRId32, u_.i32); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "i64:%" PRId64, u_.i64); break;
    case ValType::F32: std::snprintf(buf, sizeof buf, "f32:%a (0x%08" PRIx32 ")", static_cast<double>(u_.f32), f32_bits()); break;
    case ValType::F64: std::snprintf(buf, sizeof buf, "f64:%a (0x%016" PRIx64 ")", u_.f64, f64_bits()); break;
    case ValType::V128: {
      std::string s = "v128:0x";
      for (int i = 15; i >= 0; --i) {
        std::snprintf(buf, sizeof buf, "%02x", u_.v128.bytes[i]);
        s += buf;
      }
      return s;
    }
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (u_.ref.is_null()) std::snprintf(buf, sizeof buf, "%s:null", vivarium::to_string(type_));
      else std::snprintf(buf, sizeof buf, "%s:%p", vivarium::to_string(type_), u_.ref.ptr);
      break;
  }
  return buf;
}

}  // namespace vivarium
