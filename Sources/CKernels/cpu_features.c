// Run-time choice of the sgemm micro-kernel: the CPU is asked once, the answer cached.
#include "sgemm_internal.h"
#include <stddef.h>

static int detected_kernel = -1;   // the only mutable global: written once, same value by any racer

static imgvec_sgemm_kernel detect(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return IMGVEC_SGEMM_KERNEL_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return IMGVEC_SGEMM_KERNEL_AVX2;
#endif
    return IMGVEC_SGEMM_KERNEL_PORTABLE;
}

imgvec_sgemm_kernel imgvec_sgemm_active_kernel(void) {
    int kernel = __atomic_load_n(&detected_kernel, __ATOMIC_RELAXED);
    if (kernel < 0) {
        kernel = (int)detect();
        __atomic_store_n(&detected_kernel, kernel, __ATOMIC_RELAXED);
    }
    return (imgvec_sgemm_kernel)kernel;
}

int imgvec_sgemm_kernel_available(imgvec_sgemm_kernel kernel) {
    if (kernel == IMGVEC_SGEMM_KERNEL_AUTO || kernel == IMGVEC_SGEMM_KERNEL_PORTABLE) return 1;
    imgvec_sgemm_kernel best = imgvec_sgemm_active_kernel();
    if (kernel == IMGVEC_SGEMM_KERNEL_AVX2) return best == IMGVEC_SGEMM_KERNEL_AVX2 || best == IMGVEC_SGEMM_KERNEL_AVX512;
    if (kernel == IMGVEC_SGEMM_KERNEL_AVX512) return best == IMGVEC_SGEMM_KERNEL_AVX512;
    return 0;
}

const char *imgvec_sgemm_kernel_name(imgvec_sgemm_kernel kernel) {
    switch (kernel) {
    case IMGVEC_SGEMM_KERNEL_AVX512: return "avx512";
    case IMGVEC_SGEMM_KERNEL_AVX2: return "avx2";
    case IMGVEC_SGEMM_KERNEL_PORTABLE: return "portable";
    default: return imgvec_sgemm_kernel_name(imgvec_sgemm_active_kernel());
    }
}

const imgvec_kernel_desc *imgvec_kernel_for(imgvec_sgemm_kernel kernel) {
    if (kernel == IMGVEC_SGEMM_KERNEL_AUTO) kernel = imgvec_sgemm_active_kernel();
    if (!imgvec_sgemm_kernel_available(kernel)) return NULL;
    switch (kernel) {
    case IMGVEC_SGEMM_KERNEL_AVX512: return imgvec_kernel_avx512();
    case IMGVEC_SGEMM_KERNEL_AVX2: return imgvec_kernel_avx2();
    default: return imgvec_kernel_portable();
    }
}

long imgvec_sgemm_kernel_columns(imgvec_sgemm_kernel kernel) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    return d ? d->nr : 0;
}

long imgvec_sgemm_kernel_rows(imgvec_sgemm_kernel kernel) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    return d ? d->mr : 0;
}

long imgvec_sgemm_kernel_depth(imgvec_sgemm_kernel kernel) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    return d ? d->kc : 0;
}
