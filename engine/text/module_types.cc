// Types, type uses, block types and index references (spec 6.4, 6.6.1-6.6.3).
#include "engine/binary/reader.h"
#include "engine/text/module_parser.h"
#include "engine/text/numbers.h"

namespace vivarium::engine::text {
namespace {

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

}  // namespace

void ModuleParser::index_explicit_types() {
  // The first of identical types wins, as "the smallest index" in the spec.
  for (uint32_t i = 0; i < types_.size(); ++i) type_lookup_.emplace(type_key(types_[i]), i);
}

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

Result<std::optional<uint32_t>> ModuleParser::parse_type_ref() {
  if (!c_.is_open("type")) return std::optional<uint32_t>();
  c_.next();
  c_.next();
  VIV_TRY_ASSIGN(uint32_t idx, parse_index(kTypes));
  VIV_TRY(c_.expect(TokKind::RParen));
  return std::optional<uint32_t>(idx);
}

Result<uint32_t> ModuleParser::parse_typeuse(FuncScope* names, bool allow_names) {
  const Token& start = c_.peek();
  VIV_TRY_ASSIGN(std::optional<uint32_t> idx, parse_type_ref());
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
  VIV_TRY_ASSIGN(std::optional<uint32_t> idx, parse_type_ref());
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
  if (!vivarium::engine::is_valid_utf8(s)) return c_.error_at(t, "malformed UTF-8 encoding");
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

}  // namespace vivarium::engine::text
