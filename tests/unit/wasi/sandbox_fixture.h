// A scratch tree for resolver tests:
//   <tmp>/outside/secret            a file the guest must never reach
//   <tmp>/root/                     the "preopen"
//   <tmp>/root/file                 "hello"
//   <tmp>/root/dir/inner            "inner"
//   <tmp>/root/dir/up -> ..         climbs back to root (allowed)
//   <tmp>/root/link_file -> file
//   <tmp>/root/link_dir -> dir
//   <tmp>/root/abs -> <tmp>/outside/secret   absolute: refused
//   <tmp>/root/escape -> ../outside/secret   relative escape: refused
//   <tmp>/root/dir/escape2 -> ../../outside  refused
//   <tmp>/root/loop1 -> loop2, loop2 -> loop1
//   <tmp>/root/dangling -> nowhere
#pragma once
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace vivarium::wasi::testing {

class Sandbox {
 public:
  Sandbox() {
    char tmpl[] = "/tmp/viv-wasi-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    namespace fs = std::filesystem;
    fs::create_directories(base_ / "outside");
    fs::create_directories(base_ / "root/dir");
    write(base_ / "outside/secret", "secret");
    write(base_ / "root/file", "hello");
    write(base_ / "root/dir/inner", "inner");
    fs::create_directory_symlink("..", base_ / "root/dir/up");
    fs::create_symlink("file", base_ / "root/link_file");
    fs::create_directory_symlink("dir", base_ / "root/link_dir");
    fs::create_symlink(base_ / "outside/secret", base_ / "root/abs");
    fs::create_symlink("../outside/secret", base_ / "root/escape");
    fs::create_directory_symlink("../../outside", base_ / "root/dir/escape2");
    fs::create_symlink("loop2", base_ / "root/loop1");
    fs::create_symlink("loop1", base_ / "root/loop2");
    fs::create_symlink("nowhere", base_ / "root/dangling");
    root_fd_ = ::open((base_ / "root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  ~Sandbox() {
    ::close(root_fd_);
    std::error_code ec;
    std::filesystem::remove_all(base_, ec);
  }
  int root_fd() const { return root_fd_; }
  const std::filesystem::path& base() const { return base_; }

  static void write(const std::filesystem::path& p, const std::string& s) { std::ofstream(p) << s; }
  static std::string read_fd(int fd) {
    std::string out(256, '\0');
    ssize_t n = ::pread(fd, out.data(), out.size(), 0);
    out.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return out;
  }

 private:
  std::filesystem::path base_;
  int root_fd_ = -1;
};

}  // namespace vivarium::wasi::testing
