#include "call_fiber.h"

#include "host/terrarium/fiber_asan.h"
#include "host/terrarium/fiber_stack.h"
#include "vivarium/native_stack.h"

namespace vivarium::node {

namespace ctx = boost::context;
using terrarium::asan_finish_switch;
using terrarium::asan_start_switch;

CallFiber::CallFiber(std::function<void()> body) : body_(std::move(body)) {
  fiber_ = ctx::fiber(std::allocator_arg, terrarium::CachedFiberStack(&stack_), [this](ctx::fiber&& sink) {
    asan_finish_switch(nullptr, &thread_stack_bottom_, &thread_stack_size_);
    sink_ = std::move(sink);
    body_();
    finished_ = true;
    why_ = Stop::Finished;
    asan_start_switch(nullptr, thread_stack_bottom_, thread_stack_size_);
    return std::move(sink_);
  });
}

CallFiber::~CallFiber() {
  if (fiber_ && !finished_) new ctx::fiber(std::move(fiber_));  // see the header: leaked on purpose
}

CallFiber::Stop CallFiber::resume() {
  char* bottom = static_cast<char*>(stack_.sp) - stack_.size;
  NativeStackScope scope(bottom, stack_.sp);
  asan_start_switch(&thread_fake_stack_, bottom, stack_.size);
  fiber_ = std::move(fiber_).resume();
  asan_finish_switch(thread_fake_stack_, nullptr, nullptr);
  return why_;
}

void CallFiber::suspend(Stop why) {
  why_ = why;
  asan_start_switch(&fiber_fake_stack_, thread_stack_bottom_, thread_stack_size_);
  sink_ = std::move(sink_).resume();
  asan_finish_switch(fiber_fake_stack_, &thread_stack_bottom_, &thread_stack_size_);
}

}  // namespace vivarium::node
