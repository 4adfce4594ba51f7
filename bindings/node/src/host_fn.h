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

// The HostFuncDef through which `state`'s guest calls `fn`.
HostFuncDef make_host_func(std::shared_ptr<HostFn> fn, InstanceState* state);

}  // namespace vivarium::node
