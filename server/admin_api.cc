#include "server/admin_api.h"

#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "server/admin_token.h"
#include "server/manifest_json.h"
#include "server/names.h"

namespace vivarium::server {

namespace {

using terrarium::HttpResponse;
using nlohmann::json;

HttpResponse respond(uint16_t status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

HttpResponse json_response(uint16_t status, const json& j) {
  return respond(status, j.dump(2) + "\n", "application/json");
}

HttpResponse error_response(uint16_t status, const std::string& message) {
  return json_response(status, json{{"error", message}});
}

// An engine error with its location, so `vivarium deploy` can print
// "hello.wat:3:7: unknown operator" or "at offset 0x1a".
HttpResponse error_response(uint16_t status, const Error& e) {
  json j{{"error", e.to_string()}, {"message", e.message()}};
  const Location& where = e.where();
  if (where.offset != Location::kNone) j["offset"] = where.offset;
  if (where.line) {
    j["line"] = where.line;
    j["column"] = where.column;
  }
  if (!where.section.empty()) j["section"] = where.section;
  if (!where.function.empty()) j["function"] = where.function;
  return json_response(status, j);
}

std::string_view header(const AdminRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return v;
  }
  return {};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A JSON upload ({"name", "ttl", "allow_hosts": [..], "limits": {..}, and
// "wat": TEXT or "wasm_base64": BYTES}) as the same options a query string
// gives, plus the module.
struct Upload {
  std::vector<std::pair<std::string, std::string>> options;
  std::string module;
};

Result<std::string> base64_decode(const std::string& text) {
  std::string clean;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
  if (clean.size() % 4 != 0) return Error(ErrorCode::Usage, "wasm_base64: length is not a multiple of 4");
  std::string out(clean.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  if (n < 0) return Error(ErrorCode::Usage, "wasm_base64: not base64");
  size_t pad = 0;
  for (size_t i = clean.size(); i > 0 && clean[i - 1] == '=' && pad < 2; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

Result<Upload> json_upload(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(ErrorCode::Usage, "the JSON upload is not a JSON object");
  Upload u;
  try {
    for (const auto& [key, value] : j.items()) {
      if (key == "name" || key == "ttl") {
        u.options.emplace_back(key, value.get<std::string>());
      } else if (key == "allow_hosts") {
        for (const auto& h : value) u.options.emplace_back("allow-host", h.get<std::string>());
      } else if (key == "limits") {
        for (const auto& [k, v] : value.items())
          u.options.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
      } else if (key == "wat") {
        u.module = value.get<std::string>();
      } else if (key == "wasm_base64") {
        VIV_TRY_ASSIGN(u.module, base64_decode(value.get<std::string>()));
      } else {
        return Error(ErrorCode::Usage, "unknown field '" + key +
                                           "' in the JSON upload (name, ttl, allow_hosts, limits, wat, wasm_base64)");
      }
    }
  } catch (const json::exception& e) {
    return Error(ErrorCode::Usage, std::string("JSON upload: ") + e.what());
  }
  return u;
}

json deployment_json(const Deployment& d) {
  json j = manifest_to_json(d.manifest);
  j["tier"] = d.tier();  // interpreter, compiling or native (server/deployment.h)
  return j;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    out.emplace_back(percent_decode(part.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : percent_decode(part.substr(eq + 1)));
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

AdminApi::AdminApi(Deployments& deployments, LogRing& logs, EdgeMetrics& metrics, Options opts)
    : deployments_(deployments), logs_(logs), metrics_(metrics), opts_(std::move(opts)) {}

HttpResponse AdminApi::handle(const AdminRequest& req) {
  std::string_view target = req.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  auto query = parse_query(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1));
  const std::string& method = req.method;

  if (path == "/healthz") return respond(200, "ok\n", "text/plain");
  bool authorized = bearer_matches(header(req, "authorization"), opts_.token);
  if (path == "/metrics" && method == "GET" && (authorized || opts_.metrics_public))
    return respond(200, metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
  if (!authorized) {
    HttpResponse r = error_response(401, "missing or wrong admin token (Authorization: Bearer TOKEN)");
    r.headers.emplace_back("www-authenticate", "Bearer realm=\"vivarium-admin\"");
    return r;
  }

  constexpr std::string_view kPrefix = "/deployments";
  if (path.substr(0, kPrefix.size()) != kPrefix || (path.size() > kPrefix.size() && path[kPrefix.size()] != '/'))
    return error_response(404, "no such admin route: " + std::string(path));
  std::string_view rest = path.substr(kPrefix.size());
  if (!rest.empty()) rest.remove_prefix(1);  // the '/'
  std::string name(rest.substr(0, rest.find('/')));
  std::string_view sub = rest.find('/') == std::string_view::npos ? std::string_view{} : rest.substr(rest.find('/') + 1);

  // A JSON upload carries the options of the query string, and the module.
  std::string module = req.body;
  bool is_json = header(req, "content-type").substr(0, 16) == "application/json";
  if (is_json && (method == "PUT" || method == "POST")) {
    auto upload = json_upload(req.body);
    if (!upload.ok()) return error_response(400, upload.error().message());
    query.insert(query.begin(), upload->options.begin(), upload->options.end());
    module = std::move(upload->module);
  }

  auto param = [&](std::string_view key) -> std::string {
    for (const auto& [k, v] : query)
      if (k == key) return v;
    return {};
  };

  if (name.empty()) {
    if (method == "GET") {
      json list = json::array();
      for (const auto& d : deployments_.list()) list.push_back(deployment_json(*d));
      return json_response(200, json{{"deployments", list}});
    }
    if (method == "POST") name = param("name");
    else return error_response(405, "method " + method + " not allowed on /deployments (GET, POST)");
    if (name.empty()) return error_response(400, "POST /deployments needs ?name=NAME");
  }
  if (auto r = validate_name(name); !r.ok()) return error_response(400, r.error().message());

  if (sub == "logs") {
    if (method != "GET") return error_response(405, "logs are read with GET");
    uint64_t since = 0;
    size_t limit = 1000;
    std::string s = param("since"), l = param("limit");
    std::from_chars(s.data(), s.data() + s.size(), since);
    std::from_chars(l.data(), l.data() + l.size(), limit);
    auto lines = logs_.recent(name, since, limit);
    if (param("format") == "json") {
      json arr = json::array();
      for (const auto& line : lines)
        arr.push_back({{"seq", line.seq}, {"time_ms", line.time_ms}, {"level", line.level},
                       {"request_id", line.request_id}, {"text", line.text}});
      return json_response(200, json{{"deployment", name}, {"lines", arr}});
    }
    std::string text;
    for (const auto& line : lines) {
      text += std::to_string(line.seq) + " " + line.level + " ";
      text += line.request_id.empty() ? "-" : line.request_id;
      text += " " + line.text + "\n";
    }
    return respond(200, std::move(text), "text/plain; charset=utf-8");
  }
  if (!sub.empty()) return error_response(404, "no such admin route: " + std::string(path));

  if (method == "GET") {
    auto d = deployments_.find(name);
    if (!d) return error_response(404, "no deployment named '" + name + "'");
    return json_response(200, deployment_json(*d));
  }
  if (method == "DELETE") {
    auto removed = deployments_.remove(name);
    if (!removed.ok()) return error_response(500, removed.error().to_string());
    if (!*removed) return error_response(404, "no deployment named '" + name + "'");
    return json_response(200, json{{"removed", name}});
  }
  if (method != "PUT" && method != "POST")
    return error_response(405, "method " + method + " not allowed on /deployments/NAME (GET, PUT, POST, DELETE)");

  DeploySpec spec;
  spec.name = name;
  spec.limits = opts_.default_limits;
  for (const auto& [key, value] : query) {
    if (key == "name") continue;
    if (key == "ttl") {
      auto ttl = parse_duration(value);
      if (!ttl.ok()) return error_response(400, "ttl: " + ttl.error().message());
      spec.ttl = *ttl;
    } else if (key == "allow-host" || key == "allow_host") {
      spec.allow_hosts.push_back(value);
    } else if (auto r = set_limit(spec.limits, key, value); !r.ok()) {
      return error_response(400, r.error().message());
    }
  }
  auto d = deployments_.deploy(std::move(spec), std::move(module));
  if (!d.ok()) {
    const Error& e = d.error();
    // Everything but the server's own I/O is about the upload: a module that
    // does not decode, validate or fit the ABI (whatever code the runner
    // picks, e.g. NotFound for a missing `run`), a bad grant or limit.
    bool server_fault = e.code() == ErrorCode::Io || e.code() == ErrorCode::Internal;
    return error_response(server_fault ? 500 : 400, e);
  }
  return json_response(201, deployment_json(**d));
}

}  // namespace vivarium::server
