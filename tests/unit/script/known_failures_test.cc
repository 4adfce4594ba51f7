#include "tools/script/known_failures.h"

#include <gtest/gtest.h>

namespace vivarium::engine::script {
namespace {

ScriptReport report(std::vector<std::pair<uint32_t, bool>> lines) {
  ScriptReport r;
  r.file = "/suite/f.wast";
  for (auto [line, passed] : lines) r.outcomes.push_back({line, passed, "assert_return", passed ? "" : "expected x, got y"});
  return r;
}

KnownFailures parse_ok(std::string_view text) {
  auto kf = KnownFailures::parse(text, "kf.txt");
  EXPECT_TRUE(kf.ok()) << (kf.ok() ? "" : kf.error().to_string());
  return kf.ok() ? std::move(kf).value() : KnownFailures();
}

TEST(KnownFailures, ParsesFilesLinesAndComments) {
  KnownFailures kf = parse_ok("# header\n\nf.wast:10  # why\n  g.wast\r\n");
  EXPECT_TRUE(kf.listed("dir/f.wast", 10));
  EXPECT_FALSE(kf.listed("f.wast", 11));
  EXPECT_TRUE(kf.whole_file("other/dir/g.wast"));
  EXPECT_FALSE(kf.whole_file("f.wast"));
}

TEST(KnownFailures, RejectsMalformedLinesWithTheirLocation) {
  for (const char* bad : {"f.wast:\n", "f.wast:x\n", "f.wast:0\n", "a b\n", ":3\n"}) {
    auto kf = KnownFailures::parse(std::string("# c\n") + bad, "kf.txt");
    ASSERT_FALSE(kf.ok()) << bad;
    EXPECT_EQ(kf.error().where().line, 2u) << bad;
    EXPECT_EQ(kf.error().where().file, "kf.txt");
  }
}

TEST(KnownFailures, UnlistedFailureIsAProblem) {
  Reconciled r = parse_ok("").reconcile(report({{1, true}, {2, false}}));
  EXPECT_EQ(r.passed, 1u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.known, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("/suite/f.wast:2"), std::string::npos);
  EXPECT_NE(r.problems[0].find("expected x, got y"), std::string::npos);
}

TEST(KnownFailures, ListedFailureIsExpected) {
  Reconciled r = parse_ok("f.wast:2\n").reconcile(report({{1, true}, {2, false}}));
  EXPECT_EQ(r.passed, 1u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.known, 1u);
  EXPECT_TRUE(r.problems.empty());
}

TEST(KnownFailures, ListedLineThatPassesAsksForRemoval) {
  Reconciled r = parse_ok("f.wast:1\n").reconcile(report({{1, true}, {2, true}}));
  EXPECT_EQ(r.failed, 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("now passes: remove f.wast:1 from kf.txt"), std::string::npos);
}

TEST(KnownFailures, SharedLineFailsIfAnyCommandOnItFails) {
  Reconciled r = parse_ok("f.wast:3\n").reconcile(report({{3, true}, {3, false}}));
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.known, 1u);
  EXPECT_EQ(r.passed, 1u);
}

TEST(KnownFailures, WholeFileAcceptsAnyFailureButNotAFullPass) {
  KnownFailures kf = parse_ok("f.wast\n");
  Reconciled some = kf.reconcile(report({{1, false}, {2, true}, {3, false}}));
  EXPECT_EQ(some.failed, 0u);
  EXPECT_EQ(some.known, 2u);
  Reconciled all = kf.reconcile(report({{1, true}, {2, true}}));
  EXPECT_EQ(all.failed, 1u);
  EXPECT_NE(all.problems.at(0).find("remove f.wast from kf.txt"), std::string::npos);
}

TEST(KnownFailures, StaleLineIsAProblem) {
  Reconciled r = parse_ok("f.wast:99\n").reconcile(report({{1, true}}));
  EXPECT_EQ(r.failed, 1u);
  EXPECT_NE(r.problems.at(0).find("f.wast:99"), std::string::npos);
}

TEST(KnownFailures, OtherFilesEntriesDoNotApply) {
  Reconciled r = parse_ok("g.wast:2\ng.wast\n").reconcile(report({{2, false}}));
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.known, 0u);
}

TEST(KnownFailures, UpdateListsLinesOrCollapsesToTheFile) {
  KnownFailures kf = parse_ok("f.wast:7\nother.wast:4\n");
  kf.update(report({{1, true}, {2, false}, {5, false}}), /*collapse_over=*/5);
  EXPECT_EQ(kf.to_text("# h\n"), "# h\nf.wast:2\nf.wast:5\nother.wast:4\n");
  kf.update(report({{1, true}, {2, false}, {5, false}}), /*collapse_over=*/1);
  EXPECT_EQ(kf.to_text(""), "f.wast\nother.wast:4\n");
  kf.update(report({{1, true}}));
  EXPECT_EQ(kf.to_text(""), "other.wast:4\n");
  // Nothing passed: the whole file is listed whatever the count.
  kf.update(report({{1, false}}));
  EXPECT_TRUE(kf.whole_file("f.wast"));
}

}  // namespace
}  // namespace vivarium::engine::script
