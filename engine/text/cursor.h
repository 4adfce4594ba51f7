// A position in a token vector plus the error helpers every text parser
// shares, so all syntax errors carry file:line:column and the same wording.
#pragma once
#include <string>
#include <string_view>

#include "engine/text/lexer.h"
#include "vivarium/error.h"

namespace vivarium::engine::text {

using vivarium::Error;
using vivarium::ErrorCode;
using vivarium::Result;

class Cursor {
 public:
  Cursor(const Tokens& t, std::string_view file, size_t pos = 0) : t_(&t), file_(file), pos_(pos) {}

  size_t pos() const { return pos_; }
  void seek(size_t p) { pos_ = p; }
  const Token& peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < t_->toks.size() ? t_->toks[i] : t_->toks.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ + 1 < t_->toks.size()) ++pos_;
    return t;
  }
  const Token& at(size_t i) const { return i < t_->toks.size() ? t_->toks[i] : t_->toks.back(); }
  const Tokens& tokens() const { return *t_; }
  std::string_view file() const { return file_; }

  bool is(TokKind k, size_t ahead = 0) const { return peek(ahead).kind == k; }
  bool is_keyword(std::string_view kw, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.kind == TokKind::Keyword && t.text == kw;
  }
  // "(" followed by keyword kw.
  bool is_open(std::string_view kw, size_t ahead = 0) const {
    return is(TokKind::LParen, ahead) && is_keyword(kw, ahead + 1);
  }

  Error error_at(const Token& t, std::string msg) const {
    vivarium::Location loc;
    loc.file = std::string(file_);
    loc.line = t.line;
    loc.column = t.column;
    return Error(ErrorCode::TextSyntax, std::move(msg), loc);
  }
  Error error(std::string msg) const { return error_at(peek(), std::move(msg)); }
  // The error for a token that cannot appear here; lexical errors and the end
  // of input get their own messages.
  Error unexpected(const Token& t) const {
    if (t.kind == TokKind::Bad) return error_at(t, std::string(t.text));
    if (t.kind == TokKind::Eof) return error_at(t, "unexpected end of file");
    // The spec interpreter's lexer rejects reserved tokens (`0drop`, `"a"x`)
    // wherever they appear, with this wording.
    if (t.kind == TokKind::Reserved) return error_at(t, "unknown operator " + std::string(t.text));
    return error_at(t, "unexpected token");
  }
  Error unexpected() const { return unexpected(peek()); }

  Result<void> expect(TokKind k) {
    if (!is(k)) return unexpected();
    next();
    return {};
  }
  Result<void> expect_keyword(std::string_view kw) {
    if (!is_keyword(kw)) return unexpected();
    next();
    return {};
  }
  Result<std::string> expect_string() {
    if (!is(TokKind::String)) return unexpected();
    return decode_string(next().text);
  }

 private:
  const Tokens* t_;
  std::string_view file_;
  size_t pos_;
};

}  // namespace vivarium::engine::text
