// The peephole stage: the rows of fusions.def, tried in order.
#include "engine/interp/peephole.h"

#include "engine/interp/ops.h"

namespace viv::interp {

bool fuse_binop(CodeBuffer& buf, Producer kind, const BinopMatch& m, Field& result) {
#define VIV_FUSION(name, producer, guard, handler, lay, ...)                            \
  if (kind == Producer::producer && (guard)) {                                         \
    if (const Handler h = (handler); h && buf.encode_at(m.p.at, h, LayoutId::lay,      \
                                                        {__VA_ARGS__}, &result))       \
      return true;                                                                     \
  }
#include "engine/interp/fusions.def"
#undef VIV_FUSION
  return false;
}

}  // namespace viv::interp
