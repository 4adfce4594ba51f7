// Internal to the decoder: the state shared by the section readers.
//
// One cursor runs over the whole module. Like the reference interpreter, a
// section's contents are read from the module stream and the section's
// declared size is checked afterwards ("section size mismatch"), so a
// truncated or overlong entry reports what the spec suite expects.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/binary/instr.h"
#include "engine/module/module.h"

namespace vivarium::engine::decoder {

struct DecodeState {
  explicit DecodeState(ModuleIR& module)
      : m(module), ir(std::span<const uint8_t>(module.bytes.data(), module.bytes.size()), 0) {}

  ModuleIR& m;
  InstrReader ir;
  Reader& r() { return ir.reader(); }

  Instr scratch;                   // reused by every instruction scan
  std::vector<uint8_t> blocks;     // open blocks of the expression being scanned
  bool uses_data_index = false;    // memory.init / data.drop seen in code
  std::optional<uint32_t> code_count;  // entries in the code section, if present

  uint32_t offset_of(const uint8_t* p) const { return static_cast<uint32_t>(p - m.bytes.data()); }

  // Reads `count` as a vector length and returns how many entries it is safe
  // to reserve: never more than the bytes left, since every entry takes at
  // least `min_entry_bytes`. Reading then fails at the real end of input.
  size_t safe_reserve(uint32_t count, size_t min_entry_bytes = 1) {
    size_t cap = r().remaining() / (min_entry_bytes ? min_entry_bytes : 1);
    return count < cap ? count : cap;
  }
};

// Section readers (sections.cc). Each reads one section's contents from the
// cursor; the caller checks the section's size afterwards.
Result<void> read_type_section(DecodeState& s);
Result<void> read_import_section(DecodeState& s);
Result<void> read_function_section(DecodeState& s);
Result<void> read_table_section(DecodeState& s);
Result<void> read_memory_section(DecodeState& s);
Result<void> read_global_section(DecodeState& s);
Result<void> read_export_section(DecodeState& s);
Result<void> read_start_section(DecodeState& s);
Result<void> read_element_section(DecodeState& s);
Result<void> read_data_count_section(DecodeState& s);
Result<void> read_code_section(DecodeState& s);
Result<void> read_data_section(DecodeState& s);

// Structural scans (code_scan.cc).
// A constant expression: instructions up to and including the `end` that
// closes it. Constness and types are the validator's business.
Result<ConstExpr> read_const_expr(DecodeState& s);
// A function body from the cursor: every instruction well-formed, blocks
// properly nested, up to the final `end`. Returns the span it covered.
Result<Span> scan_body(DecodeState& s);

// The "name" custom section (name_section.cc): best effort, never an error.
void read_name_section(ModuleIR& m, std::span<const uint8_t> contents, uint64_t base_offset);

}  // namespace vivarium::engine::decoder
