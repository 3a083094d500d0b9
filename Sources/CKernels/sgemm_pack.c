#include "sgemm_pack.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#if defined(__SSE2__)
/// A panel (mr rows, mr a multiple of 4) of a row-major A, of which the first `height` rows
/// are A's (the rest zero; `partial` is a constant: height < mr), transposed 4 x 4 at a time:
/// one 16-byte store per four values instead of one scalar store each. Returns the columns
/// done (a multiple of 4).
static inline __attribute__((always_inline))
long pack_a_panel_4x4(const int partial, long mr, long height, const float *src, long lda, long kc, float *dst) {
    const __m128 zero = _mm_setzero_ps();
    long p = 0;
    for (; p + 4 <= kc; p += 4) {
        for (long r = 0; r < mr; r += 4) {
            const float *s = src + r * lda + p;
            const long rows = partial ? height - r : 4;   // of this group's four, those inside the panel
            __m128 r0 = rows > 0 ? _mm_loadu_ps(s) : zero, r1 = rows > 1 ? _mm_loadu_ps(s + lda) : zero;
            __m128 r2 = rows > 2 ? _mm_loadu_ps(s + 2 * lda) : zero, r3 = rows > 3 ? _mm_loadu_ps(s + 3 * lda) : zero;
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            float *out = dst + p * mr + r;
            _mm_storeu_ps(out, r0);
            _mm_storeu_ps(out + mr, r1);
            _mm_storeu_ps(out + 2 * mr, r2);
            _mm_storeu_ps(out + 3 * mr, r3);
        }
    }
    return p;
}
#endif

void imgvec_pack_b(const imgvec_kernel_desc *d, int transB, const float *b, long ldb,
                   long pc, long kc, long jc, long nc, float *dst) {
    for (long j = 0; j < nc; j += d->nr) {
        long width = imgvec_min(d->nr, nc - j);
        long stride = imgvec_panel_width(d, width);
        if (!transB) {
            const float *src = b + pc * ldb + jc + j;
            if (width == 32 && stride == 32) {
                // Constant-size copies inline (no call per row).
                for (long p = 0; p < kc; p++) memcpy(dst + p * 32, src + p * ldb, 32 * sizeof(float));
            } else if (width == 16 && stride == 16) {
                for (long p = 0; p < kc; p++) memcpy(dst + p * 16, src + p * ldb, 16 * sizeof(float));
            } else {
                for (long p = 0; p < kc; p++) {
                    float *out = dst + p * stride;
                    memcpy(out, src + p * ldb, (size_t)width * sizeof(float));
                    for (long q = width; q < stride; q++) out[q] = 0;
                }
            }
        } else {
            // B is stored n x k: op(B)[p][j] = b[j * ldb + p]. The panel is the transpose of the
            // width x kc block of B's rows, done in 16x16 blocks in registers (imgvec_transpose);
            // then the padding columns are zeroed.
            imgvec_transpose(b + (jc + j) * ldb + pc, ldb, width, kc, dst, stride);
            if (width < stride)
                for (long p = 0; p < kc; p++) memset(dst + p * stride + width, 0, (size_t)(stride - width) * sizeof(float));
        }
        dst += stride * kc;
    }
}

void imgvec_pack_a(const imgvec_kernel_desc *d, int transA, const float *a, long lda,
                   long ic, long mc, long pc, long kc, float *dst) {
    const long mr = d->mr;
    for (long i = 0; i < mc; i += mr) {
        long height = imgvec_min(mr, mc - i);
        if (!transA) {
            const float *src = a + (ic + i) * lda + pc;
            long done = 0;
#if defined(__SSE2__)
            // Partial panels too (A's last rows; CLIP's 50 tokens in tiles of 10 rows), which
            // went value by value: 0.35 -> 0.15-0.19 ns per value (50 x 768 and 50 x 3072 in
            // tiles of 10). CLIP ViT-B/32 b1, fastest / median of 8 alternating rounds: t1
            // -0.8% / -1.1%, t2 -1.3% / -1.7%.
            if (mr % 4 == 0) done = height == mr ? pack_a_panel_4x4(0, mr, height, src, lda, kc, dst)
                                                 : pack_a_panel_4x4(1, mr, height, src, lda, kc, dst);
#endif
            for (long r = 0; r < height; r++) {
                const float *s = src + r * lda;
                for (long p = done; p < kc; p++) dst[p * mr + r] = s[p];
            }
            for (long r = height; r < mr; r++)
                for (long p = done; p < kc; p++) dst[p * mr + r] = 0;
        } else {
            // A is stored k x m: op(A)[i][p] = a[p * lda + i].
            for (long p = 0; p < kc; p++) {
                const float *s = a + (pc + p) * lda + ic + i;
                float *out = dst + p * mr;
                long r = 0;
                for (; r < height; r++) out[r] = s[r];
                for (; r < mr; r++) out[r] = 0;
            }
        }
        dst += mr * kc;
    }
}

typedef struct thread_scratch {
    float *buffer[3];
    long capacity[3];
} thread_scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *value) {
    thread_scratch *s = value;
    for (int slot = 0; slot < 3; slot++) free(s->buffer[slot]);
    free(s);
}

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free_scratch); }

float *imgvec_thread_scratch(int slot, long count) {
    pthread_once(&scratch_once, make_scratch_key);
    thread_scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s || pthread_setspecific(scratch_key, s) != 0) { free(s); return NULL; }
    }
    if (s->capacity[slot] < count) {
        free(s->buffer[slot]);
        s->buffer[slot] = NULL;
        s->capacity[slot] = 0;
        void *memory = NULL;
        if (posix_memalign(&memory, 64, (size_t)count * sizeof(float)) != 0) return NULL;
        s->buffer[slot] = memory;
        s->capacity[slot] = count;
    }
    return s->buffer[slot];
}
