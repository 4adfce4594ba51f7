// A guest call on a fiber of its own (Boost.Context), so that it can start
// on the JavaScript thread and finish on the pool. A short call (most calls
// of a plugin API) then costs no thread hop at all, and a JavaScript host
// function it calls runs with no hop either: the fiber suspends, the main
// thread runs the function on its own stack (V8 must never run on the
// fiber's), and resumes the fiber. A call that computes for longer than its
// slice suspends at the engine's next check (Store::set_check_hook) and a
// worker resumes it where it stopped. The engine allows exactly this: its
// only per-thread state is the native-stack bound, which resume() sets on
// whichever thread resumes (vivarium::NativeStackScope).
#pragma once
#include <boost/context/fiber.hpp>

#include <functional>

namespace vivarium::node {

class CallFiber {
 public:
  enum class Stop { Finished, Slice, Host };

  // Allocates the stack; throws std::bad_alloc when there is none.
  explicit CallFiber(std::function<void()> body);
  // A fiber that never finished (the process is exiting with it queued) is
  // leaked: unwinding it would run the engine's frames at exit.
  ~CallFiber();
  CallFiber(const CallFiber&) = delete;
  CallFiber& operator=(const CallFiber&) = delete;

  // Any thread (one at a time): runs until the body returns or suspends.
  Stop resume();
  // On the fiber: back to whoever resumed it, saying why.
  void suspend(Stop why);
  bool finished() const { return finished_; }

 private:
  boost::context::fiber fiber_;
  boost::context::fiber sink_;
  boost::context::stack_context stack_;
  std::function<void()> body_;
  bool finished_ = false;
  Stop why_ = Stop::Finished;
  // AddressSanitizer's view of the switches (host/terrarium/fiber_asan.h).
  void* fiber_fake_stack_ = nullptr;
  void* thread_fake_stack_ = nullptr;
  const void* thread_stack_bottom_ = nullptr;
  size_t thread_stack_size_ = 0;
};

}  // namespace vivarium::node
