// Readers for the contents of each known section (spec 5.5.4 - 5.5.16).
// Messages follow the spec suite's assert_malformed texts.
#include <string>

#include "engine/decoder/decode_state.h"

namespace vivarium::engine::decoder {
namespace {

Error malformed(uint64_t at, ErrorCode code, const char* msg) { return Reader::error_at(at, code, msg); }

// limits ::= 0x00 min | 0x01 min max  (spec 5.3.7)
Result<Limits> read_limits(Reader& r) {
  uint64_t at = r.offset();
  VIV_TRY_ASSIGN(uint8_t flags, r.u8());
  // The flags are a one-byte LEB in the reference interpreter, so any other
  // value reads as an integer with bits the encoding does not allow.
  if (flags > 1) {
    if (flags & 0x80) return malformed(at, ErrorCode::BadLeb, "integer representation too long");
    return malformed(at, ErrorCode::BadLeb, "integer too large");
  }
  Limits l;
  VIV_TRY_ASSIGN(l.min, r.u32());
  if (flags == 1) {
    l.has_max = true;
    VIV_TRY_ASSIGN(l.max, r.u32());
  }
  return l;
}

Result<TableType> read_table_type(Reader& r) {
  TableType t;
  VIV_TRY_ASSIGN(t.elem, read_ref_type(r));
  VIV_TRY_ASSIGN(t.limits, read_limits(r));
  return t;
}

Result<GlobalType> read_global_type(Reader& r) {
  GlobalType g;
  VIV_TRY_ASSIGN(g.type, read_val_type(r));
  uint64_t at = r.offset();
  VIV_TRY_ASSIGN(uint8_t mut, r.u8());
  if (mut > 1) return malformed(at, ErrorCode::Malformed, "malformed mutability");
  g.mut = mut == 1;
  return g;
}

Result<std::vector<ValType>> read_result_types(DecodeState& s) {
  VIV_TRY_ASSIGN(uint32_t n, s.r().u32());
  std::vector<ValType> v;
  v.reserve(s.safe_reserve(n));
  for (uint32_t i = 0; i < n; ++i) {
    VIV_TRY_ASSIGN(ValType t, read_val_type(s.r()));
    v.push_back(t);
  }
  return v;
}

Result<std::vector<uint32_t>> read_func_indices(DecodeState& s) {
  VIV_TRY_ASSIGN(uint32_t n, s.r().u32());
  std::vector<uint32_t> v;
  v.reserve(s.safe_reserve(n));
  for (uint32_t i = 0; i < n; ++i) {
    VIV_TRY_ASSIGN(uint32_t x, s.r().u32());
    v.push_back(x);
  }
  return v;
}

Result<std::vector<ConstExpr>> read_exprs(DecodeState& s) {
  VIV_TRY_ASSIGN(uint32_t n, s.r().u32());
  std::vector<ConstExpr> v;
  v.reserve(s.safe_reserve(n, 2));
  for (uint32_t i = 0; i < n; ++i) {
    VIV_TRY_ASSIGN(ConstExpr e, read_const_expr(s));
    v.push_back(e);
  }
  return v;
}

// elemkind ::= 0x00 (funcref), the only kind in 2.0.
Result<void> read_elem_kind(Reader& r) {
  uint64_t at = r.offset();
  VIV_TRY_ASSIGN(uint8_t k, r.u8());
  if (k != 0x00) return malformed(at, ErrorCode::BadType, "malformed element kind");
  return {};
}

}  // namespace

Result<void> read_type_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.types.reserve(s.safe_reserve(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.offset();
    VIV_TRY_ASSIGN(uint8_t form, r.u8());
    if (form != 0x60) {
      // The form is a one-byte signed LEB (-0x20) in the reference
      // interpreter, so a continuation bit makes it too long.
      if (form & 0x80) return malformed(at, ErrorCode::BadLeb, "integer representation too long");
      return malformed(at, ErrorCode::BadType, "malformed function type");
    }
    FuncType ft;
    VIV_TRY_ASSIGN(ft.params, read_result_types(s));
    VIV_TRY_ASSIGN(ft.results, read_result_types(s));
    s.m.types.push_back(std::move(ft));
  }
  return {};
}

Result<void> read_import_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.imports.reserve(s.safe_reserve(n, 4));
  for (uint32_t i = 0; i < n; ++i) {
    Import im;
    im.offset = r.offset();
    VIV_TRY_ASSIGN(std::string_view mod, r.name());
    VIV_TRY_ASSIGN(std::string_view nm, r.name());
    im.module.assign(mod);
    im.name.assign(nm);
    uint64_t at = r.offset();
    VIV_TRY_ASSIGN(uint8_t kind, r.u8());
    switch (kind) {
      case 0x00: {
        im.kind = ExternKind::Func;
        VIV_TRY_ASSIGN(im.type_index, r.u32());
        ++s.m.num_imported_funcs;
        break;
      }
      case 0x01: {
        im.kind = ExternKind::Table;
        VIV_TRY_ASSIGN(im.table, read_table_type(r));
        ++s.m.num_imported_tables;
        break;
      }
      case 0x02: {
        im.kind = ExternKind::Memory;
        VIV_TRY_ASSIGN(im.memory.limits, read_limits(r));
        ++s.m.num_imported_memories;
        break;
      }
      case 0x03: {
        im.kind = ExternKind::Global;
        VIV_TRY_ASSIGN(im.global, read_global_type(r));
        ++s.m.num_imported_globals;
        break;
      }
      default:
        return malformed(at, ErrorCode::Malformed, "malformed import kind");
    }
    s.m.import_slots[kind].push_back(static_cast<uint32_t>(s.m.imports.size()));
    s.m.imports.push_back(std::move(im));
  }
  return {};
}

