// A checked-in list of assertions expected to fail (tests/spec/known_failures.txt),
// so the spec suite can gate CI before the engine passes everything: a new
// failure fails the run, and so does a listed assertion that now passes (the
// list only ever shrinks by someone deleting lines, never silently).
//
// Format, one entry per line, '#' starts a comment:
//   simd_const.wast        every assertion of the file may fail
//   float_exprs.wast:2351  the command starting on that line may fail
// Files are named by their base name, so the list works from any directory.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tools/script/runner.h"
#include "vivarium/error.h"

namespace vivarium::engine::script {

// A report weighed against the list.
struct Reconciled {
  uint32_t passed = 0;
  uint32_t failed = 0;  // unexpected: new failures, now-passing or stale entries
  uint32_t known = 0;   // failures the list expects
  // One message per unexpected result, "file:line: ..." (failures keep their
  // command and detail).
  std::vector<std::string> problems;
};

class KnownFailures {
 public:
  // Malformed lines are errors naming path:line.
  static vivarium::Result<KnownFailures> parse(std::string_view text, const std::string& path = "known_failures.txt");
  static vivarium::Result<KnownFailures> load(const std::string& path);

  bool whole_file(const std::string& file) const;
  bool listed(const std::string& file, uint32_t line) const;

  Reconciled reconcile(const ScriptReport& report) const;

  // The list with `report`'s file replaced by its current failures: the whole
  // file when more than `collapse_over` lines fail (or nothing passed), else
  // line by line. Other files' entries are kept.
  void update(const ScriptReport& report, uint32_t collapse_over = 100);
  // Serializes with `header` (comment lines) first, entries sorted.
  std::string to_text(const std::string& header) const;

  // "dir/x.wast" -> "x.wast".
  static std::string key(const std::string& file);

 private:
  std::set<std::string> files_;
  std::map<std::string, std::set<uint32_t>> lines_;
  std::string path_ = "known_failures.txt";
};

}  // namespace vivarium::engine::script
