// Vector math for any CPU: 8-lane generic vectors that the compiler lowers to the
// baseline instruction set (two SSE2 registers on x86-64, two NEON registers on arm64).
#include "vmath_internal.h"

// Every vector helper is always_inline, so no 32-byte vector crosses a call boundary
// (the ABI note clang gives for such vectors without AVX does not apply).
#pragma clang diagnostic ignored "-Wpsabi"
#define IMGVEC_VMATH_WIDTH 8
#define IMGVEC_VMATH_ISA 0
#define IMGVEC_VMATH_TARGET
#define IMGVEC_VMATH_HAS_FMA 0
#include "vmath_body.h"

imgvec_vmath_fn imgvec_vmath_portable(void) { return imgvec_vmath_run; }
imgvec_vmath_rows imgvec_vmath_rows_portable(void) {
    return (imgvec_vmath_rows){imgvec_epilogue_run, imgvec_softmax_run};
}
