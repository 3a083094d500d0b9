// The blocked sgemm driver (Goto/BLIS loop nest) and the public entry points.
//
//   for jc in N step NC:            B block (kc x nc) packed once per (jc, pc) -> L3
//     for pc in K step KC:
//       for ic in M step MC:        A block (mc x kc) packed (or pre-packed)   -> L2
//         for jr in nc step NR:     one B panel (kc x NR) reused by every ir    -> L1
//           for ir in mc step MR:   micro-kernel on an MR x NR tile of C
#include "sgemm_pack.h"
#include "env_switch.h"
#include <stdlib.h>
#include <string.h>

struct imgvec_packed_a {
    const imgvec_kernel_desc *kernel;
    long m, k;
    float *data;   // per KC block of k: all MR panels of the m rows (block pc at round_up(m, MR) * pc)
};

/// C = beta * C (beta == 0: zeros), for alpha == 0 or k == 0.
static void scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0) { for (long j = 0; j < n; j++) row[j] = 0; }
        else if (beta != 1) { for (long j = 0; j < n; j++) row[j] *= beta; }
    }
}

/// Straightforward loops, only for when scratch memory cannot be had.
static void sgemm_unblocked(int transA, int transB, long m, long n, long k, float alpha,
                            const float *a, long lda, const float *b, long ldb,
                            float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            float sum = 0;
            for (long p = 0; p < k; p++)
                sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
            float *out = c + i * ldc + j;
            *out = beta == 0 ? alpha * sum : alpha * sum + beta * *out;
        }
}

/// Row sweep (see sgemm_blocked): the deepest k block, and the largest packed B block in floats.
#define ROW_SWEEP_MAX_KC 128
#define ROW_SWEEP_MAX_FLOATS (64 * 1024)

/// The loop nest; `packed` (or else a/transA/lda) supplies A; `packedB` (from column
/// `bColumn0` on) or else b/transB/ldb supplies B. `epilogue` (may be NULL) runs on each
/// tile once its last k block is in, with coordinates relative to `c`.
/// Multiplies row p of each packed panel of B (kc rows of `imgvec_panel_width` floats, panels
/// of nc columns) by scale[p]: op(B) = diag(scale) B, applied while the block is in cache.
static void scale_packed_b(const imgvec_kernel_desc *d, const float *scale, long kc, long nc, float *dst) {
    for (long j = 0; j < nc; j += d->nr) {
        const long stride = imgvec_panel_width(d, imgvec_min(d->nr, nc - j));
        for (long p = 0; p < kc; p++) {
            float *row = dst + p * stride;
            const float factor = scale[p];
            for (long q = 0; q < stride; q++) row[q] *= factor;
        }
        dst += stride * kc;
    }
}

/// Copies the `tiles` MR-row panels of a packed A block (kc deep) with column p scaled by
/// scale[p]: A diag(scale) B = A (diag(scale) B), so B can be read in place instead of
/// being packed only to be scaled.
static void scale_packed_a(const imgvec_kernel_desc *d, const float *panels, const float *scale, long tiles, long kc,
                           float *dst) {
    const long mr = d->mr;
    for (long t = 0; t < tiles; t++) {
        for (long p = 0; p < kc; p++) {
            const float factor = scale[p];
            const float *from = panels + (t * kc + p) * mr;
            float *to = dst + (t * kc + p) * mr;
            for (long i = 0; i < mr; i++) to[i] = from[i] * factor;
        }
    }
}

/// imgvec_pack_b, then the rows scaled by bRowScale[pc ...] when it is given.
static void pack_b_block(const imgvec_kernel_desc *d, int transB, const float *b, long ldb, const float *bRowScale,
                         long pc, long kc, long jc, long nc, float *dst) {
    imgvec_pack_b(d, transB, b, ldb, pc, kc, jc, nc, dst);
    if (bRowScale) scale_packed_b(d, bRowScale + pc, kc, nc, dst);
}

/// Whether the kernel can apply `e` itself as it stores each finished tile (see
/// imgvec_tile_store): a row bias, a residual added before the activation, and a clamp
/// (Relu, Clip), HardSwish or no activation; no column bias. Sets the clamp's bounds
/// (infinite but for a clamp; see tile_store_at).
static int store_fuses(const imgvec_kernel_desc *d, const imgvec_sgemm_epilogue *e, float *lo, float *hi) {
    if (!e || !d->tile_store || e->bias || (e->residual && !e->residual_first)) return 0;
    if (e->activation == IMGVEC_VMATH_CLAMP) { *lo = e->activation_a; *hi = e->activation_b; return 1; }
    if (e->activation == IMGVEC_VMATH_IDENTITY || e->activation == IMGVEC_VMATH_HARDSWISH) {
        *lo = -__builtin_inff();
        *hi = __builtin_inff();
        return 1;
    }
    return 0;
}

/// The fused store of the tile at (row, column) of C's origin.
static imgvec_tile_store tile_store_at(const imgvec_sgemm_epilogue *e, long row, long column, float lo, float hi) {
    imgvec_tile_store store = {e->row_bias ? e->row_bias + row : NULL,
                               e->residual ? e->residual + row * e->ldr + column : NULL, e->ldr, lo, hi,
                               e->activation == IMGVEC_VMATH_CLAMP ? IMGVEC_VMATH_IDENTITY : e->activation};
    return store;
}

/// Whether `e`'s residual is C itself: a product written over its skip connection.
static int residual_is_c(const imgvec_sgemm_epilogue *e, const float *c, long ldc) {
    return e && e->residual && e->residual == c && e->ldr == ldc;
}

