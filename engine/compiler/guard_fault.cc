#include "engine/compiler/guard_fault.h"

#include <signal.h>
#include <ucontext.h>

#include <algorithm>
#include <csetjmp>
#include <mutex>

#include "engine/compiler/jit.h"
#include "engine/compiler/native_abi.h"
#include "engine/compiler/native_module.h"

namespace vivarium::engine::compiler {
namespace {

struct sigaction g_prev_segv, g_prev_bus;

bool is_guard_fault(const NativeCtx* c, uintptr_t addr, uintptr_t pc) {
  if (!c || !c->mem || !c->module || !c->module->elides_bounds) return false;
  const auto base = reinterpret_cast<uintptr_t>(c->mem->base);
  if (addr < base + c->mem->size || addr >= base + c->mem->reserved) return false;
  return c->module->find_code(pc) != nullptr;
}

void forward(int sig, siginfo_t* si, void* uc) {
  const struct sigaction& prev = sig == SIGBUS ? g_prev_bus : g_prev_segv;
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction) return prev.sa_sigaction(sig, si, uc);
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    return prev.sa_handler(sig);
  }
  // Default action: returning re-executes the faulting instruction, which
  // now kills the process with the signal (a real crash, with a core).
  signal(sig, SIG_DFL);
}

void on_fault(int sig, siginfo_t* si, void* uc) {
  NativeCtx* c = current_native_ctx();
  const auto addr = reinterpret_cast<uintptr_t>(si->si_addr);
  const auto pc = static_cast<uintptr_t>(static_cast<ucontext_t*>(uc)->uc_mcontext.gregs[REG_RIP]);
  if (!is_guard_fault(c, addr, pc)) return forward(sig, si, uc);
  c->fault_pc = pc;
  // longjmp (not siglongjmp) does not restore the signal mask: unblock the
  // signal the kernel blocked for this handler, or the next trap would kill us.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  std::longjmp(*c->trap_jmp, 1);
}

}  // namespace

NativeCtx*& current_native_ctx() {
  thread_local NativeCtx* current = nullptr;
  return current;
}

void install_guard_fault_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa = {};
    sa.sa_sigaction = &on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_prev_segv);
    sigaction(SIGBUS, &sa, &g_prev_bus);
  });
}

const NativeModule::Range* NativeModule::find_code(uintptr_t pc) const {
  const Range* any = nullptr;
  for (const Range& r : code_ranges) {
    if (pc < r.begin || pc >= r.end) continue;
    if (r.func_index != UINT32_MAX) return &r;  // a function's own symbol names it
    any = &r;
  }
  return any;
}

std::optional<NativeModule::TrapSite> NativeModule::trap_site(uintptr_t pc) const {
  return jit ? jit->trap_site(pc) : std::nullopt;
}

}  // namespace vivarium::engine::compiler
