// instantiate()'s options object read into engine terms.
#pragma once
#include <napi.h>

#include "host/wasi/wasi_ctx.h"
#include "instance_state.h"

namespace vivarium::node {

// limits: { maxMemoryPages, maxMemoryBytes, maxTableElements, maxInstances,
// maxCallDepth, maxStackBytes, maxTotalBytes, fuel, timeout }
Result<void> read_limits(Napi::Value v, StoreLimits& limits, InstanceDefaults& defaults);

// wasi: { args, env, preopens, stdin, stdout, stderr }: stdio as a host
// descriptor number or a function receiving each chunk (lib/index.js turns
// streams, 'inherit' and 'ignore' into those). Sinks are created for the
// functions; their write ends are in the returned config.
Result<wasi::WasiConfig> read_wasi(Napi::Value v, InstanceState& s);

}  // namespace vivarium::node