/// `e` for the block of C at (row, column), as the origin of its own coordinates: its row
/// bias, column bias and residual advanced to there.
static imgvec_sgemm_epilogue epilogue_at(const imgvec_sgemm_epilogue *e, long row, long column) {
    imgvec_sgemm_epilogue block = *e;
    if (block.row_bias) block.row_bias += row;
    if (block.bias) block.bias += column;
    if (block.residual) block.residual += row * block.ldr + column;
    return block;
}

/// For a path that writes C before it applies the epilogue: when `*e`'s residual is C itself
/// (residual_is_c), points `*e` at `storage`, a copy of `*e` whose residual is its first `rows`
/// x `columns` copied to this thread's scratch slot 2. -1 when that copy cannot be had, else 0.
static int detach_residual(const imgvec_sgemm_epilogue **e, const float *c, long ldc, long rows, long columns,
                           imgvec_sgemm_epilogue *storage) {
    if (!residual_is_c(*e, c, ldc)) return 0;
    float *copy = imgvec_thread_scratch(2, rows * columns);
    if (!copy) return -1;
    for (long i = 0; i < rows; i++) memcpy(copy + i * columns, (*e)->residual + i * (*e)->ldr, (size_t)columns * sizeof(float));
    *storage = **e;
    storage->residual = copy;
    storage->ldr = columns;
    *e = storage;
    return 0;
}

/// Rows per tile for an A block of `mc` rows packed per call: MR, unless that leaves a last
/// tile of 1-3 rows, whose few accumulator chains leave the FMA units waiting on latency
/// (a 1-row tile costs a third of a full one for a twelfth of its work). Then the rows are
/// dealt evenly over the same number of tiles (49 = 5 x 10 - 1 instead of 4 x 12 + 1; CLIP's
/// 50 tokens: 5 x 10), each packed into its own MR-row panel.
static long balanced_tile_rows(long mr, long mc) {
    const long tail = mc % mr;
    if (tail == 0 || tail >= 4 || mc < mr) return mr;
    const long tiles = (mc + mr - 1) / mr;
    return (mc + tiles - 1) / tiles;
}

/// Floats a block of B must span in its input (k rows x row stride) before its panels are
/// prefetched row by row: half a MB, a quarter of this Xeon's L2 (a 512-channel k block of
/// 256 rows over a 28x28 plane spans 200K floats: one-layer model, batch 16, -7% on 1 and 2
/// threads, batch 1 even or better). Smaller inputs are in L2 already: prefetching for every
/// panel-packed B measured a loss (MobileNetV3 batch 16, 2 threads, +6%).
#define PREFETCH_ROWS_MIN_SPAN (128L * 1024)

/// And row tiles per panel: the prefetch runs in the first tile, and with fewer the next panel
/// is due too soon for it to help (MobileNetV3's 72 -> 24 projections at 56x56, batch 16,
/// 2 threads: +4% with it).
#define PREFETCH_ROWS_MIN_TILES 4

/// Widest last panel (of fewer than NR columns) that goes through the kernel's
/// panels-times-columns instead of a half-width tile (see narrow_panels_enabled).
#define NARROW_PANEL_MAX_COLUMNS 8

/// A last panel of a few columns (196 = 6 x 32 + 4: a 14x14 plane; ViT's 197 tokens as
/// attention's columns) goes through the panels-times-columns kernel: a half-width tile spends
/// 12 vector multiply-adds per k step on its 4 or 5 columns, the column kernel 4 or 5, each
/// panel's A values loaded once for all of them. One-layer harness, one thread, warm:
/// 112 x 672 by 672 x 196 275 -> 263 us (x 192 columns: 249), 256 x 1024 by 1024 x 196 950 ->
/// 910 us. The same for a few columns past a half panel, after a half-width tile (a 7x7
/// plane's 49 = 32 + 16 + 1, where the 17 columns took a full tile): 84 x 960 by 960 x 49 (one
/// of two threads' rows of MobileNetV3's 960 -> 160) 96 -> 76 us, 96 x 1152 by 1152 x 49 127 ->
/// 104 us. Whole models, fastest / median of 8 alternating rounds: b1 t1 EfficientNet-B0
/// -1.2% / -1.3%, MobileNetV3 -1.1% / -0.4%; b1 t2 MobileNetV3 -1.5% / -2.9%, EfficientNet-B0
/// -1.2% / -0.7%; resnet50 and ViT-B/16 within noise.
/// `IMGVEC_NARROW_PANELS=0` turns it off (for comparisons); read once.
static int narrow_panels_enabled(void) {
    static _Atomic int state = -1;
    return imgvec_switch_enabled("IMGVEC_NARROW_PANELS", &state);
}

/// `columns` narrow columns of a packed B panel (at `pb`, rows `ldb` apart) times the block of
/// A's `mc` rows (MR-row panels at `blockA`) into C's rows `row`... and columns `column`... (`c`
/// at C's origin), with the panels-times-columns kernel; then `epilogue` on them (NULL: none
/// yet, a k block is still to come).
static int narrow_columns(const imgvec_kernel_desc *d, long kc, const float *blockA, long mc, const float *pb,
                          long ldb, long columns, float alpha, float beta, float *c, long ldc, long row, long column,
                          const imgvec_sgemm_epilogue *epilogue) {
    float *block = c + row * ldc + column;
    imgvec_sgemm_epilogue shifted, detached;
    const imgvec_sgemm_epilogue *e = NULL;
    if (epilogue) {
        // The column kernel writes C before the epilogue reads a residual that is C itself.
        shifted = epilogue_at(epilogue, row, column);
        e = &shifted;
        if (detach_residual(&e, block, ldc, mc, columns, &detached) != 0) return -1;
    }
    d->panels_times_columns((mc + d->mr - 1) / d->mr, kc, blockA, pb, ldb, (int)columns, mc, alpha, beta, block, ldc);
    if (e) imgvec_sgemm_apply_epilogue(e, block, ldc, 0, mc, 0, columns);
    return 0;
}