Result<void> read_function_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.funcs.reserve(s.safe_reserve(n));
  for (uint32_t i = 0; i < n; ++i) {
    FuncDef f;
    VIV_TRY_ASSIGN(f.type_index, r.u32());
    s.m.funcs.push_back(std::move(f));
  }
  return {};
}

Result<void> read_table_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.tables.reserve(s.safe_reserve(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    VIV_TRY_ASSIGN(TableType t, read_table_type(r));
    s.m.tables.push_back(t);
  }
  return {};
}

Result<void> read_memory_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.memories.reserve(s.safe_reserve(n, 2));
  for (uint32_t i = 0; i < n; ++i) {
    MemoryType mt;
    VIV_TRY_ASSIGN(mt.limits, read_limits(r));
    s.m.memories.push_back(mt);
  }
  return {};
}

Result<void> read_global_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.globals.reserve(s.safe_reserve(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    Global g;
    VIV_TRY_ASSIGN(g.type, read_global_type(r));
    VIV_TRY_ASSIGN(g.init, read_const_expr(s));
    s.m.globals.push_back(g);
  }
  return {};
}

Result<void> read_export_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.exports.reserve(s.safe_reserve(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    Export ex;
    VIV_TRY_ASSIGN(std::string_view nm, r.name());
    ex.name.assign(nm);
    uint64_t at = r.offset();
    VIV_TRY_ASSIGN(uint8_t kind, r.u8());
    if (kind > 3) return malformed(at, ErrorCode::Malformed, "malformed export kind");
    ex.kind = static_cast<ExternKind>(kind);
    VIV_TRY_ASSIGN(ex.index, r.u32());
    s.m.exports.push_back(std::move(ex));
  }
  return {};
}

Result<void> read_start_section(DecodeState& s) {
  VIV_TRY_ASSIGN(uint32_t x, s.r().u32());
  s.m.start = x;
  return {};
}

// elem (spec 5.5.12): a u32 whose three bits say passive/declarative (bit 0),
// explicit table index (bit 1, active) and expressions instead of function
// indices (bit 2).
Result<void> read_element_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.elems.reserve(s.safe_reserve(n, 2));
  for (uint32_t i = 0; i < n; ++i) {
    ElemSegment e;
    e.offset_in_module = r.offset();
    VIV_TRY_ASSIGN(uint32_t flags, r.u32());
    if (flags > 7) return malformed(e.offset_in_module, ErrorCode::Malformed, "malformed elements segment kind");
    const bool passive_or_declarative = flags & 1;
    const bool explicit_table = flags & 2;
    e.uses_exprs = flags & 4;
    if (passive_or_declarative) {
      e.mode = explicit_table ? ElemSegment::Declarative : ElemSegment::Passive;
    } else {
      e.mode = ElemSegment::Active;
      if (explicit_table) {
        VIV_TRY_ASSIGN(e.table, r.u32());
      }
      VIV_TRY_ASSIGN(e.offset, read_const_expr(s));
    }
    // Encodings 0 and 4 imply funcref; the others spell the kind or type out.
    if (flags != 0 && flags != 4) {
      if (e.uses_exprs) {
        VIV_TRY_ASSIGN(e.type, read_ref_type(r));
      } else {
        VIV_TRY(read_elem_kind(r));
        e.type = ValType::FuncRef;
      }
    }
    if (e.uses_exprs) {
      VIV_TRY_ASSIGN(e.exprs, read_exprs(s));
    } else {
      VIV_TRY_ASSIGN(e.func_indices, read_func_indices(s));
    }
    s.m.elems.push_back(std::move(e));
  }
  return {};
}

