// Shared between the sgemm driver and its micro-kernels (not part of the public API).
#ifndef IMGVEC_SGEMM_INTERNAL_H
#define IMGVEC_SGEMM_INTERNAL_H
#include "CKernels.h"

/// Computes one tile: C[mr x nr] = alpha * Apanel * Bpanel + beta * C (beta == 0: C not read).
/// `pa` is an MR x kc panel stored k-major (pa[p * MR + i]); `pb` a kc x W panel
/// (pb[p * ldbPanel + j]), W = the kernel's half width when nr <= half width, else its full NR;
/// ldbPanel is W for a packed panel, or the row stride of an unpacked B.
typedef void (*imgvec_tile_fn)(long kc, const float *pa, const float *pb, long ldbPanel, float *c, long ldc,
                               int mr, int nr, float alpha, float beta);

/// imgvec_tile_fn that also prefetches `lines` cache lines (64 bytes each) into L2 over the k
/// loop: with prefetch_stride 64 (and lines <= kc), a contiguous run spread evenly, at most one
/// line per step (the next panel of a pre-packed B streaming in from memory); otherwise two per
/// step from the first, the pair of step p at prefetch + p * prefetch_stride bytes (128: a
/// contiguous run, the next A panel; a row stride: the next panel's rows of a B packed panel by
/// panel, in place in a large input).
typedef void (*imgvec_tile_prefetch_fn)(long kc, const float *pa, const float *pb, long ldbPanel, float *c,
                                        long ldc, int mr, int nr, float alpha, float beta,
                                        const float *prefetch, long lines, long prefetch_stride);

/// What a micro-kernel applies to a tile as it stores it, when it finishes a product whose
/// epilogue is a convolution's usual one: C = clamp(C + row_bias[i] + residual[i][j], lo, hi)
/// (lo = -inf, hi = +inf: no activation), or HardSwish of that sum (MobileNetV3). The same
/// operations in the same order as imgvec_sgemm_apply_epilogue, so results are bit-identical;
/// the tile is just not stored, reloaded and stored again.
typedef struct imgvec_tile_store {
    const float *row_bias;   ///< the tile's first row's bias, or NULL (then 0 is added, as the epilogue does)
    const float *residual;   ///< the residual at the tile's first element, or NULL
    long ldr;                ///< residual row stride
    float lo, hi;
    /// after the clamp: IMGVEC_VMATH_IDENTITY, or HARDSWISH (lo, hi infinite), as the epilogue computes it
    imgvec_vmath_function activation;
} imgvec_tile_store;

/// imgvec_tile_prefetch_fn (prefetch may be NULL with lines 0) that finishes with `store`.
typedef void (*imgvec_tile_store_fn)(long kc, const float *pa, const float *pb, long ldbPanel, float *c,
                                     long ldc, int mr, int nr, float alpha, float beta,
                                     const float *prefetch, long lines, long prefetch_stride,
                                     const imgvec_tile_store *store);

/// C[0, 0..<n] = alpha * sum_p a[p * strideA] * B[p, 0..<n] + beta * C (one row times a matrix).
typedef void (*imgvec_row_times_matrix_fn)(long n, long k, float alpha, const float *a, long strideA,
                                           const float *b, long ldb, float beta, float *c);

/// C[i, 0] = alpha * dot(A[i, 0..<k], x) + beta * C[i, 0] for i < m (x contiguous).
typedef void (*imgvec_matrix_times_vector_fn)(long m, long k, float alpha, const float *a, long lda,
                                              const float *x, float beta, float *c, long ldc);

/// One k block of a packed A times a vector (a product with a single column of B): for each of
/// `panels` consecutive MR x kc panels at `pa` (each `MR * kc` floats), C[i][0] = alpha * sum_p
/// A[i][p] * x[p] + beta * C[i][0] (beta == 0: C not read) for the first `rows` rows (the last
/// panel may be partial), C's rows `ldc` apart. The same fused multiply-adds in the same order
/// as the tile kernel (one accumulator per row, p ascending, then alpha, then beta), so the
/// column equals the tile path's bit for bit; it just does not spend a vector lane per column.
typedef void (*imgvec_panels_times_vector_fn)(long panels, long kc, const float *pa, const float *x, long rows,
                                              float alpha, float beta, float *c, long ldc);