/// Row tiles up to which B is read in place instead of packed (see directB in sgemm_blocked).
#define DIRECT_B_MAX_TILES 2
/// And floats of a block of B (kc x nc) up to which it is read in place for any number of tiles.
#define DIRECT_B_MAX_FLOATS (128L * 1024)

/// Column panels ahead of the current one that a B read in place with one or two row tiles
/// prefetches (see prefetch_direct_panel).
#define DIRECT_B_PREFETCH_PANELS 2

/// With one or two row tiles of A (a projection to 16-24 channels over a large plane), each
/// 32-column panel touches two lines in each of k rows of B, m rows of C and m of the residual,
/// rows a whole plane apart: dozens of streams, more than the hardware prefetchers follow, so
/// at the start of a run (the network's last layers have evicted the first layers' buffers)
/// every line waits on memory. The driver fetches a panel's lines two panels ahead. One-layer
/// test, 16 -> 16 channels with a residual at 112x112, caches flushed first: 372 -> 184 us
/// (warm: 92 either way). In the whole models at batch 1 on one thread: MobileNetV3's 16 -> 16
/// projection 0.17 -> 0.12 ms, EfficientNet-B0's 32 -> 16 0.20-0.23 -> 0.18-0.19 ms; the models
/// themselves within noise (fastest of 10 alternating rounds -1.7% to +0.3%). The same for
/// the row sweep's output rows measured no gain.
static void prefetch_direct_panel(const float *b, long ldb, long kc, const float *c, long ldc,
                                  const float *residual, long ldr, long rows) {
    for (long p = 0; p < kc; p++) {
        __builtin_prefetch(b + p * ldb, 0, 2);
        __builtin_prefetch(b + p * ldb + 16, 0, 2);
    }
    for (long i = 0; c && i < rows; i++) {
        __builtin_prefetch(c + i * ldc, 1, 2);
        __builtin_prefetch(c + i * ldc + 16, 1, 2);
        if (residual) {
            __builtin_prefetch(residual + i * ldr, 0, 2);
            __builtin_prefetch(residual + i * ldr + 16, 0, 2);
        }
    }
}

