// The SIMD handlers, where engine/interp/simd provides them (handler.h:
// "Registration"): VIV_HAVE_SIMD_HANDLERS says whether simd_handler exists.
#pragma once
#if __has_include("engine/interp/simd/simd.h")
#include "engine/interp/simd/simd.h"
#define VIV_HAVE_SIMD_HANDLERS 1
#else
#define VIV_HAVE_SIMD_HANDLERS 0
#endif
