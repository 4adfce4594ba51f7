// Host (Linux) errno -> WASI errno. One table so every OS call reports the
// same way; an errno without a WASI twin becomes EIO rather than a wrong code.
#pragma once
#include "host/wasi/abi_types.h"

namespace vivarium::wasi {

Errno from_host_errno(int host_errno);
// Shorthand for the common "the last OS call failed" path.
Errno last_host_errno();
// The result of an OS call that returns 0 on success and -1 with errno set.
inline Errno host_result(int r) { return r == 0 ? Errno::Success : last_host_errno(); }

}  // namespace vivarium::wasi
