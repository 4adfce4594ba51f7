#include "host/terrarium/http_fields.h"

#include <algorithm>
#include <cctype>

namespace vivarium::terrarium {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

std::vector<std::string> header_names(const Headers& h) {
  std::vector<std::string> out;
  for (const auto& [name, value] : h) {
    std::string n = lower(name);
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::string> header_values(const Headers& h, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : h) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

void remove_header(Headers& h, std::string_view name) {
  std::erase_if(h, [&](const auto& f) { return iequals(f.first, name); });
}

void set_header(Headers& h, std::string_view name, const std::vector<std::string>& values) {
  remove_header(h, name);
  for (const auto& v : values) h.emplace_back(std::string(name), v);
}

namespace {
constexpr std::string_view kFraming[] = {"content-length", "transfer-encoding", "connection", "keep-alive",
                                         "upgrade",        "proxy-connection",  "te",         "trailer"};
}  // namespace

bool is_framing_header(std::string_view name) {
  for (std::string_view f : kFraming) {
    if (iequals(f, name)) return true;
  }
  return false;
}

void remove_framing_headers(Headers& h) {
  std::erase_if(h, [](const auto& f) { return is_framing_header(f.first); });
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool is_outbound_url(std::string_view s) {
  std::string_view rest;
  if (istarts_with(s, "http://")) rest = s.substr(7);
  else if (istarts_with(s, "https://")) rest = s.substr(8);
  else return false;
  if (rest.empty() || rest[0] == '/' || rest[0] == '?' || rest[0] == '#') return false;  // no host
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string origin_form(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "/";
  const std::string_view rest = url.substr(scheme + 3);
  const size_t start = rest.find_first_of("/?#");
  if (start == std::string_view::npos || rest[start] == '#') return "/";
  std::string_view target = rest.substr(start);
  target = target.substr(0, target.find('#'));
  if (target[0] == '?') return "/" + std::string(target);
  return std::string(target);
}

}  // namespace vivarium::terrarium
