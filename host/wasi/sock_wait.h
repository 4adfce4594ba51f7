// Blocking socket calls and the embedder's deadline (`vivarium run
// --timeout`). Without a deadline a blocking call blocks in the kernel, which
// honours the guest's SO_RCVTIMEO/SO_SNDTIMEO itself. With one, a call on a
// socket in blocking mode first waits in poll() -- no longer than the
// deadline, nor than the guest's own timeout -- so it never outlives the run;
// the ABI function then turns a passed deadline into the timeout trap.
#pragma once
#include <poll.h>

#include <cstdint>

#include "host/wasi/errno_or.h"
#include "host/wasi/wasi_ctx.h"
#include "vivarium/error.h"

namespace vivarium::wasi {

// Waits until `fd` is ready for `events` (POLLIN or POLLOUT), if `c` has a
// deadline and the guest left `fd` blocking. Success: ready, hung up or in
// error (the call itself will say which). TimedOut: the deadline passed.
// Again: the guest's SO_RCVTIMEO (POLLIN) or SO_SNDTIMEO (POLLOUT) ran out,
// what the kernel's own blocking call reports.
Errno await_socket(const WasiCtx& c, int fd, short events);
// The same wait on a socket whatever its mode (a connect in progress):
// without a deadline, only the guest's timeout bounds it.
Errno await_ready(const WasiCtx& c, int fd, short events);
// True when the host descriptor is in blocking mode.
bool is_blocking(int fd);
// A blocking call's errno, or the timeout trap once the deadline has passed
// (the call returned because of it, or finished just too late).
Result<uint32_t> or_deadline(const WasiCtx& c, uint32_t errno_value, const char* call);

}  // namespace vivarium::wasi
