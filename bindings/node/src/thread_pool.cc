#include "thread_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vivarium::node {

namespace {

id_t this_thread_id() { return static_cast<id_t>(syscall(SYS_gettid)); }

}  // namespace

ThreadPool::ThreadPool(size_t threads, int nice_delta) : base_threads_(threads ? threads : 1) {
  // Threads inherit their creator's nice value, and a pool thread may spawn
  // another (BlockedScope): the target is fixed here, once, as an absolute.
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, this_thread_id());
  if (errno == 0 && nice_delta > 0) {
    worker_nice_ = std::min(19, current + nice_delta);
    lower_ = worker_nice_ > current;
  }
  std::lock_guard lk(mu_);
  for (size_t i = 0; i < base_threads_; ++i) spawn_locked();
}

ThreadPool::~ThreadPool() { shutdown(); }

void ThreadPool::spawn_locked() { threads_.emplace_back([this] { worker(); }); }

void ThreadPool::submit(std::function<void()> job) {
  std::lock_guard lk(mu_);
  if (stopping_) return;
  queue_.push_back(std::move(job));
  if (idle_ == 0 && blocked_ > 0 && threads_.size() < base_threads_ + kMaxExtraThreads) spawn_locked();
  cv_.notify_one();
}

void ThreadPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    queue_.clear();
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

void ThreadPool::worker() {
  if (lower_) setpriority(PRIO_PROCESS, this_thread_id(), worker_nice_);  // best effort
  std::unique_lock lk(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (stopping_) return;
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lk.unlock();
    job();
    lk.lock();
  }
}

ThreadPool::BlockedScope::BlockedScope(ThreadPool& pool) : pool_(pool) {
  std::lock_guard lk(pool_.mu_);
  ++pool_.blocked_;
  if (!pool_.stopping_ && pool_.idle_ == 0 && !pool_.queue_.empty() &&
      pool_.threads_.size() < pool_.base_threads_ + kMaxExtraThreads) {
    pool_.spawn_locked();
  }
}

ThreadPool::BlockedScope::~BlockedScope() {
  std::lock_guard lk(pool_.mu_);
  --pool_.blocked_;
}

}  // namespace vivarium::node
