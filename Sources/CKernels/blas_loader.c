// The system BLAS (OpenBLAS on Linux), loaded on first use instead of at process start.
//
// OpenBLAS's pthreads build starts a worker per core from its library constructor, and an
// idle worker spins (sched_yield) for about 0.1 s before it sleeps. Linked into every imgvec
// process, that spinner took a core during the first ~100 ms of each run, and the engine's
// own pool worker, created meanwhile, often landed on the caller's core until the scheduler
// moved it: MobileNetV3 at batch 1 on two threads ran its first 10-15 inferences at 7-10 ms
// instead of 4-5 ms. The engine's GEMM is its own (CKernels) on x86-64, so BLAS is only
// loaded when something asks for it (`IMGVEC_GEMM=blas`, other architectures, tests).
// Once loaded it is set to one thread per call: the engine's pool supplies parallelism.
#include "CKernels.h"

#if defined(__linux__)
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

// CBLAS's standard enumeration values (cblas.h).
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

typedef void (*cblas_sgemm_function)(int order, int transA, int transB, int m, int n, int k, float alpha,
                                     const float *a, int lda, const float *b, int ldb, float beta,
                                     float *c, int ldc);
typedef void (*set_threads_function)(int count);
typedef int (*get_threads_function)(void);

static cblas_sgemm_function blas_sgemm;
static set_threads_function blas_set_threads;
static get_threads_function blas_get_threads;
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

/// IMGVEC_BLAS_LIBRARY (a file name or path) picks the library, e.g. another CBLAS such as
/// BLIS's; otherwise the first of OpenBLAS and the reference CBLAS that loads.
static void load_blas(void) {
    static const char *const libraries[] = {"libopenblas.so.0", "libopenblas.so", "libcblas.so.3", "libblas.so.3"};
    const char *chosen = getenv("IMGVEC_BLAS_LIBRARY");
    const size_t count = chosen && *chosen ? 1 : sizeof libraries / sizeof libraries[0];
    for (size_t i = 0; i < count; i++) {
        void *handle = dlopen(chosen && *chosen ? chosen : libraries[i], RTLD_NOW | RTLD_LOCAL);
        if (!handle) continue;
        cblas_sgemm_function sgemm = (cblas_sgemm_function)dlsym(handle, "cblas_sgemm");
        if (!sgemm) { dlclose(handle); continue; }
        blas_set_threads = (set_threads_function)dlsym(handle, "openblas_set_num_threads");
        blas_get_threads = (get_threads_function)dlsym(handle, "openblas_get_num_threads");
        if (blas_set_threads) blas_set_threads(1);
        blas_sgemm = sgemm;
        return;
    }
}

static int blas_loaded(void) {
    pthread_once(&blas_once, load_blas);
    return blas_sgemm != NULL;
}

int imgvec_blas_sgemm(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc) {
    if (!blas_loaded()) return -1;
    blas_sgemm(CBLAS_ROW_MAJOR, transA ? CBLAS_TRANS : CBLAS_NO_TRANS, transB ? CBLAS_TRANS : CBLAS_NO_TRANS,
               (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
    return 0;
}

void imgvec_blas_set_threads(int count) {
    if (blas_loaded() && blas_set_threads) blas_set_threads(count < 1 ? 1 : count);
}

int imgvec_blas_threads(void) {
    return blas_loaded() && blas_get_threads ? blas_get_threads() : 1;
}

#else
// Elsewhere BLAS comes from the platform (Accelerate, linked by the Swift side).
int imgvec_blas_sgemm(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc) {
    (void)transA; (void)transB; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
    return -1;
}
void imgvec_blas_set_threads(int count) { (void)count; }
int imgvec_blas_threads(void) { return 1; }
#endif
