#include "server/names.h"

#include <cctype>
#include <limits>

namespace vivarium::server {

namespace {

Error usage(std::string message) { return Error(ErrorCode::Usage, std::move(message)); }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Reads the unsigned decimal number at `pos`, advancing it; false on overflow
// or when there is no digit.
bool read_number(std::string_view text, size_t& pos, uint64_t& out) {
  size_t start = pos;
  out = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
    if (out > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    out = out * 10 + digit;
    ++pos;
  }
  return pos > start;
}

bool checked_mul_add(uint64_t& acc, uint64_t n, uint64_t unit) {
  if (unit != 0 && n > std::numeric_limits<uint64_t>::max() / unit) return false;
  uint64_t v = n * unit;
  if (acc > std::numeric_limits<uint64_t>::max() - v) return false;
  acc += v;
  return true;
}

}  // namespace

Result<void> validate_name(std::string_view name) {
  if (name.empty()) return usage("deployment name is empty (a DNS label: a-z, 0-9, '-')");
  if (name.size() > 63)
    return usage("deployment name " + quoted(name) + " is " + std::to_string(name.size()) +
                 " characters long; a DNS label has at most 63");
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      std::string what = (c >= 'A' && c <= 'Z') ? "an upper-case letter (names are lower case)"
                                                : "a character outside a-z, 0-9 and '-'";
      return usage("deployment name " + quoted(name) + " has " + what + " at position " +
                   std::to_string(i));
    }
  }
  if (name.front() == '-' || name.back() == '-')
    return usage("deployment name " + quoted(name) + " starts or ends with '-'");
  return {};
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return usage("empty duration (e.g. 90s, 5m, 1h30m)");
  size_t pos = 0;
  uint64_t total_ms = 0;
  while (pos < text.size()) {
    uint64_t n = 0;
    if (!read_number(text, pos, n))
      return usage("duration " + quoted(text) + ": expected a number at position " + std::to_string(pos));
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    uint64_t ms = 0;
    if (unit.empty() && unit_start == text.size() && total_ms == 0) ms = 1000;  // bare seconds
    else if (unit == "ms") ms = 1;
    else if (unit == "s") ms = 1000;
    else if (unit == "m") ms = 60'000;
    else if (unit == "h") ms = 3'600'000;
    else if (unit == "d") ms = 86'400'000;
    else
      return usage("duration " + quoted(text) + ": unknown unit " + quoted(unit) +
                   " (use ms, s, m, h or d)");
    if (!checked_mul_add(total_ms, n, ms) || total_ms > uint64_t{1} << 52)
      return usage("duration " + quoted(text) + " is too long");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(total_ms));
}

std::string format_duration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms <= 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  int64_t s = ms / 1000;
  std::string out;
  const struct { int64_t secs; const char* unit; } units[] = {
      {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (const auto& u : units) {
    if (s >= u.secs) {
      out += std::to_string(s / u.secs) + u.unit;
      s %= u.secs;
    }
  }
  return out;
}

Result<uint64_t> parse_size(std::string_view text) {
  size_t pos = 0;
  uint64_t n = 0;
  if (!read_number(text, pos, n))
    return usage("size " + quoted(text) + ": expected a number of bytes (e.g. 1048576, 512k, 64MiB)");
  std::string unit(text.substr(pos));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint64_t mult = 0;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = uint64_t{1} << 10;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = uint64_t{1} << 20;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = uint64_t{1} << 30;
  else
    return usage("size " + quoted(text) + ": unknown unit " + quoted(text.substr(pos)) +
                 " (use k, M or G, powers of 1024)");
  uint64_t total = 0;
  if (!checked_mul_add(total, n, mult)) return usage("size " + quoted(text) + " is too large");
  return total;
}

}  // namespace vivarium::server
