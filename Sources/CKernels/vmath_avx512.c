// Vector math with 16-lane AVX-512F vectors. Only this file's functions use AVX-512
// (per-function target attribute); the dispatcher calls them only when the CPU has it.
#include "vmath_internal.h"

#if defined(__x86_64__)
#define IMGVEC_VMATH_WIDTH 16
#define IMGVEC_VMATH_ISA 512
#define IMGVEC_VMATH_TARGET __attribute__((target("avx512f")))
#define IMGVEC_VMATH_HAS_FMA 1
#include <immintrin.h>
#include "vmath_body.h"

imgvec_vmath_fn imgvec_vmath_avx512(void) { return imgvec_vmath_run; }
imgvec_vmath_rows imgvec_vmath_rows_avx512(void) {
    return (imgvec_vmath_rows){imgvec_epilogue_run, imgvec_softmax_run};
}
#else
imgvec_vmath_fn imgvec_vmath_avx512(void) { return 0; }
imgvec_vmath_rows imgvec_vmath_rows_avx512(void) { return (imgvec_vmath_rows){0, 0}; }
#endif
