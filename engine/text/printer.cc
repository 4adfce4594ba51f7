#include "engine/text/printer.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/binary/instr.h"
#include "engine/text/lexer.h"

namespace vivarium::engine {
namespace {

// "$name" when the name can be written as an identifier, else the number.
std::string ref(const std::unordered_map<uint32_t, std::string>* names, uint32_t index) {
  if (names) {
    auto it = names->find(index);
    if (it != names->end() && !it->second.empty()) {
      bool ok = true;
      for (unsigned char c : it->second) ok &= text::is_idchar(c);
      if (ok) return "$" + it->second;
    }
  }
  return std::to_string(index);
}

// Float literals that read back to the same bits: shortest round-trip
// decimal for finite values, nan:0x payloads for non-canonical NaNs.
std::string float_text(uint64_t bits, bool is_f32) {
  const unsigned mant_bits = is_f32 ? 23 : 52;
  const uint64_t sign = bits >> (is_f32 ? 31 : 63);
  const uint64_t exp_mask = is_f32 ? 0xFF : 0x7FF;
  const uint64_t exp = (bits >> mant_bits) & exp_mask;
  const uint64_t mant = bits & ((uint64_t{1} << mant_bits) - 1);
  std::string s = sign ? "-" : "";
  if (exp == exp_mask) {
    if (mant == 0) return s + "inf";
    if (mant == (uint64_t{1} << (mant_bits - 1))) return s + "nan";
    char buf[32];
    std::snprintf(buf, sizeof buf, "nan:0x%" PRIx64, mant);
    return s + buf;
  }
  char buf[64];
  if (is_f32) {
    float f;
    uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&f, &b, 4);
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
  } else {
    double d;
    std::memcpy(&d, &bits, 8);
    std::snprintf(buf, sizeof buf, "%.17g", d);
  }
  return buf;
}

std::string blocktype_text(const ModuleIR& m, const BlockType& bt) {
  switch (bt.kind) {
    case BlockType::Empty: return "";
    case BlockType::Value: return std::string(" (result ") + vivarium::to_string(bt.value) + ")";
    case BlockType::TypeIndex: {
      std::string s = " (type " + std::to_string(bt.type_index) + ")";
      if (bt.type_index < m.types.size()) s += " (; " + m.types[bt.type_index].to_string() + " ;)";
      return s;
    }
  }
  return "";
}

std::string memarg_text(const MemArg& a, uint8_t natural_log2) {
  std::string s;
  if (a.offset) s += " offset=" + std::to_string(a.offset);
  if (a.align != natural_log2) s += " align=" + std::to_string(uint64_t{1} << a.align);
  return s;
}

// The immediates of one instruction, with a leading space when non-empty.
std::string immediates(const ModuleIR& m, uint32_t func_index, const Instr& in) {
  const OpInfo& oi = info(in.op);
  const auto* locals = [&]() -> const std::unordered_map<uint32_t, std::string>* {
    auto it = m.local_names.find(func_index);
    return it == m.local_names.end() ? nullptr : &it->second;
  }();
  switch (oi.imm) {
    case ImmKind::None:
    case ImmKind::Mem:
    case ImmKind::MemoryCopy:
      return "";
    case ImmKind::Block:
      return blocktype_text(m, in.block);
    case ImmKind::Label:
    case ImmKind::Global:
    case ImmKind::Elem:
    case ImmKind::Data:
    case ImmKind::MemoryInit:
      return " " + std::to_string(in.index);
    case ImmKind::Table:
      return in.index ? " " + std::to_string(in.index) : "";
    case ImmKind::LabelTable: {
      std::string s;
      for (uint32_t t : in.br_targets) s += " " + std::to_string(t);
      return s;
    }
    case ImmKind::Func:
      return " " + ref(&m.func_names, in.index);
    case ImmKind::CallIndirect: {
      std::string s = in.index2 ? " " + std::to_string(in.index2) : "";
      s += " (type " + std::to_string(in.index) + ")";
      return s;
    }
    case ImmKind::Local:
      return " " + ref(locals, in.index);
    case ImmKind::MemArg:
      return memarg_text(in.mem, oi.aux);
    case ImmKind::MemArgLane:
      return memarg_text(in.mem, oi.aux) + " " + std::to_string(in.lane);
    case ImmKind::TableInit:
      return (in.index2 ? " " + std::to_string(in.index2) : "") + " " + std::to_string(in.index);
    case ImmKind::TableCopy:
      return in.index || in.index2 ? " " + std::to_string(in.index) + " " + std::to_string(in.index2) : "";
    case ImmKind::I32:
      return " " + std::to_string(in.i32);
    case ImmKind::I64:
      return " " + std::to_string(in.i64);
    case ImmKind::F32:
      return " " + float_text(in.f32_bits, true);
    case ImmKind::F64:
      return " " + float_text(in.f64_bits, false);
    case ImmKind::V128: {
      std::string s = " i32x4";
      for (int i = 0; i < 4; ++i) {
        uint32_t w;
        std::memcpy(&w, in.v128.bytes + 4 * i, 4);
        char buf[16];
        std::snprintf(buf, sizeof buf, " 0x%08" PRIx32, w);
        s += buf;
      }
      return s;
    }
    case ImmKind::Shuffle: {
      std::string s;
      for (uint8_t b : in.v128.bytes) s += " " + std::to_string(b);
      return s;
    }
    case ImmKind::Lane:
      return " " + std::to_string(in.lane);
    case ImmKind::RefType:
      return in.ref_type == ValType::FuncRef ? " func" : " extern";
    case ImmKind::SelectT: {
      std::string s = " (result";
      for (ValType t : in.select_types) s += std::string(" ") + vivarium::to_string(t);
      return s + ")";
    }
  }
  return "";
}

}  // namespace

