// A product whose left operand is read in place through a table of offsets: a convolution with
// its output channels across the vector lanes (C is positions x output channels) and its
// patches taken straight from a padded input, with no unfolded copy of the input and no packed
// copy of A. Each tile's row i is an output position, the i-th along one output row of a
// stride-phase-split input, so its taps sit one float after the previous position's.
#include "sgemm_pack.h"
#include <stddef.h>

int imgvec_sgemm_packed_b_gathered_a(const float *a, const long *offsets, const long *tile_starts, const int *tile_rows, long tiles,
                                     const imgvec_packed_b *packed, long column_begin, long column_end,
                                     float *c, long ldc) {
    if (!packed || !packed->kernel->tile_gathered_a) return -1;
    const imgvec_kernel_desc *d = packed->kernel;
    if (column_begin < 0 || column_end > packed->n || column_begin >= column_end || column_begin % d->nr) return -1;
    const long k = packed->k, kStep = imgvec_k_step(d, k);
    // Per k block, each panel of B (kc x NR, ~L1) meets every tile in turn; the tiles' taps of
    // one k block (a few input rows of kc / taps channels) stay in L2 across the panels. The
    // weights stream from memory at batch 1: the tiles of one panel fetch the next panel (the
    // next k block's first when this is the last) into L2, a share each.
    for (long pc = 0; pc < k; pc += kStep) {
        const long kc = imgvec_min(kStep, k - pc);
        const float beta = pc == 0 ? 0.0f : 1.0f;
        for (long jr = column_begin; jr < column_end; jr += d->nr) {
            const int width = (int)imgvec_min(d->nr, column_end - jr);
            const float *panel = packed->data + packed->paddedN * pc + jr * kc;
            const long panelStride = imgvec_panel_width(d, width);
            const float *next = NULL;
            long nextKc = kc;
            if (jr + d->nr < column_end) {
                next = panel + d->nr * kc;
            } else if (pc + kc < k) {
                nextKc = imgvec_min(kStep, k - pc - kc);
                next = packed->data + packed->paddedN * (pc + kc) + column_begin * nextKc;
            }
            const long lines = next ? (d->nr * nextKc * (long)sizeof(float) + 63) / 64 : 0;
            const long linesPerTile = (lines + tiles - 1) / tiles;
            float *row = c + jr;
            for (long t = 0; t < tiles; t++) {
                const long first = t * linesPerTile, count = imgvec_min(linesPerTile, lines - first);
                d->tile_gathered_a(kc, a + tile_starts[t], offsets + pc, panel, panelStride, row, ldc,
                                   tile_rows[t], width, beta, count > 0 ? next + first * 16 : NULL,
                                   count > 0 ? count : 0);
                row += tile_rows[t] * ldc;
            }
        }
    }
    return 0;
}

int imgvec_sgemm_packed_b_gathers_a(const imgvec_packed_b *packed) {
    return packed && packed->kernel->tile_gathered_a != 0;
}

int imgvec_sgemm_kernel_gathers_a(imgvec_sgemm_kernel kernel) {
    const imgvec_kernel_desc *d = imgvec_kernel_for(kernel);
    return d && d->tile_gathered_a != 0;
}
