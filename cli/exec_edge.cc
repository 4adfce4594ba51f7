// The platform commands (serve, deploy, deployments, undeploy, logs) live in
// vivarium-edge, a dynamically linked executable next to this one: they need
// Boost.Asio, OpenSSL, libcurl, LMDB and hiredis, which the static `vivarium`
// (fast `vivarium run` start-up) must not link. This execs it in place; the
// same for vivarium-native, the commands with the LLVM tier.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace vivarium::cli {

std::string sibling_path(const char* name) {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "";
  std::string path(self, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + name;
}

namespace {

// Replaces this process with `name`, found next to this executable, running
// the same command line; returns only if that fails.
int exec_sibling(const char* name, const char* what, int argc, char** argv) {
  std::string path = sibling_path(name);
  if (path.empty()) {
    std::fprintf(stderr, "vivarium %s: cannot find this executable (/proc/self/exe): %s\n", argv[0],
                 std::strerror(errno));
    return 1;
  }
  std::vector<char*> args;
  args.push_back(path.data());
  for (int i = 0; i < argc; ++i) args.push_back(argv[i]);  // argv[0] is the command name
  args.push_back(nullptr);
  ::execv(path.c_str(), args.data());
  std::fprintf(stderr, "vivarium %s: %s %s, which could not be run: %s (build the %s target, or install it next to vivarium)\n",
               argv[0], what, path.c_str(), std::strerror(errno), name);
  return 1;
}

}  // namespace

int exec_edge(int argc, char** argv) {
  return exec_sibling("vivarium-edge", "the edge platform's commands are in", argc, argv);
}

// The LLVM tier lives in vivarium-native (see the top-level CMakeLists.txt):
// linking it here would triple `vivarium run`'s start-up.
int exec_native(int argc, char** argv) {
  return exec_sibling("vivarium-native", "the native tier (LLVM) is in", argc, argv);
}

}  // namespace vivarium::cli