/// The blocked product. `bRowScale` (or NULL) scales op(B)'s rows (k) as B is packed.
static int sgemm_blocked(const imgvec_kernel_desc *d, int transA, int transB, long m, long n, long k,
                         float alpha, const float *a, long lda, const imgvec_packed_a *packed, long packedRow0,
                         const float *b, long ldb, const float *bRowScale, const imgvec_packed_b *packedB, long bColumn0,
                         float beta, float *c, long ldc, const imgvec_sgemm_epilogue *epilogue) {
    const long mr = d->mr, nr = d->nr, kcMax = imgvec_k_step(d, k), mcMax = d->mc, ncMax = d->nc;
    // B's rows to scale with a pre-packed A (a projection after squeeze-excitation): where B
    // is read in place (below), a scaled copy of A's panels takes the scale instead (m x kc
    // floats per k block, against kc x n for B). EfficientNet-B0's 32->16 at 112x112 and
    // 96/144->24 at 56x56.
    const int mayScaleA = packed && bRowScale && !packedB && !transB;
    float *bufferB = packedB ? NULL : imgvec_thread_scratch(0, kcMax * imgvec_round_up(imgvec_min(ncMax, n), nr));
    float *bufferA = packed && !mayScaleA ? NULL : imgvec_thread_scratch(1, imgvec_round_up(imgvec_min(mcMax, m), mr) * kcMax);
    if ((!packedB && !bufferB) || ((!packed || mayScaleA) && !bufferA)) return -1;
    const int narrowPanels = narrow_panels_enabled() && d->panels_times_columns;

    // A pre-packed A may be used from row packedRow0 on (a multiple of MR): its KC blocks are
    // laid out for all of its rows.
    const long paddedM = imgvec_round_up(packed ? packed->m : m, mr);
    // A convolution's epilogue is applied by the kernel as it stores the last k block's tiles:
    // with a short k (pointwise convolutions of few channels) the separate pass over every tile
    // cost as much as a third of the layer.
    float fuseLo = 0, fuseHi = 0;
    const int fuseStore = store_fuses(d, epilogue, &fuseLo, &fuseHi);
    // A residual that is C itself is read by the fused store before it writes the same vector.
    // Every other way of finishing a tile writes C first (a k block before the last, a tile
    // whose epilogue is a pass after it): those read a copy of the residual.
    imgvec_sgemm_epilogue detached;
    if ((kcMax < k || !fuseStore) && detach_residual(&epilogue, c, ldc, m, n, &detached) != 0) return -1;
    for (long jc = 0; jc < n; jc += ncMax) {
        const long nc = imgvec_min(ncMax, n - jc);
        for (long pc = 0; pc < k; pc += kcMax) {
            const long kc = imgvec_min(kcMax, k - pc);
            const float blockBeta = pc == 0 ? beta : 1.0f;
            // Row sweep: with a short k (a 1x1 convolution expanding few channels, a small stem)
            // the stores of C cost as much as the products. The whole packed B block then stays
            // in L2 while each MR-row strip of C is written left to right: MR output streams at a
            // time instead of every row of the block. Measured on 2 threads, batch 16 (fastest
            // of 15 runs, alternating): resnet50 -9 to -12%, MobileNetV3 -8%, EfficientNet-B0
            // -1 to -16%; batch 1 unchanged within noise.
            const int sweeps = !packedB && kc <= ROW_SWEEP_MAX_KC && kc * imgvec_round_up(nc, nr) <= ROW_SWEEP_MAX_FLOATS;
            // B read in place (only a partial last panel is packed, to pad it), where packing it
            // would cost more than it saves: with one or two MR panels of A, each packed panel
            // would be reused at most once (one-layer projections to 16-24 channels, 32->16 at
            // 112x112, 96/144->24 at 56x56, batch 1, fastest of 8 alternating runs: -5% to -18%);
            // and a block of B small enough to stay in L2 for every row tile (a 14x14 or 7x7
            // plane) unless the row sweep takes it.
            // Squeeze-excitation's scale goes on the smaller operand: a scaled copy of A's block
            // (m x kc) with B read in place, or B's rows as B is packed (kc x nc). A 7x7 plane's 49
            // columns against 160-1152 rows: one-layer harness, 160 x 960 by 960 x 49 with the
            // weights cold, 194 -> 166 us; 192 x 1152 by 1152 x 49 272 -> 227 us. A 14x14 plane's
            // 196 columns against 80-112 rows: the same either way.
            const int scaleOnA = mayScaleA && m <= nc;
            const int directB = !packedB && !transB && (!bRowScale || scaleOnA)
                && (m <= DIRECT_B_MAX_TILES * mr || (!sweeps && kc * nc <= DIRECT_B_MAX_FLOATS));
            const int scaleA = directB && bRowScale;
            const int rowSweep = sweeps && !directB;
            // When all of A's rows form one block, no packed B panel is reused across blocks: each
            // one is packed just before its use and stays in L1 for every A panel.
            const int panelwiseB = !packedB && !directB && !rowSweep && m <= mcMax;
            const int lastK = pc + kc >= k;
            if (!packedB && !directB && !panelwiseB) pack_b_block(d, transB, b, ldb, bRowScale, pc, kc, jc, nc, bufferB);
            for (long ic = 0; ic < m; ic += mcMax) {
                const long mc = imgvec_min(mcMax, m - ic);
                const float *blockA;
                // Rows per tile; tile t starts at row t * tileRows and reads panel t (t * mr * kc).
                const long tileRows = packed ? mr : balanced_tile_rows(mr, mc);
                if (scaleA) {
                    scale_packed_a(d, packed->data + paddedM * pc + (packedRow0 + ic) * kc, bRowScale + pc,
                                   (mc + mr - 1) / mr, kc, bufferA);
                    blockA = bufferA;
                } else if (packed) {
                    blockA = packed->data + paddedM * pc + (packedRow0 + ic) * kc;
                } else if (tileRows == mr) {
                    imgvec_pack_a(d, transA, a, lda, ic, mc, pc, kc, bufferA);
                    blockA = bufferA;
                } else {
                    for (long ir = 0, t = 0; ir < mc; ir += tileRows, t++)
                        imgvec_pack_a(d, transA, a, lda, ic + ir, imgvec_min(tileRows, mc - ir), pc, kc, bufferA + t * mr * kc);
                    blockA = bufferA;
                }
                if (rowSweep) {
                    // A narrow last panel once for the whole block, after the strips.
                    const long lastWidth = nc % nr;
                    const int narrowLast = narrowPanels && lastWidth > 0 && lastWidth <= NARROW_PANEL_MAX_COLUMNS
                        && tileRows == mr;
                    const long sweptColumns = narrowLast ? nc - lastWidth : nc;
                    for (long ir = 0, t = 0; ir < mc; ir += tileRows, t++) {
                        const int rows = (int)imgvec_min(tileRows, mc - ir);
                        const float *panelA = blockA + t * mr * kc;
                        for (long jr = 0; jr < sweptColumns; jr += nr) {
                            const int width = (int)imgvec_min(nr, nc - jr);
                            if (fuseStore && lastK) {
                                const imgvec_tile_store store = tile_store_at(epilogue, ic + ir, jc + jr, fuseLo, fuseHi);
                                d->tile_store(kc, panelA, bufferB + jr * kc, imgvec_panel_width(d, width),
                                              c + (ic + ir) * ldc + jc + jr, ldc, rows, width, alpha, blockBeta,
                                              NULL, 0, 128, &store);
                                continue;
                            }
                            d->tile(kc, panelA, bufferB + jr * kc, imgvec_panel_width(d, width),
                                    c + (ic + ir) * ldc + jc + jr, ldc, rows, width, alpha, blockBeta);
                            if (epilogue && lastK)
                                imgvec_sgemm_apply_epilogue(epilogue, c, ldc, ic + ir, rows, jc + jr, width);
                        }
                    }
                    if (narrowLast && narrow_columns(d, kc, blockA, mc, bufferB + sweptColumns * kc,
                                                     imgvec_panel_width(d, lastWidth), lastWidth, alpha, blockBeta, c,
                                                     ldc, ic, jc + sweptColumns, lastK ? epilogue : NULL) != 0)
                        return -1;
                    continue;
                }
                for (long jr = 0; jr < nc; jr += nr) {
                    const int width = (int)imgvec_min(nr, nc - jr);
                    const float *panelB = bufferB + jr * kc;
                    long panelStride = imgvec_panel_width(d, width);
                    if (packedB) {
                        panelB = packedB->data + packedB->paddedN * pc + (bColumn0 + jc + jr) * kc;
                    } else if (panelwiseB) {
                        pack_b_block(d, transB, b, ldb, bRowScale, pc, kc, jc + jr, width, bufferB);
                        panelB = bufferB;
                    } else if (directB) {
                        if (width == nr) {
                            panelB = b + pc * ldb + jc + jr;
                            panelStride = ldb;
                        } else {
                            imgvec_pack_b(d, 0, b, ldb, pc, kc, jc + jr, width, bufferB);
                            panelB = bufferB;
                        }
                    }
                    float *cColumn = c + ic * ldc + jc + jr;
                    if (directB && m <= DIRECT_B_MAX_TILES * mr && jr + DIRECT_B_PREFETCH_PANELS * nr < nc) {
                        const long ahead = jc + jr + DIRECT_B_PREFETCH_PANELS * nr;   // the panel to fetch
                        const float *residual = lastK && epilogue ? epilogue->residual : NULL;
                        prefetch_direct_panel(b + pc * ldb + ahead, ldb, kc, lastK ? c + ic * ldc + ahead : NULL, ldc,
                                              residual ? residual + ic * epilogue->ldr + ahead : NULL,
                                              epilogue ? epilogue->ldr : 0, mc);
                    }
                    // A pre-packed B streams from memory: fetch the next panel into L2 while this
                    // one is in use, spread over its tiles (the hardware prefetcher stops at pages).
                    const float *nextPanel = NULL;
                    long linesPerTile = 0;
                    if (packedB && d->tile_prefetch) {
                        const long tiles = (mc + tileRows - 1) / tileRows;
                        nextPanel = jr + nr < nc ? panelB + nr * kc
                                                 : packedB->data + packedB->paddedN * (pc + kc) + (bColumn0 + jc) * kc;
                        const long lines = jr + nr < nc || pc + kc < k ? (nr * kc * (long)sizeof(float) + 63) / 64 : 0;
                        linesPerTile = (lines + tiles - 1) / tiles;
                    }
                    // Pre-packed A (a layer's weights) streams from memory on its first column panel,
                    // and at batch 1 there are only one or two panels: fetch the next A panel while
                    // this one is in use. Alternating runs, fastest / median of 15-20: resnet50
                    // batch 1 -3% / -13% on one thread, -7% / -8% on two; the others within noise.
                    const int prefetchA = packed && !packedB && jr == 0 && d->tile_prefetch;
                    // B packed panel by panel from a large input (a 1x1 convolution over a plane
                    // past a quarter of L2): its next panel's rows, two lines each, one plane row
                    // apart, fetched while this panel is in use, or each panel's packing waits on
                    // memory for every row.
                    const int prefetchRows = panelwiseB && !transB && jr + nr < nc && d->tile_prefetch
                        && kc * ldb >= PREFETCH_ROWS_MIN_SPAN && mc >= PREFETCH_ROWS_MIN_TILES * mr;
                    // A last panel of at most NARROW_PANEL_MAX_COLUMNS columns, or that many past a
                    // half panel (49 = 32 + 16 + 1: a 7x7 plane): those columns through the
                    // panels-times-columns kernel, the half panel before them as half-width tiles.
                    int tileWidth = width;
                    if (narrowPanels && tileRows == mr && width < nr) {
                        const int half = (int)d->half_nr;
                        const int from = width <= NARROW_PANEL_MAX_COLUMNS ? 0
                            : half && width > half && width - half <= NARROW_PANEL_MAX_COLUMNS ? half : -1;
                        if (from >= 0) {
                            if (narrow_columns(d, kc, blockA, mc, panelB + from, panelStride, width - from, alpha,
                                               blockBeta, c, ldc, ic, jc + jr + from, lastK ? epilogue : NULL) != 0)
                                return -1;
                            tileWidth = from;
                        }
                    }
                    for (long ir = 0, t = 0; tileWidth > 0 && ir < mc; ir += tileRows, t++) {
                        const int rows = (int)imgvec_min(tileRows, mc - ir);
                        const float *panelA = blockA + t * mr * kc;
                        // What this tile prefetches: the next A panel, or its share of the next B panel
                        // (a pre-packed A has MR-row tiles: tileRows == mr).
                        const float *prefetch = NULL;
                        long lines = 0, stride = 128;
                        if (prefetchRows && t == 0) {
                            prefetch = b + pc * ldb + jc + jr + nr;
                            lines = 2 * kc;
                            stride = ldb * (long)sizeof(float);
                        } else if (prefetchA && ir + mr < mc) {
                            prefetch = blockA + (ir + mr) * kc;
                            lines = (imgvec_min(mr, mc - ir - mr) * kc * (long)sizeof(float) + 63) / 64;
                        } else if (linesPerTile > 0) {
                            prefetch = nextPanel + t * linesPerTile * 16;
                            lines = imgvec_min(linesPerTile, nr * kc / 16 - t * linesPerTile);
                            // One line every few k steps rather than two per step at the tile's
                            // start: with few row tiles per panel (CLIP ViT-B/32's 50 tokens: 5)
                            // each tile's share came in one burst of 150 lines, more misses than
                            // the core keeps in flight. CLIP ViT-B/32 b1, alternating rounds:
                            // t1 -1.4% / -1.3%, t2 -2.0% / -3.4%; ViT-B/16, resnet50 unchanged.
                            if (lines <= kc) stride = 64;
                        }
                        if (fuseStore && lastK) {
                            const imgvec_tile_store store = tile_store_at(epilogue, ic + ir, jc + jr, fuseLo, fuseHi);
                            d->tile_store(kc, panelA, panelB, panelStride, cColumn + ir * ldc, ldc,
                                          rows, tileWidth, alpha, blockBeta, prefetch, lines, stride, &store);
                            continue;
                        }
                        if (prefetch) {
                            d->tile_prefetch(kc, panelA, panelB, panelStride, cColumn + ir * ldc, ldc,
                                             rows, tileWidth, alpha, blockBeta, prefetch, lines, stride);
                        } else {
                            d->tile(kc, panelA, panelB, panelStride, cColumn + ir * ldc, ldc,
                                    rows, tileWidth, alpha, blockBeta);
                        }
                        if (epilogue && lastK)
                            imgvec_sgemm_apply_epilogue(epilogue, c, ldc, ic + ir, rows, jc + jr, tileWidth);
                    }
                }
            }
        }
    }
    return 0;
}

