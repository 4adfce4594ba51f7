// `vivarium serve`: wires the components together — KV, outbound HTTP, DNS,
// the deployments registry and its store, the public HTTP listeners with the
// data-plane handler, the admin listener — then waits for SIGTERM/SIGINT and
// shuts down gracefully (stop accepting, drain, exit 0).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "host/http/outbound.h"
#include "host/kv/kv_store.h"
#include "host/net/dns.h"
#include "host/terrarium/request_store.h"
#include "server/admin_api.h"
#include "server/access_log.h"
#include "server/admin_token.h"
#include "server/dashboard/dashboard_routes.h"
#include "server/gateway/gateway.h"
#include "server/counting_kv.h"
#include "server/deployment_store.h"
#include "server/deployments.h"
#include "server/edge_commands.h"
#include "server/edge_handler.h"
#include "server/names.h"
#include "server/serve_options.h"

namespace vivarium::server {

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "vivarium serve: %s\n", message.c_str());
  return 1;
}

// The admin listener: its own HttpServer, its handler runs the (synchronous,
// compiling) admin API on a small pool so no HTTP worker ever blocks.
Result<std::unique_ptr<HttpServer>> start_admin(const ServeOptions& o, AdminApi& api,
                                                boost::asio::thread_pool& pool, std::string token, Handler edge) {
  VIV_TRY_ASSIGN(ListenSpec spec, parse_listen(o.admin));
  HttpServerOptions hopts;
  hopts.listen.push_back(spec);
  hopts.threads = 1;
  hopts.limits.max_body_bytes = 256u << 20;  // module uploads
  hopts.server_name = "vivarium-admin";
  hopts.log = [](const std::string& line) { spdlog::warn("admin http: {}", line); };
  return HttpServer::create(std::move(hopts), [&api, &pool, token = std::move(token), edge = std::move(edge)](
                                                   boost::asio::any_io_executor ex, IncomingRequest req, Respond respond) {
    if (dashboard::handle(ex, req, respond, token, edge)) return;  // its static files, /invoke/NAME/
    boost::asio::post(pool, [&api, req = std::move(req), respond = std::move(respond)]() mutable {
      AdminRequest a{std::move(req.request.method), std::move(req.request.target),
                     std::move(req.request.headers), std::move(req.request.body)};
      respond(api.handle(a));
    });
  });
}

std::string listen_urls(const std::vector<ListenSpec>& specs, const std::vector<uint16_t>& ports) {
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string host = specs[i].host.find(':') != std::string::npos ? "[" + specs[i].host + "]" : specs[i].host;
    out += (out.empty() ? "" : ", ") + std::string(specs[i].tls ? "https://" : "http://") + host + ":" +
           std::to_string(i < ports.size() ? ports[i] : specs[i].port);
  }
  return out;
}

}  // namespace

