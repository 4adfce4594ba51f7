// Handlers made from the semantic functions' C++ signatures, the way host
// functions get their wasm type from theirs: the parameter and result types of
// a function in ops.h say where its operands come from, so one template
// serves every non-memory instruction and the registration table only pairs
// an Op with its function.
//
//   v128, int32_t, int64_t, float, double  -> the next operand slot (a, b, c)
//   uint32_t                                -> the lane immediate
//   result                                  -> written at dst (none for void)
//
// Operand layout: SimdInst in engine/interp/handler.h.
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

#include "engine/interp/handler.h"
#include "engine/interp/simd/target.h"

// g++ warns that __m128i's may_alias attribute is dropped when the type is a
// template argument; the handlers never alias a v128 through another type.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

namespace vivarium::engine::interp::simd_handlers {

using vivarium::engine::simd::v128;

template <class T>
inline T read_operand(const Slot* fp, uint32_t s) {
  if constexpr (std::is_same_v<T, v128>) return vivarium::engine::simd::loadu(&fp[s]);
  else if constexpr (std::is_same_v<T, int32_t>) return static_cast<int32_t>(rd_u32(fp, s));
  else if constexpr (std::is_same_v<T, int64_t>) return static_cast<int64_t>(rd_u64(fp, s));
  else if constexpr (std::is_same_v<T, float>) return rd_f32(fp, s);
  else if constexpr (std::is_same_v<T, double>) return rd_f64(fp, s);
  else static_assert(!sizeof(T), "no slot encoding for this operand type");
}

template <class T>
inline void write_result(Slot* fp, uint32_t s, T v) {
  if constexpr (std::is_same_v<T, v128>) vivarium::engine::simd::storeu(&fp[s], v);
  else if constexpr (std::is_same_v<T, int32_t>) wr_u32(fp, s, static_cast<uint32_t>(v));
  else if constexpr (std::is_same_v<T, int64_t>) wr_u64(fp, s, static_cast<uint64_t>(v));
  else if constexpr (std::is_same_v<T, float>) wr_f32(fp, s, v);
  else if constexpr (std::is_same_v<T, double>) wr_f64(fp, s, v);
  else static_assert(!sizeof(T), "no slot encoding for this result type");
}

// Position among the operand slots (a, b, c) of parameter I: the number of
// non-lane parameters before it.
template <size_t I, class... A>
constexpr uint32_t operand_position() {
  constexpr bool is_lane[] = {std::is_same_v<A, uint32_t>..., false};
  uint32_t n = 0;
  for (size_t i = 0; i < I; ++i) n += is_lane[i] ? 0 : 1;
  return n;
}

template <class T, size_t I, class... A>
inline T fetch(const SimdOperands& o, const Slot* fp) {
  if constexpr (std::is_same_v<T, uint32_t>) {
    return o.lane;
  } else {
    constexpr uint32_t k = operand_position<I, A...>();
    static_assert(k < 3, "a SIMD instruction has at most three operands");
    return read_operand<T>(fp, k == 0 ? o.a : k == 1 ? o.b : o.c);
  }
}

template <class F> struct Signature;
template <class R, class... A> struct Signature<R (*)(A...)> {
  using Result = R;
  template <auto fn, size_t... I>
  VIV_SIMD_INLINE static void run(const SimdOperands& o, Slot* fp, std::index_sequence<I...>) {
    // All operands are read before the result is written (dst may alias one).
    if constexpr (std::is_void_v<R>) fn(fetch<A, I, A...>(o, fp)...);
    else write_result<R>(fp, o.dst, fn(fetch<A, I, A...>(o, fp)...));
  }
  static constexpr size_t arity = sizeof...(A);
};

// The handler of one non-memory SIMD instruction implemented by `fn`.
template <auto fn>
VIV_SIMD VIV_HANDLER(op_handler) {
  using S = Signature<decltype(fn)>;
  const SimdOperands o = simd_operands(pc);
  S::template run<fn>(o, fp, std::make_index_sequence<S::arity>());
  VIV_NEXT(kSimdInstWords);
}

}  // namespace vivarium::engine::interp::simd_handlers

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