static void sgemm_dispatch(const imgvec_kernel_desc *d, int transA, int transB, long m, long n, long k,
                           float alpha, const float *a, long lda, const float *b, long ldb,
                           float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) { scale_c(m, n, beta, c, ldc); return; }
    if (m == 1 && !transB) {
        d->row_times_matrix(n, k, alpha, a, transA ? lda : 1, b, ldb, beta, c);
        return;
    }
    if (n == 1 && !transA && (transB || ldb == 1)) {
        d->matrix_times_vector(m, k, alpha, a, lda, b, beta, c, ldc);
        return;
    }
    if (sgemm_blocked(d, transA, transB, m, n, k, alpha, a, lda, NULL, 0, b, ldb, NULL, NULL, 0, beta, c, ldc, NULL) != 0)
        sgemm_unblocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void imgvec_sgemm(int transA, int transB, long m, long n, long k, float alpha,
                  const float *a, long lda, const float *b, long ldb,
                  float beta, float *c, long ldc) {
    sgemm_dispatch(imgvec_kernel_for(IMGVEC_SGEMM_KERNEL_AUTO), transA, transB, m, n, k, alpha,
                   a, lda, b, ldb, beta, c, ldc);
}

int imgvec_sgemm_with_kernel(imgvec_sgemm_kernel kernel, int transA, int transB,
                             long m, long n, long k, float alpha,
                             const float *a, long lda, const float *b, long ldb,
                             float beta, float *c, long ldc) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    if (!d) return -1;
    sgemm_dispatch(d, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return 0;
}

