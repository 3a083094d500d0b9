// The channel-blocked depthwise convolution, written once with vector extensions and
// instantiated per instruction set by depthwise_conv.c (after depthwise_body.h and
// depthwise_activation.h; also needs DW_ILO_LANES / DW_IHI_LANES: the low / high halves of
// two vectors interleaved). Not a public header.
//
// A block of DW_LANES consecutive planes (channels; across images at batch > 1) is done
// together: a band of input rows is gathered (transposed) into scratch as [padded row]
// [padded column][channel], so the input under any tap of any output pixel is one aligned
// vector over the block's channels. Output pixels are computed DW_BLOCK_PIXELS at a time as
// vectors over channels (one FMA per tap per pixel, no lanes wasted on narrow planes), kept
// interleaved in scratch, then activated and transposed back into the NCHW planes.

#ifndef DW_BLOCK_PIXELS
#define DW_BLOCK_PIXELS 8
#endif

/// Transposes a DW_LANES x DW_LANES tile in registers: log2(lanes) rounds of interleaving
/// rows i and i + lanes/2 (each round rotates the (row, lane) index bits by one), unless the
/// instruction set defines a better DW_TRANSPOSE.
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(transpose)(DW_VEC *v) {
#ifdef DW_TRANSPOSE
    DW_TRANSPOSE(v);
    return;
#endif
    for (int round = 1; round < DW_LANES; round *= 2) {
        DW_VEC t[DW_LANES];
#pragma unroll
        for (int i = 0; i < DW_LANES / 2; i++) {
            t[2 * i] = __builtin_shufflevector(v[i], v[i + DW_LANES / 2], DW_ILO_LANES);
            t[2 * i + 1] = __builtin_shufflevector(v[i], v[i + DW_LANES / 2], DW_IHI_LANES);
        }
#pragma unroll
        for (int i = 0; i < DW_LANES; i++) v[i] = t[i];
    }
}

/// Interleaves `count` consecutive floats of `chans` (<= DW_LANES) rows `stride` apart at
/// `source`: element e of row c goes to lane c of the vector at dst + place(e) * DW_LANES,
/// where place(e) = table[e] (or e when table is NULL). Missing channels read 0.
static DW_TARGET
void DW_NAME(interleave)(const float *source, long stride, long chans, long count, const int *table, float *dst) {
    const DW_VEC zero = {0};
    for (long e = 0; e < count; e += DW_LANES) {
        const long n = count - e < DW_LANES ? count - e : DW_LANES;
        DW_VEC v[DW_LANES];
        if (n == DW_LANES && chans == DW_LANES) {
#pragma unroll
            for (int c = 0; c < DW_LANES; c++) v[c] = DW_NAME(load)(source + c * stride + e);
        } else {
#pragma unroll
            for (int c = 0; c < DW_LANES; c++) v[c] = c < chans ? DW_LOAD_PARTIAL(source + c * stride + e, n) : zero;
        }
        DW_NAME(transpose)(v);
        if (table) {
            const int *place = table + e;
            if (n == DW_LANES) {
#pragma unroll
                for (int j = 0; j < DW_LANES; j++) DW_NAME(store)(dst + (long)place[j] * DW_LANES, v[j]);
            } else {
                for (long j = 0; j < n; j++) DW_NAME(store)(dst + (long)place[j] * DW_LANES, v[j]);
            }
        } else {
            for (long j = 0; j < n; j++) DW_NAME(store)(dst + (e + j) * DW_LANES, v[j]);
        }
    }
}

/// Zeroes the padding of band rows [0, rows) (padded rows first_row...): whole rows outside
/// the input, else the columns left of pad_left and right of the input.
static DW_TARGET
void DW_NAME(zero_borders)(const imgvec_depthwise_shape *s, long first_row, long rows, long width, float *band) {
    const DW_VEC zero = {0};
    const long pl = s->pad_left, right = pl + s->input_width;
    for (long r = 0; r < rows; r++) {
        float *row = band + r * width * DW_LANES;
        const long iy = first_row + r - s->pad_top;
        if (iy < 0 || iy >= s->input_height) {
            for (long j = 0; j < width; j++) DW_NAME(store)(row + j * DW_LANES, zero);
        } else {
            for (long j = 0; j < pl; j++) DW_NAME(store)(row + j * DW_LANES, zero);
            for (long j = right; j < width; j++) DW_NAME(store)(row + j * DW_LANES, zero);
        }
    }
}

/// Fills band rows [0, rows) (padded rows first_row...) of the interleaved scratch `band`
/// (rows of `width` columns x DW_LANES floats) from `chans` channel planes at `x`: the input
/// rows inside the band are contiguous in each plane, so they are interleaved as one run
/// (full vectors even for narrow planes), `table` placing input float e of the run.
static DW_TARGET
void DW_NAME(gather_band)(const imgvec_depthwise_shape *s, const float *x, long chans, long first_row, long rows,
                          long width, const int *table, int zero, float *band) {
    if (zero) DW_NAME(zero_borders)(s, first_row, rows, width, band);
    long low = first_row - s->pad_top, high = first_row + rows - s->pad_top;
    if (low < 0) low = 0;
    if (high > s->input_height) high = s->input_height;
    if (low >= high) return;
    const long iw = s->input_width;
    float *first = band + (low + s->pad_top - first_row) * width * DW_LANES;
    DW_NAME(interleave)(x + low * iw, s->input_height * iw, chans, (high - low) * iw, table, first);
}

