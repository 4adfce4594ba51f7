// Turning guest path bytes into something safe to hand the resolver: the
// bytes must be valid UTF-8 (the witx `string` type; wasmtime answers ILSEQ
// otherwise) and may not contain NUL (the OS would silently cut the path
// there; wasmtime answers INVAL), and at most kMaxPathBytes long
// (NAMETOOLONG, checked first).
#pragma once
#include <string>
#include <string_view>

#include "engine/binary/reader.h"
#include "host/wasi/errno_or.h"

namespace vivarium::wasi {

using vivarium::engine::is_valid_utf8;  // strict UTF-8, shared with the decoder
ErrnoOr<std::string> checked_guest_path(std::string_view bytes);

}  // namespace vivarium::wasi
