#include "engine/text/lexer.h"

#include <cstring>

#include "engine/binary/reader.h"
#include "engine/text/numbers.h"

namespace vivarium::engine::text {

bool is_idchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  return c != 0 && std::strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != nullptr;
}

namespace {

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view t) : s_(t) {}

  Tokens run() {
    std::vector<uint32_t> open;
    for (;;) {
      if (!skip_space()) break;  // a Bad token for an unterminated comment was pushed
      if (i_ >= s_.size()) break;
      uint32_t line = line_, column = col();
      char c = s_[i_];
      if (c == '(') {
        open.push_back(static_cast<uint32_t>(out_.toks.size()));
        push(TokKind::LParen, i_, 1, line, column);
        ++i_;
      } else if (c == ')') {
        if (!open.empty()) {
          out_.toks[open.back()].match = static_cast<uint32_t>(out_.toks.size());
          open.pop_back();
        }
        push(TokKind::RParen, i_, 1, line, column);
        ++i_;
      } else {
        lex_run(line, column);
      }
    }
    uint32_t eof = static_cast<uint32_t>(out_.toks.size());
    push(TokKind::Eof, s_.size(), 0, line_, col());
    for (uint32_t o : open) out_.toks[o].match = eof;
    return std::move(out_);
  }

 private:
  uint32_t col() const { return static_cast<uint32_t>(i_ - line_start_) + 1; }

  void push(TokKind k, size_t begin, size_t len, uint32_t line, uint32_t col) {
    Token t;
    t.kind = k;
    t.line = line;
    t.column = col;
    t.text = s_.substr(begin, len);
    out_.toks.push_back(t);
  }
  void bad(std::string msg, uint32_t line, uint32_t col) {
    out_.messages.push_back(std::move(msg));
    Token t;
    t.kind = TokKind::Bad;
    t.line = line;
    t.column = col;
    out_.toks.push_back(t);  // text is pointed at the message in tokenize()
  }
  void newline() {
    ++line_;
    line_start_ = i_ + 1;
  }

  // Skips whitespace and comments. Returns false after an unterminated block
  // comment (lexing stops there).
  bool skip_space() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\n') { newline(); ++i_; }
      else if (c == ' ' || c == '\t' || c == '\r') ++i_;
      else if (c == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        // A line comment ends at any newline: LF, CR or CR LF.
        while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') ++i_;
      } else if (c == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        uint32_t line = line_, col0 = col();
        int depth = 0;
        for (;;) {
          if (i_ >= s_.size()) {
            bad("unclosed comment", line, col0);
            return false;
          }
          if (s_[i_] == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') { ++depth; i_ += 2; }
          else if (s_[i_] == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ')') {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            if (s_[i_] == '\n') newline();
            ++i_;
          }
        }
      } else {
        return true;
      }
    }
    return true;
  }

  // Scans a string starting at s_[i_] == '"'. Returns an error message or
  // empty on success; i_ ends after the closing quote.
  std::string scan_string() {
    ++i_;
    for (;;) {
      if (i_ >= s_.size()) return "unclosed string";
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') { ++i_; return {}; }
      if (c == '\n') return "unclosed string";
      if (c < 0x20 || c == 0x7F) return "illegal control character in string";
      if (c == '\\') {
        if (i_ + 1 >= s_.size()) return "unclosed string";
        char e = s_[i_ + 1];
        if (std::strchr("tnr\"'\\", e)) { i_ += 2; continue; }
        if (e == 'u') {
          size_t j = i_ + 2;
          if (j >= s_.size() || s_[j] != '{') return "illegal escape";
          ++j;
          uint64_t cp = 0;
          size_t digits = 0;
          while (j < s_.size() && hex_val(s_[j]) >= 0) {
            cp = cp * 16 + static_cast<uint64_t>(hex_val(s_[j]));
            if (cp > 0x10FFFF) cp = 0x110000;
            ++j;
            ++digits;
            if (j < s_.size() && s_[j] == '_' && j + 1 < s_.size() && hex_val(s_[j + 1]) >= 0) ++j;
          }
          if (digits == 0 || j >= s_.size() || s_[j] != '}') return "illegal escape";
          if (cp >= 0x110000 || (cp >= 0xD800 && cp < 0xE000)) return "malformed UTF-8 encoding";
          i_ = j + 1;
          continue;
        }
        if (hex_val(e) >= 0 && i_ + 2 < s_.size() && hex_val(s_[i_ + 2]) >= 0) { i_ += 3; continue; }
        return "illegal escape";
      }
      if (c >= 0x80) {
        size_t n = utf8_sequence_length(s_, i_);
        if (n == 0) return "malformed UTF-8 encoding";
        i_ += n;
        continue;
      }
      ++i_;
    }
  }

  // A maximal run of idchars and strings. Tokens must be separated by space
  // or parentheses, so `"a"x` or `0drop` is one (reserved) token.
  void lex_run(uint32_t line, uint32_t col0) {
    size_t begin = i_;
    size_t strings = 0, others = 0;
    bool foreign = false;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        std::string err = scan_string();
        if (!err.empty()) {
          bad(std::move(err), line, col0);
          // Resynchronize at the end of the line.
          while (i_ < s_.size() && s_[i_] != '\n') ++i_;
          return;
        }
        ++strings;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')') break;
      // `;;` starts a comment; a lone `;` is just a foreign character (and
      // must be consumed: a run may not be empty).
      if (c == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ';' && i_ > begin) break;
      if (!is_idchar(c)) {
        foreign = true;
        if (c >= 0x80) {
          size_t n = utf8_sequence_length(s_, i_);
          if (n == 0) {
            bad("malformed UTF-8 encoding", line_, col());
            ++i_;
            return;
          }
          i_ += n;
          ++others;
          continue;
        }
      }
      ++others;
      ++i_;
    }
    size_t len = i_ - begin;
    TokKind kind;
    char c0 = s_[begin];
    if (strings == 1 && others == 0) kind = TokKind::String;
    else if (strings > 0 || foreign) kind = TokKind::Reserved;
    else if (c0 == '$') kind = len > 1 ? TokKind::Id : TokKind::Reserved;
    else if (c0 >= 'a' && c0 <= 'z') kind = TokKind::Keyword;
    else if ((c0 >= '0' && c0 <= '9') || ((c0 == '+' || c0 == '-') && len > 1))
      kind = is_number_syntax(s_.substr(begin, len)) ? TokKind::Number : TokKind::Reserved;
    else kind = TokKind::Reserved;
    push(kind, begin, len, line, col0);
  }

  std::string_view s_;
  size_t i_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
  Tokens out_;
};

}  // namespace

