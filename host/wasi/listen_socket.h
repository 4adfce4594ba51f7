// Opening the TCP listening sockets of `--listen HOST:PORT`.
#pragma once
#include <string_view>

#include "host/wasi/unique_fd.h"
#include "vivarium/error.h"

namespace vivarium::wasi {

// HOST is an IPv4 literal, a bracketed IPv6 literal ("[::1]:8080"),
// "localhost" (127.0.0.1, else ::1) or empty (every interface); other names
// are a Usage error naming the address. PORT 0 picks a free port. The socket
// is bound, listening and close-on-exec.
Result<int> open_listener(std::string_view host_port);
// The port a listening socket is bound to (for printing what PORT 0 chose).
int bound_port(int fd);

}  // namespace vivarium::wasi
