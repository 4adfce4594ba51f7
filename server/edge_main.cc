// vivarium-edge: the platform commands, a dynamically linked executable of
// their own (Boost.Asio, OpenSSL, libcurl, LMDB, hiredis), so the static
// `vivarium` binary stays small and starts fast. `vivarium serve ...` execs
// this binary from its own directory (cli/exec_edge.cc).
#include <cstdio>
#include <string_view>

#include "server/edge_commands.h"

namespace {

struct Command {
  const char* name;
  int (*fn)(int, char**);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"serve", vivarium::server::cmd_serve, "run the edge platform (HTTP listeners and the admin API)"},
    {"deploy", vivarium::server::cmd_deploy, "upload a module as a deployment"},
    {"deployments", vivarium::server::cmd_deployments, "list deployments"},
    {"undeploy", vivarium::server::cmd_undeploy, "remove a deployment and its KV data"},
    {"logs", vivarium::server::cmd_logs, "show a deployment's recent log lines"},
};

void usage(std::FILE* out) {
  std::fprintf(out, "Usage: vivarium COMMAND [OPTIONS]  (the edge platform's commands)\n\nCommands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  std::string_view first = argv[1];
  if (first == "-h" || first == "--help") {
    usage(stdout);
    return 0;
  }
  for (const auto& c : kCommands)
    if (first == c.name) return c.fn(argc - 1, argv + 1);
  std::fprintf(stderr, "vivarium-edge: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