imgvec_packed_a *imgvec_sgemm_pack_a(imgvec_sgemm_kernel kernel, int transA, long m, long k,
                                     const float *a, long lda) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    if (!d || m <= 0 || k <= 0) return NULL;
    imgvec_packed_a *packed = malloc(sizeof *packed);
    if (!packed) return NULL;
    const long paddedM = imgvec_round_up(m, d->mr);
    void *memory = NULL;
    if (posix_memalign(&memory, 64, (size_t)(paddedM * k) * sizeof(float)) != 0) { free(packed); return NULL; }
    packed->kernel = d;
    packed->m = m;
    packed->k = k;
    packed->data = memory;
    const long kStep = imgvec_k_step(d, k);
    for (long pc = 0; pc < k; pc += kStep) {
        const long kc = imgvec_min(kStep, k - pc);
        imgvec_pack_a(d, transA, a, lda, 0, m, pc, kc, packed->data + paddedM * pc);
    }
    return packed;
}

void imgvec_sgemm_packed_a_free(imgvec_packed_a *packed) {
    if (!packed) return;
    free(packed->data);
    free(packed);
}

/// Reads op(A)[i][p] back out of the packed layout (for the unblocked fallback).
static void sgemm_packed_unblocked(const imgvec_packed_a *packed, int transB, long n, float alpha,
                                   const float *b, long ldb, float beta, float *c, long ldc) {
    const imgvec_kernel_desc *d = packed->kernel;
    const long mr = d->mr, paddedM = imgvec_round_up(packed->m, mr), kStep = imgvec_k_step(d, packed->k);
    for (long i = 0; i < packed->m; i++)
        for (long j = 0; j < n; j++) {
            float sum = 0;
            for (long p = 0; p < packed->k; p++) {
                const long pc = p / kStep * kStep, kc = imgvec_min(kStep, packed->k - pc);
                const float av = packed->data[paddedM * pc + (i / mr) * mr * kc + (p - pc) * mr + i % mr];
                sum += av * (transB ? b[j * ldb + p] : b[p * ldb + j]);
            }
            float *out = c + i * ldc + j;
            *out = beta == 0 ? alpha * sum : alpha * sum + beta * *out;
        }
}

void imgvec_sgemm_packed(const imgvec_packed_a *packed, int transB, long n, float alpha,
                         const float *b, long ldb, float beta, float *c, long ldc) {
    if (!packed || n <= 0) return;
    if (alpha == 0) { scale_c(packed->m, n, beta, c, ldc); return; }
    if (sgemm_blocked(packed->kernel, 0, transB, packed->m, n, packed->k, alpha, NULL, 0, packed, 0,
                      b, ldb, NULL, NULL, 0, beta, c, ldc, NULL) != 0)
        sgemm_packed_unblocked(packed, transB, n, alpha, b, ldb, beta, c, ldc);
}

long imgvec_sgemm_packed_a_alignment(const imgvec_packed_a *packed) { return packed ? packed->kernel->mr : 1; }

/// Whether rows [row_begin, row_end) are a block of `packed` a product may start at (its
/// first row on a panel boundary).
static int is_row_block(const imgvec_packed_a *packed, long row_begin, long row_end) {
    return packed && row_begin >= 0 && row_end <= packed->m && row_begin % packed->kernel->mr == 0;
}

/// `epilogue` for a block starting at A's row `row_begin` (the block's rows count from 0, so its
/// row bias starts at row_begin), kept in `storage`; NULL for none.
static const imgvec_sgemm_epilogue *block_epilogue(const imgvec_sgemm_epilogue *epilogue, long row_begin,
                                                   imgvec_sgemm_epilogue *storage) {
    if (!epilogue) return NULL;
    *storage = *epilogue;
    if (storage->row_bias) storage->row_bias += row_begin;
    return storage;
}

