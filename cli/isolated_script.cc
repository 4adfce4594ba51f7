#include "cli/isolated_script.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace vivarium::cli {

using vivarium::engine::script::Outcome;
using vivarium::engine::script::RunnerOptions;
using vivarium::engine::script::ScriptReport;

namespace {

// Records on the pipe, length-prefixed so no escaping is needed:
//   "S <line>\n"                                   a command starts
//   "O <line> <passed> <ncmd> <ndetail>\n" + bytes  its outcome
void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent went away; nothing useful left to do
    p += n;
    left -= static_cast<size_t>(n);
  }
}

[[noreturn]] void child(int fd, const std::string& path, RunnerOptions opts) {
  opts.on_command_start = [fd](uint32_t line) { write_all(fd, "S " + std::to_string(line) + "\n"); };
  opts.on_outcome = [fd](const Outcome& o) {
    write_all(fd, "O " + std::to_string(o.line) + " " + (o.passed ? "1" : "0") + " " +
                      std::to_string(o.command.size()) + " " + std::to_string(o.detail.size()) + "\n" + o.command +
                      o.detail);
  };
  (void)vivarium::engine::script::run_wast_file(path, opts);
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(0);
}

// Parses what the child sent; returns the line of a command that started
// but never reported (0 if none).
uint32_t parse_records(const std::string& buf, ScriptReport& report) {
  uint32_t running = 0;
  size_t pos = 0;
  while (pos < buf.size()) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string::npos) break;
    std::string header = buf.substr(pos, nl - pos);
    pos = nl + 1;
    unsigned line = 0, passed = 0;
    size_t ncmd = 0, ndetail = 0;
    if (std::sscanf(header.c_str(), "S %u", &line) == 1) {
      running = line;
    } else if (std::sscanf(header.c_str(), "O %u %u %zu %zu", &line, &passed, &ncmd, &ndetail) == 4) {
      if (pos + ncmd + ndetail > buf.size()) break;  // cut off mid-record
      Outcome o;
      o.line = line;
      o.passed = passed != 0;
      o.command = buf.substr(pos, ncmd);
      o.detail = buf.substr(pos + ncmd, ndetail);
      pos += ncmd + ndetail;
      report.outcomes.push_back(std::move(o));
      running = 0;
    } else {
      break;
    }
  }
  return running;
}

}  // namespace

ScriptReport run_wast_isolated(const std::string& path, const RunnerOptions& opts, unsigned timeout_seconds) {
  ScriptReport report;
  report.file = path;
  int fds[2];
  if (::pipe(fds) != 0) return vivarium::engine::script::run_wast_file(path, opts);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return vivarium::engine::script::run_wast_file(path, opts);
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1], path, opts);
  }
  ::close(fds[1]);

  std::string buf;
  bool timed_out = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char chunk[1 << 16];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      timed_out = true;
      break;
    }
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child finished or died
    buf.append(chunk, static_cast<size_t>(n));
  }
  if (timed_out) ::kill(pid, SIGKILL);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  uint32_t running = parse_records(buf, report);
  std::string what;
  if (timed_out) {
    what = "timed out after " + std::to_string(timeout_seconds) + "s (killed)";
  } else if (WIFSIGNALED(status)) {
    what = std::string("crashed: ") + strsignal(WTERMSIG(status));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    what = "runner exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (!what.empty()) report.outcomes.push_back({running, false, running ? "command" : "script", what});
  return report;
}

}  // namespace vivarium::cli
