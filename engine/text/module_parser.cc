#include "engine/text/module_parser.h"

#include <algorithm>

#include "engine/binary/reader.h"
#include "engine/text/numbers.h"

namespace viv::text {
namespace {

const char* space_noun(Space s) {
  static const char* const kNames[] = {"type", "func", "table", "memory", "global", "elem", "data"};
  return kNames[s];
}
// The spec interpreter's wording for unresolved identifiers.
const char* unknown_noun(Space s) {
  static const char* const kNames[] = {"type",   "function",     "table",       "memory",
                                       "global", "elem segment", "data segment"};
  return kNames[s];
}

std::string type_key(const FuncType& ft) {
  std::string k;
  for (ValType t : ft.params) k.push_back(static_cast<char>(t));
  k.push_back('\0');  // not a value type byte
  for (ValType t : ft.results) k.push_back(static_cast<char>(t));
  return k;
}

void put_valtype(Bytes& b, ValType t) { b.push_back(static_cast<uint8_t>(t)); }

void put_limits(Bytes& b, const vivarium::Limits& l) {
  put_u8(b, l.has_max ? 0x01 : 0x00);
  put_u32(b, l.min);
  if (l.has_max) put_u32(b, l.max);
}

// i32.const 0; end — the offset of inline elem/data segments.
Bytes zero_offset() { return Bytes{0x41, 0x00, 0x0B}; }

}  // namespace

ModuleParser::ModuleParser(const Tokens& toks, std::string_view file, size_t begin, size_t end)
    : c_(toks, file, begin), begin_(begin), end_(end) {}

Result<void> ModuleParser::bind(Space s, const Token* id) {
  NameSpace& ns = spaces_[s];
  if (id) {
    auto [it, inserted] = ns.ids.emplace(id->text, ns.count);
    if (!inserted) return c_.error_at(*id, std::string("duplicate ") + space_noun(s) + " " + std::string(id->text));
  }
  ++ns.count;
  return {};
}

// ---- pass 1 ------------------------------------------------------------------

Result<void> ModuleParser::collect() {
  const auto& toks = c_.tokens().toks;
  c_.seek(begin_);
  while (c_.pos() < end_) {
    // Syntax errors between fields are left to pass 2, which reports the
    // first error in text order.
    if (!c_.is(TokKind::LParen)) break;
    size_t open = c_.pos();
    size_t close = toks[open].match;
    const Token& kw = c_.peek(1);
    if (kw.kind != TokKind::Keyword) break;
    const Token* id = c_.peek(2).kind == TokKind::Id ? &c_.peek(2) : nullptr;
    // Counts anonymous child fields (inline elem/data) of a table/memory.
    auto count_children = [&](std::string_view child, Space s) {
      for (size_t j = open + 2; j < close;) {
        if (toks[j].kind == TokKind::LParen) {
          if (toks[j + 1].kind == TokKind::Keyword && toks[j + 1].text == child) ++spaces_[s].count;
          j = toks[j].match + 1;
        } else {
          ++j;
        }
      }
    };
    std::string_view k = kw.text;
    if (k == "type") {
      c_.seek(open + 2);
      if (id) c_.next();
      VIV_TRY_ASSIGN(FuncType ft, parse_functype_def());
      VIV_TRY(c_.expect(TokKind::RParen));
      VIV_TRY(bind(kTypes, id));
      types_.push_back(std::move(ft));
    } else if (k == "func") {
      VIV_TRY(bind(kFuncs, id));
    } else if (k == "table") {
      VIV_TRY(bind(kTables, id));
      count_children("elem", kElems);
    } else if (k == "memory") {
      VIV_TRY(bind(kMems, id));
      count_children("data", kDatas);
    } else if (k == "global") {
      VIV_TRY(bind(kGlobals, id));
    } else if (k == "elem") {
      VIV_TRY(bind(kElems, id));
    } else if (k == "data") {
      VIV_TRY(bind(kDatas, id));
    } else if (k == "import") {
      for (size_t j = open + 2; j < close; ++j) {
        if (toks[j].kind != TokKind::LParen) continue;
        std::string_view d = toks[j + 1].text;
        const Token* did = toks[j + 2].kind == TokKind::Id ? &toks[j + 2] : nullptr;
        if (d == "func") VIV_TRY(bind(kFuncs, did));
        else if (d == "table") VIV_TRY(bind(kTables, did));
        else if (d == "memory") VIV_TRY(bind(kMems, did));
        else if (d == "global") VIV_TRY(bind(kGlobals, did));
        break;
      }
    } else if (k != "export" && k != "start") {
      break;
    }
    c_.seek(close + 1);
  }
  for (uint32_t i = 0; i < types_.size(); ++i) type_lookup_.emplace(type_key(types_[i]), i);
  return {};
}

// ---- types -------------------------------------------------------------------

Result<ValType> ModuleParser::parse_valtype() {
  const Token& t = c_.peek();
  if (t.kind == TokKind::Keyword) {
    std::string_view k = t.text;
    ValType v;
    if (k == "i32") v = ValType::I32;
    else if (k == "i64") v = ValType::I64;
    else if (k == "f32") v = ValType::F32;
    else if (k == "f64") v = ValType::F64;
    else if (k == "v128") v = ValType::V128;
    else if (k == "funcref") v = ValType::FuncRef;
    else if (k == "externref") v = ValType::ExternRef;
    else return c_.error_at(t, "unknown operator " + std::string(k));
    c_.next();
    return v;
  }
  return c_.unexpected();
}

Result<ValType> ModuleParser::parse_reftype() {
  const Token& t = c_.peek();
  if (c_.is_keyword("funcref")) { c_.next(); return ValType::FuncRef; }
  if (c_.is_keyword("externref")) { c_.next(); return ValType::ExternRef; }
  if (t.kind == TokKind::Keyword) return c_.error_at(t, "unknown operator " + std::string(t.text));
  return c_.unexpected();
}

Result<vivarium::Limits> ModuleParser::parse_limits() {
  auto nat = [&]() -> Result<uint32_t> {
    const Token& t = c_.peek();
    if (t.kind != TokKind::Number) return c_.unexpected();
    uint64_t v;
    NumStatus st = parse_nat(t.text, UINT32_MAX, v);
    if (st == NumStatus::Range) return c_.error_at(t, "i32 constant out of range");
    if (st != NumStatus::Ok) return c_.unexpected();
    c_.next();
    return static_cast<uint32_t>(v);
  };
  vivarium::Limits l;
  VIV_TRY_ASSIGN(l.min, nat());
  if (c_.is(TokKind::Number)) {
    VIV_TRY_ASSIGN(l.max, nat());
    l.has_max = true;
  }
  return l;
}

Result<void> ModuleParser::parse_params_results(FuncType& ft, FuncScope* names, bool allow_names) {
  while (c_.is_open("param")) {
    c_.next();
    c_.next();
    if (c_.is(TokKind::Id)) {
      const Token& id = c_.next();
      if (!allow_names) return c_.error_at(id, "unexpected token");
      VIV_TRY_ASSIGN(ValType t, parse_valtype());
      ft.params.push_back(t);
      if (names) {
        if (!names->locals.emplace(id.text, names->num_locals).second)
          return c_.error_at(id, "duplicate local " + std::string(id.text));
        names->local_names.emplace_back(names->num_locals, std::string(id.text.substr(1)));
        ++names->num_locals;
      }
    } else {
      while (!c_.is(TokKind::RParen)) {
        VIV_TRY_ASSIGN(ValType t, parse_valtype());
        ft.params.push_back(t);
        if (names) ++names->num_locals;
      }
    }
    VIV_TRY(c_.expect(TokKind::RParen));
  }
  while (c_.is_open("result")) {
    c_.next();
    c_.next();
    while (!c_.is(TokKind::RParen)) {
      VIV_TRY_ASSIGN(ValType t, parse_valtype());
      ft.results.push_back(t);
    }
    VIV_TRY(c_.expect(TokKind::RParen));
  }
  // Out of order: (result) before (param), or (type) after either.
  if (c_.is_open("param") || c_.is_open("type")) return c_.unexpected(c_.peek(1));
  return {};
}

Result<FuncType> ModuleParser::parse_functype_def() {
  VIV_TRY(c_.expect(TokKind::LParen));
  VIV_TRY(c_.expect_keyword("func"));
  FuncType ft;
  VIV_TRY(parse_params_results(ft, nullptr, true));
  VIV_TRY(c_.expect(TokKind::RParen));
  return ft;
}

uint32_t ModuleParser::find_or_add_type(const FuncType& ft) {
  auto [it, inserted] = type_lookup_.emplace(type_key(ft), static_cast<uint32_t>(types_.size()));
  if (inserted) types_.push_back(ft);
  return it->second;
}

Result<uint32_t> ModuleParser::parse_typeuse(FuncScope* names, bool allow_names) {
  const Token& start = c_.peek();
  std::optional<uint32_t> idx;
  if (c_.is_open("type")) {
    c_.next();
    c_.next();
    VIV_TRY_ASSIGN(idx, parse_index(kTypes));
    VIV_TRY(c_.expect(TokKind::RParen));
  }
  FuncType ft;
  VIV_TRY(parse_params_results(ft, names, allow_names));
  if (idx) {
    bool inline_given = !ft.params.empty() || !ft.results.empty();
    if (*idx < types_.size()) {
      if (inline_given && !(ft == types_[*idx])) return c_.error_at(start, "inline function type");
      if (!inline_given && names) names->num_locals = static_cast<uint32_t>(types_[*idx].params.size());
    } else if (inline_given) {
      // The inline signature cannot be checked against a type that does not exist.
      return c_.error_at(start, "unknown type");
    }
    return *idx;
  }
  return find_or_add_type(ft);
}

Result<void> ModuleParser::parse_blocktype(Bytes& out) {
  const Token& start = c_.peek();
  std::optional<uint32_t> idx;
  if (c_.is_open("type")) {
    c_.next();
    c_.next();
    VIV_TRY_ASSIGN(idx, parse_index(kTypes));
    VIV_TRY(c_.expect(TokKind::RParen));
  }
  FuncType ft;
  VIV_TRY(parse_params_results(ft, nullptr, false));
  auto inline_form = [&](const FuncType& t) {
    if (t.results.empty()) put_u8(out, 0x40);
    else put_valtype(out, t.results[0]);
  };
  if (idx) {
    bool inline_given = !ft.params.empty() || !ft.results.empty();
    if (*idx < types_.size()) {
      const FuncType& t = types_[*idx];
      if (inline_given && !(ft == t)) return c_.error_at(start, "inline function type");
      // Same encoding as wabt: the short form whenever the type allows it.
      if (t.params.empty() && t.results.size() <= 1) {
        inline_form(t);
        return {};
      }
    }
    put_s64(out, *idx);
    return {};
  }
  if (ft.params.empty() && ft.results.size() <= 1) {
    inline_form(ft);
    return {};
  }
  put_s64(out, find_or_add_type(ft));
  return {};
}

// ---- references ----------------------------------------------------------------

Result<uint32_t> ModuleParser::parse_index(Space s) {
  const Token& t = c_.peek();
  if (t.kind == TokKind::Number) {
    uint64_t v;
    NumStatus st = parse_nat(t.text, UINT32_MAX, v);
    if (st == NumStatus::Range) return c_.error_at(t, "constant out of range");
    if (st != NumStatus::Ok) return c_.unexpected();
    c_.next();
    return static_cast<uint32_t>(v);
  }
  if (t.kind == TokKind::Id) {
    auto it = spaces_[s].ids.find(t.text);
    if (it == spaces_[s].ids.end())
      return c_.error_at(t, std::string("unknown ") + unknown_noun(s) + " " + std::string(t.text));
    c_.next();
    return it->second;
  }
  return c_.unexpected();
}

Result<uint32_t> ModuleParser::parse_local(FuncScope& fs) {
  const Token& t = c_.peek();
  if (t.kind == TokKind::Id) {
    auto it = fs.locals.find(t.text);
    if (it == fs.locals.end()) return c_.error_at(t, "unknown local " + std::string(t.text));
    c_.next();
    return it->second;
  }
  if (t.kind == TokKind::Number) return parse_index(kFuncs);  // numeric: no lookup
  return c_.unexpected();
}

Result<uint32_t> ModuleParser::parse_label(FuncScope& fs) {
  const Token& t = c_.peek();
  if (t.kind == TokKind::Id) {
    for (size_t i = fs.labels.size(); i-- > 0;) {
      if (fs.labels[i] == t.text) {
        c_.next();
        return static_cast<uint32_t>(fs.labels.size() - 1 - i);
      }
    }
    return c_.error_at(t, "unknown label " + std::string(t.text));
  }
  if (t.kind == TokKind::Number) return parse_index(kFuncs);
  return c_.unexpected();
}

Result<std::string> ModuleParser::parse_name() {
  const Token& t = c_.peek();
  VIV_TRY_ASSIGN(std::string s, c_.expect_string());
  if (!viv::is_valid_utf8(s)) return c_.error_at(t, "malformed UTF-8 encoding");
  return s;
}

Result<void> ModuleParser::inline_exports(ExternKind kind, uint32_t index) {
  while (c_.is_open("export")) {
    c_.next();
    c_.next();
    VIV_TRY_ASSIGN(std::string name, parse_name());
    VIV_TRY(c_.expect(TokKind::RParen));
    put_name(exports_, name);
    put_u8(exports_, static_cast<uint8_t>(kind));
    put_u32(exports_, index);
    ++n_exports_;
  }
  return {};
}

Result<bool> ModuleParser::inline_import(std::string& mod, std::string& name) {
  if (!c_.is_open("import")) return false;
  c_.next();
  c_.next();
  VIV_TRY_ASSIGN(mod, parse_name());
  VIV_TRY_ASSIGN(name, parse_name());
  VIV_TRY(c_.expect(TokKind::RParen));
  return true;
}

Result<void> ModuleParser::check_import_order(const Token& at) {
  if (first_definition_) return c_.error_at(at, std::string("import after ") + first_definition_);
  return {};
}

void ModuleParser::note_definition(const char* kind) {
  if (!first_definition_) first_definition_ = kind;
}

// ---- pass 2: fields --------------------------------------------------------------

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
    ValType et = rt;
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
    write_elem_segment(0, idx, zero_offset(), et, items);
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
void ModuleParser::write_elem_segment(uint8_t mode, uint32_t table, const Bytes& offset, ValType type,
                                      const std::vector<Bytes>& items) {
  // mode: 0 active, 1 passive, 2 declarative.
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
  if (mode == 0) {
    explicit_table = table != 0 || type != ValType::FuncRef;
    if (explicit_table) flags = 2;
  } else {
    flags = mode == 1 ? 1 : 3;
  }
  if (!all_funcs) flags |= 4;
  put_u8(elems_, flags);
  if (mode == 0 && explicit_table) put_u32(elems_, table);
  if (mode == 0) elems_.insert(elems_.end(), offset.begin(), offset.end());
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
  uint8_t mode = 1;
  uint32_t table = 0;
  Bytes offset;
  bool legacy = false;
  if (c_.is_keyword("declare")) {
    c_.next();
    mode = 2;
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
      mode = 0;
    } else if (c_.is(TokKind::LParen) && !c_.is_open("item")) {
      FuncScope fs;
      VIV_TRY(parse_folded(fs, offset));
      put_u8(offset, 0x0B);
      mode = 0;
    } else if (has_table) {
      return c_.unexpected();
    }
    legacy = mode == 0 && !has_table;
  }
  ValType type;
  std::vector<Bytes> items;
  VIV_TRY(parse_elem_list(legacy, type, items));
  VIV_TRY(c_.expect(TokKind::RParen));
  write_elem_segment(mode, table, offset, type, items);
  return {};
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

// ---- driver --------------------------------------------------------------------

Result<Bytes> ModuleParser::run(std::string_view module_id) {
  VIV_TRY(collect());
  c_.seek(begin_);
  while (c_.pos() < end_) {
    VIV_TRY(c_.expect(TokKind::LParen));
    const Token& kw = c_.next();
    std::string_view k = kw.text;
    if (k == "type") {
      c_.seek(c_.tokens().toks[c_.pos() - 2].match + 1);  // done in pass 1
      continue;
    }
    Result<void> r = k == "import"   ? field_import()
                     : k == "func"   ? field_func()
                     : k == "table"  ? field_table()
                     : k == "memory" ? field_memory()
                     : k == "global" ? field_global()
                     : k == "export" ? field_export()
                     : k == "start"  ? field_start()
                     : k == "elem"   ? field_elem()
                     : k == "data"   ? field_data()
                                     : Result<void>(c_.unexpected(kw));
    VIV_TRY(r);
  }
  return finish(module_id);
}

Result<Bytes> ModuleParser::finish(std::string_view module_id) {
  Bytes out{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  auto section = [&](uint8_t id, uint32_t count, const Bytes& body) {
    if (count == 0) return;
    Bytes s;
    put_u32(s, count);
    s.insert(s.end(), body.begin(), body.end());
    put_section(out, id, s);
  };
  Bytes types;
  for (const FuncType& ft : types_) {
    put_u8(types, 0x60);
    put_u32(types, ft.params.size());
    for (ValType t : ft.params) put_valtype(types, t);
    put_u32(types, ft.results.size());
    for (ValType t : ft.results) put_valtype(types, t);
  }
  section(1, static_cast<uint32_t>(types_.size()), types);
  section(2, n_imports_, imports_);
  section(3, n_funcs_, funcs_);
  section(4, n_tables_, tables_);
  section(5, n_mems_, mems_);
  section(6, n_globals_, globals_);
  section(7, n_exports_, exports_);
  if (start_) {
    Bytes s;
    put_u32(s, *start_);
    put_section(out, 8, s);
  }
  section(9, n_elems_, elems_);
  if (needs_data_count_) {
    Bytes s;
    put_u32(s, n_datas_);
    put_section(out, 12, s);
  }
  section(10, n_funcs_, code_);
  section(11, n_datas_, datas_);

  // The "name" custom section, so traps and the printer can show $names.
  if (!module_id.empty() || !func_names_.empty() || !local_names_.empty()) {
    Bytes names;
    put_name(names, "name");
    if (!module_id.empty()) {
      Bytes sub;
      put_name(sub, module_id.substr(1));
      put_u8(names, 0);
      put_u32(names, sub.size());
      names.insert(names.end(), sub.begin(), sub.end());
    }
    if (!func_names_.empty()) {
      std::sort(func_names_.begin(), func_names_.end());
      Bytes sub;
      put_u32(sub, func_names_.size());
      for (auto& [i, n] : func_names_) {
        put_u32(sub, i);
        put_name(sub, n);
      }
      put_u8(names, 1);
      put_u32(names, sub.size());
      names.insert(names.end(), sub.begin(), sub.end());
    }
    if (!local_names_.empty()) {
      std::sort(local_names_.begin(), local_names_.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      Bytes sub;
      put_u32(sub, local_names_.size());
      for (auto& [f, locals] : local_names_) {
        put_u32(sub, f);
        put_u32(sub, locals.size());
        for (auto& [i, n] : locals) {
          put_u32(sub, i);
          put_name(sub, n);
        }
      }
      put_u8(names, 2);
      put_u32(names, sub.size());
      names.insert(names.end(), sub.begin(), sub.end());
    }
    put_section(out, 0, names);
  }
  return out;
}

}  // namespace viv::text
