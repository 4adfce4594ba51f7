// What one deployment's requests cost lately, learnt by run_request from each
// request's time switched in, and how many of them wait for the CPU right
// now. The server uses it to keep cheap requests apart from expensive ones: a
// deployment whose requests compute for long ("heavy": looping, filling
// memory, or just slow) runs on lower-priority guest threads, so that it
// cannot take the I/O threads' time from the others, and may have only so
// many requests queued for the CPU at once.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

namespace vivarium::terrarium {

class GuestCost {
 public:
  // A time slice (run_request.cc): a deployment whose requests typically
  // compute for longer than one is not answering from memory. Time switched
  // in is wall time (a thread's CPU clock costs a system call, twice per
  // request): a request preempted by the OS looks slow once, so one slow
  // sample must not be enough; a hostile one is slow every time.
  static constexpr std::chrono::microseconds kHeavy{1000};

  // One finished request's time switched in (instantiate + run + teardown):
  // an average moving a quarter of the way to each sample. A request that
  // loops to its wall time (>= 100 ms) makes its deployment heavy at once;
  // a preempted hello (a few ms once) does for a request or two at most.
  void record(std::chrono::microseconds spent) {
    const int64_t sample = spent.count() < 0 ? 0 : spent.count();
    const int64_t old = typical_us_.load(std::memory_order_relaxed);
    typical_us_.store(old + (sample - old) / 4, std::memory_order_relaxed);  // racing updates may lose one
  }
  std::chrono::microseconds typical() const {
    return std::chrono::microseconds(typical_us_.load(std::memory_order_relaxed));
  }
  bool heavy() const { return typical() >= kHeavy; }

  // Requests that used up a slice and wait for their next one: those that
  // compute, not those that wait on an upstream.
  uint32_t queued_for_cpu() const { return queued_.load(std::memory_order_relaxed); }
  void slice_ended() { queued_.fetch_add(1, std::memory_order_relaxed); }
  void slice_resumed() { queued_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> typical_us_{0};
  std::atomic<uint32_t> queued_{0};
};

}  // namespace vivarium::terrarium
