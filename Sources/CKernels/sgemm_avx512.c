// AVX-512F micro-kernel: a 12 x 32 tile of C in 24 zmm accumulators. Each step of k
// loads two B vectors and broadcasts 12 A values (embedded-broadcast FMAs).
// Only this file's functions use AVX-512 (per-function target attribute), so the
// library still runs on any x86-64; the driver calls them only when the CPU has it.
#include "sgemm_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "sgemv_body.h"

#define MR 12
#define NR 32
#define TARGET __attribute__((target("avx512f")))

#define IMGVEC_VMATH_WIDTH 16
#define IMGVEC_VMATH_ISA 512
#define IMGVEC_VMATH_TARGET TARGET
#define IMGVEC_VMATH_HAS_FMA 1
#include "vmath_functions.h"

#ifndef IMGVEC_AVX512_KC
#define IMGVEC_AVX512_KC 384
#endif
#ifndef IMGVEC_AVX512_MC
#define IMGVEC_AVX512_MC 384
#endif
#ifndef IMGVEC_AVX512_NC
#define IMGVEC_AVX512_NC 4096
#endif

/// The fused store (imgvec_tile_store) of one vector: clamp(v + the row's bias + the residual
/// vector at `residual` (NULL: none), lo, hi), then HardSwish when asked, in the epilogue's order
/// and with its functions (vmath_functions.h), so results are the same bits. (SiLU fused here
/// measured slower than the separate pass over the tile: 271 against 231 ns per 12x32 tile at
/// k = 16, 785 against 757 at k = 96; its exponential's temporaries next to 24 live
/// accumulators.)
///
/// `bounds` (a constant at every call site) says which of lo / hi can change a value: bit 0
/// lo (finite), bit 1 hi. An infinite bound changes nothing (x < -inf and x > +inf are false
/// even for NaN), so its comparison is left out: Relu keeps one, no activation none.
static inline __attribute__((always_inline)) TARGET
__m512 finish(__m512 v, __m512 bias, const float *residual, __mmask16 mask, int hardswish, __m512 lo, __m512 hi,
              const int bounds) {
    v = _mm512_add_ps(v, bias);
    if (residual) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, residual));
    vf x = (vf)v;
    if (bounds & 1) x = pick(x < (vf)lo, (vf)lo, x);
    if (bounds & 2) x = pick(x > (vf)hi, (vf)hi, x);
    if (hardswish) x = hardswish_v(x);
    return (__m512)x;
}

