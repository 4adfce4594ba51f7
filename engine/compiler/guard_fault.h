// Turns a fault in a linear memory's guard region into a wasm trap
// ("out of bounds memory access"), so compiled code can leave bounds checks
// to the MMU. A SIGSEGV/SIGBUS is taken for a trap only when this thread is
// running compiled code (a NativeCtx is current), the faulting PC lies in
// that module's machine code and the address lies between the memory's
// accessible size and the end of its reservation; anything else goes to the
// handler installed before (or the default action: a real crash).
#pragma once

namespace vivarium::engine::compiler {

struct NativeCtx;

// Installs the handler once per process.
void install_guard_fault_handler();

// The innermost activation of compiled code on this thread (nullptr outside).
NativeCtx*& current_native_ctx();

}  // namespace vivarium::engine::compiler
