#include "host/wasi/guest_path.h"

#include "host/wasi/resolver.h"

namespace vivarium::wasi {

ErrnoOr<std::string> checked_guest_path(std::string_view bytes) {
  // First, before scanning or copying a byte (see kMaxPathBytes).
  if (bytes.size() > kMaxPathBytes) return Errno::NameTooLong;
  if (!is_valid_utf8(bytes)) return Errno::Ilseq;
  if (bytes.find('\0') != std::string_view::npos) return Errno::Inval;
  return std::string(bytes);
}

}  // namespace vivarium::wasi
