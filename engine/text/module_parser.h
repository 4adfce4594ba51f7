// Parses one text module (its fields, from a token range) into the binary
// format. Two passes over the fields: the first binds every identifier to its
// index and collects explicit type definitions (identifiers may be used before
// they are defined; inline type uses match types defined later); the second
// encodes. Instructions are encoded straight from tokens by the opcode table
// (instr_parser.cc), so there is no intermediate AST.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/opcodes/opcodes.h"
#include "engine/text/cursor.h"
#include "engine/text/writer.h"
#include "vivarium/types.h"

namespace vivarium::engine::text {

using vivarium::ExternKind;
using vivarium::FuncType;

enum class ElemMode : uint8_t { Active, Passive, Declarative };

enum Space : uint8_t { kTypes, kFuncs, kTables, kMems, kGlobals, kElems, kDatas, kSpaceCount };

struct NameSpace {
  std::unordered_map<std::string_view, uint32_t> ids;
  uint32_t count = 0;
};

// A function's locals and labels while its body is parsed.
struct FuncScope {
  std::unordered_map<std::string_view, uint32_t> locals;
  uint32_t num_locals = 0;  // params included
  std::vector<std::string_view> labels;  // innermost last; empty for unnamed
  std::vector<std::pair<uint32_t, std::string>> local_names;
};

// An open structured or folded instruction while instructions are parsed
// (an explicit stack instead of recursion).
struct InstrFrame {
  enum Kind : uint8_t {
    PlainBlock,   // block/loop/if ... end
    FoldedBlock,  // (block ...) / (loop ...)
    IfCond,       // (if bt <conditions> ...: before (then
    IfThen,       // inside (then ...)
    IfElse,       // inside (else ...)
    FoldedOp,     // (op imm* <operands>): `pending` is op+imm, emitted at ")"
  } kind = PlainBlock;
  Op op = Op::nop;
  bool saw_else = false;
  std::string_view label;
  Bytes pending;
};

class ModuleParser {
 public:
  // Fields occupy tokens [begin, end): `end` is the module's closing ")" (or Eof).
  ModuleParser(const Tokens& toks, std::string_view file, size_t begin, size_t end);
  Result<Bytes> run(std::string_view module_id);

  // Instruction sequences up to `)`/`end`/`else` (not consumed); exactly one
  // folded instruction; a sequence plus its closing `)` and an `end` opcode.
  Result<void> parse_instrs(FuncScope& fs, Bytes& out);
  Result<void> parse_folded(FuncScope& fs, Bytes& out);
  Result<void> parse_expr_until_close(FuncScope& fs, Bytes& out);

 private:
  // Pass 1 (module_parser.cc).
  Result<void> collect();
  void index_explicit_types();
  Result<void> bind(Space s, const Token* id);
  // Pass 2: one function per field kind (module_fields.cc, module_elems.cc).
  Result<void> field_type();
  Result<void> field_import();
  Result<void> field_func();
  Result<void> field_table();
  Result<void> field_memory();
  Result<void> field_global();
  Result<void> field_export();
  Result<void> field_start();
  Result<void> field_elem();
  Result<void> field_data();

  // Types and references (module_types.cc).
  Result<ValType> parse_valtype();
  Result<ValType> parse_reftype();
  Result<vivarium::Limits> parse_limits();
  Result<void> parse_params_results(FuncType& ft, FuncScope* names, bool allow_names);
  Result<FuncType> parse_functype_def();  // after "(type $id?": "(func ...)"
  // typeuse := (type x)? (param ...)* (result ...)*; returns the type index.
  // An optional leading `(type x)`: its index, or nullopt when absent.
  Result<std::optional<uint32_t>> parse_type_ref();
  Result<uint32_t> parse_typeuse(FuncScope* names, bool allow_names = true);
  uint32_t find_or_add_type(const FuncType& ft);
  Result<void> parse_blocktype(Bytes& out);

  // Index references.
  Result<uint32_t> parse_index(Space s);
  bool at_index() const { return c_.is(TokKind::Number) || c_.is(TokKind::Id); }
  Result<uint32_t> parse_local(FuncScope& fs);
  Result<uint32_t> parse_label(FuncScope& fs);
  Result<std::string> parse_name();  // a string that must be UTF-8

  // Inline (export ...) and (import ...) on definitions.
  Result<void> inline_exports(ExternKind kind, uint32_t index);
  Result<bool> inline_import(std::string& mod, std::string& name);
  Result<void> check_import_order(const Token& at);
  void note_definition(const char* kind);

  // Instructions (instr_parser.cc).
  Result<void> run_instrs(FuncScope& fs, Bytes& out, bool single_folded);
  Result<void> open_folded(FuncScope& fs, Bytes& out, std::vector<InstrFrame>& st);
  Result<void> parse_plain(FuncScope& fs, Bytes& out);
  Result<void> parse_immediates(Op op, const Token& op_tok, FuncScope& fs, Bytes& out);
  Result<void> parse_memarg(uint32_t natural_log2, Bytes& out);
  Result<void> parse_v128_const(Bytes& out);
  Result<std::optional<std::string_view>> parse_block_label();
  Result<void> check_end_label(std::string_view label);
  Result<void> emit_op(Op op, Bytes& out);

  // Elements.
  Result<void> parse_elem_list(bool allow_bare_funcs, ValType& type, std::vector<Bytes>& items);
  Result<void> parse_elem_expr(Bytes& out);
  void write_elem_segment(ElemMode mode, uint32_t table, const Bytes& offset, ValType type,
                          const std::vector<Bytes>& exprs);

  Result<Bytes> finish(std::string_view module_id);

  Cursor c_;
  size_t begin_, end_;
  NameSpace spaces_[kSpaceCount];
  std::vector<FuncType> types_;
  std::unordered_map<std::string, uint32_t> type_lookup_;  // encoded functype -> first index

  // Running index per space while pass 2 walks the fields.
  uint32_t next_index_[kSpaceCount] = {};
  const char* first_definition_ = nullptr;  // "function", "table", ... once one is defined
  bool saw_start_ = false;

  uint32_t n_imports_ = 0, n_funcs_ = 0, n_tables_ = 0, n_mems_ = 0, n_globals_ = 0, n_exports_ = 0,
           n_elems_ = 0, n_datas_ = 0;
  Bytes imports_, funcs_, tables_, mems_, globals_, exports_, elems_, code_, datas_;
  std::optional<uint32_t> start_;
  bool needs_data_count_ = false;

  std::vector<std::pair<uint32_t, std::string>> func_names_;
  std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, std::string>>>> local_names_;
};

}  // namespace vivarium::engine::text
