// Matrix-vector bodies shared by every kernel file; each file wraps them in functions
// compiled for its own instruction set, so the auto-vectoriser uses that width.
#ifndef IMGVEC_SGEMV_BODY_H
#define IMGVEC_SGEMV_BODY_H

#define IMGVEC_ROW_CHUNK 512
#define IMGVEC_DOT_LANES 32

/// One row (k values, stride strideA) times a k x n row-major matrix, in column chunks
/// whose accumulators stay in L1.
static inline __attribute__((always_inline))
void imgvec_row_times_matrix_body(long n, long k, float alpha, const float *a, long strideA,
                                  const float *b, long ldb, float beta, float *c) {
    float acc[IMGVEC_ROW_CHUNK];
    for (long j0 = 0; j0 < n; j0 += IMGVEC_ROW_CHUNK) {
        long width = n - j0 < IMGVEC_ROW_CHUNK ? n - j0 : IMGVEC_ROW_CHUNK;
        for (long j = 0; j < width; j++) acc[j] = 0;
        for (long p = 0; p < k; p++) {
            float av = a[p * strideA];
            const float *row = b + p * ldb + j0;
            for (long j = 0; j < width; j++) acc[j] += av * row[j];
        }
        float *out = c + j0;
        if (beta == 0) {
            for (long j = 0; j < width; j++) out[j] = alpha * acc[j];
        } else {
            for (long j = 0; j < width; j++) out[j] = alpha * acc[j] + beta * out[j];
        }
    }
}

/// m rows of A (stride lda) dotted with a contiguous x; lane-wise partial sums vectorise
/// without reassociating.
static inline __attribute__((always_inline))
void imgvec_matrix_times_vector_body(long m, long k, float alpha, const float *a, long lda,
                                     const float *x, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        const float *row = a + i * lda;
        float lanes[IMGVEC_DOT_LANES];
        for (int l = 0; l < IMGVEC_DOT_LANES; l++) lanes[l] = 0;
        long p = 0;
        for (; p + IMGVEC_DOT_LANES <= k; p += IMGVEC_DOT_LANES)
            for (int l = 0; l < IMGVEC_DOT_LANES; l++) lanes[l] += row[p + l] * x[p + l];
        float sum = 0;
        for (; p < k; p++) sum += row[p] * x[p];
        for (int l = 0; l < IMGVEC_DOT_LANES; l++) sum += lanes[l];
        float *out = c + i * ldc;
        *out = beta == 0 ? alpha * sum : alpha * sum + beta * *out;
    }
}

#endif
