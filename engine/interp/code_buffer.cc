#include "engine/interp/code_buffer.h"

#include <cstring>
#include <vector>

namespace vivarium::engine::interp {

void CodeBuffer::remove(uint32_t from, uint32_t to) {
  code.erase(code.begin() + from, code.begin() + to);
  std::erase_if(offsets, [&](const auto& e) { return e.first >= from && e.first < to; });
  for (auto& e : offsets)
    if (e.first >= to) e.first -= to - from;
}

}  // namespace vivarium::engine::interp
