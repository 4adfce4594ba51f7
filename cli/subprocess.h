// Child processes for the project commands (new, build, dev, test): running
// a toolchain to completion, starting `vivarium serve` in the background,
// and finding programs on PATH. fork/exec, no shell: arguments are passed
// as they are.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace vivarium::cli {

// Runs argv[0] (looked up on PATH unless it contains '/') in cwd (empty: the
// current directory) and waits. Returns its exit status, 128 + signal when
// killed, or -1 (with errno) when it could not start.
int run_process(const std::vector<std::string>& argv, const std::string& cwd = {});

// Starts argv[0] with stdout and stderr sent to log_path (appended; empty:
// inherited), in cwd (empty: the current directory), and returns its pid, or -1.
pid_t spawn_process(const std::vector<std::string>& argv, const std::string& log_path = {},
                    const std::string& cwd = {});

// SIGTERM, then waits up to timeout_ms before SIGKILL.
void stop_process(pid_t pid, int timeout_ms = 10000);

// The full path of a program found on PATH (or the path itself when it names
// an executable file), or empty.
std::string find_program(const std::string& name);

// The directory holding this executable (from /proc/self/exe), no trailing '/'.
std::string self_dir();
// This executable's path.
std::string self_path();

}  // namespace vivarium::cli
