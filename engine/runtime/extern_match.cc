#include "engine/runtime/extern_match.h"

#include "engine/runtime/objects.h"

namespace vivarium::detail {
namespace {

std::string describe_limits(const Limits& l) {
  std::string s = "{min " + std::to_string(l.min);
  if (l.has_max) s += ", max " + std::to_string(l.max);
  return s + "}";
}

// An imported table or memory is typed by its current size (spec 4.5.2:
// external typing reads the instance's type, whose min grows with it).
TableType current_type(const TableInst& t) {
  TableType out = t.type;
  out.limits.min = static_cast<uint32_t>(t.elems.size());
  return out;
}
MemoryType current_type(const MemoryInst& m) {
  MemoryType out = m.type;
  out.limits.min = m.pages;
  return out;
}

ExternKind kind_of_extern(const Extern& e) { return static_cast<ExternKind>(e.index()); }

}  // namespace

std::string describe(const FuncType& t) { return "func " + t.to_string(); }
std::string describe(const TableType& t) {
  return std::string("table ") + to_string(t.elem) + " " + describe_limits(t.limits);
}
std::string describe(const MemoryType& t) { return "memory " + describe_limits(t.limits); }
std::string describe(const GlobalType& t) {
  return t.mut ? std::string("global (mut ") + to_string(t.type) + ")" : std::string("global ") + to_string(t.type);
}

std::string describe_import_type(const ImportDesc& d) {
  switch (d.kind) {
    case ExternKind::Func: return describe(d.func);
    case ExternKind::Table: return describe(d.table);
    case ExternKind::Memory: return describe(d.memory);
    case ExternKind::Global: return describe(d.global);
  }
  return "?";
}

std::string describe_extern(const Extern& e) {
  switch (kind_of_extern(e)) {
    case ExternKind::Func: return describe(*std::get<Function>(e).raw()->type);
    case ExternKind::Table: return describe(current_type(*std::get<Table>(e).raw()));
    case ExternKind::Memory: return describe(current_type(*std::get<Memory>(e).raw()));
    case ExternKind::Global: return describe(std::get<Global>(e).raw()->type);
  }
  return "?";
}

bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (!expected.has_max) return true;
  return actual.has_max && actual.max <= expected.max;
}

Result<void> check_import(const ImportDesc& want, uint32_t want_type_id, const Extern& found) {
  bool ok = false;
  if (kind_of_extern(found) == want.kind) {
    switch (want.kind) {
      case ExternKind::Func:
        ok = std::get<Function>(found).raw()->type_id == want_type_id;
        break;
      case ExternKind::Table: {
        TableType t = current_type(*std::get<Table>(found).raw());
        ok = t.elem == want.table.elem && limits_match(t.limits, want.table.limits);
        break;
      }
      case ExternKind::Memory:
        ok = limits_match(current_type(*std::get<Memory>(found).raw()).limits, want.memory.limits);
        break;
      case ExternKind::Global:
        ok = std::get<Global>(found).raw()->type == want.global;
        break;
    }
  }
  if (ok) return {};
  return Error(ErrorCode::IncompatibleImport, "incompatible import type for " + want.module + "." + want.name +
                                                  ": expected " + describe_import_type(want) + ", found " +
                                                  describe_extern(found));
}

}  // namespace vivarium::detail
