// Module fields other than element segments (spec 6.6.4-6.6.13): imports,
// functions, tables, memories, globals, exports, start and data, with their
// inline import/export/data abbreviations.
#include "engine/text/module_parser.h"

namespace vivarium::engine::text {

Result<void> ModuleParser::field_import() {
  VIV_TRY(check_import_order(c_.peek()));
  VIV_TRY_ASSIGN(std::string mod, parse_name());
  VIV_TRY_ASSIGN(std::string name, parse_name());
  VIV_TRY(c_.expect(TokKind::LParen));
  const Token& kind = c_.next();
  put_name(imports_, mod);
  put_name(imports_, name);
  std::string_view k = kind.kind == TokKind::Keyword ? kind.text : std::string_view{};
  const Token* id = c_.is(TokKind::Id) ? &c_.next() : nullptr;
  if (k == "func") {
    uint32_t idx = next_index_[kFuncs]++;
    if (id) func_names_.emplace_back(idx, std::string(id->text.substr(1)));
    FuncScope fs;
    VIV_TRY_ASSIGN(uint32_t ti, parse_typeuse(&fs));
    put_u8(imports_, 0x00);
    put_u32(imports_, ti);
  } else if (k == "table") {
    ++next_index_[kTables];
    VIV_TRY_ASSIGN(auto lim, parse_limits());
    VIV_TRY_ASSIGN(ValType rt, parse_reftype());
    put_u8(imports_, 0x01);
    put_valtype(imports_, rt);
    put_limits(imports_, lim);
  } else if (k == "memory") {
    ++next_index_[kMems];
    VIV_TRY_ASSIGN(auto lim, parse_limits());
    put_u8(imports_, 0x02);
    put_limits(imports_, lim);
  } else if (k == "global") {
    ++next_index_[kGlobals];
    put_u8(imports_, 0x03);
    if (c_.is_open("mut")) {
      c_.next();
      c_.next();
      VIV_TRY_ASSIGN(ValType t, parse_valtype());
      VIV_TRY(c_.expect(TokKind::RParen));
      put_valtype(imports_, t);
      put_u8(imports_, 1);
    } else {
      VIV_TRY_ASSIGN(ValType t, parse_valtype());
      put_valtype(imports_, t);
      put_u8(imports_, 0);
    }
  } else {
    return c_.unexpected(kind);
  }
  VIV_TRY(c_.expect(TokKind::RParen));
  VIV_TRY(c_.expect(TokKind::RParen));
  ++n_imports_;
  return {};
}

Result<void> ModuleParser::field_func() {
  const Token& kw = c_.peek();
  const Token* id = c_.is(TokKind::Id) ? &c_.next() : nullptr;
  uint32_t idx = next_index_[kFuncs]++;
  if (id) func_names_.emplace_back(idx, std::string(id->text.substr(1)));
  VIV_TRY(inline_exports(ExternKind::Func, idx));
  std::string mod, name;
  VIV_TRY_ASSIGN(bool imported, inline_import(mod, name));
  FuncScope fs;
  VIV_TRY_ASSIGN(uint32_t ti, parse_typeuse(&fs));
  if (imported) {
    VIV_TRY(check_import_order(kw));
    put_name(imports_, mod);
    put_name(imports_, name);
    put_u8(imports_, 0x00);
    put_u32(imports_, ti);
    ++n_imports_;
    return c_.expect(TokKind::RParen);
  }
  note_definition("function");
  put_u32(funcs_, ti);
  ++n_funcs_;

  std::vector<ValType> locals;
  while (c_.is_open("local")) {
    c_.next();
    c_.next();
    if (c_.is(TokKind::Id)) {
      const Token& lid = c_.next();
      if (!fs.locals.emplace(lid.text, fs.num_locals).second)
        return c_.error_at(lid, "duplicate local " + std::string(lid.text));
      fs.local_names.emplace_back(fs.num_locals, std::string(lid.text.substr(1)));
      VIV_TRY_ASSIGN(ValType t, parse_valtype());
      locals.push_back(t);
      ++fs.num_locals;
    } else {
      while (!c_.is(TokKind::RParen)) {
        VIV_TRY_ASSIGN(ValType t, parse_valtype());
        locals.push_back(t);
        ++fs.num_locals;
      }
    }
    VIV_TRY(c_.expect(TokKind::RParen));
  }

  Bytes body;
  // Locals as (count, type) runs.
  uint32_t groups = 0;
  Bytes groups_bytes;
  for (size_t i = 0; i < locals.size();) {
    size_t j = i;
    while (j < locals.size() && locals[j] == locals[i]) ++j;
    put_u32(groups_bytes, j - i);
    put_valtype(groups_bytes, locals[i]);
    ++groups;
    i = j;
  }
  put_u32(body, groups);
  body.insert(body.end(), groups_bytes.begin(), groups_bytes.end());
  VIV_TRY(parse_instrs(fs, body));
  if (!c_.is(TokKind::RParen)) return c_.unexpected();
  c_.next();
  put_u8(body, 0x0B);
  put_u32(code_, body.size());
  code_.insert(code_.end(), body.begin(), body.end());
  if (!fs.local_names.empty()) local_names_.emplace_back(idx, std::move(fs.local_names));
  return {};
}

Result<void> ModuleParser::field_table() {
  const Token& kw = c_.peek();
  if (c_.is(TokKind::Id)) c_.next();
  uint32_t idx = next_index_[kTables]++;
  VIV_TRY(inline_exports(ExternKind::Table, idx));
  std::string mod, name;
  VIV_TRY_ASSIGN(bool imported, inline_import(mod, name));
  if (imported) {
    VIV_TRY(check_import_order(kw));
    VIV_TRY_ASSIGN(auto lim, parse_limits());
    VIV_TRY_ASSIGN(ValType rt, parse_reftype());
    put_name(imports_, mod);
    put_name(imports_, name);
    put_u8(imports_, 0x01);
    put_valtype(imports_, rt);
    put_limits(imports_, lim);
    ++n_imports_;
    return c_.expect(TokKind::RParen);
  }
  note_definition("table");
  if (c_.is(TokKind::Keyword)) {
    // (table reftype (elem ...)): size from the element count.
    VIV_TRY_ASSIGN(ValType rt, parse_reftype());
    if (!c_.is_open("elem")) return c_.unexpected();
    c_.next();
    c_.next();
    std::vector<Bytes> items;
    if (at_index()) {
      while (at_index()) {
        VIV_TRY_ASSIGN(uint32_t f, parse_index(kFuncs));
        Bytes e{0xD2};
        put_u32(e, f);
        put_u8(e, 0x0B);
        items.push_back(std::move(e));
      }
    } else {
      while (c_.is(TokKind::LParen)) {
        Bytes e;
        VIV_TRY(parse_elem_expr(e));
        items.push_back(std::move(e));
      }
    }
    VIV_TRY(c_.expect(TokKind::RParen));
    vivarium::Limits lim{static_cast<uint32_t>(items.size()), true, static_cast<uint32_t>(items.size())};
    put_valtype(tables_, rt);
    put_limits(tables_, lim);
    ++n_tables_;
    ++next_index_[kElems];
    write_elem_segment(ElemMode::Active, idx, zero_offset(), rt, items);
    return c_.expect(TokKind::RParen);
  }
  VIV_TRY_ASSIGN(auto lim, parse_limits());
  VIV_TRY_ASSIGN(ValType rt, parse_reftype());
  put_valtype(tables_, rt);
  put_limits(tables_, lim);
  ++n_tables_;
  return c_.expect(TokKind::RParen);
}

Result<void> ModuleParser::field_memory() {
  const Token& kw = c_.peek();
  if (c_.is(TokKind::Id)) c_.next();
  uint32_t idx = next_index_[kMems]++;
  VIV_TRY(inline_exports(ExternKind::Memory, idx));
  std::string mod, name;
  VIV_TRY_ASSIGN(bool imported, inline_import(mod, name));
  if (imported) {
    VIV_TRY(check_import_order(kw));
    VIV_TRY_ASSIGN(auto lim, parse_limits());
    put_name(imports_, mod);
    put_name(imports_, name);
    put_u8(imports_, 0x02);
    put_limits(imports_, lim);
    ++n_imports_;
    return c_.expect(TokKind::RParen);
  }
  note_definition("memory");
  if (c_.is_open("data")) {
    c_.next();
    c_.next();
    std::string bytes;
    while (c_.is(TokKind::String)) bytes += decode_string(c_.next().text);
    VIV_TRY(c_.expect(TokKind::RParen));
    uint32_t pages = static_cast<uint32_t>((bytes.size() + 65535) / 65536);
    put_limits(mems_, vivarium::Limits{pages, true, pages});
    ++n_mems_;
    ++next_index_[kDatas];
    if (idx == 0) {
      put_u8(datas_, 0x00);
    } else {
      put_u8(datas_, 0x02);
      put_u32(datas_, idx);
    }
    Bytes off = zero_offset();
    datas_.insert(datas_.end(), off.begin(), off.end());
    put_name(datas_, bytes);
    ++n_datas_;
    return c_.expect(TokKind::RParen);
  }
  VIV_TRY_ASSIGN(auto lim, parse_limits());
  put_limits(mems_, lim);
  ++n_mems_;
  return c_.expect(TokKind::RParen);
}

Result<void> ModuleParser::field_global() {
  const Token& kw = c_.peek();
  if (c_.is(TokKind::Id)) c_.next();
  uint32_t idx = next_index_[kGlobals]++;
  VIV_TRY(inline_exports(ExternKind::Global, idx));
  std::string mod, name;
  VIV_TRY_ASSIGN(bool imported, inline_import(mod, name));
  ValType t;
  bool mut = false;
  if (c_.is_open("mut")) {
    c_.next();
    c_.next();
    VIV_TRY_ASSIGN(t, parse_valtype());
    VIV_TRY(c_.expect(TokKind::RParen));
    mut = true;
  } else {
    VIV_TRY_ASSIGN(t, parse_valtype());
  }
  if (imported) {
    VIV_TRY(check_import_order(kw));
    put_name(imports_, mod);
    put_name(imports_, name);
    put_u8(imports_, 0x03);
    put_valtype(imports_, t);
    put_u8(imports_, mut ? 1 : 0);
    ++n_imports_;
    return c_.expect(TokKind::RParen);
  }
  note_definition("global");
  put_valtype(globals_, t);
  put_u8(globals_, mut ? 1 : 0);
  FuncScope fs;
  VIV_TRY(parse_expr_until_close(fs, globals_));
  ++n_globals_;
  return {};
}

Result<void> ModuleParser::field_export() {
  VIV_TRY_ASSIGN(std::string name, parse_name());
  VIV_TRY(c_.expect(TokKind::LParen));
  const Token& kind = c_.next();
  std::string_view k = kind.kind == TokKind::Keyword ? kind.text : std::string_view{};
  ExternKind ek;
  Space s;
  if (k == "func") { ek = ExternKind::Func; s = kFuncs; }
  else if (k == "table") { ek = ExternKind::Table; s = kTables; }
  else if (k == "memory") { ek = ExternKind::Memory; s = kMems; }
  else if (k == "global") { ek = ExternKind::Global; s = kGlobals; }
  else return c_.unexpected(kind);
  VIV_TRY_ASSIGN(uint32_t idx, parse_index(s));
  VIV_TRY(c_.expect(TokKind::RParen));
  VIV_TRY(c_.expect(TokKind::RParen));
  put_name(exports_, name);
  put_u8(exports_, static_cast<uint8_t>(ek));
  put_u32(exports_, idx);
  ++n_exports_;
  return {};
}

Result<void> ModuleParser::field_start() {
  const Token& at = c_.peek();
  if (start_) return c_.error_at(at, "multiple start sections");
  VIV_TRY_ASSIGN(uint32_t idx, parse_index(kFuncs));
  start_ = idx;
  return c_.expect(TokKind::RParen);
}

Result<void> ModuleParser::field_data() {
  if (c_.is(TokKind::Id)) c_.next();
  ++next_index_[kDatas];
  bool active = false;
  uint32_t mem = 0;
  Bytes offset;
  if (c_.is_open("memory")) {
    c_.next();
    c_.next();
    VIV_TRY_ASSIGN(mem, parse_index(kMems));
    VIV_TRY(c_.expect(TokKind::RParen));
    active = true;
    if (!c_.is(TokKind::LParen)) return c_.unexpected();
  }
  if (c_.is_open("offset")) {
    c_.next();
    c_.next();
    FuncScope fs;
    VIV_TRY(parse_expr_until_close(fs, offset));
    active = true;
  } else if (c_.is(TokKind::LParen)) {
    FuncScope fs;
    VIV_TRY(parse_folded(fs, offset));
    put_u8(offset, 0x0B);
    active = true;
  }
  std::string bytes;
  while (c_.is(TokKind::String)) bytes += decode_string(c_.next().text);
  VIV_TRY(c_.expect(TokKind::RParen));
  if (!active) {
    put_u8(datas_, 0x01);
  } else if (mem == 0) {
    put_u8(datas_, 0x00);
    datas_.insert(datas_.end(), offset.begin(), offset.end());
  } else {
    put_u8(datas_, 0x02);
    put_u32(datas_, mem);
    datas_.insert(datas_.end(), offset.begin(), offset.end());
  }
  put_name(datas_, bytes);
  ++n_datas_;
  return {};
}

Result<void> ModuleParser::parse_expr_until_close(FuncScope& fs, Bytes& out) {
  VIV_TRY(parse_instrs(fs, out));
  if (!c_.is(TokKind::RParen)) return c_.unexpected();
  c_.next();
  put_u8(out, 0x0B);
  return {};
}

}  // namespace vivarium::engine::text
