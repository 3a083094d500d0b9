// AVX2+FMA micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators (two B vectors,
// one broadcast per row per step of k). Per-function target attribute only.
#include "sgemm_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "sgemv_body.h"

#define MR 6
#define NR 16
#define TARGET __attribute__((target("avx2,fma")))

#ifndef IMGVEC_AVX2_KC
#define IMGVEC_AVX2_KC 384
#endif
#ifndef IMGVEC_AVX2_MC
#define IMGVEC_AVX2_MC 192
#endif
#ifndef IMGVEC_AVX2_NC
#define IMGVEC_AVX2_NC 4096
#endif

static inline __attribute__((always_inline)) TARGET
void tile_rows(const int rows, const int wide, long kc, const float *pa, const float *pb, long bstride,
               float *c, long ldc, int nr, float alpha, float beta) {
    const int width = wide ? 16 : 8;
    __m256 acc0[MR], acc1[MR];
#pragma unroll
    for (int i = 0; i < MR; i++) {
        if (i < rows) { acc0[i] = _mm256_setzero_ps(); acc1[i] = _mm256_setzero_ps(); }
    }
    for (long p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(pb);
        __m256 b1 = wide ? _mm256_loadu_ps(pb + 8) : b0;
#pragma unroll
        for (int i = 0; i < MR; i++) {
            if (i < rows) {
                __m256 av = _mm256_broadcast_ss(pa + i);
                acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
                if (wide) acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
            }
        }
        pa += MR;
        pb += bstride;
    }
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (nr == width) {
#pragma unroll
        for (int i = 0; i < MR; i++) {
            if (i < rows) {
                float *row = c + i * ldc;
                __m256 r0 = _mm256_mul_ps(acc0[i], va);
                if (beta != 0) r0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row), r0);
                _mm256_storeu_ps(row, r0);
                if (wide) {
                    __m256 r1 = _mm256_mul_ps(acc1[i], va);
                    if (beta != 0) r1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8), r1);
                    _mm256_storeu_ps(row + 8, r1);
                }
            }
        }
        return;
    }
    // Edge tile: spill to a scratch tile, then copy the valid columns.
    float scratch[MR * NR];
#pragma unroll
    for (int i = 0; i < MR; i++) {
        if (i < rows) {
            _mm256_storeu_ps(scratch + i * NR, acc0[i]);
            if (wide) _mm256_storeu_ps(scratch + i * NR + 8, acc1[i]);
        }
    }
    for (int i = 0; i < rows; i++) {
        float *row = c + i * ldc;
        for (int j = 0; j < nr; j++)
            row[j] = beta == 0 ? alpha * scratch[i * NR + j] : alpha * scratch[i * NR + j] + beta * row[j];
    }
}

#define ROW_CASES(WIDE) \
    switch (mr) { \
    case 6: tile_rows(6, WIDE, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta); return; \
    case 5: tile_rows(5, WIDE, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta); return; \
    case 4: tile_rows(4, WIDE, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta); return; \
    case 3: tile_rows(3, WIDE, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta); return; \
    case 2: tile_rows(2, WIDE, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta); return; \
    default: tile_rows(1, WIDE, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta); return; \
    }

TARGET static void tile_avx2(long kc, const float *pa, const float *pb, long ldbPanel, float *c, long ldc,
                             int mr, int nr, float alpha, float beta) {
    if (nr > 8) { ROW_CASES(1) } else { ROW_CASES(0) }
}

TARGET static void row_times_matrix_avx2(long n, long k, float alpha, const float *a, long strideA,
                                         const float *b, long ldb, float beta, float *c) {
    imgvec_row_times_matrix_body(n, k, alpha, a, strideA, b, ldb, beta, c);
}

TARGET static void matrix_times_vector_avx2(long m, long k, float alpha, const float *a, long lda,
                                            const float *x, float beta, float *c, long ldc) {
    imgvec_matrix_times_vector_body(m, k, alpha, a, lda, x, beta, c, ldc);
}

static const imgvec_kernel_desc desc = {
    IMGVEC_SGEMM_KERNEL_AVX2, MR, NR, 8,
    IMGVEC_AVX2_KC, IMGVEC_AVX2_MC, IMGVEC_AVX2_NC,
    tile_avx2, row_times_matrix_avx2, matrix_times_vector_avx2,
    0, 0, 0, 0, 0, 0, 0,   // no prefetching tile, fused store, panel-times-vector, direct-convolution, row,
                           // gathered-A or panels-times-columns kernel
};

const imgvec_kernel_desc *imgvec_kernel_avx2(void) { return &desc; }

#else
const imgvec_kernel_desc *imgvec_kernel_avx2(void) { return 0; }
#endif
