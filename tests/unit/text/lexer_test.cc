#include "engine/text/lexer.h"

#include <gtest/gtest.h>

namespace vivarium::engine::text {
namespace {

std::vector<TokKind> kinds(const Tokens& t) {
  std::vector<TokKind> k;
  for (const Token& x : t.toks) k.push_back(x.kind);
  return k;
}

TEST(TextLexer, ClassifiesTokens) {
  Tokens t = tokenize("(module $m i32.add 42 -0x1p3 \"s\" 0drop \"a\"x)");
  using K = TokKind;
  EXPECT_EQ(kinds(t), (std::vector<K>{K::LParen, K::Keyword, K::Id, K::Keyword, K::Number, K::Number, K::String,
                                      K::Reserved, K::Reserved, K::RParen, K::Eof}));
  EXPECT_EQ(t.toks[2].text, "$m");
  EXPECT_EQ(t.toks[0].match, 9u);
}

TEST(TextLexer, SkipsNestedBlockAndLineComments) {
  Tokens t = tokenize("(; a (; nested ;) still ;) x ;; line\n y");
  ASSERT_EQ(t.toks.size(), 3u);
  EXPECT_EQ(t.toks[0].text, "x");
  EXPECT_EQ(t.toks[1].text, "y");
  EXPECT_EQ(t.toks[1].line, 2u);
  EXPECT_EQ(t.toks[1].column, 2u);
}

TEST(TextLexer, LineCommentEndsAtCarriageReturn) {
  Tokens t = tokenize("a ;; comment\rb");
  ASSERT_EQ(t.toks.size(), 3u);
  EXPECT_EQ(t.toks[1].text, "b");
}

TEST(TextLexer, LoneSemicolonIsReservedNotAnEmptyToken) {
  Tokens t = tokenize("$;a ; b;;c");
  ASSERT_EQ(t.toks.size(), 4u);
  EXPECT_EQ(t.toks[0].kind, TokKind::Reserved);
  EXPECT_EQ(t.toks[0].text, "$;a");
  EXPECT_EQ(t.toks[1].text, ";");
  EXPECT_EQ(t.toks[2].text, "b");
}

TEST(TextLexer, TracksLineAndColumn) {
  Tokens t = tokenize("(a\n\n   b)");
  EXPECT_EQ(t.toks[2].line, 3u);
  EXPECT_EQ(t.toks[2].column, 4u);
}

TEST(TextLexer, LexicalErrorsBecomeBadTokens) {
  Tokens t = tokenize("x \"unterminated");
  ASSERT_EQ(t.toks[1].kind, TokKind::Bad);
  EXPECT_EQ(t.toks[1].text, "unclosed string");
  t = tokenize("(; never closed");
  EXPECT_EQ(t.toks[0].kind, TokKind::Bad);
  EXPECT_EQ(t.toks[0].text, "unclosed comment");
  t = tokenize("\"\\q\"");
  EXPECT_EQ(t.toks[0].text, "illegal escape");
  t = tokenize("\"\\u{d800}\"");
  EXPECT_EQ(t.toks[0].text, "malformed UTF-8 encoding");
  t = tokenize("\"\xC0\x80\"");  // overlong encoding in the source
  EXPECT_EQ(t.toks[0].text, "malformed UTF-8 encoding");
}

TEST(TextLexer, DecodesEveryEscape) {
  Tokens t = tokenize(R"("\t\n\r\"\'\\\00\ff\u{41}\u{10FFFF}é")");
  ASSERT_EQ(t.toks[0].kind, TokKind::String);
  std::string s = decode_string(t.toks[0].text);
  EXPECT_EQ(s, std::string("\t\n\r\"'\\\0\xff" "A\xF4\x8F\xBF\xBF\xC3\xA9", 15));
}

TEST(TextLexer, UnbalancedParenMatchesEof) {
  Tokens t = tokenize("(module (func)");
  EXPECT_EQ(t.toks[0].match, t.toks.size() - 1);
  EXPECT_EQ(t.toks[2].match, 4u);
}

}  // namespace
}  // namespace vivarium::engine::text
