// `vivarium test [DIR]`: builds the project, serves it on a private local
// server (127.0.0.1, free ports, a temporary --data) and runs
// tests/requests.txt against it (format: cli/request_spec.h). Exit status 0
// when every expectation holds, 1 otherwise (the server's log is kept).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/local_server.h"
#include "cli/parse_args.h"
#include "cli/project.h"
#include "cli/request_spec.h"

namespace vivarium::cli {
namespace fs = std::filesystem;

int cmd_test(int argc, char** argv) {
  CLI::App app{"Run a project's tests/requests.txt against a local server", "vivarium test"};
  std::string dir = ".", log_level = "warn";
  bool no_build = false;
  BuildOptions options;
  app.add_option("DIR", dir, "the project's directory")->capture_default_str();
  app.add_flag("--no-build", no_build, "test build/NAME.wasm as it is");
  app.add_flag("--freestanding", options.freestanding, "C: build without wasi-libc");
  app.add_option("--log-level", log_level, "the local server's log level")->capture_default_str();
  if (auto status = parse_args(app, argc, argv)) return *status;

  auto fail = [](const Error& e) {
    std::fprintf(stderr, "vivarium test: %s\n", e.to_string().c_str());
    return 1;
  };
  auto project = find_project(dir);
  if (!project.ok()) return fail(project.error());
  const Project& p = project.value();
  std::ifstream in(p.requests());
  if (!in) return fail(Error(ErrorCode::NotFound, p.requests().string() + ": no request file (see `vivarium new`)"));
  std::stringstream text;
  text << in.rdbuf();
  auto spec = parse_request_spec(text.str(), p.requests().string());
  if (!spec.ok()) return fail(spec.error());
  if (!no_build) {
    if (auto r = build_project(p, options); !r.ok()) return fail(r.error());
  }

  std::string tmpl = (fs::temp_directory_path() / "vivarium-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) return fail(Error(ErrorCode::Io, "cannot create a temporary directory"));
  LocalServer server;
  if (auto r = server.start(tmpl, 0, log_level); !r.ok()) return fail(r.error());
  if (auto r = server.deploy(p.module().string(), p.name, spec.value().deploy_flags); !r.ok()) return fail(r.error());

  int passed = 0, failed = 0;
  const std::string host = p.name + ".localhost";
  for (const RequestCase& c : spec.value().cases) {
    std::string what = p.requests().filename().string() + ":" + std::to_string(c.line) + " " + c.method + " " + c.target;
    auto reply = http_request(server.port(), host, c.method, c.target, c.headers, c.body);
    std::vector<std::string> bad;
    if (!reply.ok()) bad.push_back(reply.error().message());
    else bad = check_reply(c, reply.value());
    if (bad.empty()) {
      ++passed;
      std::printf("ok   %s\n", what.c_str());
    } else {
      ++failed;
      std::printf("FAIL %s\n", what.c_str());
      for (const auto& b : bad) std::printf("       %s\n", b.c_str());
    }
  }
  server.stop();
  std::printf("%d passed, %d failed\n", passed, failed);
  if (failed) {
    std::printf("server log: %s\n", server.log_path().c_str());
    return 1;
  }
  std::error_code ec;
  fs::remove_all(tmpl, ec);
  return 0;
}

}  // namespace vivarium::cli
