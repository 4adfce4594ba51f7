// run_request: one request on a fresh instance, on a fiber. The fiber runs
// inside handlers of a strand of the worker's executor; a blocking hostcall
// switches back to the handler (the thread goes on with other work) and a
// completion posted by the outbound client or the resolver switches in again.
// A steady_timer ends a wait that outlives the request's wall time; the
// Store's deadline ends code that runs too long.
//
// Time slicing: a guest that computes for more than kSlice gives its thread
// back (the Store's check hook suspends the fiber, slice_check below), so
// one looping guest cannot hold a worker and every request behind it. While
// requests keep arriving on the thread, guests that have used up a slice run
// at most one slice per kSlice + kPause there (fresh requests first, long
// ones share what is left); on an idle thread they go on at once.
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/context/fiber.hpp>

#include "host/terrarium/fiber_asan.h"
#include "host/terrarium/fiber_stack.h"
#include "host/terrarium/http_fields.h"
#include "host/terrarium/outcome.h"
#include "host/terrarium/program.h"
#include "host/terrarium/request_state.h"
#include "host/terrarium/request_store.h"
#include "vivarium/native_stack.h"

namespace vivarium::terrarium {
namespace {

namespace ctx = boost::context;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kSlice = std::chrono::microseconds(1000);
constexpr auto kPause = std::chrono::microseconds(9000);

// Per thread (each server worker runs one io_context on one thread): the
// requests started here, and when the next slice of a long-running guest
// may start while the thread is busy.
struct SliceClock {
  uint64_t started = 0;
  Clock::time_point next_slot{};
};
SliceClock& slice_clock() {
  thread_local SliceClock c;
  return c;
}

// Where Async::offload runs blocking calls, so that a KV write's fsync
// holds neither a worker thread nor the requests behind it. Two threads: the
// backends serialize writes anyway. It lives as long as the process.
asio::thread_pool& blocking_pool() {
  static auto* pool = new asio::thread_pool(2);
  return *pool;
}

class Run;

// Where completions from other threads (the outbound client's, the
// resolver's) enter the request. Once closed — the request has reported its
// outcome — they are dropped, so nothing touches the executor afterwards
// (the server may tear it down once every `done` has run).
struct Mailbox {
  explicit Mailbox(asio::strand<asio::any_io_executor> s) : strand(std::move(s)) {}
  template <class F>
  void deliver(F f) {  // any thread
    std::lock_guard lock(mu);
    if (!strand) return;
    asio::post(*strand, [run = run, f = std::move(f)]() mutable {
      if (auto r = run.lock()) f(*r);
    });
  }
  // Also lets go of the strand: a callback may outlive the executor, and a
  // strand must not (its destructor reaches into the io_context).
  void close() {
    std::lock_guard lock(mu);
    strand.reset();
  }
  std::mutex mu;
  std::optional<asio::strand<asio::any_io_executor>> strand;  // empty once closed
  std::weak_ptr<Run> run;
};

class Run final : public Async, public std::enable_shared_from_this<Run> {
 public:
  Run(asio::any_io_executor ex, std::shared_ptr<const GuestProgram> program, const Services& services,
      HttpRequest request, std::function<void(Outcome)> done)
      : ex_(ex),
        strand_(asio::make_strand(ex)),
        timer_(strand_),
        slice_timer_(strand_),
        program_(std::move(program)),
        services_(services),
        done_(std::move(done)),
        deadline_(Clock::now() + program_->config().limits.wall_time) {
    add_client_ip(request);
    state_.emplace(program_->config(), services_, std::move(request), *this);
  }

  ~Run() override {
    // Destroyed while the guest waits (the executor is going away): let the
    // guest see its wait fail and unwind normally rather than tear down a
    // live fiber.
    if (mailbox_) mailbox_->close();
    aborting_ = true;
    while (fiber_ && !finished_) switch_in();
  }

  const asio::strand<asio::any_io_executor>& strand() const { return strand_; }

