// The blocked sgemm driver (Goto/BLIS loop nest) and the public entry points.
//
//   for jc in N step NC:            B block (kc x nc) packed once per (jc, pc) -> L3
//     for pc in K step KC:
//       for ic in M step MC:        A block (mc x kc) packed (or pre-packed)   -> L2
//         for jr in nc step NR:     one B panel (kc x NR) reused by every ir    -> L1
//           for ir in mc step MR:   micro-kernel on an MR x NR tile of C
#include "sgemm_pack.h"
#include <stdlib.h>

struct imgvec_packed_a {
    const imgvec_kernel_desc *kernel;
    long m, k;
    float *data;   // per KC block of k: all MR panels of the m rows (block pc at round_up(m, MR) * pc)
};

/// C = beta * C (beta == 0: zeros), for alpha == 0 or k == 0.
static void scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0) { for (long j = 0; j < n; j++) row[j] = 0; }
        else if (beta != 1) { for (long j = 0; j < n; j++) row[j] *= beta; }
    }
}

/// Straightforward loops, only for when scratch memory cannot be had.
static void sgemm_unblocked(int transA, int transB, long m, long n, long k, float alpha,
                            const float *a, long lda, const float *b, long ldb,
                            float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            float sum = 0;
            for (long p = 0; p < k; p++)
                sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
            float *out = c + i * ldc + j;
            *out = beta == 0 ? alpha * sum : alpha * sum + beta * *out;
        }
}

/// The loop nest; `packed` (or else a/transA/lda) supplies A.
static int sgemm_blocked(const imgvec_kernel_desc *d, int transA, int transB, long m, long n, long k,
                         float alpha, const float *a, long lda, const imgvec_packed_a *packed,
                         const float *b, long ldb, float beta, float *c, long ldc) {
    const long mr = d->mr, nr = d->nr, kcMax = imgvec_k_step(d, k), mcMax = d->mc, ncMax = d->nc;
    float *bufferB = imgvec_thread_scratch(0, kcMax * imgvec_round_up(imgvec_min(ncMax, n), nr));
    float *bufferA = packed ? NULL : imgvec_thread_scratch(1, imgvec_round_up(imgvec_min(mcMax, m), mr) * kcMax);
    if (!bufferB || (!packed && !bufferA)) return -1;
    const long paddedM = imgvec_round_up(m, mr);
    for (long jc = 0; jc < n; jc += ncMax) {
        const long nc = imgvec_min(ncMax, n - jc);
        for (long pc = 0; pc < k; pc += kcMax) {
            const long kc = imgvec_min(kcMax, k - pc);
            const float blockBeta = pc == 0 ? beta : 1.0f;
            // With a single MR panel of A no packed B panel would be reused: read B in place
            // (only a partial last panel is packed, to pad it).
            const int directB = !transB && m <= mr;
            // When all of A's rows form one block, no packed B panel is reused across blocks: each
            // one is packed just before its use and stays in L1 for every A panel.
            const int panelwiseB = !directB && m <= mcMax;
            if (!directB && !panelwiseB) imgvec_pack_b(d, transB, b, ldb, pc, kc, jc, nc, bufferB);
            for (long ic = 0; ic < m; ic += mcMax) {
                const long mc = imgvec_min(mcMax, m - ic);
                const float *blockA;
                if (packed) {
                    blockA = packed->data + paddedM * pc + ic * kc;
                } else {
                    imgvec_pack_a(d, transA, a, lda, ic, mc, pc, kc, bufferA);
                    blockA = bufferA;
                }
                for (long jr = 0; jr < nc; jr += nr) {
                    const int width = (int)imgvec_min(nr, nc - jr);
                    const float *panelB = bufferB + jr * kc;
                    long panelStride = imgvec_panel_width(d, width);
                    if (panelwiseB) {
                        imgvec_pack_b(d, transB, b, ldb, pc, kc, jc + jr, width, bufferB);
                        panelB = bufferB;
                    } else if (directB) {
                        if (width == nr) {
                            panelB = b + pc * ldb + jc + jr;
                            panelStride = ldb;
                        } else {
                            imgvec_pack_b(d, 0, b, ldb, pc, kc, jc + jr, width, bufferB);
                            panelB = bufferB;
                        }
                    }
                    float *cColumn = c + ic * ldc + jc + jr;
                    for (long ir = 0; ir < mc; ir += mr) {
                        d->tile(kc, blockA + ir * kc, panelB, panelStride, cColumn + ir * ldc, ldc,
                                (int)imgvec_min(mr, mc - ir), width, alpha, blockBeta);
                    }
                }
            }
        }
    }
    return 0;
}

