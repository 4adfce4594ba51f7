// The HTTP front end alone with a fixed "hello" handler, for bench/serve/run
// (side by side with nginx) and for poking at the server by hand:
//   serve_hello_http [--listen 127.0.0.1:8080] [--tls-listen ADDR:PORT --tls-cert F --tls-key F]
//                    [--threads N] [--body TEXT] [--access-log FILE|-] [--metrics]
// Prints "listening on PORT..." once bound; SIGTERM/SIGINT shut it down gracefully.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "server/access_log.h"
#include "server/http_server.h"
#include "server/metrics.h"

using namespace vivarium::server;

namespace {

bool parse_addr(const std::string& s, ListenSpec& out) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  out.host = s.substr(0, colon);
  if (out.host.size() > 1 && out.host.front() == '[') out.host = out.host.substr(1, out.host.size() - 2);
  out.port = static_cast<uint16_t>(std::atoi(s.c_str() + colon + 1));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  HttpServerOptions opts;
  std::string body = "hello, world\n";
  std::string access_log;
  bool metrics = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    ListenSpec spec;
    if (a == "--listen" || a == "--tls-listen") {
      if (!parse_addr(next(), spec)) {
        std::fprintf(stderr, "bad address for %s\n", a.c_str());
        return 2;
      }
      spec.tls = a == "--tls-listen";
      opts.listen.push_back(spec);
    } else if (a == "--tls-cert") opts.tls_cert_file = next();
    else if (a == "--tls-key") opts.tls_key_file = next();
    else if (a == "--threads") opts.threads = static_cast<unsigned>(std::atoi(next().c_str()));
    else if (a == "--body") body = next();
    else if (a == "--access-log") access_log = next();
    else if (a == "--metrics") metrics = true;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (opts.listen.empty()) opts.listen.push_back({"127.0.0.1", 8080, false});
  if (!access_log.empty()) {
    auto log = AccessLog::open(access_log, AccessLog::Format::Text);
    if (!log.ok()) {
      std::fprintf(stderr, "%s\n", log.error().message().c_str());
      return 1;
    }
    opts.access_log = *log;
  }
  if (metrics) opts.metrics = std::make_shared<MetricsRegistry>();
  auto registry = opts.metrics;

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // workers inherit the mask; sigwait below takes them

  auto server = HttpServer::create(std::move(opts), [body](boost::asio::any_io_executor, IncomingRequest req,
                                                           Respond respond) {
    vivarium::terrarium::HttpResponse r;
    r.headers.emplace_back("content-type", "text/plain");
    r.body = body;
    respond.set_deployment("hello");
    respond(std::move(r));
  });
  if (!server.ok()) {
    std::fprintf(stderr, "serve_hello_http: %s\n", server.error().message().c_str());
    return 1;
  }
  std::string ports;
  for (auto p : (*server)->bound_ports()) ports += " " + std::to_string(p);
  std::printf("listening on%s\n", ports.c_str());
  std::fflush(stdout);
  (*server)->start();
  int sig = 0;
  sigwait(&set, &sig);
  (*server)->shutdown(std::chrono::seconds(5));
  (*server)->wait();
  if (registry) std::fputs(registry->render().c_str(), stderr);
  return 0;
}
