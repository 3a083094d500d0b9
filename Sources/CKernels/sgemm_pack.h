// Packing of A and B into the micro-kernels' panel layouts, and per-thread scratch.
#ifndef IMGVEC_SGEMM_PACK_H
#define IMGVEC_SGEMM_PACK_H
#include "sgemm_internal.h"

/// op(B) rows [pc, pc+kc) x columns [jc, jc+nc) into nr-wide panels (zero-padded),
/// panel q at dst + q * nr * kc.
void imgvec_pack_b(const imgvec_kernel_desc *d, int transB, const float *b, long ldb,
                   long pc, long kc, long jc, long nc, float *dst);

/// op(A) rows [ic, ic+mc) x columns [pc, pc+kc) into MR-row panels (zero-padded),
/// panel r at dst + r * MR * kc, each stored k-major.
void imgvec_pack_a(const imgvec_kernel_desc *d, int transA, const float *a, long lda,
                   long ic, long mc, long pc, long kc, float *dst);

/// This thread's 64-byte aligned scratch buffer `slot` (0: B's panels, 1: A's, 2: a residual's
/// copy) of at least `count` floats, or NULL when out of memory. Freed when the thread exits.
float *imgvec_thread_scratch(int slot, long count);

static inline long imgvec_round_up(long value, long multiple) {
    return (value + multiple - 1) / multiple * multiple;
}
static inline long imgvec_min(long a, long b) { return a < b ? a : b; }

/// The k step: k split into equal blocks of at most the kernel's kc (no thin last block).
static inline long imgvec_k_step(const imgvec_kernel_desc *d, long k) {
    long blocks = (k + d->kc - 1) / d->kc;
    return blocks <= 1 ? k : imgvec_round_up((k + blocks - 1) / blocks, 8);
}

#endif