  std::shared_ptr<Mailbox> open_mailbox() {
    mailbox_ = std::make_shared<Mailbox>(strand_);
    mailbox_->run = weak_from_this();
    return mailbox_;
  }

  void start() {
    started_seen_ = ++slice_clock().started;
    try {
      fiber_ = ctx::fiber(std::allocator_arg, CachedFiberStack(&stack_), [this](ctx::fiber&& sink) {
        asan_finish_switch(nullptr, &thread_stack_bottom_, &thread_stack_size_);
        sink_ = std::move(sink);
        outcome_ = execute();
        finished_ = true;
        asan_start_switch(nullptr, thread_stack_bottom_, thread_stack_size_);
        return std::move(sink_);
      });
    } catch (const std::exception& e) {  // no memory for a stack (mmap failed)
      outcome_ = failure_outcome(Error(ErrorCode::Internal, std::string("cannot allocate a fiber stack: ") + e.what()),
                                 std::nullopt, program_->config().limits, "start");
      finished_ = true;
      finish();
      return;
    }
    resume();
  }

  // On the strand: the client went away. The guest stops at its next check
  // (slice_check) or wait (block_until); a guest paused between slices is
  // resumed at once to see it.
  void cancel() {
    if (finished_ || cancelled_) return;
    cancelled_ = true;
    cancel_transfers();
    if (sliced_ && !running_) slice_timer_.cancel();  // its handler resumes the guest
    else wake();
  }

  // ---- Async (called on the fiber, from hostcalls) ----
  void start_outbound(int32_t handle, http::OutboundRequest req) override {
    req.timeout = std::min(req.timeout, program_->config().limits.outbound_timeout);
    const uint64_t id = services_.outbound->start(
        std::move(req), program_->config().egress, [mailbox = mailbox_, handle](Result<http::OutboundResponse> r) {
          mailbox->deliver([handle, r = std::move(r)](Run& run) mutable { run.complete(handle, std::move(r)); });
        });
    // The completion cannot have run yet: it is posted to our strand, which
    // is busy running this fiber.
    inflight_.emplace(handle, id);
  }

  Result<void> block_until(const std::function<bool()>& ready) override {
    while (!ready()) {
      if (timed_out_) return timeout_error("while the guest waited on an upstream");
      if (cancelled_) return Error(ErrorCode::HostTrap, "the client went away");
      if (aborting_) return Error(ErrorCode::HostTrap, "the server is shutting down");
      arm_timer();
      waiting_ = true;
      suspend();
      waiting_ = false;
    }
    return {};
  }

  Result<std::vector<net::IpAddress>> resolve(std::string name, bool ipv6) override {
    return wait_for<std::vector<net::IpAddress>>([&](auto cb) {
      services_.dns->resolve(std::move(name), ipv6, program_->config().egress, std::move(cb));
    });
  }

  Result<std::vector<uint8_t>> query_raw(std::vector<uint8_t> query) override {
    return wait_for<std::vector<uint8_t>>([&](auto cb) {
      services_.dns->query_raw(std::move(query), program_->config().egress, std::move(cb));
    });
  }

  Result<bool> offload(std::function<Result<bool>()> work) override {
    return wait_for<bool>([&](auto cb) {
      asio::post(blocking_pool(), [work = std::move(work), cb = std::move(cb)]() mutable { cb(work()); });
    });
  }

