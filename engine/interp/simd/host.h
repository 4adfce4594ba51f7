// Whether this build has a host implementation of the SIMD semantics. Only
// x86-64 (SSE4.1) has one so far; elsewhere the handlers are left out, so
// the engine still builds and a module using v128 is refused at lowering
// with an Unsupported error (see cpu.h) instead of failing the build.
#pragma once

#if defined(__x86_64__) || defined(_M_X64)
#define VIV_SIMD_HOST_X86 1
#else
#define VIV_SIMD_HOST_X86 0
#endif
