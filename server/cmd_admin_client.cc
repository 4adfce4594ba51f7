// `vivarium deploy | deployments | undeploy | logs`: the admin API's command
// line (server/admin_api.h), over HTTP with the bearer token.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "server/admin_api.h"
#include "server/admin_client.h"
#include "server/admin_token.h"
#include "server/edge_commands.h"
#include "server/names.h"

namespace vivarium::server {

namespace {

using nlohmann::json;

struct ClientOptions {
  std::string server;
  std::string token_file;
};

void add_client_options(CLI::App& app, ClientOptions& o) {
  const char* env = std::getenv("VIVARIUM_SERVER");
  o.server = env && *env ? env : "http://127.0.0.1:8081";
  app.add_option("--server", o.server, "admin API URL (or VIVARIUM_SERVER)")->capture_default_str();
  app.add_option("--token-file", o.token_file,
                 "file holding the admin token [default: $VIVARIUM_TOKEN, else ./vivarium-data/admin-token]");
}

int usage_error(const char* cmd, const std::string& message) {
  std::fprintf(stderr, "vivarium %s: %s\n", cmd, message.c_str());
  return 2;
}

Result<std::string> resolve_token(const ClientOptions& o) {
  if (!o.token_file.empty()) return load_admin_token(o.token_file, false);
  if (const char* env = std::getenv("VIVARIUM_TOKEN"); env && *env) return std::string(env);
  if (std::filesystem::exists("vivarium-data/admin-token")) return load_admin_token("vivarium-data/admin-token", false);
  return Error(ErrorCode::Usage, "no admin token: give --token-file FILE or set VIVARIUM_TOKEN");
}

int parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return -1;
}

// Sends the request; prints the server's error and returns the exit status
// when it failed, or -1 with the reply in `out`.
int call(const char* cmd, const ClientOptions& o, const std::string& method, const std::string& path,
         const std::string& body, AdminReply& out,
         const std::function<std::string(std::string)>& rewrite = [](std::string m) { return m; }) {
  auto token = resolve_token(o);
  if (!token.ok()) return usage_error(cmd, token.error().message());
  AdminClient client(o.server, *token);
  auto reply = client.request(method, path, body);
  if (!reply.ok()) {
    std::fprintf(stderr, "vivarium %s: %s\n", cmd, reply.error().message().c_str());
    return 1;
  }
  out = std::move(reply).value();
  if (out.status >= 200 && out.status < 300) return -1;
  json j = json::parse(out.body, nullptr, false);
  std::string message = j.is_object() && j.contains("error") ? j["error"].get<std::string>() : out.body;
  std::fprintf(stderr, "vivarium %s: %s (HTTP %ld)\n", cmd, rewrite(message).c_str(), out.status);
  return 1;
}

std::string describe_expiry(int64_t expires_ms) {
  if (expires_ms == 0) return "never";
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (expires_ms <= now) return "expired";
  // Whole seconds, rounded to the nearest: "in 5m" right after a 5m deploy.
  return "in " + format_duration(std::chrono::milliseconds((expires_ms - now + 500) / 1000 * 1000));
}

}  // namespace

int cmd_deploy(int argc, char** argv) {
  CLI::App app{"Deploy a module (.wasm or .wat) as NAME: requests to NAME.DOMAIN run it", "vivarium deploy"};
  ClientOptions o;
  std::string file, name, ttl;
  std::vector<std::string> allow, limits;
  app.add_option("FILE", file, "module: .wasm binary or .wat text")->required();
  app.add_option("--name", name, "deployment name (a DNS label: a-z, 0-9, '-')")->required();
  app.add_option("--ttl", ttl, "remove the deployment and its KV after this long (90s, 5m, 1h)");
  app.add_option("--allow-host", allow,
                 "egress grant, repeatable: HOST, *.DOMAIN, CIDR or address, each with optional :PORTS");
  app.add_option("--limit", limits, "KEY=VALUE, repeatable (wall-time, fuel, memory, max-request-body, ...)");
  add_client_options(app, o);
  if (int s = parse(app, argc, argv); s >= 0) return s;
  if (auto r = validate_name(name); !r.ok()) return usage_error("deploy", r.error().message());
  if (!ttl.empty())
    if (auto r = parse_duration(ttl); !r.ok()) return usage_error("deploy", "--ttl: " + r.error().message());

  std::ifstream in(file, std::ios::binary);
  if (!in) return usage_error("deploy", "cannot read " + file);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string module = ss.str();

  std::string path = "/deployments/" + name + "?";
  if (!ttl.empty()) path += "ttl=" + percent_encode(ttl) + "&";
  for (const auto& a : allow) path += "allow-host=" + percent_encode(a) + "&";
  for (const auto& l : limits) {
    size_t eq = l.find('=');
    if (eq == std::string::npos) return usage_error("deploy", "--limit " + l + ": expected KEY=VALUE");
    path += percent_encode(l.substr(0, eq)) + "=" + percent_encode(l.substr(eq + 1)) + "&";
  }
  path.pop_back();
  AdminReply reply;
  // The server names the module NAME.wasm / NAME.wat; the user knows it by its path.
  auto local_name = [&](std::string message) {
    for (std::string server_file : {name + ".wasm", name + ".wat"})
      if (message.rfind(server_file, 0) == 0) return file + message.substr(server_file.size());
    return message;
  };
  if (int s = call("deploy", o, "PUT", path, module, reply, local_name); s >= 0) return s;
  json j = json::parse(reply.body, nullptr, false);
  std::printf("deployed %s version %s (%s, %llu bytes, expires %s)\n", name.c_str(),
              j.value("version", "?").c_str(), j.value("format", "?").c_str(),
              static_cast<unsigned long long>(j.value("module_size", 0ull)),
              describe_expiry(j.value("expires_ms", int64_t{0})).c_str());
  return 0;
}

