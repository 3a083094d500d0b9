// Strided gathers for the convolution unfold and padded planes: target[i] = source[i * stride].
// Stride 2 (every stride-2 convolution and pooling) has an AVX-512 path: two masked loads and
// one two-source permute per 16 values. Masked loads never touch memory past the last value
// the gather needs, so a gather may end at the last float of a buffer. A stride-2 split writes
// both column phases of a padded row from one pass over it (stride-phase-split inputs).
#include "CKernels.h"
#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f")))
static void gather_stride2_avx512(const float *source, long count, float *target) {
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        // Values at source[2i ... 2i + 30]: 16 from the first load, 15 from the second.
        const __m512 low = _mm512_loadu_ps(source + 2 * i);
        const __m512 high = _mm512_maskz_loadu_ps((__mmask16)0x7FFF, source + 2 * i + 16);
        _mm512_storeu_ps(target + i, _mm512_permutex2var_ps(low, evens, high));
    }
    const long rest = count - i;
    if (rest > 0) {
        // 2 * rest - 1 values are needed: source[2i ... 2i + 2 * rest - 2].
        const long needed = 2 * rest - 1;
        const __mmask16 lowMask = needed >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << needed) - 1);
        const __mmask16 highMask = needed > 16 ? (__mmask16)((1u << (needed - 16)) - 1) : 0;
        const __m512 low = _mm512_maskz_loadu_ps(lowMask, source + 2 * i);
        const __m512 high = _mm512_maskz_loadu_ps(highMask, source + 2 * i + 16);
        _mm512_mask_storeu_ps(target + i, (__mmask16)((1u << rest) - 1), _mm512_permutex2var_ps(low, evens, high));
    }
}
#endif

void imgvec_gather_strided(const float *source, long stride, long count, float *target) {
#if defined(__x86_64__)
    if (stride == 2 && imgvec_sgemm_active_kernel() == IMGVEC_SGEMM_KERNEL_AVX512) {
        gather_stride2_avx512(source, count, target);
        return;
    }
#endif
    for (long i = 0; i < count; i++) target[i] = source[i * stride];
}

#if defined(__x86_64__)
/// Both phases' columns q ... q + 15 from the 32 input floats at 2q - pad_left ..., each lane
/// loaded only where its column is inside [0, width) (masked-off lanes read nothing).
__attribute__((target("avx512f")))
static void split_phases_avx512(const float *row, long width, long pad_left, long columns, float *phase0, float *phase1) {
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (long q = 0; q < columns; q += 16) {
        __m512 halves[2];
        for (int h = 0; h < 2; h++) {
            const long first = 2 * q - pad_left + 16 * h;   // the input column under lane 0
            const long low = first < 0 ? -first : 0, high = width - first;
            __mmask16 mask = 0;
            if (high > 0 && low < 16) {
                const long end = high < 16 ? high : 16;
                mask = (__mmask16)(((1u << end) - 1u) & ~((1u << low) - 1u));
            }
            halves[h] = _mm512_maskz_loadu_ps(mask, (const float *)((uintptr_t)row + (uintptr_t)(first * (long)sizeof(float))));
        }
        const long rest = columns - q;
        const __mmask16 store = rest >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1u);
        _mm512_mask_storeu_ps(phase0 + q, store, _mm512_permutex2var_ps(halves[0], evens, halves[1]));
        _mm512_mask_storeu_ps(phase1 + q, store, _mm512_permutex2var_ps(halves[0], odds, halves[1]));
    }
}
#endif

void imgvec_split_phases_stride2(const float *row, long width, long pad_left, long columns,
                                 float *phase0, float *phase1) {
#if defined(__x86_64__)
    if (imgvec_sgemm_active_kernel() == IMGVEC_SGEMM_KERNEL_AVX512) {
        split_phases_avx512(row, width, pad_left, columns, phase0, phase1);
        return;
    }
#endif
    for (long q = 0; q < columns; q++) {
        const long x = 2 * q - pad_left;
        phase0[q] = x >= 0 && x < width ? row[x] : 0.0f;
        phase1[q] = x + 1 >= 0 && x + 1 < width ? row[x + 1] : 0.0f;
    }
}
