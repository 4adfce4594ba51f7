// Defines every env.hostcall_* of the ABI in a Linker. Each hostcall finds its
// request through the Store's user data (a RequestState); grouped by concern,
// one file each.
#pragma once
#include "host/terrarium/request_state.h"
#include "vivarium/linker.h"

namespace vivarium::terrarium {

void define_hostcalls(Linker& linker);

void define_core_hostcalls(Linker& linker);      // init_mm, panic_hook, debug, time, rng
void define_request_hostcalls(Linker& linker);   // req_get_*, req_create, req_set_*
void define_response_hostcalls(Linker& linker);  // resp_*
void define_outbound_hostcalls(Linker& linker);  // req_send*, pending_req_*
void define_kv_hostcalls(Linker& linker);        // kvstore_*
void define_dns_hostcalls(Linker& linker);       // dns_query_*

// The pair <x>_get_headers (distinct names) and <x>_get_header (values of
// one name) over the headers `find` returns for a handle (null: unknown).
using HeadersOf = const Headers* (*)(RequestState& st, int32_t handle);
void define_header_getters(Linker& linker, const char* names_call, const char* values_call, HeadersOf find);

}  // namespace vivarium::terrarium
