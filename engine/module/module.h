// The decoded module: what the binary says, nothing more. Produced by the
// decoder, read (never written) by the validator, the interpreter's lowering
// and the runtime. Function bodies are not copied: they are byte ranges into
// `bytes`.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/binary/instr.h"
#include "vivarium/error.h"
#include "vivarium/types.h"

namespace vivarium::engine {

using vivarium::ExternKind;
using vivarium::FuncType;
using vivarium::GlobalType;
using vivarium::Limits;
using vivarium::MemoryType;
using vivarium::TableType;

// A byte range [begin, end) in ModuleIR::bytes.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t size() const { return end - begin; }
};

// A constant expression: the bytes of its instructions including the final
// `end`. Decoded structurally by the decoder (so it is well-formed), checked for
// constness and type by the validator, evaluated by the runtime.
struct ConstExpr {
  Span code;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t type_index = 0;  // kind == Func
  TableType table;
  MemoryType memory;
  GlobalType global;
  uint64_t offset = 0;      // module offset of the import entry
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

struct ElemSegment {
  enum Mode : uint8_t { Active, Passive, Declarative } mode = Active;
  ValType type = ValType::FuncRef;
  uint32_t table = 0;       // Active only
  ConstExpr offset;         // Active only
  // Either function indices (encodings 0-3) or expressions (4-7); elements
  // are always stored as expressions' byte ranges, or as plain indices:
  bool uses_exprs = false;
  std::vector<uint32_t> func_indices;  // !uses_exprs
  std::vector<ConstExpr> exprs;        // uses_exprs
  uint64_t offset_in_module = 0;
  uint32_t size() const { return uses_exprs ? static_cast<uint32_t>(exprs.size()) : static_cast<uint32_t>(func_indices.size()); }
};

struct DataSegment {
  enum Mode : uint8_t { Active, Passive } mode = Active;
  uint32_t memory = 0;
  ConstExpr offset;  // Active only
  Span init;         // the bytes
  uint64_t offset_in_module = 0;
};

// A function defined in this module (imports are not here).
struct FuncDef {
  uint32_t type_index = 0;
  std::vector<std::pair<uint32_t, ValType>> local_groups;  // (count, type) as encoded
  uint64_t num_locals = 0;  // sum of counts (params excluded)
  Span body;                // instructions, from after the locals to the final `end` inclusive
  Span whole;               // the entire code entry (for error offsets)
};

struct ModuleIR {
  std::vector<uint8_t> bytes;  // owned copy of the binary

  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<FuncDef> funcs;            // defined functions only
  std::vector<TableType> tables;         // defined tables only
  std::vector<MemoryType> memories;      // defined memories only
  std::vector<Global> globals;           // defined globals only
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<vivarium::SectionInfo> sections;

  // Imported entities come first in each index space (spec 2.5.1).
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  // imports[import_slots[k][n]] is the n-th import of ExternKind k, so lookups
  // through imports stay O(1) on modules with many imports. Filled by the
  // decoder; the accessors fall back to a scan when it is empty.
  std::vector<uint32_t> import_slots[4];

  // C.refs (spec 3.4.10): declared_funcs[f] != 0 when a ref.func in a body may
  // name function f. Written only by validate_module(), before any body is
  // validated, so each FuncValidator reads it instead of rescanning every
  // segment (which would cost funcs x segments on hostile modules). Empty until
  // then; a FuncValidator on a module never passed to validate_module()
  // computes its own copy.
  mutable std::vector<uint8_t> declared_funcs;

  // From the "name" custom section (best effort: a malformed name section is ignored).
  std::string module_name;
  std::unordered_map<uint32_t, std::string> func_names;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, std::string>> local_names;

  uint32_t total_funcs() const { return num_imported_funcs + static_cast<uint32_t>(funcs.size()); }
  uint32_t total_tables() const { return num_imported_tables + static_cast<uint32_t>(tables.size()); }
  uint32_t total_memories() const { return num_imported_memories + static_cast<uint32_t>(memories.size()); }
  uint32_t total_globals() const { return num_imported_globals + static_cast<uint32_t>(globals.size()); }

  // Index-space accessors that look through imports. Callers check ranges first.
  const FuncType& func_type(uint32_t func_index) const;
  TableType table_type(uint32_t table_index) const;
  MemoryType memory_type(uint32_t memory_index) const;
  GlobalType global_type(uint32_t global_index) const;

  std::span<const uint8_t> span(Span s) const { return {bytes.data() + s.begin, s.size()}; }
  // "$name" when the name section has one, else "func[N]", plus (export "e")
  // when the function is exported.
  std::string func_display_name(uint32_t func_index) const;
};

}  // namespace vivarium::engine