/// One row x (kc values) times one k block of packed B: `columns` columns whose panels start at
/// `pb` (column j0's panel at pb + j0 * kc, rows imgvec_panel_width apart), C[j] = alpha *
/// sum_p x[p] B[p][j] + beta * C[j] (beta == 0: C not read). The tile kernel's fused
/// multiply-adds in its order (p ascending, then alpha, then beta), so the row equals a 1-row
/// tile's bit for bit; but several panels' accumulators at once, where a 1-row tile's two
/// accumulator chains wait on the FMA latency.
typedef void (*imgvec_row_times_panels_fn)(long columns, long kc, const float *x, const float *pb, float alpha,
                                           float beta, float *c);

/// imgvec_tile_store_fn whose B rows are gathered: row p of the tile's B panel is the NR floats at
/// b + offsets[p] (unaligned, read whole even for a narrower tile, so NR floats past every
/// offset must be readable). A direct convolution's taps: no unfolded or packed copy of B.
/// `store` may be NULL (no fused epilogue).
typedef void (*imgvec_tile_offsets_fn)(long kc, const float *pa, const float *b, const long *offsets, float *c,
                                       long ldc, int mr, int nr, float beta, const imgvec_tile_store *store);

/// imgvec_tile_prefetch_fn (alpha 1; `lines` lines from `prefetch` on, 64 bytes apart) whose A is read
/// in place: A[i][p] = a[offsets[p] + i]. A convolution with output channels across the vector
/// lanes: row i is an output position (consecutive along an output row of a stride-phase-split
/// input), p a tap (channel, ky, kx).
typedef void (*imgvec_tile_gathered_a_fn)(long kc, const float *a, const long *offsets, const float *pb,
                                          long ldbPanel, float *c, long ldc, int mr, int nr, float beta,
                                          const float *prefetch, long lines);

/// imgvec_panels_times_vector_fn for `columns` columns of B at once (a last panel narrower than
/// NR): column j's values at pb[p * ldb + j], its C column at c + j. Each panel's A values are
/// loaded once per k step for all the columns; every column is the tile's multiply-adds in the
/// tile's order, so the result equals the tile path's bit for bit.
typedef void (*imgvec_panels_times_columns_fn)(long panels, long kc, const float *pa, const float *pb, long ldb,
                                               int columns, long rows, float alpha, float beta, float *c, long ldc);

/// A micro-kernel and the blocking that suits it.
typedef struct imgvec_kernel_desc {
    imgvec_sgemm_kernel id;
    int mr, nr, half_nr;   // register tile; half_nr: narrower panel for a last few columns (0: none)
    long kc, mc, nc;       // cache blocking: kc x nr B panel ~ L1, mc x kc A block ~ L2, kc x nc B block ~ L3
    imgvec_tile_fn tile;
    imgvec_row_times_matrix_fn row_times_matrix;
    imgvec_matrix_times_vector_fn matrix_times_vector;
    imgvec_tile_prefetch_fn tile_prefetch;   // NULL: the kernel has none (tile is used)
    imgvec_tile_store_fn tile_store;         // NULL: the kernel has none (the epilogue runs after the tile)
    imgvec_panels_times_vector_fn panels_times_vector;   // NULL: a single column goes through the tiles
    imgvec_tile_offsets_fn tile_offsets;                 // NULL: no direct convolution
    imgvec_row_times_panels_fn row_times_panels;         // NULL: a single row goes through the tiles
    imgvec_tile_gathered_a_fn tile_gathered_a;           // NULL: no gathered-A convolution
    imgvec_panels_times_columns_fn panels_times_columns; // NULL: a narrow last panel goes through a tile
} imgvec_kernel_desc;

struct imgvec_packed_b {
    const imgvec_kernel_desc *kernel;
    long k, n, paddedN;
    float *data;   // per KC block of k: every NR panel of the n columns (block pc at paddedN * pc)
};

/// Width of a packed B panel holding `columns` (<= nr) columns.
static inline long imgvec_panel_width(const imgvec_kernel_desc *d, long columns) {
    return (d->half_nr && columns <= d->half_nr) ? d->half_nr : d->nr;
}

/// NULL when the kernel is not compiled for this architecture.
const imgvec_kernel_desc *imgvec_kernel_avx512(void);
const imgvec_kernel_desc *imgvec_kernel_avx2(void);
const imgvec_kernel_desc *imgvec_kernel_portable(void);

/// The descriptor for `kernel` if this CPU runs it (AUTO: the best), else NULL.
const imgvec_kernel_desc *imgvec_kernel_for(imgvec_sgemm_kernel kernel);

#endif
