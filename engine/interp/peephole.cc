// The peephole stage: the rows of fusions.def, tried in order.
#include "engine/interp/peephole.h"

#include <algorithm>
#include <iterator>

#include "engine/interp/fused_mem.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {

bool fuse_binop(CodeBuffer& buf, Producer kind, const BinopMatch& m, Field& result, Yield& y) {
  const auto trap = [&buf](const Emitted& e) { return buf.trap_at(e.at); };
  // The `yields` column: Y(record, k).
  const auto yield = [&](Record r, uint64_t k) {
    y = {r, Emitted{m.p.at, buf.pos(), m.p.op, m.left, m.p.a, m.p.b, m.dst, k}};
  };
#define Y(record, k) Record::record, static_cast<uint64_t>(k)
#define VIV_FUSION(name, producer, guard, handler, yields, lay, ...)                    \
  if (kind == Producer::producer && (guard)) {                                         \
    if (const Handler h = (handler); h && buf.encode_at(m.p.at, h, LayoutId::lay,      \
                                                        {__VA_ARGS__}, &result)) {     \
      yield(yields);                                                                   \
      return true;                                                                     \
    }                                                                                  \
  }
#include "engine/interp/fusions.def"
#undef VIV_FUSION
#undef Y
  return false;
}

// A branch row: `from` is the first instruction it replaces; the value 0
// stands for the target (field rel), which the lowering sets.
#define VIV_BRANCH_ROW(name, producer, guard, handler, lay, from, ...)                   \
  if (m.kind == Producer::producer && (guard)) {                                       \
    Field unused;                                                                      \
    if (const Handler h = (handler); h && buf.encode_at((from).at, h, LayoutId::lay,   \
                                                        {__VA_ARGS__}, &unused, &rel)) { \
      at = (from).at;                                                                  \
      return true;                                                                     \
    }                                                                                  \
  }

bool fuse_branch(CodeBuffer& buf, const BranchMatch& m, uint32_t& at, uint32_t& rel) {
  const auto trap = [&buf](const Emitted& e) { return buf.trap_at(e.at); };
#define VIV_BR_IF(...) \
  if (!m.on_false) { VIV_BRANCH_ROW(__VA_ARGS__) }
#define VIV_IF(...) \
  if (m.on_false) { VIV_BRANCH_ROW(__VA_ARGS__) }
#include "engine/interp/fusions.def"
#undef VIV_IF
#undef VIV_BR_IF
  return false;
}

bool fuse_br_table(CodeBuffer& buf, const IndexMatch& m, uint32_t& at) {
  const auto trap = [&buf](const Emitted& e) { return buf.trap_at(e.at); };
#define VIV_BR_TABLE(name, producer, guard, handler, lay, ...)                            \
  if (m.kind == Producer::producer && (guard)) {                                       \
    Field unused;                                                                      \
    if (const Handler h = (handler); h && buf.encode_at(m.p.at, h, LayoutId::lay,      \
                                                        {__VA_ARGS__}, &unused)) {     \
      at = m.p.at;                                                                     \
      return true;                                                                     \
    }                                                                                  \
  }
#include "engine/interp/fusions.def"
#undef VIV_BR_TABLE
  return false;
}

bool fuse_const_binop(CodeBuffer& buf, const ConstMatch& m, Field& result, Yield& y) {
  const uint32_t at = buf.pos();
  // The `yields` column: K(record, op, b, k).
  const auto yield = [&](Record r, Op op, uint32_t b, uint64_t k) {
    y = {r, Emitted{at, buf.pos(), op, true, m.a, b, m.d, k}};
  };
#define K(record, op, b, k) Record::record, op, static_cast<uint32_t>(b), static_cast<uint64_t>(k)
#define VIV_CONST_BINOP(name, guard, handler, yields, lay, ...)                               \
  if (guard) {                                                                                \
    if (const Handler h = (handler); h && buf.encode_at(at, h, LayoutId::lay, {__VA_ARGS__}, &result)) { \
      yield(yields);                                                                          \
      return true;                                                                            \
    }                                                                                         \
  }
#include "engine/interp/fusions.def"
#undef VIV_CONST_BINOP
#undef K
  return false;
}

