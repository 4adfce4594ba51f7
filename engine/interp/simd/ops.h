// Every non-memory v128 operation of WebAssembly 2.0, one inline function per
// instruction, named after its Op id in engine/opcodes/opcodes.def
// (i8x16.add_sat_s -> vivarium::engine::simd::i8x16_add_sat_s). The interpreter's handlers
// in this folder are thin wrappers that move operands between the value
// stack and these functions.
#pragma once
#include "engine/interp/simd/bitwise.h"
#include "engine/interp/simd/convert.h"
#include "engine/interp/simd/float_arith.h"
#include "engine/interp/simd/float_compare.h"
#include "engine/interp/simd/int_arith.h"
#include "engine/interp/simd/int_compare.h"
#include "engine/interp/simd/lanes.h"
#include "engine/interp/simd/mask.h"
#include "engine/interp/simd/shift.h"
#include "engine/interp/simd/target.h"
#include "engine/interp/simd/widen.h"