 private:
  // ---- on the fiber ----
  Outcome execute() {
    const GuestProgram::Impl& prog = program_->impl();
    const GuestLimits& limits = prog.config.limits;
    std::unique_ptr<Store> store = new_request_store(limits);
    store->set_user_data(&*state_);
    if (limits.fuel != 0) store->set_fuel(limits.fuel);
    store->set_deadline(deadline_);
    store->set_check_hook([](void* run) { return static_cast<Run*>(run)->slice_check(); }, this);
    state_->store = store.get();

    Outcome out;
    auto inst = prog.linker.instantiate(*store, *prog.module);
    if (!inst.ok()) {
      out = failure_outcome(inst.error(), state_->panic_message, limits, "instantiation");
    } else {
      state_->instance = *inst;
      auto r = inst->func("run")->call({});
      if (r.ok() && !state_->panic_message) {
        out = ok_outcome(std::move(state_->outgoing));
      } else {
        out = failure_outcome(r.ok() ? Error(ErrorCode::HostTrap, "the guest returned after panic_hook")
                                     : std::move(r).error(),
                              state_->panic_message, limits, "run");
      }
    }
    if (cancelled_) out = cancelled_outcome();
    out.outbound_requests = state_->outbound_started;
    // Everything the request created goes now: the instance, its memory and
    // every handle. Transfers still in flight are cancelled by finish().
    state_.reset();
    store.reset();
    return out;
  }

  // Gives the thread back to the event loop once the guest has computed
  // for a slice; it is resumed by slice_timer_ (or at once on an idle
  // thread). Returns false to stop the guest (the server is going away).
  bool slice_check() {
    if (aborting_ || cancelled_) return false;
    const Clock::time_point now = Clock::now();
    if (now - slice_start_ < kSlice || now >= deadline_) return true;  // the deadline check ends it
    SliceClock& clock = slice_clock();
    const bool busy = clock.started != started_seen_;  // requests arrived since this guest last yielded
    started_seen_ = clock.started;
    Clock::time_point at = now;
    if (busy) {
      at = std::max(now + kPause, clock.next_slot);
      clock.next_slot = at + kSlice + kPause;
    }
    at = std::min(at, deadline_);
    ++slices_;
    sliced_ = true;
    program_->cost().slice_ended();
    auto again = [self = shared_from_this()](const boost::system::error_code&) {
      if (self->sliced_ && !self->running_) self->resume();
    };
    if (at <= now) {
      asio::post(strand_, [again] { again({}); });
    } else {
      slice_timer_.expires_at(at);
      slice_timer_.async_wait(again);
    }
    suspend();
    sliced_ = false;
    program_->cost().slice_resumed();
    return !aborting_ && !cancelled_;
  }

  void suspend() {
    asan_start_switch(&fiber_fake_stack_, thread_stack_bottom_, thread_stack_size_);
    sink_ = std::move(sink_).resume();
    asan_finish_switch(fiber_fake_stack_, &thread_stack_bottom_, &thread_stack_size_);
  }

  Error timeout_error(std::string_view when) const {
    return Error(ErrorCode::DeadlineExceeded,
                 "the wall-time limit of " + std::to_string(program_->config().limits.wall_time.count()) +
                     " ms ran out " + std::string(when));
  }

  template <class T, class Start>
  Result<T> wait_for(Start start) {
    struct Slot {
      std::optional<Result<T>> result;
    };
    auto slot = std::make_shared<Slot>();
    start([mailbox = mailbox_, slot](Result<T> r) {
      mailbox->deliver([slot, r = std::move(r)](Run& run) mutable {
        slot->result.emplace(std::move(r));
        run.wake();
      });
    });
    VIV_TRY(block_until([&] { return slot->result.has_value(); }));
    return std::move(*slot->result);
  }

  // ---- on the strand, outside the fiber ----
  void complete(int32_t handle, Result<http::OutboundResponse> r) {
    inflight_.erase(handle);
    if (!state_) return;
    auto it = state_->pending.find(handle);
    if (it == state_->pending.end()) return;
    it->second.done = true;
    if (r.ok()) {
      it->second.response = std::move(*r);
    } else {
      it->second.error = r.error().message();
      state_->log("outbound request failed: " + it->second.error);
    }
    wake();
  }

  void wake() {
    if (waiting_ && !running_) resume();
  }

  // Running code is bounded by the Store's deadline; the timer is needed only
  // once the guest waits, so a request that never waits never arms it (one
  // timer-queue update and its syscall less). Its handler holds the Run
  // alive while the guest is suspended.
  void arm_timer() {
    if (timer_armed_) return;
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->on_timeout();
    });
  }