/// `rows` (<= MR) and `wide` (two vectors per row or one) are constants at every call
/// site, so the loops unroll and the accumulators live in registers.
static inline __attribute__((always_inline)) TARGET
void tile_rows(const int rows, const int wide, const int bounds, long kc, const float *pa, const float *pb, long bstride,
               float *c, long ldc, int nr, float alpha, float beta, const char *pf, long pfLines,
               long pfStride, const imgvec_tile_store *store, const long *offsets, const long *aOffsets) {
    const float *b0 = pb, *a0 = pa;
    __m512 acc0[MR], acc1[MR];
#pragma unroll
    for (int i = 0; i < MR; i++) {
        if (i < rows) { acc0[i] = _mm512_setzero_ps(); acc1[i] = _mm512_setzero_ps(); }
    }
    // Fetch the tile's rows of C into L2 now, while the k loop runs. A later k block adds to
    // C, and a strip of C too large for L2 (197 x 3072 for a ViT-B/16 MLP on one thread)
    // otherwise comes back from memory row by row at the end of each tile, a stall per row the
    // hardware prefetcher cannot predict (rows are ldc apart). The first k block only writes C,
    // but a line it writes is read in first all the same: the same stall where the output is
    // not in cache (an arena buffer last used layers ago). One-layer harness, one thread,
    // caches flushed before each run, fetching for the first k block too: ViT-B/16's 197 x 768
    // by 768 x 3072 -1.4%, by 768 x 2304 -2.1%, by 768 x 768 -2.2%; resnet50's 64 -> 256 at
    // 56x56 1200 -> 986 us; warm runs unchanged.
#pragma unroll
    for (int i = 0; i < MR; i++) {
        if (i < rows) {
            _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T1);
            if (wide) _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T1);
        }
    }
    // pfStride 64: consecutive lines spread evenly over the k loop, line floor(p * pfLines / kc)
    // at step p when it is a new one (pfLines <= kc: one per step at most), tracked by a running
    // remainder instead of a division per step.
    const int spread = pfStride == 64 && pfLines > 0;
    long spreadLine = 0, spreadRemainder = 0;
    if (spread) _mm_prefetch(pf, _MM_HINT_T1);
    for (long p = 0; p < kc; p++) {
        if (spread) {
            if (p > 0 && (spreadRemainder += pfLines) >= kc) {
                spreadRemainder -= kc;
                _mm_prefetch(pf + 64 * ++spreadLine, _MM_HINT_T1);
            }
        } else if (2 * p < pfLines) {
            _mm_prefetch(pf + pfStride * p, _MM_HINT_T1);
            if (2 * p + 1 < pfLines) _mm_prefetch(pf + pfStride * p + 64, _MM_HINT_T1);
        }
        // `offsets` is NULL at every call site but the direct convolution's (a constant per instance).
        if (offsets) pb = b0 + offsets[p];
        __m512 v0 = _mm512_loadu_ps(pb);
        __m512 v1 = wide ? _mm512_loadu_ps(pb + 16) : v0;
#pragma unroll
        for (int i = 0; i < MR; i++) {
            if (i < rows) {
                // `aOffsets` is NULL at every call site but the gathered-A tile's.
                __m512 av = _mm512_set1_ps(aOffsets ? a0[aOffsets[p] + i] : pa[i]);
                acc0[i] = _mm512_fmadd_ps(av, v0, acc0[i]);
                if (wide) acc1[i] = _mm512_fmadd_ps(av, v1, acc1[i]);
            }
        }
        pa += MR;
        if (!offsets) pb += bstride;
    }
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    const __m512 lo = _mm512_set1_ps(store ? store->lo : 0), hi = _mm512_set1_ps(store ? store->hi : 0);
    // The store's fields read once: C's stores below could alias them as far as the compiler
    // knows, and reloading each field (with its test) for every vector cost 4% of a 256 x 64 by
    // 64 x 3136 product (resnet50's 1x1 expansions) against no store at all.
    const float *rowBias = store ? store->row_bias : 0, *residual = store ? store->residual : 0;
    const long ldr = store ? store->ldr : 0;
    const int hardswish = store && store->activation == IMGVEC_VMATH_HARDSWISH, scalesC = beta != 0;
#pragma unroll
    for (int i = 0; i < MR; i++) {
        if (i < rows) {
            float *row = c + i * ldc;
            const __m512 bias = _mm512_set1_ps(rowBias ? rowBias[i] : 0.0f);
            const float *residualRow = residual ? residual + i * ldr : 0;
            __m512 r0 = _mm512_mul_ps(acc0[i], va);
            if (scalesC) r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, row), r0);
            if (store) r0 = finish(r0, bias, residualRow, m0, hardswish, lo, hi, bounds);
            _mm512_mask_storeu_ps(row, m0, r0);
            if (wide) {
                __m512 r1 = _mm512_mul_ps(acc1[i], va);
                if (scalesC) r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, row + 16), r1);
                if (store) r1 = finish(r1, bias, residualRow ? residualRow + 16 : 0, m1, hardswish, lo, hi, bounds);
                _mm512_mask_storeu_ps(row + 16, m1, r1);
            }
        }
    }
}

