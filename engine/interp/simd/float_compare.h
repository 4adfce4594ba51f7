// Lane-wise float comparisons (numerics feq/fne/flt/fgt/fle/fge): ordered
// predicates are false on NaN, ne is true on NaN, which is what the
// cmpps/cmppd predicates eq/neq(unordered)/lt/le give. gt and ge swap the
// operands of lt and le.
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

inline v128 f32x4_eq(v128 a, v128 b) { return as_int(_mm_cmpeq_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_ne(v128 a, v128 b) { return as_int(_mm_cmpneq_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_lt(v128 a, v128 b) { return as_int(_mm_cmplt_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_gt(v128 a, v128 b) { return as_int(_mm_cmplt_ps(as_f32(b), as_f32(a))); }
inline v128 f32x4_le(v128 a, v128 b) { return as_int(_mm_cmple_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_ge(v128 a, v128 b) { return as_int(_mm_cmple_ps(as_f32(b), as_f32(a))); }
inline v128 f64x2_eq(v128 a, v128 b) { return as_int(_mm_cmpeq_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_ne(v128 a, v128 b) { return as_int(_mm_cmpneq_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_lt(v128 a, v128 b) { return as_int(_mm_cmplt_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_gt(v128 a, v128 b) { return as_int(_mm_cmplt_pd(as_f64(b), as_f64(a))); }
inline v128 f64x2_le(v128 a, v128 b) { return as_int(_mm_cmple_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_ge(v128 a, v128 b) { return as_int(_mm_cmple_pd(as_f64(b), as_f64(a))); }

}  // namespace vivarium::engine::simd
