// The disassembler of the internal form (compiled.h), driven by the layout
// table (layouts.def) the encoder and the handlers read.
//
// A Word names a handler, not a layout, so the disassembler needs a catalog:
// for every handler the lowering can emit, a name and its layouts.def row.
// The catalog is not a second list to keep up to date: it is built by
// asking the same selectors the lowering asks -- op_table for the uniform
// instructions, the rows of fusions.def (each row's handler expression over
// every operator pair), the SIMD table -- and takes each one's layout from
// where the lowering takes it. Only the handlers the lowering names directly
// (control, tables, memory) and the superinstruction rules still matched in
// code (lower_fused.cc) are listed by hand, next to each other in
// disasm_catalog.cc. A handler found with two different layouts is a
// conflict (the disassembler could not walk past it): the unit test
// requires none.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/interp/compiled.h"
#include "engine/interp/layout.h"
#include "vivarium/error.h"

namespace vivarium::engine::interp {

struct HandlerInfo {
  std::string name;
  LayoutId layout;
};

// The catalog entry of `h`, or nullptr if the lowering never emits it. Built
// once, on first use (a few tens of milliseconds: it runs every selector
// over every operator pair).
const HandlerInfo* handler_info(Handler h);
// How many handlers the catalog names, and its conflicts ("name: layout a
// and layout b"), for the tests.
size_t handler_catalog_size();
const std::vector<std::string>& handler_catalog_conflicts();

struct DisasmLine {
  uint32_t at;           // first Word
  uint32_t words;        // its length (a br_table's targets included)
  const HandlerInfo* info;
  std::string fields;    // describe(): "a=3 b=4 d=7"
  uint64_t offset;       // module offset of its offset-table entry at `at`, or Location::kNone
};
// Walks `f`'s code instruction by instruction. An error names the Word where
// a handler is not in the catalog or where the walk overran the code (a
// layout whose length is not the handler's).
Result<std::vector<DisasmLine>> disassemble(const CompiledFunc& f);
// One line per instruction: "  word  name  fields  @offset".
std::string format_disassembly(const std::vector<DisasmLine>& lines);
// Defined function `defined_index` of `m` lowered and disassembled, under a
// header naming it and its frame (`vivarium inspect --lowered`).
Result<std::string> lowered_text(const ModuleIR& m, uint32_t defined_index);

}  // namespace vivarium::engine::interp
