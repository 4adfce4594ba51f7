// The addon's worker pool: guests run here (after at most a short slice on
// the main thread, call_fiber.h), not on libuv's pool of four, which fs and
// dns share. One thread per CPU the process may use.
// A worker that waits for a JavaScript host function says so
// (BlockedScope), and the pool then starts another thread when work is
// queued and nobody is idle: a host function that awaits a call on another
// instance must not deadlock a pool whose every thread is waiting.
// Workers run at a lower OS priority than the thread that made the pool
// (Linux: per-thread nice, `nice_delta` steps lower, at most 19; the default
// is the lowest, 19): on a machine with fewer cores than busy guests the
// JavaScript thread wins the CPU whenever it has work, so timers and I/O
// stay prompt while guests spin.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vivarium::node {

class ThreadPool {
 public:
  ThreadPool(size_t threads, int nice_delta);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> job);
  // Stops taking jobs, drops the queued ones and joins every thread (each
  // finishes the job it runs).
  void shutdown();
  size_t size() const { return base_threads_; }

  class BlockedScope {
   public:
    explicit BlockedScope(ThreadPool& pool);
    ~BlockedScope();
    BlockedScope(const BlockedScope&) = delete;
    BlockedScope& operator=(const BlockedScope&) = delete;

   private:
    ThreadPool& pool_;
  };

 private:
  void worker();
  void spawn_locked();

  static constexpr size_t kMaxExtraThreads = 256;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t base_threads_;
  int worker_nice_ = 0;  // absolute nice value of every worker (unchanged when <= the creator's)
  bool lower_ = false;
  size_t idle_ = 0;
  size_t blocked_ = 0;
  bool stopping_ = false;
};

}  // namespace vivarium::node
