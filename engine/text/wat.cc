#include "engine/text/wat.h"

#include "engine/text/lexer.h"
#include "engine/text/module_parser.h"

namespace vivarium::engine {

vivarium::Result<std::vector<uint8_t>> wat_to_binary(std::string_view text, std::string_view file) {
  text::Tokens toks = text::tokenize(text);
  text::Cursor c(toks, file);
  std::string_view id;
  size_t begin = 0, end = toks.toks.size() - 1;  // bare fields: up to Eof
  if (c.is_open("module")) {
    end = toks.toks[0].match;
    begin = 2;
    if (toks.toks[begin].kind == text::TokKind::Id) id = toks.toks[begin++].text;
    if (toks.toks[end].kind != text::TokKind::RParen) return c.unexpected(toks.toks[end]);
    if (toks.toks[end + 1].kind != text::TokKind::Eof) return c.unexpected(toks.toks[end + 1]);
    // The script forms (module binary "...") and (module quote "...") are
    // accepted here too, so a .wat file may hold either.
    const text::Token& form = toks.toks[begin];
    if (form.kind == text::TokKind::Keyword && (form.text == "binary" || form.text == "quote")) {
      std::string data;
      size_t i = begin + 1;
      for (; toks.toks[i].kind == text::TokKind::String; ++i) data += text::decode_string(toks.toks[i].text);
      if (i != end) return c.unexpected(toks.toks[i]);
      if (form.text == "quote") return wat_to_binary(data, file);
      return std::vector<uint8_t>(data.begin(), data.end());
    }
  }
  text::ModuleParser p(toks, file, begin, end);
  return p.run(id);
}

}  // namespace vivarium::engine
