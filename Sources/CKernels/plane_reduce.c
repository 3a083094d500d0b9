// Per-plane means and maxima (global pooling: squeeze-excitation's and the classifier's).
// AVX-512: four 16-lane accumulators (independent add chains) and a masked tail, so a plane
// of any size reads at the cache's pace; elsewhere a plain loop the compiler vectorises.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

/// a + b, or the larger of each lane with `maximum` (loop-invariant: the compiler unswitches it).
__attribute__((target("avx512f")))
static inline __m512 combine(__m512 a, __m512 b, int maximum) {
    return maximum ? _mm512_max_ps(a, b) : _mm512_add_ps(a, b);
}

__attribute__((target("avx512f")))
static void planes_avx512(const float *x, long planes, long count, int maximum, float *out) {
    const long whole = count - count % 64;
    // The identity of the reduction: what accumulators start from and masked-off lanes read.
    const __m512 identity = _mm512_set1_ps(maximum ? -__builtin_inff() : 0.0f);
    for (long plane = 0; plane < planes; plane++) {
        const float *p = x + plane * count;
        __m512 a0 = identity, a1 = identity, a2 = identity, a3 = identity;
        long i = 0;
        for (; i < whole; i += 64) {
            a0 = combine(a0, _mm512_loadu_ps(p + i), maximum);
            a1 = combine(a1, _mm512_loadu_ps(p + i + 16), maximum);
            a2 = combine(a2, _mm512_loadu_ps(p + i + 32), maximum);
            a3 = combine(a3, _mm512_loadu_ps(p + i + 48), maximum);
        }
        for (; i < count; i += 16) {
            const long rest = count - i;
            const __mmask16 mask = rest >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1);
            a0 = combine(a0, _mm512_mask_loadu_ps(identity, mask, p + i), maximum);
        }
        const __m512 all = combine(combine(a0, a1, maximum), combine(a2, a3, maximum), maximum);
        out[plane] = maximum ? _mm512_reduce_max_ps(all) : _mm512_reduce_add_ps(all) / (float)count;
    }
}
#endif

void imgvec_plane_reduce(const float *x, long planes, long count, int maximum, float *out) {
    if (count <= 0) {
        for (long plane = 0; plane < planes; plane++) out[plane] = maximum ? -__builtin_inff() : 0.0f;
        return;
    }
#if defined(__x86_64__)
    if (imgvec_sgemm_active_kernel() == IMGVEC_SGEMM_KERNEL_AVX512) {
        planes_avx512(x, planes, count, maximum, out);
        return;
    }
#endif
    for (long plane = 0; plane < planes; plane++) {
        const float *p = x + plane * count;
        float a[8] = {0};
        if (maximum) for (int lane = 0; lane < 8; lane++) a[lane] = -__builtin_inff();
        long i = 0;
        for (; i + 8 <= count; i += 8)
            for (int lane = 0; lane < 8; lane++) a[lane] = maximum ? (p[i + lane] > a[lane] ? p[i + lane] : a[lane]) : a[lane] + p[i + lane];
        float total = a[0];
        for (int lane = 1; lane < 8; lane++) total = maximum ? (a[lane] > total ? a[lane] : total) : total + a[lane];
        for (; i < count; i++) total = maximum ? (p[i] > total ? p[i] : total) : total + p[i];
        out[plane] = maximum ? total : total / (float)count;
    }
}