Result<void> read_data_count_section(DecodeState& s) {
  VIV_TRY_ASSIGN(uint32_t n, s.r().u32());
  s.m.data_count = n;
  return {};
}

namespace {

// One code entry: size, locals, body (spec 5.5.13).
Result<void> read_code_entry(DecodeState& s, FuncDef& f) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t size, r.u32());
  const uint64_t entry_at = r.offset();
  if (size > r.remaining()) return malformed(entry_at, ErrorCode::UnexpectedEnd, "length out of bounds");
  const uint8_t* entry_end = r.pos() + size;
  f.whole = Span{s.offset_of(r.pos()), s.offset_of(entry_end)};

  VIV_TRY_ASSIGN(uint32_t groups, r.u32());
  f.local_groups.clear();
  f.local_groups.reserve(s.safe_reserve(groups, 2));
  uint64_t total = 0;
  for (uint32_t g = 0; g < groups; ++g) {
    const uint64_t at = r.offset();
    VIV_TRY_ASSIGN(uint32_t count, r.u32());
    total += count;
    // Only 2^32-1 locals are representable (spec 5.5.13); the validator
    // applies its own, smaller, implementation limit.
    if (total > UINT32_MAX) return malformed(at, ErrorCode::Malformed, "too many locals");
    VIV_TRY_ASSIGN(ValType t, read_val_type(r));
    f.local_groups.emplace_back(count, t);
  }
  f.num_locals = total;

  // The body is read from the module stream, not clipped to the entry, so
  // a missing END reports as the reference interpreter does; the entry size
  // is checked afterwards.
  VIV_TRY_ASSIGN(f.body, scan_body(s));
  if (r.pos() != entry_end) return malformed(entry_at, ErrorCode::BadSection, "section size mismatch");
  return {};
}

}  // namespace

Result<void> read_code_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  // The count is compared with the function section's once all sections are
  // read (as the reference interpreter does); surplus entries are still
  // checked for well-formedness, then dropped.
  s.code_count = n;
  FuncDef surplus;
  for (uint32_t i = 0; i < n; ++i) {
    FuncDef& f = i < s.m.funcs.size() ? s.m.funcs[i] : surplus;
    auto res = read_code_entry(s, f);
    if (!res.ok()) {
      // Name the function; the name section usually comes later, so by index.
      Error e = std::move(res).error();
      e.where().function = "func[" + std::to_string(s.m.num_imported_funcs + i) + "]";
      return e;
    }
  }
  return {};
}

Result<void> read_data_section(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  s.m.datas.reserve(s.safe_reserve(n, 2));
  for (uint32_t i = 0; i < n; ++i) {
    DataSegment d;
    d.offset_in_module = r.offset();
    VIV_TRY_ASSIGN(uint32_t flags, r.u32());
    switch (flags) {
      case 0: {
        d.mode = DataSegment::Active;
        VIV_TRY_ASSIGN(d.offset, read_const_expr(s));
        break;
      }
      case 1:
        d.mode = DataSegment::Passive;
        break;
      case 2: {
        d.mode = DataSegment::Active;
        VIV_TRY_ASSIGN(d.memory, r.u32());
        VIV_TRY_ASSIGN(d.offset, read_const_expr(s));
        break;
      }
      default:
        return malformed(d.offset_in_module, ErrorCode::Malformed, "malformed data segment kind");
    }
    VIV_TRY_ASSIGN(uint32_t len, r.u32());
    // Unlike a name's length ("length out of bounds"), the spec suite
    // (binary.wast) reports a data length past the input as its end.
    if (len > r.remaining()) return r.error(ErrorCode::UnexpectedEnd, "unexpected end of section or function");
    d.init = Span{s.offset_of(r.pos()), s.offset_of(r.pos() + len)};
    r.skip_to(r.pos() + len);
    s.m.datas.push_back(d);
  }
  return {};
}

}  // namespace vivarium::engine::decoder
