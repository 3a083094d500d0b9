// Shared between the vector-math dispatcher and its per-instruction-set builds (not public API).
#ifndef IMGVEC_VMATH_INTERNAL_H
#define IMGVEC_VMATH_INTERNAL_H
#include "CKernels.h"

/// One instruction set's implementation of imgvec_vmath (same contract).
typedef void (*imgvec_vmath_fn)(imgvec_vmath_function function, const float *x, float *y, long n,
                                float a, float b);

/// One instruction set's imgvec_sgemm_apply_epilogue and imgvec_softmax_rows.
typedef void (*imgvec_epilogue_fn)(const imgvec_sgemm_epilogue *e, float *c, long ldc,
                                   long row0, long rows, long col0, long cols);
typedef void (*imgvec_softmax_fn)(const float *x, float *y, long rows, long n, long ld, float a, int logarithmic);

/// One instruction set's row functions (NULL members when not compiled for this architecture).
typedef struct imgvec_vmath_rows {
    imgvec_epilogue_fn epilogue;
    imgvec_softmax_fn softmax;
} imgvec_vmath_rows;

imgvec_vmath_rows imgvec_vmath_rows_avx512(void);
imgvec_vmath_rows imgvec_vmath_rows_avx2(void);
imgvec_vmath_rows imgvec_vmath_rows_portable(void);

/// NULL when the instruction set is not compiled for this architecture.
imgvec_vmath_fn imgvec_vmath_avx512(void);
imgvec_vmath_fn imgvec_vmath_avx2(void);
imgvec_vmath_fn imgvec_vmath_portable(void);

#endif
