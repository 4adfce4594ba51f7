// The compiled module behind vivarium::Module: decoded IR, lowered function
// bodies and everything instantiation needs, precomputed once. Immutable after
// compile, so any number of threads may instantiate it at the same time; the
// edge server instantiates once per request, so work moves here whenever it
// can (interned type ids, decoded constant expressions, export lookup).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/memory/memory_image.h"
#include "engine/module/module.h"
#include "engine/runtime/type_registry.h"
#include "engine/tier/tier.h"
#include "vivarium/module.h"

namespace vivarium::detail {

// A constant expression (spec 3.3.10) decoded ahead of time. In 2.0 a valid
// constant expression is exactly one constant instruction, so one op suffices.
struct ConstOp {
  enum Kind : uint8_t { Value, RefNull, RefFunc, GlobalGet } kind = Value;
  ValType type = ValType::I32;  // result type
  uint32_t index = 0;           // RefFunc: function index; GlobalGet: global index
  uint64_t bits[2] = {0, 0};    // Value: the constant in slot layout (v128 uses both)
};

struct ElemPlan {
  vivarium::engine::ElemSegment::Mode mode = vivarium::engine::ElemSegment::Active;
  ValType type = ValType::FuncRef;
  uint32_t table = 0;
  ConstOp offset;               // Active only
  std::vector<ConstOp> items;   // each evaluates to a reference
};

struct DataPlan {
  vivarium::engine::DataSegment::Mode mode = vivarium::engine::DataSegment::Active;
  uint32_t memory = 0;
  ConstOp offset;               // Active only
  vivarium::engine::Span init;               // bytes in ir->bytes
};

// Always owned by a shared_ptr (Module, InstanceImpl::module); instances take
// a reference through shared_from_this().
struct ModuleImpl : std::enable_shared_from_this<ModuleImpl> {
  std::unique_ptr<vivarium::engine::ModuleIR> ir;
  std::string file;                           // CompileOptions::file, for errors
  const Tier* tier = nullptr;                 // compiled `artifact`, runs its functions
  std::unique_ptr<TierArtifact> artifact;     // one entry per defined function
  std::vector<ImportDesc> imports;
  std::vector<ExportDesc> exports;
  std::unordered_map<std::string_view, uint32_t> export_index;  // name -> exports[i]; views into exports
  std::vector<ConstOp> global_inits;          // one per defined global
  std::vector<ElemPlan> elems;
  std::vector<DataPlan> datas;

  // Copy-on-write image of memory 0's active data segments, built on first
  // use by a pooling engine (memory_image() in engine/runtime/instantiate.cc);
  // null when the module does not qualify or it would not pay.
  mutable std::once_flag image_once;
  mutable std::unique_ptr<MemoryImage> image;

  // Ids of ir->types in `reg` (an engine's TypeRegistry), made on the first
  // instantiation in a store of that engine and cached (one entry per engine).
  std::shared_ptr<const std::vector<uint32_t>> type_ids_in(const std::shared_ptr<TypeRegistry>& reg) const;
  mutable std::mutex type_ids_mu;
  mutable std::vector<std::pair<std::weak_ptr<TypeRegistry>, std::shared_ptr<const std::vector<uint32_t>>>>
      type_ids_by_engine;

  const vivarium::engine::ModuleIR& module() const { return *ir; }
  // Bytes of data segment i (memory.init reads them).
  std::span<const uint8_t> data_bytes(uint32_t i) const { return ir->span(datas[i].init); }
};

}  // namespace vivarium::detail