int cmd_deployments(int argc, char** argv) {
  CLI::App app{"List the deployments", "vivarium deployments"};
  ClientOptions o;
  bool as_json = false;
  app.add_flag("--json", as_json, "print the admin API's JSON");
  add_client_options(app, o);
  if (int s = parse(app, argc, argv); s >= 0) return s;
  AdminReply reply;
  if (int s = call("deployments", o, "GET", "/deployments", "", reply); s >= 0) return s;
  if (as_json) {
    std::fputs(reply.body.c_str(), stdout);
    return 0;
  }
  json j = json::parse(reply.body, nullptr, false);
  if (!j.is_object() || !j.contains("deployments")) return usage_error("deployments", "unexpected reply: " + reply.body);
  std::printf("%-24s %-29s %-6s %10s %-12s %s\n", "NAME", "VERSION", "FORMAT", "BYTES", "EXPIRES", "EGRESS");
  for (const auto& d : j["deployments"]) {
    std::printf("%-24s %-29s %-6s %10llu %-12s %s\n", d.value("name", "").c_str(), d.value("version", "").c_str(),
                d.value("format", "").c_str(), static_cast<unsigned long long>(d.value("module_size", 0ull)),
                describe_expiry(d.value("expires_ms", int64_t{0})).c_str(), d.value("egress", "").c_str());
  }
  return 0;
}

int cmd_undeploy(int argc, char** argv) {
  CLI::App app{"Remove a deployment and its key-value data", "vivarium undeploy"};
  ClientOptions o;
  std::string name;
  app.add_option("NAME", name, "deployment name")->required();
  add_client_options(app, o);
  if (int s = parse(app, argc, argv); s >= 0) return s;
  if (auto r = validate_name(name); !r.ok()) return usage_error("undeploy", r.error().message());
  AdminReply reply;
  if (int s = call("undeploy", o, "DELETE", "/deployments/" + name, "", reply); s >= 0) return s;
  std::printf("removed %s\n", name.c_str());
  return 0;
}

int cmd_logs(int argc, char** argv) {
  CLI::App app{"Show a deployment's recent log lines (debug() output, traps, panics, deploys)", "vivarium logs"};
  ClientOptions o;
  std::string name;
  bool follow = false;
  uint64_t since = 0;
  app.add_option("NAME", name, "deployment name")->required();
  app.add_flag("-f,--follow", follow, "keep printing new lines (polls every second)");
  app.add_option("--since", since, "only lines after this sequence number");
  add_client_options(app, o);
  if (int s = parse(app, argc, argv); s >= 0) return s;
  if (auto r = validate_name(name); !r.ok()) return usage_error("logs", r.error().message());
  for (;;) {
    AdminReply reply;
    std::string path = "/deployments/" + name + "/logs?format=json&since=" + std::to_string(since);
    if (int s = call("logs", o, "GET", path, "", reply); s >= 0) return s;
    json j = json::parse(reply.body, nullptr, false);
    if (!j.is_object()) return usage_error("logs", "unexpected reply: " + reply.body);
    for (const auto& line : j["lines"]) {
      std::time_t t = static_cast<std::time_t>(line.value("time_ms", int64_t{0}) / 1000);
      char when[32];
      std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
      std::string rid = line.value("request_id", "");
      std::printf("%s %-5s %s %s\n", when, line.value("level", "").c_str(), rid.empty() ? "-" : rid.c_str(),
                  line.value("text", "").c_str());
      since = std::max<uint64_t>(since, line.value("seq", uint64_t{0}));
    }
    std::fflush(stdout);
    if (!follow) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace vivarium::server
