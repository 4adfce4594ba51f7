#include "engine/text/module_parser.h"

#include <algorithm>

namespace vivarium::engine::text {
namespace {

const char* space_noun(Space s) {
  static const char* const kNames[] = {"type", "func", "table", "memory", "global", "elem", "data"};
  return kNames[s];
}

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
          if (c_.at(j + 1).kind == TokKind::Keyword && c_.at(j + 1).text == child) ++spaces_[s].count;
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
        // c_.at() clamps to Eof: an unclosed field may end anywhere.
        std::string_view d = c_.at(j + 1).kind == TokKind::Keyword ? c_.at(j + 1).text : std::string_view{};
        const Token* did = c_.at(j + 2).kind == TokKind::Id ? &c_.at(j + 2) : nullptr;
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
  index_explicit_types();
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

}  // namespace vivarium::engine::text
