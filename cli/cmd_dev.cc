// `vivarium dev [DIR]`: builds the project, serves it with a local `vivarium
// serve` child (data in DIR/build/dev-data, so its KV survives restarts),
// and on every change to its sources (inotify on src/, assembly/ and the
// top directory) rebuilds and redeploys it through the admin API. A failed
// build keeps the last good deployment. Stops on SIGINT or SIGTERM, and
// stops the server with it.
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/local_server.h"
#include "cli/parse_args.h"
#include "cli/project.h"

namespace vivarium::cli {
namespace fs = std::filesystem;
namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Build output and dependencies change on every build: not a reason to rebuild.
bool ignored(const char* name) {
  std::string_view n = name;
  return n == "build" || n == "target" || n == "node_modules" || n.empty() || n[0] == '.' || n.back() == '~';
}

// Waits for a relevant change (true) or a stop signal (false); then lets a
// burst of writes (an editor's save) settle for 200 ms.
bool wait_for_change(int fd) {
  alignas(inotify_event) char buf[8192];
  bool changed = false;
  while (!g_stop) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, changed ? 200 : 500);
    if (r == 0 && changed) return true;
    if (r <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    for (ssize_t at = 0; at < n;) {
      auto* e = reinterpret_cast<inotify_event*>(buf + at);
      if (!ignored(e->len ? e->name : "")) changed = true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  return false;
}

Result<void> build_and_deploy(const Project& p, const BuildOptions& o, LocalServer& server,
                              const std::vector<std::string>& flags) {
  VIV_TRY(build_project(p, o));
  return server.deploy(p.module().string(), p.name, flags);
}

}  // namespace

int cmd_dev(int argc, char** argv) {
  CLI::App app{"Serve a project locally, rebuilding and redeploying it on every change", "vivarium dev"};
  std::string dir = ".", log_level = "info";
  int port = 8080;
  BuildOptions options;
  std::vector<std::string> flags;
  app.add_option("DIR", dir, "the project's directory")->capture_default_str();
  app.add_option("-p,--port", port, "port on 127.0.0.1 (0: a free one)")->capture_default_str();
  app.add_option("--deploy-flag", flags, "extra `vivarium deploy` flag, repeatable (e.g. --deploy-flag=--allow-host=example.com)");
  app.add_flag("--freestanding", options.freestanding, "C: build without wasi-libc");
  app.add_option("--log-level", log_level, "the server's log level (its log: build/dev-data/serve.log)")
      ->capture_default_str();
  if (auto status = parse_args(app, argc, argv)) return *status;

  auto fail = [](const Error& e) {
    std::fprintf(stderr, "vivarium dev: %s\n", e.to_string().c_str());
    return 1;
  };
  auto project = find_project(dir);
  if (!project.ok()) return fail(project.error());
  const Project& p = project.value();

  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return fail(Error(ErrorCode::Io, "inotify_init1 failed"));
  for (const fs::path& w : watched_paths(p)) {
    if (::inotify_add_watch(fd, w.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE) < 0)
      return fail(Error(ErrorCode::Io, "cannot watch " + w.string()));
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  std::error_code ec;
  fs::path data = p.dir / "build" / "dev-data";
  fs::create_directories(data, ec);
  LocalServer server;
  if (auto r = server.start(data.string(), port, log_level); !r.ok()) {
    std::fprintf(stderr, "vivarium dev: is port %d taken? --port 0 picks a free one\n", port);
    return fail(r.error());
  }
  auto first = build_and_deploy(p, options, server, flags);
  if (!first.ok()) std::fprintf(stderr, "vivarium dev: %s (fix it and save: it rebuilds)\n", first.error().to_string().c_str());
  std::printf("serving %s at http://%s.localhost:%d/ (server log: %s); Ctrl-C stops\n", p.name.c_str(), p.name.c_str(),
              server.port(), server.log_path().c_str());
  std::fflush(stdout);

  while (wait_for_change(fd)) {
    auto r = build_and_deploy(p, options, server, flags);
    if (r.ok()) std::printf("rebuilt and redeployed %s\n", p.name.c_str());
    else std::fprintf(stderr, "vivarium dev: %s (the last good build keeps serving)\n", r.error().to_string().c_str());
    std::fflush(stdout);
  }
  ::close(fd);
  server.stop();
  return 0;
}

}  // namespace vivarium::cli
