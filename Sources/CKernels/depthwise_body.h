// The depthwise convolution row loop, written once with GCC/Clang vector extensions and
// instantiated per instruction set by depthwise_conv.c: define DW_VEC (a float vector
// type), DW_LANES, DW_TARGET (a target attribute or nothing), DW_STORE_PARTIAL(p, v, n),
// DW_LOAD_PARTIAL(p, n), DW_SPLAT(x), DW_MIN/DW_MAX(a, b), DW_EVEN/ODD_LANES and DW_NAME(x) before including it. Not a public header.
#pragma clang diagnostic ignored "-Wpass-failed"   // the generic tap count cannot unroll fully

/// Unaligned vector load.
static inline __attribute__((always_inline)) DW_TARGET
DW_VEC DW_NAME(load)(const float *p) {
    DW_VEC v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

/// Vector store.
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(store)(float *p, DW_VEC v) { __builtin_memcpy(p, &v, sizeof v); }

/// target[j] = 0 for j < count.
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(zero)(float *target, long count) {
    const DW_VEC z = {0};
    long j = 0;
    for (; j + DW_LANES <= count; j += DW_LANES) DW_NAME(store)(target + j, z);
    for (; j < count; j++) target[j] = 0;
}

/// The padded, phase-split copy of one plane (see depthwise_conv.c): padded row r, padded
/// column q (input row r - pad_top, column q - pad_left, else 0) goes to phase q % sw,
/// column q / sw. Rows are `width` floats (a multiple of 16, 64-byte aligned), phases
/// `phase_size` apart; interior stores are whole aligned vectors.
static DW_TARGET
void DW_NAME(fill)(const imgvec_depthwise_shape *s, long rows, long width, long phase_size,
                   const float *input, float *padded) {
    const long sw = s->stride_width, iw = s->input_width, pl = s->pad_left;
    for (long r = 0; r < rows; r++) {
        const long iy = r - s->pad_top;
        if (iy < 0 || iy >= s->input_height) {
            for (long phase = 0; phase < sw; phase++) DW_NAME(zero)(padded + phase * phase_size + r * width, width);
            continue;
        }
        const float *source = input + iy * iw;
        if (sw == 1) {
            // Zero the row (aligned vectors), then copy the input row to column pl.
            float *target = padded + r * width;
            DW_NAME(zero)(target, width);
            float *row = target + pl;
            const long count = iw < width - pl ? iw : width - pl;
            long t = 0;
            for (; t + DW_LANES <= count; t += DW_LANES) DW_NAME(store)(row + t, DW_NAME(load)(source + t));
            if (t < count) {
                const DW_VEC v = DW_LOAD_PARTIAL(source + t, count - t);
                DW_STORE_PARTIAL(row + t, v, count - t);
            }
        } else if (sw == 2) {
            // even[j] = column 2j - pl, odd[j] = column 2j + 1 - pl; vectors where both are inside.
            float *even = padded + r * width, *odd = padded + phase_size + r * width;
            DW_NAME(zero)(even, width);
            DW_NAME(zero)(odd, width);
            long lower = (pl + 1) / 2, upper = iw + pl >= 2 ? (iw + pl - 2) / 2 + 1 : 0;
            if (upper > width) upper = width;
            for (long j = 0; j < lower && j < width; j++) {
                const long c0 = 2 * j - pl, c1 = c0 + 1;
                if (c0 >= 0 && c0 < iw) even[j] = source[c0];
                if (c1 >= 0 && c1 < iw) odd[j] = source[c1];
            }
            long j = lower;
            for (; j + DW_LANES <= upper; j += DW_LANES) {
                const float *pair = source + 2 * j - pl;
                const DW_VEC a = DW_NAME(load)(pair), b = DW_NAME(load)(pair + DW_LANES);
                DW_NAME(store)(even + j, __builtin_shufflevector(a, b, DW_EVEN_LANES));
                DW_NAME(store)(odd + j, __builtin_shufflevector(a, b, DW_ODD_LANES));
            }
            for (; j < width; j++) {
                const long c0 = 2 * j - pl, c1 = c0 + 1;
                if (c0 >= iw) break;
                if (c0 >= 0) even[j] = source[c0];
                if (c1 >= 0 && c1 < iw) odd[j] = source[c1];
            }
        } else {
            for (long phase = 0; phase < sw; phase++) {
                float *target = padded + phase * phase_size + r * width;
                for (long j = 0; j < width; j++) {
                    const long c = j * sw + phase - pl;
                    target[j] = c >= 0 && c < iw ? source[c] : 0;
                }
            }
        }
    }
}

/// `rows` (1...4, a constant at each call site) output rows starting at `oy`; every tap
/// reads a contiguous vector of the padded plane (see depthwise_conv.c).
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(row_block)(const int rows, const int taps, const int clamp, const float *padded, long rowStep,
                        const long *offsets, const float *weights, float bias, float lo, float hi,
                        float *out, long ow) {
    const DW_VEC vbias = DW_SPLAT(bias), vlo = DW_SPLAT(lo), vhi = DW_SPLAT(hi);
    for (long ox = 0; ox < ow; ox += DW_LANES) {
        DW_VEC acc[4];
#pragma unroll
        for (int r = 0; r < 4; r++) if (r < rows) acc[r] = vbias;
        const float *base = padded + ox;
#pragma unroll
        for (int t = 0; t < taps; t++) {
            const DW_VEC w = DW_SPLAT(weights[t]);
            const float *source = base + offsets[t];
#pragma unroll
            for (int r = 0; r < 4; r++) if (r < rows) acc[r] += w * DW_NAME(load)(source + r * rowStep);
        }
        const long remaining = ow - ox;
#pragma unroll
        for (int r = 0; r < 4; r++) {
            if (r < rows) {
                DW_VEC v = acc[r];
                if (clamp) v = DW_MIN(DW_MAX(v, vlo), vhi);
                float *target = out + r * ow + ox;
                if (remaining >= DW_LANES) DW_NAME(store)(target, v);
                else DW_STORE_PARTIAL(target, v, remaining);
            }
        }
    }
}

/// Activation `kind` (not clamp, fused above) over `count` floats at `p`, in place.
static DW_TARGET
void DW_NAME(activate_span)(int kind, float a, float b, float *p, long count) {
#define DW_SPAN_STEP(KIND) { \
        long j = 0; \
        for (; j + DW_LANES <= count; j += DW_LANES) DW_NAME(store)(p + j, DW_NAME(activate)(KIND, a, b, DW_NAME(load)(p + j))); \
        if (j < count) { \
            const DW_VEC v = DW_NAME(activate)(KIND, a, b, DW_LOAD_PARTIAL(p + j, count - j)); \
            DW_STORE_PARTIAL(p + j, v, count - j); \
        } \
    }
    DW_FOR_ACTIVATION(kind, DW_SPAN_STEP)
#undef DW_SPAN_STEP
}

