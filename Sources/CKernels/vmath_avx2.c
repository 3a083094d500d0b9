// Vector math with 8-lane AVX2+FMA vectors (per-function target attribute; the
// dispatcher calls these only when the CPU has AVX2 and FMA).
#include "vmath_internal.h"

#if defined(__x86_64__)
#define IMGVEC_VMATH_WIDTH 8
#define IMGVEC_VMATH_ISA 256
#define IMGVEC_VMATH_TARGET __attribute__((target("avx2,fma")))
#define IMGVEC_VMATH_HAS_FMA 1
#include <immintrin.h>
#include "vmath_body.h"

imgvec_vmath_fn imgvec_vmath_avx2(void) { return imgvec_vmath_run; }
imgvec_vmath_rows imgvec_vmath_rows_avx2(void) {
    return (imgvec_vmath_rows){imgvec_epilogue_run, imgvec_softmax_run};
}
#else
imgvec_vmath_fn imgvec_vmath_avx2(void) { return 0; }
imgvec_vmath_rows imgvec_vmath_rows_avx2(void) { return (imgvec_vmath_rows){0, 0}; }
#endif