std::string print_function_body(const ModuleIR& m, uint32_t defined_index) {
  if (defined_index >= m.funcs.size()) return "";
  const FuncDef& f = m.funcs[defined_index];
  const uint32_t func_index = m.num_imported_funcs + defined_index;
  InstrReader r(m.span(f.body), f.body.begin);
  std::string out;
  int depth = 0;
  Instr in;
  while (!r.at_end()) {
    if (!r.read(in)) {
      out += "(; error: " + r.error().message() + " ;)\n";
      break;
    }
    if (in.op == Op::end && depth == 0) break;  // the function's own end
    if (in.op == Op::end || in.op == Op::else_) --depth;
    out.append(static_cast<size_t>(2 * (depth > 0 ? depth : 0)), ' ');
    out += name(in.op);
    out += immediates(m, func_index, in);
    out += '\n';
    if (in.op == Op::block || in.op == Op::loop || in.op == Op::if_ || in.op == Op::else_) ++depth;
  }
  return out;
}

std::string print_function(const ModuleIR& m, uint32_t defined_index) {
  if (defined_index >= m.funcs.size()) return "";
  const FuncDef& f = m.funcs[defined_index];
  const uint32_t func_index = m.num_imported_funcs + defined_index;
  auto it = m.local_names.find(func_index);
  const auto* locals = it == m.local_names.end() ? nullptr : &it->second;
  std::string s = "(func";
  auto fn = m.func_names.find(func_index);
  if (fn != m.func_names.end()) {
    std::string r = ref(&m.func_names, func_index);
    if (r[0] == '$') s += " " + r;
  }
  s += " (type " + std::to_string(f.type_index) + ")";
  uint32_t local = 0;
  if (f.type_index < m.types.size()) {
    const FuncType& ft = m.types[f.type_index];
    for (ValType t : ft.params) {
      std::string r = ref(locals, local++);
      s += std::string(" (param ") + (r[0] == '$' ? r + " " : "") + vivarium::to_string(t) + ")";
    }
    if (!ft.results.empty()) {
      s += " (result";
      for (ValType t : ft.results) s += std::string(" ") + vivarium::to_string(t);
      s += ")";
    }
  }
  s += "\n";
  for (const auto& [count, type] : f.local_groups) {
    for (uint32_t i = 0; i < count; ++i) {
      std::string r = ref(locals, local++);
      s += std::string("  (local ") + (r[0] == '$' ? r + " " : "") + vivarium::to_string(type) + ")\n";
      if (i == 16 && count > 32) {  // keep huge local runs readable
        s += "  (; ... " + std::to_string(count - i - 1) + " more " + vivarium::to_string(type) + " ;)\n";
        local += count - i - 1;
        break;
      }
    }
  }
  std::string body = print_function_body(m, defined_index);
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    s += "  " + body.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  return s + ")\n";
}

}  // namespace vivarium::engine
