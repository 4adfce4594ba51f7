#include "output_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vivarium::node {
namespace {

class ChunkTask final : public MainTask {
 public:
  ChunkTask(std::shared_ptr<OutputSink> sink, std::string chunk) : sink_(std::move(sink)), chunk_(std::move(chunk)) {}
  void run(Napi::Env env) override { sink_->deliver(env, std::move(chunk_)); }

 private:
  std::shared_ptr<OutputSink> sink_;
  std::string chunk_;
};

}  // namespace

Result<std::shared_ptr<OutputSink>> OutputSink::create(Napi::Function callback, Runtime& rt) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error(ErrorCode::Io, std::string("pipe: ") + std::strerror(errno));
  return std::shared_ptr<OutputSink>(new OutputSink(callback, rt, fds[0], fds[1]));
}

OutputSink::OutputSink(Napi::Function callback, Runtime& rt, int read_fd, int write_fd)
    : callback_(Napi::Persistent(callback)), rt_(rt), read_fd_(read_fd), write_fd_(write_fd) {}

OutputSink::~OutputSink() {
  if (write_fd_ >= 0) close(write_fd_);
  if (reader_.joinable()) {
    // Only reached when the guest's copy is still open (an error path).
    reader_.detach();
    return;
  }
  if (read_fd_ >= 0) close(read_fd_);
}

void OutputSink::start() {
  close(write_fd_);
  write_fd_ = -1;
  // The thread sees only a raw pointer: the state owning this sink joins it
  // before letting it go, so the last reference never dies off the main thread.
  reader_ = std::thread([this] { read_loop(); });
}

void OutputSink::read_loop() {
  char buf[65536];
  for (;;) {
    pollfd p{read_fd_, POLLIN, 0};
    if (poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::lock_guard lk(mu_);
    ssize_t n = read(read_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EOF: every copy of the write end is closed
    if (!rt_.post(new ChunkTask(shared_from_this(), std::string(buf, static_cast<size_t>(n))))) return;
  }
}

void OutputSink::drain() {
  for (;;) {
    std::lock_guard lk(mu_);
    int pending = 0;
    if (ioctl(read_fd_, FIONREAD, &pending) != 0 || pending == 0) return;
    // Let the reader take it (it needs the lock).
    mu_.unlock();
    std::this_thread::yield();
    mu_.lock();
  }
}

void OutputSink::join() {
  if (reader_.joinable()) reader_.join();
}

void OutputSink::deliver(Napi::Env env, std::string chunk) {
  Napi::HandleScope scope(env);
  callback_.Call({Napi::Buffer<char>::Copy(env, chunk.data(), chunk.size())});
}

}  // namespace vivarium::node
