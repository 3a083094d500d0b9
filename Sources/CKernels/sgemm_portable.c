// Portable micro-kernel: plain C over a 4 x 16 tile that the compiler vectorises for
// the baseline instruction set (SSE2 on x86-64, NEON on arm64). Runs everywhere.
#include "sgemm_internal.h"
#include "sgemv_body.h"

#define MR 4
#define NR 16

static void tile_portable(long kc, const float *pa, const float *pb, long ldbPanel, float *c, long ldc,
                          int mr, int nr, float alpha, float beta) {
    const long width = nr <= NR / 2 ? NR / 2 : NR;
    float acc[MR][NR];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++) acc[i][j] = 0;
    if (width == NR) {
        for (long p = 0; p < kc; p++, pa += MR, pb += ldbPanel)
            for (int i = 0; i < MR; i++)
                for (int j = 0; j < NR; j++) acc[i][j] += pa[i] * pb[j];
    } else {
        for (long p = 0; p < kc; p++, pa += MR, pb += ldbPanel)
            for (int i = 0; i < MR; i++)
                for (int j = 0; j < NR / 2; j++) acc[i][j] += pa[i] * pb[j];
    }
    for (int i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        if (beta == 0) {
            for (int j = 0; j < nr; j++) row[j] = alpha * acc[i][j];
        } else {
            for (int j = 0; j < nr; j++) row[j] = alpha * acc[i][j] + beta * row[j];
        }
    }
}

static void row_times_matrix_portable(long n, long k, float alpha, const float *a, long strideA,
                                      const float *b, long ldb, float beta, float *c) {
    imgvec_row_times_matrix_body(n, k, alpha, a, strideA, b, ldb, beta, c);
}

static void matrix_times_vector_portable(long m, long k, float alpha, const float *a, long lda,
                                         const float *x, float beta, float *c, long ldc) {
    imgvec_matrix_times_vector_body(m, k, alpha, a, lda, x, beta, c, ldc);
}

static const imgvec_kernel_desc desc = {
    IMGVEC_SGEMM_KERNEL_PORTABLE, MR, NR, NR / 2,
    256, 128, 4096,
    tile_portable, row_times_matrix_portable, matrix_times_vector_portable,
    0, 0, 0, 0, 0, 0, 0,   // no prefetching tile, fused store, panel-times-vector, direct-convolution, row,
                           // gathered-A or panels-times-columns kernel
};

const imgvec_kernel_desc *imgvec_kernel_portable(void) { return &desc; }
