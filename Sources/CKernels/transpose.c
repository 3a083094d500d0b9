// Out-of-place matrix transpose in 16x16 blocks: both the 16 rows read and the 16 rows written
// stay in L1, whatever the strides. A column-by-column copy with a stride of whole pages (a
// 2048-wide matrix: 8 KB) misses L1 and the TLB on every value. AVX-512 transposes each full
// block in registers; edges and other CPUs copy the block value by value.
#include "CKernels.h"

#define BLOCK 16

static void transpose_block_scalar(const float *source, long sourceStride, long rows, long columns,
                                   float *target, long targetStride) {
    for (long j = 0; j < columns; j++)
        for (long i = 0; i < rows; i++) target[j * targetStride + i] = source[i * sourceStride + j];
}

#if defined(__x86_64__)
#include <immintrin.h>

/// A full 16x16 block: 16 row loads, four rounds of two-source permutes, 16 row stores.
__attribute__((target("avx512f")))
static void transpose_block_avx512(const float *source, long sourceStride, float *target, long targetStride) {
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(source + i * sourceStride);
    // Round 1: interleave pairs of rows (2x2 blocks of single values).
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    // Round 2: pairs of pairs (64-bit elements).
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    }
    // Now r[4q + s] holds, in each 128-bit lane L, column 4L + s of rows 4q..4q+3.
    // Rounds 3 and 4: gather the four 128-bit lanes of column 4L + s across q = 0..3.
    const __m512i lowHalves = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const __m512i highHalves = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    const __m512i firsts = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i seconds = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    for (int s = 0; s < 4; s++) {
        // Lanes (L0 of q0, L0 of q1, L1 of q0, L1 of q1) and the same for L2, L3; then q2, q3.
        const __m512 a01 = _mm512_permutex2var_ps(r[s], lowHalves, r[4 + s]);
        const __m512 b01 = _mm512_permutex2var_ps(r[s], highHalves, r[4 + s]);
        const __m512 a23 = _mm512_permutex2var_ps(r[8 + s], lowHalves, r[12 + s]);
        const __m512 b23 = _mm512_permutex2var_ps(r[8 + s], highHalves, r[12 + s]);
        t[s] = _mm512_permutex2var_ps(a01, firsts, a23);        // column s
        t[4 + s] = _mm512_permutex2var_ps(a01, seconds, a23);   // column 4 + s
        t[8 + s] = _mm512_permutex2var_ps(b01, firsts, b23);    // column 8 + s
        t[12 + s] = _mm512_permutex2var_ps(b01, seconds, b23);  // column 12 + s
    }
    for (int j = 0; j < 16; j++) _mm512_storeu_ps(target + j * targetStride, t[j]);
}
#endif

void imgvec_transpose(const float *source, long sourceStride, long rows, long columns,
                      float *target, long targetStride) {
#if defined(__x86_64__)
    const int vector = imgvec_sgemm_active_kernel() == IMGVEC_SGEMM_KERNEL_AVX512;
#else
    const int vector = 0;
#endif
    for (long i = 0; i < rows; i += BLOCK) {
        const long blockRows = rows - i < BLOCK ? rows - i : BLOCK;
        for (long j = 0; j < columns; j += BLOCK) {
            const long blockColumns = columns - j < BLOCK ? columns - j : BLOCK;
            const float *from = source + i * sourceStride + j;
            float *to = target + j * targetStride + i;
#if defined(__x86_64__)
            if (vector && blockRows == BLOCK && blockColumns == BLOCK) {
                transpose_block_avx512(from, sourceStride, to, targetStride);
                continue;
            }
#endif
            transpose_block_scalar(from, sourceStride, blockRows, blockColumns, to, targetStride);
        }
    }
}
