#include "server/dashboard/dashboard_routes.h"

#include <algorithm>
#include <cctype>

#include "server/admin_token.h"

namespace vivarium::server::dashboard {
namespace {

using terrarium::HttpResponse;

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

HttpResponse text(uint16_t status, std::string body, std::string_view type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", std::string(type));
  r.body = std::move(body);
  return r;
}

// `name` in lower case.
bool is_header(std::string_view k, std::string_view name) {
  return k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

std::string_view header(const terrarium::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (is_header(k, name)) return v;
  return {};
}

HttpResponse static_file(std::string_view path) {
  std::string_view name = path.substr(std::string_view("/dashboard").size());
  if (name.empty() || name == "/") name = "/index.html";
  name.remove_prefix(1);
  for (const Asset& a : assets()) {
    if (a.name != name) continue;
    HttpResponse r = text(200, std::string(a.body), content_type(a.name));
    // The page runs only its own scripts and talks only to this origin.
    r.headers.emplace_back("content-security-policy",
                           "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'");
    r.headers.emplace_back("x-content-type-options", "nosniff");
    r.headers.emplace_back("cache-control", "no-cache");
    return r;
  }
  return text(404, "no dashboard file " + std::string(name) + "\n");
}

}  // namespace

bool handle(boost::asio::any_io_executor ex, IncomingRequest& req, Respond& respond, std::string_view admin_token,
            const Handler& edge) {
  std::string_view target = req.request.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/" || path == "/dashboard" || path.starts_with("/dashboard/")) {
    if (req.request.method != "GET" && req.request.method != "HEAD") {
      respond(text(405, "the dashboard's files are read with GET\n"));
    } else if (path == "/") {
      HttpResponse r = text(302, "");
      r.headers.emplace_back("location", "/dashboard/");
      respond(std::move(r));
    } else {
      respond(static_file(path));
    }
    return true;
  }
  constexpr std::string_view kInvoke = "/invoke/";
  if (!path.starts_with(kInvoke)) return false;
  if (!bearer_matches(header(req.request.headers, "authorization"), admin_token)) {
    respond(text(401, "missing or wrong admin token (Authorization: Bearer TOKEN)\n"));
    return true;
  }
  std::string_view rest = target.substr(kInvoke.size());
  size_t slash = rest.find_first_of("/?");
  std::string name(rest.substr(0, slash));
  if (name.empty() || name.find('.') != std::string::npos) {
    respond(text(400, "/invoke/NAME/PATH needs a deployment name\n"));
    return true;
  }
  std::string new_target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (new_target.front() == '?') new_target.insert(0, "/");
  req.request.target = std::move(new_target);
  req.host = name + ".localhost";
  // The admin token is not the guest's business.
  std::erase_if(req.request.headers, [](const auto& h) { return is_header(h.first, "authorization"); });
  edge(std::move(ex), std::move(req), std::move(respond));
  return true;
}

}  // namespace vivarium::server::dashboard