int cmd_serve(int argc, char** argv) {
  CLI::App app{"Serve deployments: each HTTP request to NAME.DOMAIN runs on a fresh instance of NAME's "
               "module (Terrarium ABI), with an admin API to deploy them",
               "vivarium serve"};
  ServeOptions o;
  add_serve_options(app, o);
  app.footer(R"(
Routing: a request whose Host is NAME.DOMAIN (any --domain, and NAME.localhost
always) runs deployment NAME; any other host gets 404.

Admin API (--admin; every route but /healthz needs "Authorization: Bearer TOKEN"
with the token of --admin-token-file, else 401):
  PUT    /deployments/NAME?ttl=5m&allow-host=HOST[:PORTS]&LIMIT=VALUE  body: .wasm or .wat
  POST   /deployments?name=NAME&...     the same
  GET    /deployments                   list (JSON)
  GET    /deployments/NAME              one (JSON)
  DELETE /deployments/NAME              undeploy; its KV namespace is dropped
  GET    /deployments/NAME/logs?since=SEQ&format=text|json   recent log lines
  GET    /metrics                       Prometheus text (token unless --metrics-public)
  GET    /healthz                       "ok"
LIMIT is a --limit-* name without the prefix (wall-time=2s, memory=64MiB, ...).
The CLI: vivarium deploy FILE --name NAME [--ttl 5m] [--allow-host H] [--limit K=V],
vivarium deployments, vivarium undeploy NAME, vivarium logs NAME [-f]
(--server URL or VIVARIUM_SERVER; --token-file F or VIVARIUM_TOKEN).

Persistence: deployments are kept in DATA/deployments (or, with --kv redis://,
in Redis, shared by every node using it; each node re-reads them every
--sync-interval). A TTL removes the deployment and its KV data.

--config FILE (TOML), the same keys as the flags:
  listen = ["0.0.0.0:8080", "tls://0.0.0.0:8443"]
  domain = ["edge.example.com"]
  data = "/var/lib/vivarium"
  admin = "127.0.0.1:8081"
  kv = "redis://127.0.0.1:6379"
  [limits]
  wall-time = "5s"
  memory = "64MiB"

SIGTERM or SIGINT: stop accepting, finish requests in flight (--shutdown-grace), exit 0.)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (auto r = finish_serve_options(o); !r.ok()) {
    std::fprintf(stderr, "vivarium serve: %s\n", r.error().message().c_str());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(o.log_level));

  // Block the shutdown signals before any thread starts, so every thread
  // inherits the mask and sigwait below is the only place they arrive.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) return fail("cannot create --data " + o.data_dir + ": " + ec.message());

  EdgeMetrics metrics;
  LogRing logs(1000, 2048);  // per deployment: lines, bytes per line
  std::string kv_spec = o.kv.empty() ? "lmdb:" + (std::filesystem::path(o.data_dir) / "kv").string() : o.kv;
  auto kv = kv::open_kv(kv_spec);
  if (!kv.ok()) return fail("--kv: " + kv.error().to_string());
  CountingKvStore counted_kv(**kv, metrics);
  bool shared_store = kv_spec.rfind("redis://", 0) == 0;
  std::unique_ptr<DeploymentStore> store;
  if (shared_store) {
    store = kv_deployment_store(**kv);
  } else {
    auto dir = open_dir_store(o.data_dir);
    if (!dir.ok()) return fail(dir.error().to_string());
    store = std::move(dir).value();
  }

  net::Resolver dns;
  http::OutboundClient outbound;
  terrarium::Services services;
  services.kv = &counted_kv;
  services.outbound = &outbound;
  services.dns = &dns;
  services.log = [&logs](std::string_view deployment, std::string_view request_id, std::string_view line) {
    spdlog::debug("[{} {}] {}", deployment, request_id, line);
    logs.add(deployment, "debug", request_id, line);
  };

  Deployments::Options dopts;
  dopts.sync_interval = *parse_duration(o.sync_interval);
  dopts.on_change = [&](const Manifest& m, std::string_view event) {
    std::string line = std::string(event) + " version " + m.version + " (" + format_name(m.format) + ", " +
                       std::to_string(m.module_size) + " bytes" +
                       (m.spec.ttl.count() ? ", ttl " + format_duration(m.spec.ttl) : "") + ")";
    spdlog::info("[{}] {}", m.spec.name, line);
    // A gone deployment keeps only the line saying so: the rings of names
    // that come and go must not add up.
    if (event != "deployed") logs.drop(m.spec.name);
    logs.add(m.spec.name, "info", "", line);
    metrics.deployment_changed(event);
  };
  Deployments deployments(*store, &counted_kv, terrarium::GuestProgram::prepare, dopts);
  if (auto r = deployments.sync(); !r.ok()) return fail("loading deployments from " + store->describe() + ": " + r.error().to_string());
  spdlog::info("{} deployment(s) loaded from {}", deployments.size(), store->describe());
  metrics.registry()->gauge_fn("vivarium_deployments", {}, "Deployments live on this node",
                               [&deployments] { return static_cast<double>(deployments.size()); });
  // The request pool: pooled memories stay resident (small ones) or keep
  // their address space, so an operator watches how many are kept.
  metrics.registry()->gauge_fn("vivarium_pool_idle_memories", {}, "Guest memories kept in the pool for reuse", [] {
    return static_cast<double>(terrarium::request_pool_stats().idle_memories);
  });
  metrics.registry()->gauge_fn("vivarium_pool_idle_stacks", {}, "Interpreter stacks kept in the pool for reuse", [] {
    return static_cast<double>(terrarium::request_pool_stats().idle_stacks);
  });

  Router router(o.domains);
  EdgeHandler edge(deployments, router, services, metrics, logs);
  HttpServerOptions hopts;
  for (const auto& l : o.listen) hopts.listen.push_back(*parse_listen(l));
  hopts.tls_cert_file = o.tls_cert;
  hopts.tls_key_file = o.tls_key;
  hopts.threads = o.threads;
  hopts.limits = *http_limits(o);
  hopts.metrics = metrics.registry();
  hopts.log = [](const std::string& line) { spdlog::warn("http: {}", line); };
  if (o.access_log != "off") {
    auto log = AccessLog::open("-", o.access_log == "json" ? AccessLog::Format::Json : AccessLog::Format::Text);
    if (!log.ok()) return fail("--access-log: " + log.error().to_string());
    hopts.access_log = std::move(log).value();
  }
  auto http = HttpServer::create(hopts, edge.handler());
  if (!http.ok()) return fail(http.error().to_string());

  boost::asio::thread_pool admin_pool(2);
  std::unique_ptr<AdminApi> api;
  std::unique_ptr<HttpServer> admin;
  if (o.admin != "off") {
    std::string token_file = o.admin_token_file.empty()
                                 ? (std::filesystem::path(o.data_dir) / "admin-token").string()
                                 : o.admin_token_file;
    auto token = load_admin_token(token_file, o.admin_token_file.empty());
    if (!token.ok()) return fail(token.error().message());
    api = std::make_unique<AdminApi>(deployments, logs, metrics,
                                     AdminApi::Options{*token, o.metrics_public, o.default_limits});
    auto a = start_admin(o, *api, admin_pool, *token, edge.handler());
    if (!a.ok()) return fail("--admin: " + a.error().to_string());
    admin = std::move(a).value();
    spdlog::info("admin token in {}", token_file);
  }

  std::unique_ptr<gateway::Gateway> socket_gateway;
  if (o.gateway != "off") {
    auto g = gateway::start_from_options(o.gateway, o.gateway_token_file);
    if (!g.ok()) return fail(g.error().to_string());
    socket_gateway = std::move(g).value();
  }

  (*http)->start();
  if (admin) admin->start();
  deployments.start();
  std::string urls = listen_urls(hopts.listen, (*http)->bound_ports());
  std::string admin_url = admin ? listen_urls({*parse_listen(o.admin)}, admin->bound_ports()) : "off";
  if (socket_gateway)
    std::printf("vivarium serve: socket gateway on ws://%s:%u/connect\n", parse_listen(o.gateway)->host.c_str(),
                static_cast<unsigned>(socket_gateway->port()));
  std::printf("vivarium serve: listening on %s; admin %s; domains", urls.c_str(), admin_url.c_str());
  for (const auto& d : router.domains()) std::printf(" %s", d.c_str());
  std::printf("\n");
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("{}: stopping (grace {})", sig == SIGTERM ? "SIGTERM" : "SIGINT", o.shutdown_grace);
  auto grace = *parse_duration(o.shutdown_grace);
  deployments.stop();
  if (admin) admin->shutdown(grace);
  (*http)->shutdown(grace);
  (*http)->wait();
  if (admin) admin->wait();
  if (socket_gateway) socket_gateway->stop();
  admin_pool.join();
  // The last requests' lines: the writer flushes every 100 ms, and the
  // front end may hold its copy of the log past our return.
  if (hopts.access_log) hopts.access_log->flush();
  spdlog::info("stopped");
  return 0;
}

}  // namespace vivarium::server
