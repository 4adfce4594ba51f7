// A host function written in JavaScript. The guest's worker posts the call
// to the main thread and waits; the JavaScript function runs there with the
// arguments as JavaScript values (i64 as BigInt) and, when it was defined
// with `caller`, a view of the caller's memory that is valid until the call
// returns. A returned Promise is awaited (the guest keeps waiting); a thrown
// exception or a rejection becomes a trap carrying its message.
#pragma once
#include <napi.h>

#include <memory>

#include "vivarium/vivarium.h"

namespace vivarium::node {

class InstanceState;

struct HostFn {
  FuncType type;
  Napi::FunctionReference fn;
  bool with_caller = false;
};

// One call of a host function in flight (host_fn.cc).
struct HostCall;

// Main thread: runs the host call a guest's inline fiber suspended for
// (InstanceState::yield_host). True when it settled synchronously (the fiber
// may go on here), false when it returned a Promise (a worker resumes the
// fiber, which then waits for it as any off-thread call does).
bool run_host_call_inline(Napi::Env env, InstanceState& s, std::shared_ptr<HostCall> call);

// The HostFuncDef through which `state`'s guest calls `fn`.
HostFuncDef make_host_func(std::shared_ptr<HostFn> fn, InstanceState* state);

}  // namespace vivarium::node