#define ROW_CASES(WIDE, BOUNDS) \
    switch (mr) { \
    case 12: tile_rows(12, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 11: tile_rows(11, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 10: tile_rows(10, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 9: tile_rows(9, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 8: tile_rows(8, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 7: tile_rows(7, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 6: tile_rows(6, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 5: tile_rows(5, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 4: tile_rows(4, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 3: tile_rows(3, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    case 2: tile_rows(2, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    default: tile_rows(1, WIDE, BOUNDS, kc, pa, pb, ldbPanel, c, ldc, nr, alpha, beta, pf, pfLines, pfStride, store, offsets, aOffsets); return; \
    }

/// ROW_CASES with the fused store's bounds made a constant (see finish): both when hi is finite,
/// lo only (Relu), or none (no activation, HardSwish; or no store).
#define STORE_CASES(WIDE) \
    if (!store) { ROW_CASES(WIDE, 0) } \
    else if (store->hi < __builtin_inff()) { ROW_CASES(WIDE, 3) } \
    else if (store->lo > -__builtin_inff()) { ROW_CASES(WIDE, 1) } \
    else { ROW_CASES(WIDE, 0) }

TARGET static void tile_avx512(long kc, const float *pa, const float *pb, long ldbPanel, float *c, long ldc,
                               int mr, int nr, float alpha, float beta) {
    const char *pf = 0;
    const long pfLines = 0, pfStride = 128;
    const imgvec_tile_store *store = 0;
    const long *offsets = 0, *aOffsets = 0;
    if (nr > 16) { ROW_CASES(1, 0) } else { ROW_CASES(0, 0) }
}

TARGET static void tile_prefetch_avx512(long kc, const float *pa, const float *pb, long ldbPanel, float *c,
                                        long ldc, int mr, int nr, float alpha, float beta,
                                        const float *prefetch, long lines, long prefetch_stride) {
    const char *pf = (const char *)prefetch;
    const long pfLines = lines, pfStride = prefetch_stride;
    const imgvec_tile_store *store = 0;
    const long *offsets = 0, *aOffsets = 0;
    if (nr > 16) { ROW_CASES(1, 0) } else { ROW_CASES(0, 0) }
}

TARGET static void tile_store_avx512(long kc, const float *pa, const float *pb, long ldbPanel, float *c,
                                     long ldc, int mr, int nr, float alpha, float beta,
                                     const float *prefetch, long lines, long prefetch_stride,
                                     const imgvec_tile_store *store) {
    const char *pf = (const char *)prefetch;
    const long pfLines = lines, pfStride = prefetch_stride;
    const long *offsets = 0, *aOffsets = 0;
    if (nr > 16) { STORE_CASES(1) } else { STORE_CASES(0) }
}

/// The direct convolution's tile (imgvec_tile_offsets_fn): B's rows gathered at b + offsets[p].
TARGET static void tile_offsets_avx512(long kc, const float *pa, const float *b, const long *offsets, float *c,
                                       long ldc, int mr, int nr, float beta, const imgvec_tile_store *store) {
    const char *pf = 0;
    const long pfLines = 0, pfStride = 128, ldbPanel = 0;
    const long *aOffsets = 0;
    const float *pb = b;
    const float alpha = 1.0f;
    if (nr > 16) { STORE_CASES(1) } else { STORE_CASES(0) }
}

/// The gathered-A tile (imgvec_tile_gathered_a_fn): A[i][p] = a[offsets[p] + i].
TARGET static void tile_gathered_a_avx512(long kc, const float *a, const long *aOffsets, const float *pb,
                                          long ldbPanel, float *c, long ldc, int mr, int nr, float beta,
                                          const float *prefetch, long lines) {
    const char *pf = (const char *)prefetch;
    const long pfLines = lines, pfStride = 128;
    const imgvec_tile_store *store = 0;
    const long *offsets = 0;
    const float *pa = a;
    const float alpha = 1.0f;
    if (nr > 16) { ROW_CASES(1, 0) } else { ROW_CASES(0, 0) }
}

/// Stores one panel's accumulated column (see imgvec_panels_times_vector_fn).
static inline __attribute__((always_inline)) TARGET
void store_column(__m512 acc, long rows, float alpha, float beta, float *c, long ldc) {
    float values[16];
    _mm512_storeu_ps(values, _mm512_mul_ps(acc, _mm512_set1_ps(alpha)));
    for (long i = 0; i < rows; i++) c[i * ldc] = beta == 0 ? values[i] : __builtin_fmaf(beta, c[i * ldc], values[i]);
}

/// `count` panels at once (a constant at each call site): `count` independent accumulator
/// chains sharing each broadcast of x[p], so the loop is bound by loads, not FMA latency.
static inline __attribute__((always_inline)) TARGET
void panel_group_times_vector(const int count, long kc, const float *pa, const float *x, long rows,
                              float alpha, float beta, float *c, long ldc) {
    const __mmask16 lanes = (__mmask16)((1u << MR) - 1);
    const long panelFloats = MR * kc;
    __m512 acc[8];
#pragma unroll
    for (int q = 0; q < 8; q++) if (q < count) acc[q] = _mm512_setzero_ps();
    for (long p = 0; p < kc; p++) {
        const __m512 xv = _mm512_set1_ps(x[p]);
#pragma unroll
        for (int q = 0; q < 8; q++)
            if (q < count) acc[q] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(lanes, pa + q * panelFloats + p * MR), acc[q]);
    }
#pragma unroll
    for (int q = 0; q < 8; q++) {
        if (q < count) {
            const long row = q * MR;
            store_column(acc[q], rows - row < MR ? rows - row : MR, alpha, beta, c + row * ldc, ldc);
        }
    }
}

/// Eight panels at a time, then four, then the rest one by one.
TARGET static void panels_times_vector_avx512(long panels, long kc, const float *pa, const float *x, long rows,
                                              float alpha, float beta, float *c, long ldc) {
    long j = 0;
    for (; j + 8 <= panels; j += 8)
        panel_group_times_vector(8, kc, pa + j * MR * kc, x, rows - j * MR, alpha, beta, c + j * MR * ldc, ldc);
    for (; j + 4 <= panels; j += 4)
        panel_group_times_vector(4, kc, pa + j * MR * kc, x, rows - j * MR, alpha, beta, c + j * MR * ldc, ldc);
    for (; j < panels; j++)
        panel_group_times_vector(1, kc, pa + j * MR * kc, x, rows - j * MR, alpha, beta, c + j * MR * ldc, ldc);
}

/// `count` panels (<= 4) times `cols` columns of B (<= 4; both constants at each call site):
/// count x cols accumulator chains, each panel's A values loaded once per k step for all the
/// columns. Chain (q, j) is the tile's row chains for column j, in the tile's order.
static inline __attribute__((always_inline)) TARGET
void panel_columns_group(const int count, const int cols, long kc, const float *pa, const float *pb, long ldb,
                         long rows, float alpha, float beta, float *c, long ldc) {
    const __mmask16 lanes = (__mmask16)((1u << MR) - 1);
    const long panelFloats = MR * kc;
    __m512 acc[4][4];
#pragma unroll
    for (int q = 0; q < 4; q++)
#pragma unroll
        for (int j = 0; j < 4; j++) if (q < count && j < cols) acc[q][j] = _mm512_setzero_ps();
    for (long p = 0; p < kc; p++) {
        __m512 a[4];
#pragma unroll
        for (int q = 0; q < 4; q++) if (q < count) a[q] = _mm512_maskz_loadu_ps(lanes, pa + q * panelFloats + p * MR);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (j < cols) {
                const __m512 x = _mm512_set1_ps(pb[p * ldb + j]);
#pragma unroll
                for (int q = 0; q < 4; q++) if (q < count) acc[q][j] = _mm512_fmadd_ps(x, a[q], acc[q][j]);
            }
        }
    }
#pragma unroll
    for (int q = 0; q < 4; q++) {
        if (q < count) {
            const long row = q * MR;
#pragma unroll
            for (int j = 0; j < 4; j++)
                if (j < cols) store_column(acc[q][j], rows - row < MR ? rows - row : MR, alpha, beta, c + row * ldc + j, ldc);
        }
    }
}

/// panel_columns_group for `cols` (1-4) columns, a constant per case.
#define COLUMN_CASES(COUNT, A, B, C, ROWS) \
    switch (cols) { \
    case 4: panel_columns_group(COUNT, 4, kc, A, B, ldb, ROWS, alpha, beta, C, ldc); break; \
    case 3: panel_columns_group(COUNT, 3, kc, A, B, ldb, ROWS, alpha, beta, C, ldc); break; \
    case 2: panel_columns_group(COUNT, 2, kc, A, B, ldb, ROWS, alpha, beta, C, ldc); break; \
    default: panel_columns_group(COUNT, 1, kc, A, B, ldb, ROWS, alpha, beta, C, ldc); break; \
    }

/// imgvec_panels_times_columns_fn: four panels at a time, four columns at a time.
TARGET static void panels_times_columns_avx512(long panels, long kc, const float *pa, const float *pb, long ldb,
                                               int columns, long rows, float alpha, float beta, float *c, long ldc) {
    for (int j0 = 0; j0 < columns; j0 += 4) {
        const int cols = columns - j0 < 4 ? columns - j0 : 4;
        for (long q0 = 0; q0 < panels; q0 += 4) {
            const float *groupA = pa + q0 * MR * kc, *groupB = pb + j0;
            float *groupC = c + q0 * MR * ldc + j0;
            const long groupRows = rows - q0 * MR;
            switch (panels - q0 < 4 ? panels - q0 : 4) {
            case 4: COLUMN_CASES(4, groupA, groupB, groupC, groupRows) break;
            case 3: COLUMN_CASES(3, groupA, groupB, groupC, groupRows) break;
            case 2: COLUMN_CASES(2, groupA, groupB, groupC, groupRows) break;
            default: COLUMN_CASES(1, groupA, groupB, groupC, groupRows) break;
            }
        }
    }
}

/// `count` full panels (a constant at each call site) of one row times packed B: 2 * count
/// accumulator chains sharing each broadcast of x[p] (see imgvec_row_times_panels_fn).
static inline __attribute__((always_inline)) TARGET
void row_panel_group(const int count, long kc, const float *x, const float *pb, float alpha, float beta, float *c) {
    __m512 acc[8];
#pragma unroll
    for (int q = 0; q < 8; q++) if (q < 2 * count) acc[q] = _mm512_setzero_ps();
    for (long p = 0; p < kc; p++) {
        const __m512 xv = _mm512_set1_ps(x[p]);
#pragma unroll
        for (int q = 0; q < 4; q++) {
            if (q < count) {
                const float *row = pb + q * NR * kc + p * NR;
                acc[2 * q] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row), acc[2 * q]);
                acc[2 * q + 1] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16), acc[2 * q + 1]);
            }
        }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma unroll
    for (int q = 0; q < 8; q++) {
        if (q < 2 * count) {
            __m512 r = _mm512_mul_ps(acc[q], va);
            if (beta != 0) r = _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + 16 * q), r);
            _mm512_storeu_ps(c + 16 * q, r);
        }
    }
}

/// A last panel of `width` < NR columns (its rows 16 floats apart up to 16 columns, else NR;
/// the padding columns are zero): the same chains, stored under a mask.
static inline __attribute__((always_inline)) TARGET
void row_partial_panel(long width, long kc, const float *x, const float *pb, float alpha, float beta, float *c) {
    const long stride = width <= 16 ? 16 : NR;
    const __mmask16 m0 = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
    const __mmask16 m1 = width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    for (long p = 0; p < kc; p++) {
        const __m512 xv = _mm512_set1_ps(x[p]);
        acc0 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(pb + p * stride), acc0);
        if (m1) acc1 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(pb + p * stride + 16), acc1);
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __m512 r0 = _mm512_mul_ps(acc0, va);
    if (beta != 0) r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), r0);
    _mm512_mask_storeu_ps(c, m0, r0);
    if (m1) {
        __m512 r1 = _mm512_mul_ps(acc1, va);
        if (beta != 0) r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), r1);
        _mm512_mask_storeu_ps(c + 16, m1, r1);
    }
}

