#include "server/http_util.h"

#include <sys/random.h>

#include <array>
#include <cctype>
#include <ctime>

namespace vivarium::server {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

bool is_hop_by_hop(std::string_view n) {
  switch (n.size()) {
    case 2: return iequals(n, "te");
    case 7: return iequals(n, "trailer") || iequals(n, "upgrade");
    case 10: return iequals(n, "connection") || iequals(n, "keep-alive");
    case 17: return iequals(n, "transfer-encoding");
    default: return istarts_with(n, "proxy-");
  }
}

void ConnectionTokens::add(std::string_view v) {
  size_t i = 0;
  while (i < v.size()) {
    size_t j = v.find(',', i);
    if (j == std::string_view::npos) j = v.size();
    std::string_view t = v.substr(i, j - i);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (!t.empty()) {
      if (tokens_.empty()) tokens_ = ",";
      for (char c : t) tokens_ += lower(c);
      tokens_ += ',';
    }
    i = j + 1;
  }
}

bool ConnectionTokens::contains(std::string_view name) const {
  if (tokens_.empty()) return false;
  std::string key = ",";
  for (char c : name) key += lower(c);
  key += ',';
  return tokens_.find(key) != std::string::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (std::isalnum(c)) continue;
    switch (c) {
      case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
      case '-': case '.': case '^': case '_': case '`': case '|': case '~': continue;
      default: return false;
    }
  }
  return true;
}

bool is_field_value(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

std::string normalize_host(std::string_view h) {
  std::string_view name = h, port;
  if (!h.empty() && h.front() == '[') {  // IPv6 literal
    size_t close = h.find(']');
    if (close == std::string_view::npos) return {};
    name = h.substr(0, close + 1);
    std::string_view rest = h.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return {};
      port = rest.substr(1);
    }
  } else if (size_t colon = h.rfind(':'); colon != std::string_view::npos) {
    name = h.substr(0, colon);
    port = h.substr(colon + 1);
  }
  if (port.size() > 5) return {};
  for (char c : port)
    if (c < '0' || c > '9') return {};
  if (name.empty()) return {};
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = std::isalnum(u) || c == '-' || c == '.' || c == '_' ||
              (name.front() == '[' && (c == ':' || c == '[' || c == ']' || c == '%'));
    if (!ok) return {};
    out += lower(c);
  }
  return out;
}

std::string_view http_date() {
  thread_local time_t last = 0;
  thread_local std::array<char, 40> buf{};
  thread_local size_t len = 0;
  time_t now = ::time(nullptr);
  if (now != last) {
    struct tm tm;
    gmtime_r(&now, &tm);
    len = strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    last = now;
  }
  return {buf.data(), len};
}

std::string new_request_id() {
  struct State {
    uint64_t key = 0, counter = 0;
    State() {
      uint64_t seed[2] = {0, 0};
      // getrandom never fails for 16 bytes once the pool is initialised; a
      // short read only weakens unpredictability, not uniqueness per thread.
      (void)!getrandom(seed, sizeof seed, 0);
      key = seed[0] | 1;
      counter = seed[1];
    }
  };
  thread_local State st;
  // splitmix64's finaliser is a bijection on 64 bits: distinct counters give
  // distinct ids; the random key and start make them hard to guess.
  uint64_t z = (st.counter++ + st.key) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4) id[i] = kHex[z & 15];
  return id;
}

ResponseFacts sanitize_response(terrarium::HttpResponse& r, bool lower_names) {
  ResponseFacts facts;
  if (r.status < 200 || r.status > 599) {
    std::string msg = "handler returned invalid status " + std::to_string(r.status) + "\n";
    r = error_response(500, msg);
  }
  auto& hs = r.headers;
  size_t out = 0;
  for (size_t i = 0; i < hs.size(); ++i) {
    auto& [name, value] = hs[i];
    if (!is_token(name) || !is_field_value(value) || is_hop_by_hop(name) ||
        iequals(name, "content-length"))
      continue;
    if (lower_names)
      for (char& c : name) c = lower(c);
    if (iequals(name, "date")) facts.has_date = true;
    if (iequals(name, "server")) facts.has_server = true;
    if (out != i) hs[out] = std::move(hs[i]);
    ++out;
  }
  hs.resize(out);
  return facts;
}

terrarium::HttpResponse error_response(uint16_t status, std::string_view message) {
  terrarium::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  r.body.assign(message);
  if (r.body.empty() || r.body.back() != '\n') r.body += '\n';
  return r;
}

}  // namespace vivarium::server
