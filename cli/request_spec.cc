// Parsing and checking tests/requests.txt (see request_spec.h).
#include "cli/request_spec.h"

#include <sstream>

namespace vivarium::cli {
namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
  }
  return out;
}

std::string escape(const std::string& s) {
  std::string out;
  static const char hex[] = "0123456789abcdef";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += std::string("\\x") + hex[u >> 4] + hex[u & 15];
    else out += c;
  }
  return out.size() > 200 ? out.substr(0, 200) + "..." : out;
}

// "word rest": splits off the first word.
std::pair<std::string, std::string> split_word(const std::string& s) {
  size_t sp = s.find(' ');
  if (sp == std::string::npos) return {s, ""};
  return {s.substr(0, sp), s.substr(s.find_first_not_of(' ', sp) == std::string::npos ? s.size() : s.find_first_not_of(' ', sp))};
}

bool split_header(const std::string& s, std::pair<std::string, std::string>& out) {
  size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string name = s.substr(0, colon);
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  size_t v = s.find_first_not_of(' ', colon + 1);
  out = {name, v == std::string::npos ? "" : unescape(s.substr(v))};
  return true;
}

}  // namespace

Result<RequestSpec> parse_request_spec(const std::string& text, const std::string& file) {
  RequestSpec spec;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto fail = [&](const std::string& why) {
    Location where;
    where.file = file;
    where.line = static_cast<uint32_t>(n);
    return Error(ErrorCode::Usage, why + " (in: " + line + ")", where);
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto [word, rest] = split_word(line);
    RequestCase* cur = spec.cases.empty() ? nullptr : &spec.cases.back();
    if (word == "deploy") {
      std::istringstream flags(rest);
      for (std::string f; flags >> f;) spec.deploy_flags.push_back(f);
    } else if (word == "request") {
      auto [method, target] = split_word(rest);
      if (method.empty() || target.empty() || target[0] != '/') return fail("expected `request METHOD /target`");
      RequestCase c;
      c.line = n;
      c.method = method;
      c.target = target;
      spec.cases.push_back(std::move(c));
    } else if (!cur) {
      return fail("`" + word + "` before the first `request` line");
    } else if (word == "header") {
      std::pair<std::string, std::string> h;
      if (!split_header(rest, h)) return fail("expected `header NAME: VALUE`");
      cur->headers.push_back(std::move(h));
    } else if (word == "body") {
      cur->body = unescape(rest);
    } else if (word == "expect") {
      auto [what, value] = split_word(rest);
      if (what == "status") {
        cur->expect_status = std::atoi(value.c_str());
        if (cur->expect_status < 100 || cur->expect_status > 599) return fail("expected a status 100..599");
      } else if (what == "header") {
        std::pair<std::string, std::string> h;
        if (!split_header(value, h)) return fail("expected `expect header NAME: VALUE`");
        cur->expect_headers.push_back(std::move(h));
      } else if (what == "body") {
        cur->check_body = true;
        cur->expect_body = unescape(value);
      } else if (what == "contains") {
        cur->expect_contains.push_back(unescape(value));
      } else {
        return fail("unknown expectation `" + what + "` (status, header, body, contains)");
      }
    } else {
      return fail("unknown directive `" + word + "` (deploy, request, header, body, expect)");
    }
  }
  if (spec.cases.empty()) {
    Location where;
    where.file = file;
    return Error(ErrorCode::Usage, "no `request` line: nothing to test", where);
  }
  return spec;
}

std::vector<std::string> check_reply(const RequestCase& c, const HttpReply& reply) {
  std::vector<std::string> bad;
  if (c.expect_status && reply.status != c.expect_status)
    bad.push_back("status " + std::to_string(reply.status) + ", expected " + std::to_string(c.expect_status));
  for (const auto& [name, value] : c.expect_headers) {
    const std::string* got = reply.header(name);
    if (!got) bad.push_back("no header " + name + " (expected \"" + escape(value) + "\")");
    else if (*got != value) bad.push_back("header " + name + " is \"" + escape(*got) + "\", expected \"" + escape(value) + "\"");
  }
  if (c.check_body && reply.body != c.expect_body)
    bad.push_back("body \"" + escape(reply.body) + "\", expected \"" + escape(c.expect_body) + "\"");
  for (const auto& s : c.expect_contains)
    if (reply.body.find(s) == std::string::npos)
      bad.push_back("body \"" + escape(reply.body) + "\" does not contain \"" + escape(s) + "\"");
  // The body tells why (a trap's 500 carries its message) when nothing above showed it.
  if (!bad.empty() && !c.check_body && c.expect_contains.empty()) bad.push_back("the body was \"" + escape(reply.body) + "\"");
  return bad;
}

}  // namespace vivarium::cli
