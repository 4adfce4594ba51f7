// Module-level validation (spec 3.4 "Modules" and 3.2 "Types"). Each rule is
// checked once, in the order the spec lists the module's components; function
// bodies come last so that every index space they refer to is already known
// to be well-typed.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "engine/validator/declared_funcs.h"
#include "engine/validator/validator.h"

namespace vivarium::engine {
namespace {

// 2.0 memories are addressed with 32 bits: at most 2^16 pages of 64 KiB.
constexpr uint32_t kMaxPages = 65536;

// Section ids (spec 5.5.2), for locating errors in entities without their own offset.
enum SectionId : uint8_t { kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6, kExport = 7, kStart = 8,
                           kElem = 9, kCode = 10, kData = 11 };

class ModuleValidator {
 public:
  explicit ModuleValidator(const ModuleIR& m) : m_(m) {}

  Result<void> run(bool bodies) {
    // Computed once per module for every body validated after this, here or
    // while lowering (see ModuleIR::declared_funcs).
    collect_declared_funcs(m_, m_.declared_funcs);
    VIV_TRY(imports());
    VIV_TRY(functions());
    VIV_TRY(tables());
    VIV_TRY(memories());
    VIV_TRY(globals());
    VIV_TRY(elems());
    VIV_TRY(datas());
    VIV_TRY(start());
    VIV_TRY(exports());
    if (bodies) VIV_TRY(code());
    return {};
  }

 private:
  const ModuleIR& m_;

  uint64_t section_offset(uint8_t id) const {
    for (const auto& s : m_.sections)
      if (s.id == id) return s.offset;
    return Location::kNone;
  }
  static const char* section_name(uint8_t id) {
    switch (id) {
      case kImport: return "import";
      case kFunction: return "function";
      case kTable: return "table";
      case kMemory: return "memory";
      case kGlobal: return "global";
      case kExport: return "export";
      case kStart: return "start";
      case kElem: return "element";
      case kCode: return "code";
      case kData: return "data";
    }
    return "";
  }
  Error error(ErrorCode code, std::string msg, uint8_t section, uint64_t offset = Location::kNone) const {
    Location loc;
    loc.offset = offset != Location::kNone ? offset : section_offset(section);
    loc.section = section_name(section);
    return Error(code, std::move(msg), std::move(loc));
  }
  // Errors from validate_const_expr carry the offset; add the section.
  static Error in_section(Error e, const char* section) {
    if (e.where().section.empty()) e.where().section = section;
    return e;
  }

  // ---- types (3.2) ----------------------------------------------------------------
  Result<void> limits(const Limits& l, uint64_t bound, const char* too_big, uint8_t section, uint64_t offset) const {
    if (l.min > bound || (l.has_max && l.max > bound)) return error(ErrorCode::Invalid, too_big, section, offset);
    if (l.has_max && l.min > l.max)
      return error(ErrorCode::Invalid, "size minimum must not be greater than maximum", section, offset);
    return {};
  }
  Result<void> table_type(const TableType& t, uint8_t section, uint64_t offset) const {
    // Table limits are u32 by encoding, so only min <= max can fail.
    return limits(t.limits, UINT32_MAX, "table size must be at most 2^32-1", section, offset);
  }
  Result<void> memory_type(const MemoryType& t, uint8_t section, uint64_t offset) const {
    return limits(t.limits, kMaxPages, "memory size must be at most 65536 pages (4GiB)", section, offset);
  }
  Result<void> type_index(uint32_t idx, uint8_t section, uint64_t offset) const {
    if (idx >= m_.types.size()) return error(ErrorCode::UnknownIndex, "unknown type " + std::to_string(idx), section, offset);
    return {};
  }

