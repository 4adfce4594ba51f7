#include "engine/runtime/instantiate.h"

#include <cstring>
#include <string>

#include "engine/runtime/call.h"
#include "engine/memory/linear_memory.h"
#include "engine/runtime/const_expr.h"
#include "engine/runtime/resource_limiter.h"
#include "engine/runtime/store_extras.h"
#include "vivarium/store.h"

namespace vivarium::detail {
namespace {

Error limit_error(const std::string& what) { return Error(ErrorCode::LimitExceeded, what); }

Error segment_trap(const ModuleImpl& m, ErrorCode code, const char* section, uint64_t offset) {
  Location where;
  where.file = m.file;
  where.section = section;
  where.offset = offset;
  return Error(code, trap_message(code), where);
}

// Everything that can fail for lack of resources, done before the store is touched.
struct Allocations {
  std::vector<std::unique_ptr<TableInst>> tables;
  std::vector<std::unique_ptr<MemoryInst>> memories;
};

// What the module's own tables and memories take at their minimums.
ResourceDemand demand_of(const vivarium::engine::ModuleIR& ir) {
  ResourceDemand d;
  d.memories = static_cast<uint32_t>(ir.memories.size());
  d.tables = static_cast<uint32_t>(ir.tables.size());
  for (const TableType& t : ir.tables) d.table_elements += t.limits.min;
  for (const MemoryType& t : ir.memories) d.memory_pages += t.limits.min;
  d.bytes = d.table_elements * kTableElemBytes + d.memory_pages * kWasmPageSize;
  return d;
}

// `guard_memory0`: the module's code needs memory 0's full guard reservation
// (TierArtifact::needs_guard_reservation).
Result<Allocations> allocate_tables_and_memories(StoreImpl& s, const vivarium::engine::ModuleIR& ir, bool guard_memory0) {
  const StoreLimits& limits = s.limits;
  // The whole demand is admitted before the first allocation, so a module
  // declaring thousands of huge tables fails without touching host memory.
  const ResourceDemand demand = demand_of(ir);
  VIV_TRY(admit(s, demand));
  Allocations a;
  a.tables.reserve(ir.tables.size());
  for (const TableType& t : ir.tables) {
    if (t.limits.min > limits.max_table_elements) {
      return limit_error("table minimum of " + std::to_string(t.limits.min) + " elements exceeds the limit of " +
                         std::to_string(limits.max_table_elements) + " elements (StoreLimits::max_table_elements)");
    }
    auto tab = std::make_unique<TableInst>();
    tab->type = t;
    tab->max_elems = t.limits.has_max ? std::min(t.limits.max, limits.max_table_elements) : limits.max_table_elements;
    tab->budget = &s.budget;
    // 2.0 tables start null; a pooling engine reuses a released table's storage.
    tab->elems = s.allocator->allocate_table(t.limits.min, tab->max_elems);
    a.tables.push_back(std::move(tab));
  }
  a.memories.reserve(ir.memories.size());
  for (const MemoryType& t : ir.memories) {
    VIV_TRY_ASSIGN(auto mem, create_memory(t, limits.max_memory_pages, &s.allocator->memory_pages(),
                                           guard_memory0 && ir.num_imported_memories == 0 && a.memories.empty()));
    mem->budget = &s.budget;
    a.memories.push_back(std::move(mem));
  }
  s.budget.take(demand.bytes);  // admitted above; the store is single-threaded
  return a;
}

Result<void> apply_elems(const ModuleImpl& m, InstanceImpl& inst) {
  const vivarium::engine::ModuleIR& ir = *m.ir;
  for (uint32_t i = 0; i < m.elems.size(); ++i) {
    const ElemPlan& p = m.elems[i];
    if (p.mode == vivarium::engine::ElemSegment::Passive) {
      std::vector<void*>& refs = inst.elem_segments[i];
      refs.reserve(p.items.size());
      for (const ConstOp& op : p.items) refs.push_back(eval_ref(op, inst));
      continue;
    }
    if (p.mode != vivarium::engine::ElemSegment::Active) continue;  // declarative: dropped at once
    uint64_t off[2];
    eval_const(p.offset, inst, off);
    uint64_t dst = static_cast<uint32_t>(off[0]);
    TableInst& t = *inst.tables[p.table];
    // table.init's bounds check (spec 4.4.6) precedes any write, even for n = 0.
    if (dst + p.items.size() > t.elems.size()) {
      return segment_trap(m, ErrorCode::TableOutOfBounds, "elem",
                          ir.elems[i].offset_in_module);
    }
    for (size_t k = 0; k < p.items.size(); ++k) t.elems[dst + k] = eval_ref(p.items[k], inst);
  }
  return {};
}

// The image of the module's memory 0 when it defines that memory and every
// active segment for it has a constant offset inside its minimum (so none can
// trap), with enough bytes to pay for an mmap; else null. Built once per
// module, by whichever thread instantiates it first.
const MemoryImage* memory_image(const ModuleImpl& m) {
  std::call_once(m.image_once, [&m] {
    const vivarium::engine::ModuleIR& ir = *m.ir;
    if (ir.num_imported_memories != 0 || ir.memories.empty()) return;
    const uint64_t min_bytes = uint64_t{ir.memories[0].limits.min} * kWasmPageSize;
    std::vector<MemoryImage::Segment> segments;
    uint64_t total = 0;
    for (const DataPlan& p : m.datas) {
      if (p.mode != vivarium::engine::DataSegment::Active) continue;
      if (p.memory != 0 || p.offset.kind != ConstOp::Value) return;
      const uint64_t offset = static_cast<uint32_t>(p.offset.bits[0]);
      if (offset + p.init.size() > min_bytes) return;
      segments.push_back({offset, m.ir->span(p.init)});
      total += p.init.size();
    }
    if (total < MemoryImage::kMinImageBytes) return;
    m.image = MemoryImage::create(segments);
  });
  return m.image.get();
}

// `imaged`: memory 0's active segments are already in place (an image).
Result<void> apply_datas(const ModuleImpl& m, InstanceImpl& inst, bool imaged) {
  const vivarium::engine::ModuleIR& ir = *m.ir;
  for (uint32_t i = 0; i < m.datas.size(); ++i) {
    const DataPlan& p = m.datas[i];
    if (p.mode != vivarium::engine::DataSegment::Active || (imaged && p.memory == 0)) continue;
    uint64_t off[2];
    eval_const(p.offset, inst, off);
    uint64_t dst = static_cast<uint32_t>(off[0]);
    MemoryInst& mem = *inst.memories[p.memory];
    if (dst + p.init.size() > mem.size) {
      return segment_trap(m, ErrorCode::MemoryOutOfBounds, "data",
                          ir.datas[i].offset_in_module);
    }
    if (p.init.size() != 0) std::memcpy(mem.base + dst, ir.bytes.data() + p.init.begin, p.init.size());
  }
  return {};
}

}  // namespace

Result<InstanceImpl*> instantiate_module(Store& store, const std::shared_ptr<const ModuleImpl>& mp,
                                         std::span<const Extern> imports) {
  StoreImpl& s = store.impl();
  StoreImpl::Extras& ex = extras_of(s);
  const ModuleImpl& m = *mp;
  const vivarium::engine::ModuleIR& ir = *m.ir;

  if (ex.instance_count >= s.limits.max_instances) {
    return limit_error("instance limit of " + std::to_string(s.limits.max_instances) +
                       " reached (StoreLimits::max_instances)");
  }
  if (imports.size() != ir.imports.size()) {
    return Error(ErrorCode::Internal, "instantiate: expected " + std::to_string(ir.imports.size()) +
                                          " resolved imports, got " + std::to_string(imports.size()));
  }
  VIV_TRY_ASSIGN(Allocations alloc, allocate_tables_and_memories(s, ir, m.artifact->needs_guard_reservation()));
  bool imaged = false;
  if (s.allocator->use_memory_images() && ir.num_imported_memories == 0 && !alloc.memories.empty()) {
    const MemoryImage* image = memory_image(m);
    imaged = image != nullptr && image->map_into(*alloc.memories[0]);
  }

  // From here on nothing fails until segments are applied.
  auto owned = std::make_unique<InstanceImpl>();
  InstanceImpl& inst = *owned;
  inst.module = mp;
  inst.type_id_table = m.type_ids_in(s.types);
  inst.type_ids = inst.type_id_table->data();
  inst.funcs.reserve(ir.total_funcs());
  inst.tables.reserve(ir.total_tables());
  inst.memories.reserve(ir.total_memories());
  inst.globals.reserve(ir.total_globals());
  for (const Extern& e : imports) {
    switch (static_cast<ExternKind>(e.index())) {
      case ExternKind::Func: inst.funcs.push_back(std::get<Function>(e).raw()); break;
      case ExternKind::Table: inst.tables.push_back(std::get<Table>(e).raw()); break;
      case ExternKind::Memory: inst.memories.push_back(std::get<Memory>(e).raw()); break;
      case ExternKind::Global: inst.globals.push_back(std::get<Global>(e).raw()); break;
    }
  }

  if (!ir.funcs.empty()) {
    std::unique_ptr<FuncInst[]> block(new FuncInst[ir.funcs.size()]);
    for (uint32_t i = 0; i < ir.funcs.size(); ++i) {
      FuncInst& f = block[i];
      uint32_t ti = ir.funcs[i].type_index;
      f.type = &ir.types[ti];
      f.type_id = inst.type_ids[ti];
      f.instance = &inst;
      f.code = m.artifact->code(i);
      f.func_index = ir.num_imported_funcs + i;
      inst.funcs.push_back(&f);
    }
    ex.func_blocks.push_back(std::move(block));
  }
  for (auto& t : alloc.tables) {
    inst.tables.push_back(t.get());
    s.tables.push_back(std::move(t));
  }
  for (auto& mem : alloc.memories) {
    inst.memories.push_back(mem.get());
    s.memories.push_back(std::move(mem));
  }
  if (!ir.globals.empty()) {
    std::unique_ptr<GlobalInst[]> block(new GlobalInst[ir.globals.size()]);
    for (uint32_t i = 0; i < ir.globals.size(); ++i) {
      GlobalInst& g = block[i];
      g.type = ir.globals[i].type;
      // Initializers see imported globals and every function (spec 4.5.4 step 9).
      eval_const(m.global_inits[i], inst, g.slots);
      inst.globals.push_back(&g);
    }
    ex.global_blocks.push_back(std::move(block));
  }

  inst.exports.reserve(m.exports.size());
  for (const ExportDesc& d : m.exports) {
    Extern e;
    switch (d.kind) {
      case ExternKind::Func: e = Function(&store, inst.funcs[d.index]); break;
      case ExternKind::Table: e = Table(&store, inst.tables[d.index]); break;
      case ExternKind::Memory: e = Memory(&store, inst.memories[d.index]); break;
      case ExternKind::Global: e = Global(&store, inst.globals[d.index]); break;
    }
    inst.exports.emplace_back(d.name, e);
  }
  inst.elem_segments.resize(m.elems.size());
  inst.data_live.assign(m.datas.size(), 0);
  for (uint32_t i = 0; i < m.datas.size(); ++i) inst.data_live[i] = m.datas[i].mode == vivarium::engine::DataSegment::Passive;

  s.instances.push_back(std::move(owned));
  ex.instance_set.insert(&inst);
  ++ex.instance_count;

  VIV_TRY(apply_elems(m, inst));
  VIV_TRY(apply_datas(m, inst, imaged));
  if (ir.start) {
    VIV_TRY(call_function(s, *inst.funcs[*ir.start], nullptr, nullptr));
  }
  return &inst;
}

}  // namespace vivarium::detail