/// A row block of the packed A times a single column of B (a convolution over a 1x1 plane at
/// batch 1: squeeze-excitation's): the kernel's panels-times-vector, k block by k block as the
/// tiles would (bit-identical to them), without spending a vector lane per column. op(B)'s
/// column is gathered (and scaled by bRowScale, as packing would) into scratch once.
static int packed_times_column(const imgvec_packed_a *packed, long rowBegin, long m, int transB, float alpha,
                               const float *b, long ldb, const float *bRowScale, float beta, float *c, long ldc,
                               const imgvec_sgemm_epilogue *epilogue) {
    const imgvec_kernel_desc *d = packed->kernel;
    const long k = packed->k, mr = d->mr, paddedM = imgvec_round_up(packed->m, mr), kStep = imgvec_k_step(d, k);
    const long stride = transB ? 1 : ldb;
    const float *x = b;
    if (stride != 1 || bRowScale) {
        float *column = imgvec_thread_scratch(0, k);
        if (!column) return -1;
        for (long p = 0; p < k; p++) column[p] = bRowScale ? b[p * stride] * bRowScale[p] : b[p * stride];
        x = column;
    }
    const long panels = (m + mr - 1) / mr;
    for (long pc = 0; pc < k; pc += kStep) {
        const long kc = imgvec_min(kStep, k - pc);
        d->panels_times_vector(panels, kc, packed->data + paddedM * pc + rowBegin * kc, x + pc, m, alpha,
                               pc == 0 ? beta : 1.0f, c, ldc);
    }
    // A contiguous column is one row for the epilogue, its row bias a bias per column: the same
    // operations in the same order, but vector by vector instead of one row (and call) per value.
    if (epilogue && ldc == 1 && !epilogue->bias && (!epilogue->residual || epilogue->ldr == 1)) {
        imgvec_sgemm_epilogue row = *epilogue;
        row.bias = epilogue->row_bias;
        row.row_bias = NULL;
        imgvec_sgemm_apply_epilogue(&row, c, m, 0, 1, 0, m);
    } else {
        imgvec_sgemm_apply_epilogue(epilogue, c, ldc, 0, m, 0, 1);
    }
    return 0;
}

int imgvec_sgemm_packed_rows(const imgvec_packed_a *packed, long row_begin, long row_end, int transB, long n,
                             float alpha, const float *b, long ldb, const float *b_row_scale, float beta,
                             float *c, long ldc, const imgvec_sgemm_epilogue *epilogue) {
    if (!is_row_block(packed, row_begin, row_end)) return -1;
    const long m = row_end - row_begin;
    if (m <= 0 || n <= 0) return 0;
    imgvec_sgemm_epilogue shifted, detached;
    const imgvec_sgemm_epilogue *tileEpilogue = block_epilogue(epilogue, row_begin, &shifted);
    // Both ways below write C before the epilogue reads a residual that is C itself.
    if ((alpha == 0 || n == 1) && detach_residual(&tileEpilogue, c, ldc, m, n, &detached) != 0) return -1;
    if (alpha == 0) {
        scale_c(m, n, beta, c, ldc);
        imgvec_sgemm_apply_epilogue(tileEpilogue, c, ldc, 0, m, 0, n);
        return 0;
    }
    if (n == 1 && packed->kernel->panels_times_vector &&
        packed_times_column(packed, row_begin, m, transB, alpha, b, ldb, b_row_scale, beta, c, ldc, tileEpilogue) == 0)
        return 0;
    return sgemm_blocked(packed->kernel, 0, transB, m, n, packed->k, alpha, NULL, 0, packed, row_begin,
                         b, ldb, b_row_scale, NULL, 0, beta, c, ldc, tileEpilogue);
}

imgvec_packed_b *imgvec_sgemm_pack_b(imgvec_sgemm_kernel kernel, int transB, long k, long n,
                                     const float *b, long ldb) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    if (!d || k <= 0 || n <= 0) return NULL;
    imgvec_packed_b *packed = malloc(sizeof *packed);
    if (!packed) return NULL;
    const long paddedN = imgvec_round_up(n, d->nr);
    void *memory = NULL;
    if (posix_memalign(&memory, 64, (size_t)(paddedN * k) * sizeof(float)) != 0) { free(packed); return NULL; }
    packed->kernel = d;
    packed->k = k;
    packed->n = n;
    packed->paddedN = paddedN;
    packed->data = memory;
    const long kStep = imgvec_k_step(d, k);
    for (long pc = 0; pc < k; pc += kStep) {
        const long kc = imgvec_min(kStep, k - pc);
        imgvec_pack_b(d, transB, b, ldb, pc, kc, 0, n, packed->data + paddedN * pc);
    }
    return packed;
}

void imgvec_sgemm_packed_b_free(imgvec_packed_b *packed) {
    if (!packed) return;
    free(packed->data);
    free(packed);
}

long imgvec_sgemm_packed_b_alignment(const imgvec_packed_b *packed) { return packed ? packed->kernel->nr : 1; }

/// One row of A times packed B (columns column0 ... column0 + n - 1) by the kernel's
/// row_times_panels, k block by k block as the tiles would (bit-identical to them), then the
/// epilogue over the row. -1 when the row's scratch copy cannot be made.
static int packed_b_row(const imgvec_packed_b *packed, int transA, float alpha, const float *a, long lda,
                        long column0, long n, float beta, float *c, long ldc, const imgvec_sgemm_epilogue *epilogue) {
    const imgvec_kernel_desc *d = packed->kernel;
    const long k = packed->k, kStep = imgvec_k_step(d, k);
    const float *x = a;
    if (transA && lda != 1) {
        float *row = imgvec_thread_scratch(0, k);
        if (!row) return -1;
        for (long p = 0; p < k; p++) row[p] = a[p * lda];
        x = row;
    }
    for (long pc = 0; pc < k; pc += kStep) {
        const long kc = imgvec_min(kStep, k - pc);
        d->row_times_panels(n, kc, x + pc, packed->data + packed->paddedN * pc + column0 * kc, alpha,
                            pc == 0 ? beta : 1.0f, c);
    }
    imgvec_sgemm_apply_epilogue(epilogue, c, ldc, 0, 1, 0, n);
    return 0;
}

