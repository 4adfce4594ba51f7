// Element segments (spec 6.6.12): the active, passive and declarative forms,
// the legacy `(elem (offset) funcidx*)` abbreviation, and the choice of binary
// encoding (function indices or expressions).
#include "engine/text/module_parser.h"

namespace vivarium::engine::text {

Result<void> ModuleParser::parse_elem_expr(Bytes& out) {
  FuncScope fs;
  if (c_.is_open("item")) {
    c_.next();
    c_.next();
    return parse_expr_until_close(fs, out);
  }
  if (!c_.is(TokKind::LParen)) return c_.unexpected();
  VIV_TRY(parse_folded(fs, out));
  put_u8(out, 0x0B);
  return {};
}

Result<void> ModuleParser::parse_elem_list(bool allow_bare_funcs, ValType& type, std::vector<Bytes>& items) {
  auto func_items = [&]() -> Result<void> {
    while (at_index()) {
      VIV_TRY_ASSIGN(uint32_t f, parse_index(kFuncs));
      Bytes e{0xD2};
      put_u32(e, f);
      put_u8(e, 0x0B);
      items.push_back(std::move(e));
    }
    return {};
  };
  type = ValType::FuncRef;
  if (c_.is_keyword("func")) {
    c_.next();
    return func_items();
  }
  if (allow_bare_funcs && (at_index() || c_.is(TokKind::RParen))) return func_items();
  VIV_TRY_ASSIGN(type, parse_reftype());
  while (c_.is(TokKind::LParen)) {
    Bytes e;
    VIV_TRY(parse_elem_expr(e));
    items.push_back(std::move(e));
  }
  return {};
}

// Chooses the smallest binary encoding of an element segment (spec 5.5.12):
// plain function indices when every item is a `ref.func`, else expressions.
void ModuleParser::write_elem_segment(ElemMode mode, uint32_t table, const Bytes& offset, ValType type,
                                      const std::vector<Bytes>& items) {
  std::vector<uint32_t> funcs;
  bool all_funcs = type == ValType::FuncRef;
  for (const Bytes& e : items) {
    if (!all_funcs) break;
    // ref.func x; end
    if (e.size() < 3 || e[0] != 0xD2 || e.back() != 0x0B) { all_funcs = false; break; }
    uint32_t v = 0;
    int shift = 0;
    size_t i = 1;
    for (; i < e.size() - 1; ++i) {
      v |= static_cast<uint32_t>(e[i] & 0x7F) << shift;
      shift += 7;
      if (!(e[i] & 0x80)) break;
    }
    if (i != e.size() - 2) { all_funcs = false; break; }
    funcs.push_back(v);
  }
  uint8_t flags = 0;
  bool explicit_table = false;
  if (mode == ElemMode::Active) {
    explicit_table = table != 0 || type != ValType::FuncRef;
    if (explicit_table) flags = 2;
  } else {
    flags = mode == ElemMode::Passive ? 1 : 3;
  }
  if (!all_funcs) flags |= 4;
  put_u8(elems_, flags);
  if (mode == ElemMode::Active && explicit_table) put_u32(elems_, table);
  if (mode == ElemMode::Active) elems_.insert(elems_.end(), offset.begin(), offset.end());
  if (flags & 3) {
    if (all_funcs) put_u8(elems_, 0x00);
    else put_valtype(elems_, type);
  }
  put_u32(elems_, items.size());
  if (all_funcs) {
    for (uint32_t f : funcs) put_u32(elems_, f);
  } else {
    for (const Bytes& e : items) elems_.insert(elems_.end(), e.begin(), e.end());
  }
  ++n_elems_;
}

Result<void> ModuleParser::field_elem() {
  if (c_.is(TokKind::Id)) c_.next();
  ++next_index_[kElems];
  ElemMode mode = ElemMode::Passive;
  uint32_t table = 0;
  Bytes offset;
  bool legacy = false;
  if (c_.is_keyword("declare")) {
    c_.next();
    mode = ElemMode::Declarative;
  } else {
    bool has_table = false;
    if (c_.is_open("table")) {
      c_.next();
      c_.next();
      VIV_TRY_ASSIGN(table, parse_index(kTables));
      VIV_TRY(c_.expect(TokKind::RParen));
      has_table = true;
    }
    if (c_.is_open("offset")) {
      c_.next();
      c_.next();
      FuncScope fs;
      VIV_TRY(parse_expr_until_close(fs, offset));
      mode = ElemMode::Active;
    } else if (c_.is(TokKind::LParen) && !c_.is_open("item")) {
      FuncScope fs;
      VIV_TRY(parse_folded(fs, offset));
      put_u8(offset, 0x0B);
      mode = ElemMode::Active;
    } else if (has_table) {
      return c_.unexpected();
    }
    legacy = mode == ElemMode::Active && !has_table;
  }
  ValType type;
  std::vector<Bytes> items;
  VIV_TRY(parse_elem_list(legacy, type, items));
  VIV_TRY(c_.expect(TokKind::RParen));
  write_elem_segment(mode, table, offset, type, items);
  return {};
}

}  // namespace vivarium::engine::text
