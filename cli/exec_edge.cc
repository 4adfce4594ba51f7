// The platform commands (serve, deploy, deployments, undeploy, logs) live in
// vivarium-edge, a dynamically linked executable next to this one: they need
// Boost.Asio, OpenSSL, libcurl, LMDB and hiredis, which the static `vivarium`
// (fast `vivarium run` start-up) must not link. This execs it in place.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace vivarium::cli {

int exec_edge(int argc, char** argv) {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    std::fprintf(stderr, "vivarium %s: cannot find this executable (/proc/self/exe): %s\n", argv[0],
                 std::strerror(errno));
    return 1;
  }
  std::string path(self, static_cast<size_t>(n));
  path = path.substr(0, path.rfind('/') + 1) + "vivarium-edge";
  std::vector<char*> args;
  args.push_back(path.data());
  for (int i = 0; i < argc; ++i) args.push_back(argv[i]);  // argv[0] is the command name
  args.push_back(nullptr);
  ::execv(path.c_str(), args.data());
  std::fprintf(stderr,
               "vivarium %s: the edge platform's commands are in %s, which could not be run: %s "
               "(build the vivarium-edge target, or install it next to vivarium)\n",
               argv[0], path.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace vivarium::cli
