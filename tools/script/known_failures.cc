#include "tools/script/known_failures.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vivarium::engine::script {

using vivarium::Error;
using vivarium::ErrorCode;
using vivarium::Location;
using vivarium::Result;

std::string KnownFailures::key(const std::string& file) { return std::filesystem::path(file).filename().string(); }

Result<KnownFailures> KnownFailures::parse(std::string_view text, const std::string& path) {
  KnownFailures kf;
  kf.path_ = path;
  uint32_t lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++lineno;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;

    Location loc;
    loc.file = path;
    loc.line = lineno;
    loc.column = 1;
    if (line.find_first_of(" \t") != std::string_view::npos) {
      return Error(ErrorCode::Usage, "expected FILE.wast or FILE.wast:LINE, got '" + std::string(line) + "'", loc);
    }
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      kf.files_.insert(std::string(line));
      continue;
    }
    std::string_view num = line.substr(colon + 1);
    uint32_t n = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (colon == 0 || num.empty() || ec != std::errc() || p != num.data() + num.size() || n == 0) {
      return Error(ErrorCode::Usage, "bad line number in '" + std::string(line) + "'", loc);
    }
    kf.lines_[std::string(line.substr(0, colon))].insert(n);
  }
  return kf;
}

Result<KnownFailures> KnownFailures::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Location loc;
    loc.file = path;
    return Error(ErrorCode::Io, "cannot open the known-failure list", loc);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

bool KnownFailures::whole_file(const std::string& file) const { return files_.count(key(file)) != 0; }

bool KnownFailures::listed(const std::string& file, uint32_t line) const {
  auto it = lines_.find(key(file));
  return it != lines_.end() && it->second.count(line) != 0;
}

Reconciled KnownFailures::reconcile(const ScriptReport& report) const {
  Reconciled r;
  const std::string k = key(report.file);
  const bool whole = whole_file(report.file);
  const std::string list = key(path_);

  // A line fails when any command starting on it fails (two commands can
  // share a line).
  std::map<uint32_t, bool> line_failed;
  for (const Outcome& o : report.outcomes) line_failed[o.line] |= !o.passed;

  bool any_failure = false;
  for (const Outcome& o : report.outcomes) {
    const std::string where = report.file + ":" + std::to_string(o.line);
    bool listed_line = listed(report.file, o.line);
    if (!o.passed) {
      any_failure = true;
      if (whole || listed_line) {
        ++r.known;
      } else {
        ++r.failed;
        r.problems.push_back(where + ": " + o.command + ": " + o.detail);
      }
    } else if (listed_line && !whole && !line_failed[o.line]) {
      ++r.failed;
      r.problems.push_back(where + ": " + o.command + ": now passes: remove " + k + ":" + std::to_string(o.line) +
                           " from " + list);
    } else {
      ++r.passed;
    }
  }
  if (whole && !any_failure) {
    ++r.failed;
    r.problems.push_back(report.file + ": every assertion now passes: remove " + k + " from " + list);
  }
  if (auto it = lines_.find(k); it != lines_.end()) {
    for (uint32_t line : it->second) {
      if (!line_failed.count(line)) {
        ++r.failed;
        r.problems.push_back(report.file + ":" + std::to_string(line) + ": listed in " + list +
                             " but no command starts on this line: remove " + k + ":" + std::to_string(line));
      }
    }
  }
  return r;
}

void KnownFailures::update(const ScriptReport& report, uint32_t collapse_over) {
  const std::string k = key(report.file);
  files_.erase(k);
  lines_.erase(k);
  std::set<uint32_t> failing;
  for (const Outcome& o : report.outcomes) {
    if (!o.passed) failing.insert(o.line);
  }
  if (failing.empty()) return;
  if (failing.size() > collapse_over || report.passed() == 0) {
    files_.insert(k);
  } else {
    lines_[k] = std::move(failing);
  }
}

std::string KnownFailures::to_text(const std::string& header) const {
  std::string out = header;
  if (!out.empty() && out.back() != '\n') out += '\n';
  std::set<std::string> names = files_;
  for (const auto& [f, _] : lines_) names.insert(f);
  for (const std::string& f : names) {
    if (files_.count(f)) {
      out += f + "\n";
      continue;
    }
    for (uint32_t line : lines_.at(f)) out += f + ":" + std::to_string(line) + "\n";
  }
  return out;
}

}  // namespace vivarium::engine::script
