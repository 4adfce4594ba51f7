#include "tests/fuzz/dummy_imports.h"

#include <algorithm>

namespace vivarium::engine::fuzz {

using namespace vivarium;

bool define_dummy_imports(Linker& linker, Store& store, const Module& module) {
  for (const ImportDesc& im : module.imports()) {
    switch (im.kind) {
      case ExternKind::Func: {
        HostFuncDef def;
        def.type = im.func;
        size_t slots = 0;
        for (ValType t : im.func.results) slots += t == ValType::V128 ? 2 : 1;
        def.fn = [slots](Caller&, const RawSlot*, RawSlot* results) -> Result<void> {
          std::fill(results, results + slots, RawSlot{0});
          return {};
        };
        linker.define(im.module, im.name, std::move(def));
        break;
      }
      case ExternKind::Memory: {
        auto m = new_memory(store, im.memory);
        if (!m.ok()) return false;
        linker.define(im.module, im.name, Extern(m.value()));
        break;
      }
      case ExternKind::Table: {
        auto t = new_table(store, im.table, Value::null_of(im.table.elem));
        if (!t.ok()) return false;
        linker.define(im.module, im.name, Extern(t.value()));
        break;
      }
      case ExternKind::Global: {
        auto g = new_global(store, im.global, Value::zero_of(im.global.type));
        if (!g.ok()) return false;
        linker.define(im.module, im.name, Extern(g.value()));
        break;
      }
    }
  }
  return true;
}

}  // namespace vivarium::engine::fuzz