Tokens tokenize(std::string_view text) {
  Lexer lx(text);
  Tokens t = lx.run();
  // Short messages live inside their std::string (small-string storage),
  // which moves when `messages` grows: point Bad tokens at them only now.
  size_t k = 0;
  for (Token& tok : t.toks)
    if (tok.kind == TokKind::Bad) tok.text = t.messages[k++];
  return t;
}

std::string decode_string(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  // raw includes the quotes.
  for (size_t i = 1; i + 1 < raw.size();) {
    char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    char e = raw[i + 1];
    switch (e) {
      case 't': out.push_back('\t'); i += 2; continue;
      case 'n': out.push_back('\n'); i += 2; continue;
      case 'r': out.push_back('\r'); i += 2; continue;
      case '"': out.push_back('"'); i += 2; continue;
      case '\'': out.push_back('\''); i += 2; continue;
      case '\\': out.push_back('\\'); i += 2; continue;
      case 'u': {
        size_t j = i + 3;
        uint32_t cp = 0;
        while (raw[j] != '}') {
          if (raw[j] != '_') cp = cp * 16 + static_cast<uint32_t>(hex_val(raw[j]));
          ++j;
        }
        i = j + 1;
        if (cp < 0x80) {
          out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
          out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        continue;
      }
      default:
        out.push_back(static_cast<char>(hex_val(e) * 16 + hex_val(raw[i + 2])));
        i += 3;
        continue;
    }
  }
  return out;
}

}  // namespace vivarium::engine::text