int imgvec_sgemm_packed_b(int transA, long m, float alpha, const float *a, long lda,
                          const imgvec_packed_b *packed, long column_begin, long column_end,
                          float beta, float *c, long ldc, const imgvec_sgemm_epilogue *epilogue) {
    if (!packed || column_begin < 0 || column_end > packed->n || column_begin % packed->kernel->nr != 0)
        return -1;
    const long n = column_end - column_begin;
    if (m <= 0 || n <= 0) return 0;
    imgvec_sgemm_epilogue shifted;
    if (epilogue) {
        shifted = *epilogue;
        if (shifted.bias) shifted.bias += column_begin;
        if (shifted.residual) shifted.residual += column_begin;
    }
    const imgvec_sgemm_epilogue *tileEpilogue = epilogue ? &shifted : NULL;
    float *block = c + column_begin;
    imgvec_sgemm_epilogue detached;
    // Both ways below write C before the epilogue reads a residual that is C itself.
    if ((alpha == 0 || m == 1) && detach_residual(&tileEpilogue, block, ldc, m, n, &detached) != 0) return -1;
    if (alpha == 0) {
        scale_c(m, n, beta, block, ldc);
        imgvec_sgemm_apply_epilogue(tileEpilogue, block, ldc, 0, m, 0, n);
        return 0;
    }
    // One row (a classifier at batch 1): a 1-row tile has two accumulator chains, bound by the
    // FMA latency; the row kernel keeps eight. Not where the tiles would fuse the epilogue into
    // their store (its operations differ in the sign of a zero). One-layer Gemm on 1 thread,
    // warm: 1280 -> 1000 89 -> 58 us, 2048 -> 1000 145 -> 91 us; MobileNetV3's two classifier
    // layers in the model (weights from memory) 0.61-0.68 -> 0.47-0.51 ms.
    float lo, hi;
    if (m == 1 && packed->kernel->row_times_panels && !store_fuses(packed->kernel, tileEpilogue, &lo, &hi)
        && packed_b_row(packed, transA, alpha, a, lda, column_begin, n, beta, block, ldc, tileEpilogue) == 0)
        return 0;
    if (sgemm_blocked(packed->kernel, transA, 0, m, n, packed->k, alpha, a, lda, NULL, 0, NULL, 0, NULL, packed,
                      column_begin, beta, block, ldc, tileEpilogue) != 0) {
        return -1;
    }
    return 0;
}

int imgvec_sgemm_direct_available(const imgvec_packed_a *packed) {
    return packed && packed->kernel->tile_offsets != NULL;
}

int imgvec_sgemm_packed_rows_direct(const imgvec_packed_a *packed, long row_begin, long row_end,
                                    const long *offsets, const float *b, long lines, long line_columns,
                                    long b_line_stride, float *c, long ldc, const imgvec_sgemm_epilogue *epilogue) {
    if (!is_row_block(packed, row_begin, row_end) || !packed->kernel->tile_offsets) return -1;
    const imgvec_kernel_desc *d = packed->kernel;
    const long m = row_end - row_begin, k = packed->k, mr = d->mr, nr = d->nr;
    if (m <= 0 || lines <= 0 || line_columns <= 0) return 0;
    imgvec_sgemm_epilogue shifted, detached;
    const imgvec_sgemm_epilogue *e = block_epilogue(epilogue, row_begin, &shifted);
    float fuseLo = 0, fuseHi = 0;
    const int fuseStore = store_fuses(d, e, &fuseLo, &fuseHi);
    const long paddedM = imgvec_round_up(packed->m, mr), kStep = imgvec_k_step(d, k), mcMax = d->mc;
    // As in sgemm_blocked: only the fused store of a single k block reads a residual that is C
    // itself before writing C there.
    if ((kStep < k || !fuseStore) && detach_residual(&e, c, ldc, m, lines * line_columns, &detached) != 0) return -1;
    // The Goto loop nest with the packed B panel replaced by gathered rows: per k block, each
    // block of A's rows (in L2) sweeps every line, each tile reading its taps from the input.
    for (long pc = 0; pc < k; pc += kStep) {
        const long kc = imgvec_min(kStep, k - pc);
        const int lastK = pc + kc >= k;
        const float beta = pc == 0 ? 0.0f : 1.0f;
        for (long ic = 0; ic < m; ic += mcMax) {
            const long mc = imgvec_min(mcMax, m - ic);
            const float *blockA = packed->data + paddedM * pc + (row_begin + ic) * kc;
            for (long line = 0; line < lines; line++) {
                const float *lineB = b + line * b_line_stride;
                for (long jr = 0; jr < line_columns; jr += nr) {
                    const int width = (int)imgvec_min(nr, line_columns - jr);
                    const long column = line * line_columns + jr;
                    for (long ir = 0; ir < mc; ir += mr) {
                        const int rows = (int)imgvec_min(mr, mc - ir);
                        const int fused = fuseStore && lastK;
                        imgvec_tile_store store;
                        if (fused) store = tile_store_at(e, ic + ir, column, fuseLo, fuseHi);
                        d->tile_offsets(kc, blockA + ir * kc, lineB + jr, offsets + pc, c + (ic + ir) * ldc + column,
                                        ldc, rows, width, beta, fused ? &store : NULL);
                        if (!fused && e && lastK) imgvec_sgemm_apply_epilogue(e, c, ldc, ic + ir, rows, column, width);
                    }
                }
            }
        }
    }
    return 0;
}
