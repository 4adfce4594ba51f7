#include "cli/tier_auto.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "cli/commands.h"

extern char** environ;

namespace vivarium::cli {
namespace {

constexpr int kDefaultTierUpMs = 250;

// <cache>/files/<FNV-1a of the file's identity and this build's version>.
std::string hint_path(const std::string& cache_dir, const std::string& module_path) {
  struct stat st;
  if (cache_dir.empty() || ::stat(module_path.c_str(), &st) != 0) return "";
  const uint64_t parts[] = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                            static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_mtim.tv_sec),
                            static_cast<uint64_t>(st.st_mtim.tv_nsec)};
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const void* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<const uint8_t*>(p)[i]) * 1099511628211ull;
  };
  mix(parts, sizeof parts);
  mix(VIVARIUM_VERSION, sizeof VIVARIUM_VERSION);
  char name[24];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(h));
  return cache_dir + "/files/" + name;
}

void spawn_compiler(const std::string& module_path) {
  const std::string exe = sibling_path("vivarium-native");
  if (exe.empty()) return;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  for (int fd = 0; fd <= 2; ++fd) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // outlives this run, apart from its terminal
  std::vector<char*> args{const_cast<char*>(exe.c_str()), const_cast<char*>("compile"),
                          const_cast<char*>("--background"), const_cast<char*>(module_path.c_str()), nullptr};
  pid_t pid;
  // Best effort: without it the next run starts in the interpreter again.
  posix_spawn(&pid, exe.c_str(), &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
}

}  // namespace

bool has_tier_hint(const std::string& cache_dir, const std::string& module_path) {
  const std::string p = hint_path(cache_dir, module_path);
  return !p.empty() && ::access(p.c_str(), F_OK) == 0;
}

void write_tier_hint(const std::string& cache_dir, const std::string& module_path) {
  const std::string p = hint_path(cache_dir, module_path);
  if (p.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(cache_dir + "/files", ec);
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) ::close(fd);
}

void compile_in_background_later(const std::string& module_path) {
  int ms = kDefaultTierUpMs;
  if (const char* v = std::getenv("VIVARIUM_TIER_UP_MS"); v && *v) ms = std::atoi(v);
  if (ms < 0) return;  // negative: never compile in the background
  if (ms == 0) {        // now, before the run starts: a short run must not end first
    spawn_compiler(module_path);
    return;
  }
  // Detached: a run that ends first (most) ends it; _exit does not wait.
  std::thread([module_path, ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    spawn_compiler(module_path);
  }).detach();
}

}  // namespace vivarium::cli
