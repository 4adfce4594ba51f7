// Servers on 127.0.0.1 for the OutboundClient tests, started and stopped by
// the tests: upstream.py (HTTP/1.1) and nginx with a throw-away certificate
// (HTTP/2 over TLS).
#pragma once
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback.h"

namespace vivarium::http::testing {

using vivarium::testing::free_port;
using vivarium::testing::on_path;
using vivarium::testing::port_open;

// A child process; killed and reaped on destruction.
class Child {
 public:
  // Runs argv; when `read_port`, the child's first stdout line is its port.
  bool spawn(std::vector<std::string> argv, bool read_port) {
    int out[2];
    if (pipe(out) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    if (read_port) {
      std::string line;
      char c;
      while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
      port_ = static_cast<uint16_t>(std::atoi(line.c_str()));
    }
    close(out[0]);
    return pid_ > 0;
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int status;
      waitpid(pid_, &status, 0);
    }
  }
  uint16_t port() const { return port_; }
  void set_port(uint16_t p) { port_ = p; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

class Upstream {
 public:
  bool start() { return child_.spawn({"python3", VIV_HTTP_TEST_DIR "/upstream.py"}, true) && child_.port() != 0; }
  uint16_t port() const { return child_.port(); }
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port()) + path;
  }

 private:
  Child child_;
};

// nginx serving "hello h2\n" over TLS with HTTP/2, its certificate (for
// the name localhost only) made by openssl for the test.
class TlsServer {
 public:
  static bool available() { return on_path("nginx") && on_path("openssl"); }
  bool start() {
    char tmpl[] = "/tmp/viv-h2-XXXXXX";
    if (!mkdtemp(tmpl)) return false;
    dir_ = tmpl;
    std::string gen = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir_ + "/key.pem -out " + dir_ +
                      "/cert.pem -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost "
                      ">/dev/null 2>&1";
    if (std::system(gen.c_str()) != 0) return false;
    uint16_t port = free_port();
    std::ofstream conf(dir_ + "/nginx.conf");
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << dir_ << "/nginx.pid;\n"
         << "error_log " << dir_ << "/error.log;\nevents {}\nhttp {\n  access_log off;\n"
         << "  client_body_temp_path " << dir_ << "/body;\n  proxy_temp_path " << dir_ << "/proxy;\n"
         << "  fastcgi_temp_path " << dir_ << "/fcgi;\n  uwsgi_temp_path " << dir_ << "/uwsgi;\n"
         << "  scgi_temp_path " << dir_ << "/scgi;\n"
         << "  server {\n    listen 127.0.0.1:" << port << " ssl http2;\n"
         << "    ssl_certificate " << dir_ << "/cert.pem;\n    ssl_certificate_key " << dir_ << "/key.pem;\n"
         << "    location / { return 200 \"hello h2\\n\"; }\n  }\n}\n";
    conf.close();
    if (!child_.spawn({"nginx", "-p", dir_, "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"}, false))
      return false;
    child_.set_port(port);
    for (int i = 0; i < 500; ++i) {
      if (port_open(port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  ~TlsServer() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  uint16_t port() const { return child_.port(); }
  std::string cert() const { return dir_ + "/cert.pem"; }
  const std::string& dir() const { return dir_; }

 private:
  Child child_;  // destroyed (nginx killed) before the directory goes
  std::string dir_;
};

}  // namespace vivarium::http::testing