static void sgemm_dispatch(const imgvec_kernel_desc *d, int transA, int transB, long m, long n, long k,
                           float alpha, const float *a, long lda, const float *b, long ldb,
                           float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) { scale_c(m, n, beta, c, ldc); return; }
    if (m == 1 && !transB) {
        d->row_times_matrix(n, k, alpha, a, transA ? lda : 1, b, ldb, beta, c);
        return;
    }
    if (n == 1 && !transA && (transB || ldb == 1)) {
        d->matrix_times_vector(m, k, alpha, a, lda, b, beta, c, ldc);
        return;
    }
    if (sgemm_blocked(d, transA, transB, m, n, k, alpha, a, lda, NULL, b, ldb, beta, c, ldc) != 0)
        sgemm_unblocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void imgvec_sgemm(int transA, int transB, long m, long n, long k, float alpha,
                  const float *a, long lda, const float *b, long ldb,
                  float beta, float *c, long ldc) {
    sgemm_dispatch(imgvec_kernel_for(IMGVEC_SGEMM_KERNEL_AUTO), transA, transB, m, n, k, alpha,
                   a, lda, b, ldb, beta, c, ldc);
}

int imgvec_sgemm_with_kernel(imgvec_sgemm_kernel kernel, int transA, int transB,
                             long m, long n, long k, float alpha,
                             const float *a, long lda, const float *b, long ldb,
                             float beta, float *c, long ldc) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    if (!d) return -1;
    sgemm_dispatch(d, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return 0;
}

imgvec_packed_a *imgvec_sgemm_pack_a(imgvec_sgemm_kernel kernel, int transA, long m, long k,
                                     const float *a, long lda) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    if (!d || m <= 0 || k <= 0) return NULL;
    imgvec_packed_a *packed = malloc(sizeof *packed);
    if (!packed) return NULL;
    const long paddedM = imgvec_round_up(m, d->mr);
    void *memory = NULL;
    if (posix_memalign(&memory, 64, (size_t)(paddedM * k) * sizeof(float)) != 0) { free(packed); return NULL; }
    packed->kernel = d;
    packed->m = m;
    packed->k = k;
    packed->data = memory;
    const long kStep = imgvec_k_step(d, k);
    for (long pc = 0; pc < k; pc += kStep) {
        const long kc = imgvec_min(kStep, k - pc);
        imgvec_pack_a(d, transA, a, lda, 0, m, pc, kc, packed->data + paddedM * pc);
    }
    return packed;
}

void imgvec_sgemm_packed_a_free(imgvec_packed_a *packed) {
    if (!packed) return;
    free(packed->data);
    free(packed);
}

/// Reads op(A)[i][p] back out of the packed layout (for the unblocked fallback).
static void sgemm_packed_unblocked(const imgvec_packed_a *packed, int transB, long n, float alpha,
                                   const float *b, long ldb, float beta, float *c, long ldc) {
    const imgvec_kernel_desc *d = packed->kernel;
    const long mr = d->mr, paddedM = imgvec_round_up(packed->m, mr), kStep = imgvec_k_step(d, packed->k);
    for (long i = 0; i < packed->m; i++)
        for (long j = 0; j < n; j++) {
            float sum = 0;
            for (long p = 0; p < packed->k; p++) {
                const long pc = p / kStep * kStep, kc = imgvec_min(kStep, packed->k - pc);
                const float av = packed->data[paddedM * pc + (i / mr) * mr * kc + (p - pc) * mr + i % mr];
                sum += av * (transB ? b[j * ldb + p] : b[p * ldb + j]);
            }
            float *out = c + i * ldc + j;
            *out = beta == 0 ? alpha * sum : alpha * sum + beta * *out;
        }
}

void imgvec_sgemm_packed(const imgvec_packed_a *packed, int transB, long n, float alpha,
                         const float *b, long ldb, float beta, float *c, long ldc) {
    if (!packed || n <= 0) return;
    if (alpha == 0) { scale_c(packed->m, n, beta, c, ldc); return; }
    if (sgemm_blocked(packed->kernel, 0, transB, packed->m, n, packed->k, alpha, NULL, 0, packed,
                      b, ldb, beta, c, ldc) != 0)
        sgemm_packed_unblocked(packed, transB, n, alpha, b, ldb, beta, c, ldc);
}
