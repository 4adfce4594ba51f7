// A redis-server for tests: a free port on 127.0.0.1, its own directory,
// started and stopped (or killed) by the test.
#pragma once
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback.h"

namespace vivarium::kv::testing {

using vivarium::testing::free_port;
using vivarium::testing::port_open;

class RedisServer {
 public:
  static bool available() { return vivarium::testing::on_path("redis-server"); }

  // appendonly with fsync on every write: an acknowledged write survives kill -9.
  explicit RedisServer(std::string dir, uint16_t port = 0) : dir_(std::move(dir)), port_(port ? port : free_port()) {}
  ~RedisServer() { stop(); }

  bool start() {
    pid_ = fork();
    if (pid_ == 0) {
      std::string port = std::to_string(port_);
      execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--dir", dir_.c_str(),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--loglevel",
             "warning", "--logfile", (dir_ + "/redis.log").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 500; ++i) {  // up to 5 s
      if (port_open(port_)) return true;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  void stop(int sig = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace vivarium::kv::testing