/// Output pixels [0, count) of a band (pixel q = local row q / ow, column q % ow), written
/// interleaved to `out` (count rounded up to DW_BLOCK_PIXELS vectors). `taps` is a constant
/// at the unrolled call sites; offsets[t] is tap t's float offset from a pixel's base.
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(band_pixels)(const int taps, const float *band, long count, long ow, long pixel_step, long row_step,
                          const long *offsets, const float *weights, const float *bias, float *out) {
    const DW_VEC vbias = DW_NAME(load)(bias);
    long oy = 0, ox = 0;
    for (long q = 0; q < count; q += DW_BLOCK_PIXELS) {
        const float *base[DW_BLOCK_PIXELS];
#pragma unroll
        for (int p = 0; p < DW_BLOCK_PIXELS; p++) {
            base[p] = band + oy * row_step + ox * pixel_step;
            // Pixels past the band's end repeat the last one (computed, stored, never read).
            if (q + p + 1 < count && ++ox == ow) { ox = 0; oy++; }
        }
        DW_VEC acc[DW_BLOCK_PIXELS];
#pragma unroll
        for (int p = 0; p < DW_BLOCK_PIXELS; p++) acc[p] = vbias;
#pragma unroll
        for (int t = 0; t < taps; t++) {
            const DW_VEC w = DW_NAME(load)(weights + t * DW_LANES);
            const long offset = offsets[t];
#pragma unroll
            for (int p = 0; p < DW_BLOCK_PIXELS; p++) acc[p] += w * DW_NAME(load)(base[p] + offset);
        }
#pragma unroll
        for (int p = 0; p < DW_BLOCK_PIXELS; p++) DW_NAME(store)(out + (q + p) * DW_LANES, acc[p]);
    }
}

/// Output rows [0, rows) of a band, P columns of one row at a time, for a KH x KW kernel at
/// column stride SW, undilated columns (all constants): the pixels of a run share their input
/// vectors, so each is loaded once per kernel row and reused by up to KW / SW taps. A row's
/// last partial run is redone ending at its last column (needs ow >= P). P is DW_BLOCK_PIXELS,
/// or 7 for planes 7, 14, 28... wide (no run redone; a 7x7 plane is narrower than 8).
/// `dilated_row` = dilation_height * band row floats.
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(band_rows)(const int P, const int KH, const int KW, const int SW, const float *band, long rows, long ow,
                        long band_step, long dilated_row, const float *weights, const float *bias, float *out) {
    const DW_VEC vbias = DW_NAME(load)(bias);
    for (long oy = 0; oy < rows; oy++) {
        const float *row = band + oy * band_step;
        float *target = out + oy * ow * DW_LANES;
        for (long start = 0; start < ow; start += P) {
            const long ox = start + P <= ow ? start : ow - P;
            DW_VEC acc[DW_BLOCK_PIXELS];
#pragma unroll
            for (int p = 0; p < P; p++) acc[p] = vbias;
#pragma unroll
            for (int ky = 0; ky < KH; ky++) {
                const float *source = row + ky * dilated_row + ox * SW * DW_LANES;
#pragma unroll
                for (int kx = 0; kx < KW; kx++) {
                    const DW_VEC w = DW_NAME(load)(weights + (ky * KW + kx) * DW_LANES);
#pragma unroll
                    for (int p = 0; p < P; p++) acc[p] += w * DW_NAME(load)(source + (p * SW + kx) * DW_LANES);
                }
            }
#pragma unroll
            for (int p = 0; p < P; p++) DW_NAME(store)(target + (ox + p) * DW_LANES, acc[p]);
        }
    }
}

/// The run width band_rows takes for an output `ow` wide (see there).
static inline int DW_NAME(band_run)(long ow) { return ow % 7 == 0 ? 7 : DW_BLOCK_PIXELS; }

/// Whether band_rows has an instance for this shape (see DW_BAND_ROWS_CASES).
static inline int DW_NAME(has_band_rows)(const imgvec_depthwise_shape *s) {
    return s->dilation_width == 1 && s->output_width >= DW_NAME(band_run)(s->output_width)
        && s->kernel_height == s->kernel_width
        && (s->kernel_width == 3 || s->kernel_width == 5) && (s->stride_width == 1 || s->stride_width == 2);
}

