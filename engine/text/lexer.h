// Tokens of the WebAssembly text format (spec 6.2.2). The whole text is
// tokenized up front into a flat vector: parsing then needs no backtracking
// machinery, and every '(' knows its matching ')' so a failed module inside a
// script can be skipped in O(1).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vivarium::engine::text {

enum class TokKind : uint8_t {
  LParen,
  RParen,
  Keyword,   // starts with a lowercase letter: i32.add, offset=4, nan:0x1, inf
  Id,        // $name
  Number,    // starts with a digit or a sign: parsed on demand with its expected type
  String,    // "..." (text is the raw source including quotes)
  Reserved,  // any other run of characters: never valid where a token is expected
  Bad,       // a lexical error (unterminated string, bad escape...); text holds the message
  Eof,
};

struct Token {
  TokKind kind = TokKind::Eof;
  uint32_t line = 1;
  uint32_t column = 1;
  // LParen: index of the matching RParen (or of Eof when unbalanced).
  uint32_t match = 0;
  std::string_view text;
};

struct Tokens {
  std::vector<Token> toks;  // always ends with Eof
  // Messages for Bad tokens live here so Token::text can point at them.
  std::vector<std::string> messages;
};

// Never fails: lexical errors become Bad tokens, reported by whoever reaches them.
Tokens tokenize(std::string_view text);

// Decodes a String token's contents (escapes resolved) into bytes. The token
// was already checked by the lexer, so this cannot fail.
std::string decode_string(std::string_view raw);

// True when `s` is a character allowed in identifiers and keywords (idchar).
bool is_idchar(unsigned char c);

}  // namespace vivarium::engine::text