bool fuse_index_add(CodeBuffer& buf, const IndexAddMatch& m, Field& result, Yield& y) {
  const auto trap = [&buf](const Emitted& e) { return buf.trap_at(e.at); };
  // The `yields` column: I(record, op, a, k).
  const auto yield = [&](Record r, Op op, uint32_t a, uint64_t k, uint32_t at) {
    y = {r, Emitted{at, buf.pos(), op, m.other_k, a, m.other, m.dst, k}};
    y.e.shl_add = r == Record::shl_add;
  };
#define I(record, op, a, k) Record::record, op, a, static_cast<uint64_t>(k)
#define VIV_INDEX(name, guard, handler, yields, lay, from, ...)                                 \
  if (guard) {                                                                                 \
    if (const Handler h = (handler); h && buf.encode_at((from).at, h, LayoutId::lay, {__VA_ARGS__}, &result)) { \
      yield(yields, (from).at);                                                                \
      return true;                                                                             \
    }                                                                                          \
  }
#include "engine/interp/fusions.def"
#undef VIV_INDEX
#undef I
  return false;
}

// A row that replaces what it takes from `from` on, its result unused.
#define VIV_FROM_ROW(guard, handler, lay, from, ...)                                    \
  if (guard) {                                                                         \
    Field unused;                                                                      \
    if (const Handler h = (handler); h && buf.encode_at((from).at, h, LayoutId::lay,   \
                                                        {__VA_ARGS__}, &unused))       \
      return true;                                                                     \
  }

bool fuse_store(CodeBuffer& buf, const StoreMatch& m) {
  const auto trap = [&buf](const Emitted& e) { return buf.trap_at(e.at); };
#define VIV_STORE(name, producer, guard, ...) VIV_FROM_ROW(m.kind == Producer::producer && (guard), __VA_ARGS__)
#include "engine/interp/fusions.def"
#undef VIV_STORE
  return false;
}

bool fuse_copy(CodeBuffer& buf, const CopyMatch& m) {
#define VIV_COPY(name, ...) VIV_FROM_ROW(__VA_ARGS__)
#include "engine/interp/fusions.def"
#undef VIV_COPY
  return false;
}
#undef VIV_FROM_ROW

Encoding match_addr(const CodeBuffer& buf, const AddrMatch& m) {
  const auto trap = [&buf](const Emitted& e) { return buf.trap_at(e.at); };
#define VIV_ADDR(name, producer, guard, handler, lay, ...)                                   \
  if (m.kind == Producer::producer && (guard)) {                                           \
    const uint64_t values[] = {__VA_ARGS__};                                               \
    if (const Handler h = (handler);                                                       \
        h && CodeBuffer::fits(LayoutId::lay, values, sizeof values / sizeof values[0])) {  \
      Encoding e{h, LayoutId::lay, sizeof values / sizeof values[0], {}};                  \
      std::copy(std::begin(values), std::end(values), e.values);                           \
      return e;                                                                            \
    }                                                                                      \
  }
#include "engine/interp/fusions.def"
#undef VIV_ADDR
  return Encoding{};
}

bool fuse_const_mem(CodeBuffer& buf, const MemMatch& m, bool value, Field& result) {
#define VIV_CONST_MEM_ROW(name, guard, handler, lay, ...)                                              \
  if (guard) {                                                                                       \
    if (const Handler h = (handler); h && buf.encode_at(buf.pos(), h, LayoutId::lay, {__VA_ARGS__}, &result)) \
      return true;                                                                                   \
  }
  if (!value) {
#define VIV_CONST_ADDR(...) VIV_CONST_MEM_ROW(__VA_ARGS__)
#include "engine/interp/fusions.def"
#undef VIV_CONST_ADDR
  } else {
#define VIV_CONST_VALUE(...) VIV_CONST_MEM_ROW(__VA_ARGS__)
#include "engine/interp/fusions.def"
#undef VIV_CONST_VALUE
  }
#undef VIV_CONST_MEM_ROW
  return false;
}

}  // namespace vivarium::engine::interp
