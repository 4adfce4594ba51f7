#include "host/wasi/guest_path.h"

namespace vivarium::wasi {

ErrnoOr<std::string> checked_guest_path(std::string_view bytes) {
  if (!is_valid_utf8(bytes)) return Errno::Ilseq;
  if (bytes.find('\0') != std::string_view::npos) return Errno::Inval;
  return std::string(bytes);
}

}  // namespace vivarium::wasi
