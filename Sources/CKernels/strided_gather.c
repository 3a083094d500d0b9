// Strided gathers for the convolution unfold and padded planes: target[i] = source[i * stride].
// Stride 2 (every stride-2 convolution and pooling) has an AVX-512 path: two masked loads and
// one two-source permute per 16 values. Masked loads never touch memory past the last value
// the gather needs, so a gather may end at the last float of a buffer.
#include "CKernels.h"

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
