// ModuleIR index-space accessors. Imports come first in every index space
// (spec 2.5.1), so an index below the import count names the n-th import of
// that kind, and the rest index the module's own definitions.
#include "engine/module/module.h"

#include <string>

namespace vivarium::engine {
namespace {

// The n-th import of `kind`. Callers guarantee n < the import count of that kind.
const Import& nth_import(const ModuleIR& m, ExternKind kind, uint32_t n) {
  const auto& slots = m.import_slots[static_cast<size_t>(kind)];
  if (n < slots.size()) return m.imports[slots[n]];
  for (const Import& im : m.imports) {
    if (im.kind != kind) continue;
    if (n == 0) return im;
    --n;
  }
  // Unreachable for a range-checked index; fail loudly rather than read garbage.
  __builtin_trap();
}

}  // namespace

const FuncType& ModuleIR::func_type(uint32_t func_index) const {
  if (func_index < num_imported_funcs) return types[nth_import(*this, ExternKind::Func, func_index).type_index];
  return types[funcs[func_index - num_imported_funcs].type_index];
}

TableType ModuleIR::table_type(uint32_t table_index) const {
  if (table_index < num_imported_tables) return nth_import(*this, ExternKind::Table, table_index).table;
  return tables[table_index - num_imported_tables];
}

MemoryType ModuleIR::memory_type(uint32_t memory_index) const {
  if (memory_index < num_imported_memories) return nth_import(*this, ExternKind::Memory, memory_index).memory;
  return memories[memory_index - num_imported_memories];
}

GlobalType ModuleIR::global_type(uint32_t global_index) const {
  if (global_index < num_imported_globals) return nth_import(*this, ExternKind::Global, global_index).global;
  return globals[global_index - num_imported_globals].type;
}

std::string ModuleIR::func_display_name(uint32_t func_index) const {
  auto it = func_names.find(func_index);
  if (it != func_names.end() && !it->second.empty()) return "$" + it->second;
  // No name section entry (stripped builds): an export name still tells the
  // user which function trapped.
  std::string s = "func[" + std::to_string(func_index) + "]";
  for (const Export& e : exports) {
    if (e.kind == ExternKind::Func && e.index == func_index) return s + " (export \"" + e.name + "\")";
  }
  return s;
}

}  // namespace vivarium::engine