/// Four full panels at a time, then the rest of the full panels together, then a partial one.
TARGET static void row_times_panels_avx512(long columns, long kc, const float *x, const float *pb, float alpha,
                                           float beta, float *c) {
    long j = 0;
    for (; j + 4 * NR <= columns; j += 4 * NR) row_panel_group(4, kc, x, pb + j * kc, alpha, beta, c + j);
    switch ((columns - j) / NR) {
    case 3: row_panel_group(3, kc, x, pb + j * kc, alpha, beta, c + j); j += 3 * NR; break;
    case 2: row_panel_group(2, kc, x, pb + j * kc, alpha, beta, c + j); j += 2 * NR; break;
    case 1: row_panel_group(1, kc, x, pb + j * kc, alpha, beta, c + j); j += NR; break;
    default: break;
    }
    if (j < columns) row_partial_panel(columns - j, kc, x, pb + j * kc, alpha, beta, c + j);
}

TARGET static void row_times_matrix_avx512(long n, long k, float alpha, const float *a, long strideA,
                                           const float *b, long ldb, float beta, float *c) {
    imgvec_row_times_matrix_body(n, k, alpha, a, strideA, b, ldb, beta, c);
}

TARGET static void matrix_times_vector_avx512(long m, long k, float alpha, const float *a, long lda,
                                              const float *x, float beta, float *c, long ldc) {
    imgvec_matrix_times_vector_body(m, k, alpha, a, lda, x, beta, c, ldc);
}

static const imgvec_kernel_desc desc = {
    IMGVEC_SGEMM_KERNEL_AVX512, MR, NR, 16,
    IMGVEC_AVX512_KC, IMGVEC_AVX512_MC, IMGVEC_AVX512_NC,
    tile_avx512, row_times_matrix_avx512, matrix_times_vector_avx512, tile_prefetch_avx512, tile_store_avx512,
    panels_times_vector_avx512, tile_offsets_avx512, row_times_panels_avx512, tile_gathered_a_avx512,
    panels_times_columns_avx512,
};

const imgvec_kernel_desc *imgvec_kernel_avx512(void) { return &desc; }

#else
const imgvec_kernel_desc *imgvec_kernel_avx512(void) { return 0; }
#endif
