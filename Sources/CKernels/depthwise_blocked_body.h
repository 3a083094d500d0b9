// The channel-blocked depthwise convolution, written once with vector extensions and
// instantiated per instruction set by depthwise_conv.c (after depthwise_body.h and
// depthwise_activation.h; also needs DW_ILO_LANES / DW_IHI_LANES: the low / high halves of
// two vectors interleaved). Not a public header.
//
// A block of DW_LANES channels of one image is done together: a band of input rows is
// gathered (transposed) into scratch as [padded row][padded column][channel], so the
// input under any tap of any output pixel is one aligned vector over the block's channels.
// Output pixels are computed DW_BLOCK_PIXELS at a time as vectors over channels (one FMA
// per tap per pixel, no lanes wasted on narrow planes, pixels may span rows), kept
// interleaved in scratch, then activated and transposed back into the NCHW planes.

#ifndef DW_BLOCK_PIXELS
#define DW_BLOCK_PIXELS 8
#endif

/// Transposes a DW_LANES x DW_LANES tile in registers: log2(lanes) rounds of interleaving
/// rows i and i + lanes/2 (each round rotates the (row, lane) index bits by one).
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(transpose)(DW_VEC *v) {
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

/// Fills band rows [0, rows) (padded rows first_row...) of the interleaved scratch `band`
/// (rows of `width` padded columns x DW_LANES floats) from `chans` channel planes at `x`.
static DW_TARGET
void DW_NAME(gather_band)(const imgvec_depthwise_shape *s, const float *x, long chans, long first_row, long rows,
                          long width, float *band) {
    const long iw = s->input_width, pl = s->pad_left, in_plane = s->input_height * iw;
    const long inside = iw < width - pl ? iw : width - pl;   // input columns the band holds
    const DW_VEC zero = {0};
    for (long r = 0; r < rows; r++) {
        float *row = band + r * width * DW_LANES;
        const long iy = first_row + r - s->pad_top;
        if (iy < 0 || iy >= s->input_height || inside <= 0) {
            for (long j = 0; j < width; j++) DW_NAME(store)(row + j * DW_LANES, zero);
            continue;
        }
        for (long j = 0; j < pl && j < width; j++) DW_NAME(store)(row + j * DW_LANES, zero);
        for (long j = pl + inside; j < width; j++) DW_NAME(store)(row + j * DW_LANES, zero);
        const float *source = x + iy * iw;
        float *target = row + pl * DW_LANES;
        for (long ix = 0; ix < inside; ix += DW_LANES) {
            const long count = inside - ix < DW_LANES ? inside - ix : DW_LANES;
            DW_VEC v[DW_LANES];
#pragma unroll
            for (int c = 0; c < DW_LANES; c++) {
                if (c < chans) v[c] = count == DW_LANES ? DW_NAME(load)(source + c * in_plane + ix)
                                                        : DW_LOAD_PARTIAL(source + c * in_plane + ix, count);
                else v[c] = zero;
            }
            DW_NAME(transpose)(v);
            if (count == DW_LANES) {
#pragma unroll
                for (int j = 0; j < DW_LANES; j++) DW_NAME(store)(target + (ix + j) * DW_LANES, v[j]);
            } else {
                for (long j = 0; j < count; j++) DW_NAME(store)(target + (ix + j) * DW_LANES, v[j]);
            }
        }
    }
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

/// Activates pixels [0, count) of `out` (interleaved) and transposes them into the block's
/// `chans` NCHW output planes at `y` (pixel q of a plane at y[c * out_plane + q]).
static DW_TARGET
void DW_NAME(scatter_band)(const float *out, long count, long chans, long out_plane, int kind, float a, float b,
                           float *y) {
    for (long q = 0; q < count; q += DW_LANES) {
        const long n = count - q < DW_LANES ? count - q : DW_LANES;
        DW_VEC v[DW_LANES];
#pragma unroll
        for (int j = 0; j < DW_LANES; j++) v[j] = DW_NAME(load)(out + (q + j) * DW_LANES);
        DW_NAME(activate)(kind, a, b, v, DW_LANES);
        DW_NAME(transpose)(v);
        if (n == DW_LANES && chans == DW_LANES) {
#pragma unroll
            for (int c = 0; c < DW_LANES; c++) DW_NAME(store)(y + c * out_plane + q, v[c]);
        } else {
            for (long c = 0; c < chans; c++) {
                if (n == DW_LANES) DW_NAME(store)(y + c * out_plane + q, v[c]);
                else DW_STORE_PARTIAL(y + c * out_plane + q, v[c], n);
            }
        }
    }
}

/// Output rows [row_begin, row_end) of one block of `chans` (<= DW_LANES) channels: `x`, `y`
/// at the block's first input / output plane, `w` at its first channel's taps, `bias` at
/// its first bias (or NULL). `band_rows` output rows per band; scratch per dw_blocked_layout.
static DW_TARGET
void DW_NAME(block)(const imgvec_depthwise_shape *s, long band_rows, const float *x, long chans, const float *w,
                    const float *bias, const imgvec_depthwise_activation *act, float *y, long row_begin,
                    long row_end, float *scratch) {
    const long kh = s->kernel_height, kw = s->kernel_width, taps = kh * kw, ow = s->output_width;
    const long width = (ow - 1) * s->stride_width + (kw - 1) * s->dilation_width + 1;
    const long row_step = width * DW_LANES;
    // Scratch: tap offsets (longs), weights [taps][lanes], bias, output pixels, input band.
    long *offsets = (long *)(void *)scratch;
    float *weights = scratch + (2 * taps + 15) / 16 * 16;
    float *vbias = weights + taps * DW_LANES;
    float *out = vbias + 16;
    float *band = out + (band_rows * ow + 2 * DW_BLOCK_PIXELS + 15) / 16 * 16 * DW_LANES;
    for (long t = 0; t < taps; t++) {
        offsets[t] = (t / kw) * s->dilation_height * row_step + (t % kw) * s->dilation_width * DW_LANES;
        for (long c = 0; c < DW_LANES; c++) weights[t * DW_LANES + c] = c < chans ? w[c * taps + t] : 0.0f;
    }
    for (long c = 0; c < DW_LANES; c++) vbias[c] = bias && c < chans ? bias[c] : 0.0f;
    const long out_plane = s->output_height * ow, pixel_step = s->stride_width * DW_LANES;
    const long band_step = s->stride_height * row_step;
    for (long oy = row_begin; oy < row_end; oy += band_rows) {
        const long rows = row_end - oy < band_rows ? row_end - oy : band_rows;
        const long input_rows = (rows - 1) * s->stride_height + (kh - 1) * s->dilation_height + 1;
        DW_NAME(gather_band)(s, x, chans, oy * s->stride_height, input_rows, width, band);
        const long count = rows * ow;
        if (taps == 9)
            DW_NAME(band_pixels)(9, band, count, ow, pixel_step, band_step, offsets, weights, vbias, out);
        else if (taps == 25)
            DW_NAME(band_pixels)(25, band, count, ow, pixel_step, band_step, offsets, weights, vbias, out);
        else
            DW_NAME(band_pixels)((int)taps, band, count, ow, pixel_step, band_step, offsets, weights, vbias, out);
        DW_NAME(scatter_band)(out, count, chans, out_plane, act->kind, act->a, act->b, y + oy * ow);
    }
}