  // ---- components (3.4) -------------------------------------------------------------
  Result<void> imports() const {
    for (const Import& im : m_.imports) {
      switch (im.kind) {
        case ExternKind::Func: VIV_TRY(type_index(im.type_index, kImport, im.offset)); break;
        case ExternKind::Table: VIV_TRY(table_type(im.table, kImport, im.offset)); break;
        case ExternKind::Memory: VIV_TRY(memory_type(im.memory, kImport, im.offset)); break;
        case ExternKind::Global: break;  // every global type is valid
      }
    }
    return {};
  }
  Result<void> functions() const {
    for (const FuncDef& f : m_.funcs) VIV_TRY(type_index(f.type_index, kFunction, Location::kNone));
    return {};
  }
  Result<void> tables() const {
    for (const TableType& t : m_.tables) VIV_TRY(table_type(t, kTable, Location::kNone));
    return {};
  }
  Result<void> memories() const {
    for (const MemoryType& t : m_.memories) VIV_TRY(memory_type(t, kMemory, Location::kNone));
    // 2.0 allows one memory in all, imported or defined (multi-memory is a later proposal).
    if (m_.total_memories() > 1) return error(ErrorCode::Invalid, "multiple memories", kMemory);
    return {};
  }
  Result<void> globals() const {
    for (const Global& g : m_.globals) {
      auto r = validate_const_expr(m_, g.init, g.type.type, m_.num_imported_globals);
      if (!r.ok()) return in_section(std::move(r).error(), "global");
    }
    return {};
  }
  Result<void> elems() const {
    for (uint32_t i = 0; i < m_.elems.size(); ++i) {
      const ElemSegment& seg = m_.elems[i];
      uint64_t at = seg.offset_in_module;
      if (!is_ref(seg.type)) return error(ErrorCode::TypeMismatch, "type mismatch: element type must be a reference type", kElem, at);
      if (seg.mode == ElemSegment::Active) {
        if (seg.table >= m_.total_tables())
          return error(ErrorCode::UnknownIndex, "unknown table " + std::to_string(seg.table), kElem, at);
        if (m_.table_type(seg.table).elem != seg.type) {
          return error(ErrorCode::TypeMismatch,
                       std::string("type mismatch: element segment of ") + vivarium::to_string(seg.type) +
                           " for a table of " + vivarium::to_string(m_.table_type(seg.table).elem),
                       kElem, at);
        }
        auto r = validate_const_expr(m_, seg.offset, ValType::I32, m_.num_imported_globals);
        if (!r.ok()) return in_section(std::move(r).error(), "element");
      }
      if (seg.uses_exprs) {
        for (const ConstExpr& e : seg.exprs) {
          auto r = validate_const_expr(m_, e, seg.type, m_.num_imported_globals);
          if (!r.ok()) return in_section(std::move(r).error(), "element");
        }
      } else {
        if (seg.type != ValType::FuncRef)
          return error(ErrorCode::TypeMismatch, "type mismatch: function indices need a funcref segment", kElem, at);
        for (uint32_t f : seg.func_indices)
          if (f >= m_.total_funcs())
            return error(ErrorCode::UnknownIndex, "unknown function " + std::to_string(f), kElem, at);
      }
    }
    return {};
  }
  Result<void> datas() const {
    for (const DataSegment& d : m_.datas) {
      if (d.mode != DataSegment::Active) continue;
      if (d.memory >= m_.total_memories())
        return error(ErrorCode::UnknownIndex, "unknown memory " + std::to_string(d.memory), kData, d.offset_in_module);
      auto r = validate_const_expr(m_, d.offset, ValType::I32, m_.num_imported_globals);
      if (!r.ok()) return in_section(std::move(r).error(), "data");
    }
    return {};
  }
  Result<void> start() const {
    if (!m_.start) return {};
    uint32_t f = *m_.start;
    if (f >= m_.total_funcs()) return error(ErrorCode::UnknownIndex, "unknown function " + std::to_string(f), kStart);
    const FuncType& t = m_.func_type(f);
    if (!t.params.empty() || !t.results.empty())
      return error(ErrorCode::Invalid, "start function must have type [] -> [], not " + t.to_string(), kStart);
    return {};
  }
  Result<void> exports() const {
    std::vector<std::string_view> names;
    names.reserve(m_.exports.size());
    for (const Export& ex : m_.exports) {
      uint32_t bound = 0;
      const char* what = "";
      switch (ex.kind) {
        case ExternKind::Func: bound = m_.total_funcs(); what = "function"; break;
        case ExternKind::Table: bound = m_.total_tables(); what = "table"; break;
        case ExternKind::Memory: bound = m_.total_memories(); what = "memory"; break;
        case ExternKind::Global: bound = m_.total_globals(); what = "global"; break;
      }
      if (ex.index >= bound)
        return error(ErrorCode::UnknownIndex, std::string("unknown ") + what + " " + std::to_string(ex.index), kExport);
      names.push_back(ex.name);
    }
    // Sorting finds duplicates in n log n without hashing every name.
    std::sort(names.begin(), names.end());
    auto dup = std::adjacent_find(names.begin(), names.end());
    if (dup != names.end())
      return error(ErrorCode::Invalid, "duplicate export name \"" + std::string(*dup) + "\"", kExport);
    return {};
  }
  Result<void> code() const {
    Instr in;
    for (uint32_t i = 0; i < m_.funcs.size(); ++i) {
      const FuncDef& f = m_.funcs[i];
      FuncValidator v(m_, i);
      InstrReader r(m_.span(f.body), f.body.begin);
      while (!r.at_end()) {
        VIV_TRY(r.next(in));  // a decode error is reported as the decoder made it
        VIV_TRY(v.step(in));
      }
      VIV_TRY(v.finish());
    }
    return {};
  }
};

}  // namespace

Result<void> validate_module(const ModuleIR& module, bool bodies) { return ModuleValidator(module).run(bodies); }

}  // namespace vivarium::engine