  void on_timeout() {
    timed_out_ = true;
    cancel_transfers();
    wake();
  }

  void cancel_transfers() {
    for (const auto& [handle, id] : inflight_) services_.outbound->cancel(id);
    inflight_.clear();
  }

  void switch_in() {
    running_ = true;
    slice_start_ = Clock::now();
    {
      char* bottom = static_cast<char*>(stack_.sp) - stack_.size;
      NativeStackScope scope(bottom, stack_.sp);
      asan_start_switch(&thread_fake_stack_, bottom, stack_.size);
      fiber_ = std::move(fiber_).resume();
      asan_finish_switch(thread_fake_stack_, nullptr, nullptr);
    }
    running_ = false;
    on_cpu_ += Clock::now() - slice_start_;
  }

  void resume() {
    auto keep = shared_from_this();
    switch_in();
    if (finished_ && !reported_) finish();
  }

  void finish() {
    reported_ = true;
    mailbox_->close();
    if (timer_armed_) timer_.cancel();
    if (slices_ != 0) slice_timer_.cancel();
    cancel_transfers();
    program_->cost().record(std::chrono::duration_cast<std::chrono::microseconds>(on_cpu_));
    // Already on the strand, on ex_'s thread: no need for another post.
    auto done = std::move(done_);
    done(std::move(outcome_));
  }

  static Outcome cancelled_outcome() {
    Outcome o;
    o.kind = Outcome::Kind::Cancelled;
    o.message = "the client went away before the response; the guest was stopped";
    o.response.status = 499;  // nginx's "client closed request": nobody reads it
    o.response.body = o.message;
    return o;
  }

  static void add_client_ip(HttpRequest& r) {
    if (r.target.empty()) r.target = "/";
    // A client cannot forge these: whatever it sent is replaced.
    set_header(r.headers, "x-vivarium-client-ip", {r.client_ip});
    set_header(r.headers, "fastly-client-ip", {r.client_ip});
  }

  asio::any_io_executor ex_;
  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer timer_;
  asio::steady_timer slice_timer_;
  std::shared_ptr<const GuestProgram> program_;
  Services services_;
  std::function<void(Outcome)> done_;
  Clock::time_point deadline_;
  std::optional<RequestState> state_;
  std::unordered_map<int32_t, uint64_t> inflight_;  // pending handle -> transfer id

  std::shared_ptr<Mailbox> mailbox_;

  ctx::stack_context stack_{};
  // AddressSanitizer's view of the switches (fiber_asan.h).
  void* thread_fake_stack_ = nullptr;
  void* fiber_fake_stack_ = nullptr;
  const void* thread_stack_bottom_ = nullptr;
  size_t thread_stack_size_ = 0;
  ctx::fiber fiber_;
  ctx::fiber sink_;
  Outcome outcome_;
  bool running_ = false, waiting_ = false, finished_ = false, reported_ = false;
  bool timed_out_ = false, aborting_ = false, timer_armed_ = false;
  bool sliced_ = false;            // suspended by slice_check, waiting for its turn
  bool cancelled_ = false;         // the client went away (cancel)
  uint32_t slices_ = 0;            // times it gave the thread back
  uint64_t started_seen_ = 0;      // SliceClock::started when it last yielded
  Clock::time_point slice_start_;  // when it was last switched in
  Clock::duration on_cpu_{};       // switched in, in all (GuestCost)
};

}  // namespace

CancelRun run_request(boost::asio::any_io_executor ex, std::shared_ptr<const GuestProgram> program,
                      const Services& services, HttpRequest request, std::function<void(Outcome)> done) {
  auto run = std::make_shared<Run>(ex, std::move(program), services, std::move(request), std::move(done));
  std::shared_ptr<Mailbox> mailbox = run->open_mailbox();
  asio::post(run->strand(), [run] { run->start(); });
  return [mailbox] { mailbox->deliver([](Run& r) { r.cancel(); }); };
}

}  // namespace vivarium::terrarium
