// handle(module, request): a Terrarium-ABI guest (what `vivarium serve`
// runs) answers one HTTP request, so a Node http/Express/Fastify server can
// host the same guests. Requests run on host/terrarium's fiber runner, on an
// executor thread of this environment; the response comes back to the main
// thread. Outbound HTTP, KV and DNS hostcalls are not wired here (they fail
// as on a server without those services).
#pragma once
#include <napi.h>

namespace vivarium::node {

void init_edge(Napi::Env env, Napi::Object exports);

}  // namespace vivarium::node
