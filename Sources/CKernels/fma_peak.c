// A dependency-free FMA loop: the machine's arithmetic peak for one thread, for
// benchmarks that report "fraction of peak". Twelve independent accumulator chains
// hide the FMA latency (4 cycles x 2 ports on current x86 cores needs >= 8).
#include "CKernels.h"
#include "sgemm_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f")))
static double fma_loop_avx512(long iterations) {
    __m512 acc[12];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        __asm__ volatile("" ::: "memory");
    }
    float sum = 0;
    for (int i = 0; i < 12; i++) sum += _mm512_reduce_add_ps(acc[i]);
    return sum;
}

__attribute__((target("avx2,fma")))
static double fma_loop_avx2(long iterations) {
    __m256 acc[12];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
        __asm__ volatile("" ::: "memory");
    }
    float lanes[8], sum = 0;
    for (int i = 0; i < 12; i++) {
        _mm256_storeu_ps(lanes, acc[i]);
        for (int j = 0; j < 8; j++) sum += lanes[j];
    }
    return sum;
}
#endif

static double fma_loop_portable(long iterations) {
    float acc[12][8];
    for (int i = 0; i < 12; i++) for (int j = 0; j < 8; j++) acc[i][j] = (float)i;
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) for (int j = 0; j < 8; j++) acc[i][j] = acc[i][j] * 0.999999f + 1e-7f;
        __asm__ volatile("" ::: "memory");
    }
    float sum = 0;
    for (int i = 0; i < 12; i++) for (int j = 0; j < 8; j++) sum += acc[i][j];
    return sum;
}

long imgvec_fma_peak_loop(long iterations, double *checksum) {
    double sum;
    long lanes;
#if defined(__x86_64__)
    imgvec_sgemm_kernel kernel = imgvec_sgemm_active_kernel();
    if (kernel == IMGVEC_SGEMM_KERNEL_AVX512) { sum = fma_loop_avx512(iterations); lanes = 16; }
    else if (kernel == IMGVEC_SGEMM_KERNEL_AVX2) { sum = fma_loop_avx2(iterations); lanes = 8; }
    else { sum = fma_loop_portable(iterations); lanes = 8; }
#else
    sum = fma_loop_portable(iterations); lanes = 8;
#endif
    if (checksum) *checksum = sum;
    return iterations * 12 * lanes * 2;
}