/// Every output row of one plane, four at a time; `taps` and `clamp` are constants. A
/// non-clamp activation `kind` runs on each block of rows right after it is written.
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(plane_body)(const int taps, const int clamp, const float *padded, long rowStep, const long *offsets,
                         const float *weights, float bias, float lo, float hi, float *output, long oh, long ow,
                         int kind, float a, float b) {
    const int after = kind != IMGVEC_DEPTHWISE_NONE && kind != IMGVEC_DEPTHWISE_CLAMP;
    long oy = 0;
    for (; oy + 4 <= oh; oy += 4) {
        DW_NAME(row_block)(4, taps, clamp, padded + oy * rowStep, rowStep, offsets, weights, bias, lo, hi, output + oy * ow, ow);
        if (after) DW_NAME(activate_span)(kind, a, b, output + oy * ow, 4 * ow);
    }
    const float *p = padded + oy * rowStep;
    float *o = output + oy * ow;
    switch (oh - oy) {
    case 3: DW_NAME(row_block)(3, taps, clamp, p, rowStep, offsets, weights, bias, lo, hi, o, ow); break;
    case 2: DW_NAME(row_block)(2, taps, clamp, p, rowStep, offsets, weights, bias, lo, hi, o, ow); break;
    case 1: DW_NAME(row_block)(1, taps, clamp, p, rowStep, offsets, weights, bias, lo, hi, o, ow); break;
    default: break;
    }
    if (after) DW_NAME(activate_span)(kind, a, b, o, (oh - oy) * ow);
}

#define DW_TAPS_CASE(TAPS) \
    if (clamp) DW_NAME(plane_body)(TAPS, 1, padded, rowStep, offsets, weights, bias, lo, hi, output, oh, ow, kind, a, b); \
    else DW_NAME(plane_body)(TAPS, 0, padded, rowStep, offsets, weights, bias, lo, hi, output, oh, ow, kind, a, b);

/// Entry point for one instruction set: 3x3 and 5x5 unrolled, other sizes looped.
static DW_TARGET
void DW_NAME(plane)(int taps, const float *padded, long rowStep, const long *offsets, const float *weights,
                    float bias, const imgvec_depthwise_activation *act, float *output, long oh, long ow) {
    const int kind = act->kind, clamp = kind == IMGVEC_DEPTHWISE_CLAMP;
    const float a = act->a, b = act->b, lo = a, hi = b;
    if (taps == 9) { DW_TAPS_CASE(9) }
    else if (taps == 25) { DW_TAPS_CASE(25) }
    else { DW_TAPS_CASE(taps) }
}
#undef DW_TAPS_CASE
