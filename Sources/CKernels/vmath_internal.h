// Shared between the vector-math dispatcher and its per-instruction-set builds (not public API).
#ifndef IMGVEC_VMATH_INTERNAL_H
#define IMGVEC_VMATH_INTERNAL_H
#include "CKernels.h"

/// One instruction set's implementation of imgvec_vmath (same contract).
typedef void (*imgvec_vmath_fn)(imgvec_vmath_function function, const float *x, float *y, long n,
                                float a, float b);

/// NULL when the instruction set is not compiled for this architecture.
imgvec_vmath_fn imgvec_vmath_avx512(void);
imgvec_vmath_fn imgvec_vmath_avx2(void);
imgvec_vmath_fn imgvec_vmath_portable(void);

#endif
