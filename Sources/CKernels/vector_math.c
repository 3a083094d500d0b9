// Run-time choice of the vector-math implementation, from the same cached CPU
// detection that picks the sgemm micro-kernel.
#include "vmath_internal.h"

static imgvec_vmath_fn implementation(imgvec_sgemm_kernel kernel) {
    if (kernel == IMGVEC_SGEMM_KERNEL_AUTO) kernel = imgvec_sgemm_active_kernel();
    if (!imgvec_sgemm_kernel_available(kernel)) return 0;
    switch (kernel) {
    case IMGVEC_SGEMM_KERNEL_AVX512: return imgvec_vmath_avx512();
    case IMGVEC_SGEMM_KERNEL_AVX2: return imgvec_vmath_avx2();
    default: return imgvec_vmath_portable();
    }
}

static imgvec_vmath_fn best;   // the only mutable global: written once, same value by any racer

void imgvec_vmath(imgvec_vmath_function function, const float *x, float *y, long n, float a, float b) {
    if (n <= 0) return;
    imgvec_vmath_fn run = __atomic_load_n(&best, __ATOMIC_RELAXED);
    if (!run) {
        run = implementation(IMGVEC_SGEMM_KERNEL_AUTO);
        __atomic_store_n(&best, run, __ATOMIC_RELAXED);
    }
    run(function, x, y, n, a, b);
}

int imgvec_vmath_with_kernel(imgvec_sgemm_kernel kernel, imgvec_vmath_function function,
                             const float *x, float *y, long n, float a, float b) {
    imgvec_vmath_fn run = implementation(kernel);
    if (!run) return -1;
    if (n > 0) run(function, x, y, n, a, b);
    return 0;
}

static imgvec_vmath_rows rows_for(imgvec_sgemm_kernel kernel) {
    if (kernel == IMGVEC_SGEMM_KERNEL_AUTO) kernel = imgvec_sgemm_active_kernel();
    switch (kernel) {
    case IMGVEC_SGEMM_KERNEL_AVX512: return imgvec_vmath_rows_avx512();
    case IMGVEC_SGEMM_KERNEL_AVX2: return imgvec_vmath_rows_avx2();
    default: return imgvec_vmath_rows_portable();
    }
}

static imgvec_epilogue_fn best_epilogue;
static imgvec_softmax_fn best_softmax;

void imgvec_sgemm_apply_epilogue(const imgvec_sgemm_epilogue *epilogue, float *c, long ldc,
                                 long row0, long rows, long col0, long cols) {
    if (!epilogue || rows <= 0 || cols <= 0) return;
    imgvec_epilogue_fn run = __atomic_load_n(&best_epilogue, __ATOMIC_RELAXED);
    if (!run) {
        run = rows_for(IMGVEC_SGEMM_KERNEL_AUTO).epilogue;
        __atomic_store_n(&best_epilogue, run, __ATOMIC_RELAXED);
    }
    run(epilogue, c, ldc, row0, rows, col0, cols);
}

void imgvec_softmax_rows(const float *x, float *y, long rows, long n, long ld, float a, int logarithmic) {
    if (rows <= 0 || n <= 0) return;
    imgvec_softmax_fn run = __atomic_load_n(&best_softmax, __ATOMIC_RELAXED);
    if (!run) {
        run = rows_for(IMGVEC_SGEMM_KERNEL_AUTO).softmax;
        __atomic_store_n(&best_softmax, run, __ATOMIC_RELAXED);
    }
    run(x, y, rows, n, ld, a, logarithmic);
}
