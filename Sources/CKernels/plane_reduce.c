// Per-plane means and maxima (global pooling: squeeze-excitation's and the classifier's).
// AVX-512: four 16-lane accumulators (independent add chains) and a masked tail, so a plane
// of any size reads at the cache's pace; elsewhere a plain loop the compiler vectorises.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f")))
static void planes_avx512(const float *x, long planes, long count, int maximum, float *out) {
    const long whole = count - count % 64;
    for (long plane = 0; plane < planes; plane++) {
        const float *p = x + plane * count;
        const __m512 start = _mm512_set1_ps(maximum ? -__builtin_inff() : 0.0f);
        __m512 a0 = start, a1 = start, a2 = start, a3 = start;
        long i = 0;
        if (maximum) {
            for (; i < whole; i += 64) {
                a0 = _mm512_max_ps(a0, _mm512_loadu_ps(p + i));
                a1 = _mm512_max_ps(a1, _mm512_loadu_ps(p + i + 16));
                a2 = _mm512_max_ps(a2, _mm512_loadu_ps(p + i + 32));
                a3 = _mm512_max_ps(a3, _mm512_loadu_ps(p + i + 48));
            }
            for (; i < count; i += 16) {
                const long rest = count - i;
                const __mmask16 mask = rest >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1);
                a0 = _mm512_mask_max_ps(a0, mask, a0, _mm512_maskz_loadu_ps(mask, p + i));
            }
            out[plane] = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(a0, a1), _mm512_max_ps(a2, a3)));
        } else {
            for (; i < whole; i += 64) {
                a0 = _mm512_add_ps(a0, _mm512_loadu_ps(p + i));
                a1 = _mm512_add_ps(a1, _mm512_loadu_ps(p + i + 16));
                a2 = _mm512_add_ps(a2, _mm512_loadu_ps(p + i + 32));
                a3 = _mm512_add_ps(a3, _mm512_loadu_ps(p + i + 48));
            }
            for (; i < count; i += 16) {
                const long rest = count - i;
                const __mmask16 mask = rest >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1);
                a0 = _mm512_add_ps(a0, _mm512_maskz_loadu_ps(mask, p + i));
            }
            out[plane] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3))) / (float)count;
        }
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