/// Activates pixels [0, count) of `out` (interleaved) and transposes them into the block's
/// `chans` NCHW output planes at `y` (pixel q of a plane at y[c * out_plane + q]); `kind`
/// is a constant at each call site.
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(scatter_kind)(const int kind, const float *out, long count, long chans, long out_plane, float a, float b,
                           float *y) {
    for (long q = 0; q < count; q += DW_LANES) {
        const long n = count - q < DW_LANES ? count - q : DW_LANES;
        DW_VEC v[DW_LANES];
#pragma unroll
        for (int j = 0; j < DW_LANES; j++) v[j] = DW_NAME(activate)(kind, a, b, DW_NAME(load)(out + (q + j) * DW_LANES));
        DW_NAME(transpose)(v);
        if (n == DW_LANES && chans == DW_LANES) {
#pragma unroll
            for (int c = 0; c < DW_LANES; c++) DW_NAME(store)(y + c * out_plane + q, v[c]);
        } else if (n == DW_LANES) {
#pragma unroll
            for (int c = 0; c < DW_LANES; c++) if (c < chans) DW_NAME(store)(y + c * out_plane + q, v[c]);
        } else {
#pragma unroll
            for (int c = 0; c < DW_LANES; c++) if (c < chans) DW_STORE_PARTIAL(y + c * out_plane + q, v[c], n);
        }
    }
}

/// scatter_kind for a run-time `kind`.
static DW_TARGET
void DW_NAME(scatter_band)(const float *out, long count, long chans, long out_plane, int kind, float a, float b,
                           float *y) {
#define DW_SCATTER_STEP(KIND) DW_NAME(scatter_kind)(KIND, out, count, chans, out_plane, a, b, y)
    DW_FOR_ACTIVATION(kind, DW_SCATTER_STEP)
#undef DW_SCATTER_STEP
}

/// Output rows [row_begin, row_end) of one block of `chans` (<= DW_LANES) planes: `x`, `y`
/// at the block's first input / output plane, `w` at its first plane's taps, `bias` at
/// its first bias (or NULL). Geometry and scratch per dw_blocked_layout (depthwise_conv.c;
/// the caller fills the tap offsets and the placement table);
/// `zero`: the band padding must be (re)written (else it is still zero from the last block).
static DW_TARGET
void DW_NAME(block)(const imgvec_depthwise_shape *s, const dw_blocked_layout *l, const float *x, long chans,
                    const float *w, const float *bias, const imgvec_depthwise_activation *act, float *y,
                    long row_begin, long row_end, int zero, float *scratch) {
    const long kw = s->kernel_width, taps = s->kernel_height * kw, ow = s->output_width;
    const long row_step = l->width * DW_LANES;
    const long *offsets = (const long *)(const void *)(scratch + l->offsets_at);
    const int *table = (const int *)(const void *)(scratch + l->table_at);
    float *weights = scratch + l->weights_at, *vbias = weights + taps * DW_LANES;
    float *out = scratch + l->out_at, *band = scratch + l->band_at;
    DW_NAME(interleave)(w, taps, chans, taps, NULL, weights);
    const DW_VEC zero_vector = {0};
    DW_NAME(store)(vbias, zero_vector);
    for (long c = 0; bias && c < chans; c++) vbias[c] = bias[c];
    const long out_plane = s->output_height * ow, pixel_step = s->stride_width * DW_LANES;
    const long band_step = s->stride_height * row_step;
    const int multiband = row_end - row_begin > l->band_rows;
    const int by_rows = DW_NAME(has_band_rows)(s), run = DW_NAME(band_run)(ow);
    for (long oy = row_begin; oy < row_end; oy += l->band_rows) {
        const long rows = row_end - oy < l->band_rows ? row_end - oy : l->band_rows;
        const long input_rows = (rows - 1) * s->stride_height + (s->kernel_height - 1) * s->dilation_height + 1;
        DW_NAME(gather_band)(s, x, chans, oy * s->stride_height, input_rows, l->width, table, zero || multiband, band);
        const long count = rows * ow;
        const long dilated_row = s->dilation_height * row_step;
#define DW_ROWS(P, K, S) DW_NAME(band_rows)(P, K, K, S, band, rows, ow, band_step, dilated_row, weights, vbias, out)
#define DW_ROWS_KS(P) \
            if (kw == 3) { if (s->stride_width == 1) DW_ROWS(P, 3, 1); else DW_ROWS(P, 3, 2); } \
            else { if (s->stride_width == 1) DW_ROWS(P, 5, 1); else DW_ROWS(P, 5, 2); }
        if (by_rows) {
            if (run == 7) { DW_ROWS_KS(7) } else { DW_ROWS_KS(DW_BLOCK_PIXELS) }
        }
#undef DW_ROWS_KS
#undef DW_ROWS
        else if (taps == 9)
            DW_NAME(band_pixels)(9, band, count, ow, pixel_step, band_step, offsets, weights, vbias, out);
        else if (taps == 25)
            DW_NAME(band_pixels)(25, band, count, ow, pixel_step, band_step, offsets, weights, vbias, out);
        else
            DW_NAME(band_pixels)((int)taps, band, count, ow, pixel_step, band_step, offsets, weights, vbias, out);
        DW_NAME(scatter_band)(out, count, chans, out_plane, act->kind, act->a, act->b, y + oy * ow);
    }
}
