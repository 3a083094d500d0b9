// The Winograd F(4x4, 3x3) input and output transforms, written once with GCC/Clang vector
// extensions (WG_LANES lanes = that many neighbouring tiles of one tile row) and instantiated
// per instruction set by winograd.c: define WG_TARGET (a target attribute or nothing),
// WG_NAME(x), WG_V (the vector type) and WG_LANES (8 or 16) before including it.
// Not a public header.
//
// Input:  V = B^T d B per 6x6 input patch d (tile (ty, tx) starts at input row 4ty - pad_top,
//         column 4tx - pad_left); V[position][channel][tile], position = 6 * row + column.
// Output: Y = A^T M A per tile (4x4 outputs), + bias, clamped, written to NCHW.

/// Unaligned WG_LANES-float load / store.
static inline __attribute__((always_inline)) WG_TARGET WG_V WG_NAME(load)(const float *p) {
    WG_V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) WG_TARGET void WG_NAME(store)(float *p, WG_V v) {
    __builtin_memcpy(p, &v, sizeof v);
}

/// One row (or column) of B^T d: six inputs, six outputs.
#define WG_INPUT_1D(d0, d1, d2, d3, d4, d5, r)            \
    do {                                                  \
        const WG_V four = (WG_V){} + 4.0f;                 \
        const WG_V five = (WG_V){} + 5.0f;                 \
        const WG_V two = (WG_V){} + 2.0f;                  \
        const WG_V a = (d4) - four * (d2);               \
        const WG_V b = (d3) - four * (d1);               \
        const WG_V c = (d4) - (d2);                      \
        const WG_V e = two * ((d3) - (d1));              \
        (r)[0] = four * (d0) - five * (d2) + (d4);        \
        (r)[1] = a + b;                                   \
        (r)[2] = a - b;                                   \
        (r)[3] = c + e;                                   \
        (r)[4] = c - e;                                   \
        (r)[5] = four * (d1) - five * (d3) + (d5);        \
    } while (0)

/// One row (or column) of A^T m: six inputs, four outputs.
#define WG_OUTPUT_1D(m0, m1, m2, m3, m4, m5, r)           \
    do {                                                  \
        const WG_V two = (WG_V){} + 2.0f;                  \
        const WG_V four = (WG_V){} + 4.0f;                 \
        const WG_V eight = (WG_V){} + 8.0f;                \
        const WG_V s12 = (m1) + (m2), d12 = (m1) - (m2); \
        const WG_V s34 = (m3) + (m4), d34 = (m3) - (m4); \
        (r)[0] = (m0) + s12 + s34;                        \
        (r)[1] = d12 + two * d34;                         \
        (r)[2] = s12 + four * s34;                        \
        (r)[3] = d12 + eight * d34 + (m5);                \
    } while (0)

/// Splits `groups` groups of 4 * WG_LANES floats of `row` into 4 phases: phase l, entry k =
/// row[4k + l].
static WG_TARGET void WG_NAME(deinterleave)(const float *row, long groups, float *phases, long phase_stride) {
    const long n = WG_LANES;
    for (long g = 0; g < groups; g++) {
        const float *group = row + 4 * n * g;
        const WG_V r0 = WG_NAME(load)(group), r1 = WG_NAME(load)(group + n);
        const WG_V r2 = WG_NAME(load)(group + 2 * n), r3 = WG_NAME(load)(group + 3 * n);
        // Entries of the first half come from r0, r1, of the second from r2, r3; lo02 holds
        // phases 0 and 2 of the first half, etc.
#if WG_LANES == 16
        const WG_V lo02 = __builtin_shufflevector(r0, r1, 0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
        const WG_V lo13 = __builtin_shufflevector(r0, r1, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
        const WG_V hi02 = __builtin_shufflevector(r2, r3, 0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
        const WG_V hi13 = __builtin_shufflevector(r2, r3, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
#define WG_LOW_HALVES 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define WG_HIGH_HALVES 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#else
        const WG_V lo02 = __builtin_shufflevector(r0, r1, 0, 4, 8, 12, 2, 6, 10, 14);
        const WG_V lo13 = __builtin_shufflevector(r0, r1, 1, 5, 9, 13, 3, 7, 11, 15);
        const WG_V hi02 = __builtin_shufflevector(r2, r3, 0, 4, 8, 12, 2, 6, 10, 14);
        const WG_V hi13 = __builtin_shufflevector(r2, r3, 1, 5, 9, 13, 3, 7, 11, 15);
#define WG_LOW_HALVES 0, 1, 2, 3, 8, 9, 10, 11
#define WG_HIGH_HALVES 4, 5, 6, 7, 12, 13, 14, 15
#endif
        WG_NAME(store)(phases + n * g, __builtin_shufflevector(lo02, hi02, WG_LOW_HALVES));
        WG_NAME(store)(phases + phase_stride + n * g, __builtin_shufflevector(lo13, hi13, WG_LOW_HALVES));
        WG_NAME(store)(phases + 2 * phase_stride + n * g, __builtin_shufflevector(lo02, hi02, WG_HIGH_HALVES));
        WG_NAME(store)(phases + 3 * phase_stride + n * g, __builtin_shufflevector(lo13, hi13, WG_HIGH_HALVES));
#undef WG_LOW_HALVES
#undef WG_HIGH_HALVES
    }
}

static WG_TARGET void WG_NAME(input)(const imgvec_winograd_shape *s, const float *input, long first_row,
                                     long row_count, float *v, long ldv, long position_stride, float *scratch) {
    const long tx_count = s->tiles_x, groups = (tx_count + WG_LANES - 1) / WG_LANES + 1;
    const long width = 4 * WG_LANES * groups;   // padded input columns per row (4 per tile + slack)
    const long ih = s->input_height, iw = s->input_width, channels = s->channels, plane = ih * iw;
    float *row = scratch;                        // one padded input row
    float *phases = scratch + width;             // 6 rows x 4 phases x (WG_LANES * groups)
    const long phase_stride = WG_LANES * groups, row_stride = 4 * phase_stride;
    const long left = -s->pad_left;
    // The input columns [left, left + width) that exist.
    const long copy_begin = left < 0 ? -left : 0;
    const long copy_end = iw - left < width ? iw - left : width;
    for (long c = 0; c < channels; c++) {
        for (long r = 0; r < row_count; r++) {
            const long global = first_row + r, image = global / s->tiles_y, ty = global % s->tiles_y;
            const float *x = input + (image * channels + c) * plane;
            for (long j = 0; j < 6; j++) {
                const long y = 4 * ty - s->pad_top + j;
                float *target = phases + j * row_stride;
                if (y < 0 || y >= ih || copy_end <= copy_begin) {
                    __builtin_memset(target, 0, (size_t)row_stride * sizeof(float));
                    continue;
                }
                if (copy_begin > 0) __builtin_memset(row, 0, (size_t)copy_begin * sizeof(float));
                __builtin_memcpy(row + copy_begin, x + y * iw + left + copy_begin,
                                 (size_t)(copy_end - copy_begin) * sizeof(float));
                if (copy_end < width) __builtin_memset(row + copy_end, 0, (size_t)(width - copy_end) * sizeof(float));
                WG_NAME(deinterleave)(row, groups, target, phase_stride);
            }
            float *out = v + c * ldv + r * tx_count;
            for (long k = 0; k < tx_count; k += WG_LANES) {
                // t[i][l]: B^T applied down each of the 6 columns l of the patches.
                WG_V t[6][6];
                for (long l = 0; l < 6; l++) {
                    const float *p = phases + (l & 3) * phase_stride + k + (l >> 2);
                    WG_V column[6];
                    WG_INPUT_1D(WG_NAME(load)(p), WG_NAME(load)(p + row_stride), WG_NAME(load)(p + 2 * row_stride),
                                WG_NAME(load)(p + 3 * row_stride), WG_NAME(load)(p + 4 * row_stride),
                                WG_NAME(load)(p + 5 * row_stride), column);
                    for (long i = 0; i < 6; i++) t[i][l] = column[i];
                }
                for (long i = 0; i < 6; i++) {
                    WG_V u[6];
                    WG_INPUT_1D(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], u);
                    for (long q = 0; q < 6; q++) WG_NAME(store)(out + (6 * i + q) * position_stride + k, u[q]);
                }
            }
        }
    }
}

/// The 2x2 stride-2 max pool of one vector of output tiles (rows 4ty.., tiles k..): `sv` holds
/// A^T applied down the tiles' columns. Bias and clamp are monotone, so they are applied to
/// the maxima (the same result as before pooling). Writes pooled rows 2ty, 2ty + 1 and
/// columns 2k.. of the ph x pw plane `y`, as far as they exist.
static inline __attribute__((always_inline)) WG_TARGET void WG_NAME(store_pooled)(
    WG_V sv[4][6], long ty, long k, long ph, long pw, WG_V vb, int clamp, WG_V vlo, WG_V vhi, float *y) {
    const long columns = pw - 2 * k < 2 * WG_LANES ? pw - 2 * k : 2 * WG_LANES;
    for (long half = 0; half < 2; half++) {
        const long py = 2 * ty + half;
        if (py >= ph || columns <= 0) return;
        WG_V upper[4], lower[4];
        WG_OUTPUT_1D(sv[2 * half][0], sv[2 * half][1], sv[2 * half][2], sv[2 * half][3], sv[2 * half][4],
                     sv[2 * half][5], upper);
        WG_OUTPUT_1D(sv[2 * half + 1][0], sv[2 * half + 1][1], sv[2 * half + 1][2], sv[2 * half + 1][3],
                     sv[2 * half + 1][4], sv[2 * half + 1][5], lower);
        // Output pixel 4 * lane + e is upper/lower[e][lane]: pooled column 2 * lane + e / 2.
        WG_V left = __builtin_elementwise_max(__builtin_elementwise_max(upper[0], lower[0]),
                                              __builtin_elementwise_max(upper[1], lower[1]));
        WG_V right = __builtin_elementwise_max(__builtin_elementwise_max(upper[2], lower[2]),
                                               __builtin_elementwise_max(upper[3], lower[3]));
        left += vb;
        right += vb;
        if (clamp) {
            left = __builtin_elementwise_min(__builtin_elementwise_max(left, vlo), vhi);
            right = __builtin_elementwise_min(__builtin_elementwise_max(right, vlo), vhi);
        }
        WG_V pixels[2];
#if WG_LANES == 16
        pixels[0] = __builtin_shufflevector(left, right, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        pixels[1] = __builtin_shufflevector(left, right, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
#else
        pixels[0] = __builtin_shufflevector(left, right, 0, 8, 1, 9, 2, 10, 3, 11);
        pixels[1] = __builtin_shufflevector(left, right, 4, 12, 5, 13, 6, 14, 7, 15);
#endif
        float *target = y + py * pw + 2 * k;
        if (columns == 2 * WG_LANES) {
            WG_NAME(store)(target, pixels[0]);
            WG_NAME(store)(target + WG_LANES, pixels[1]);
        } else {
            __builtin_memcpy(target, pixels, (size_t)columns * sizeof(float));
        }
    }
}

static WG_TARGET void WG_NAME(output)(const imgvec_winograd_shape *s, long out_channels, const float *m, long ldm,
                                      long position_stride, long first_row, long row_count, const float *bias,
                                      int clamp, float lo, float hi, int max_pool, float *output) {
    const long tx_count = s->tiles_x, oh = s->output_height, ow = s->output_width, plane = oh * ow;
    const long ph = oh / 2, pw = ow / 2;   // the 2x2 max pool's output (max_pool != 0)
    const WG_V vlo = (WG_V){} + lo, vhi = (WG_V){} + hi;
    for (long c = 0; c < out_channels; c++) {
        const float b = bias ? bias[c] : 0.0f;
        const WG_V vb = (WG_V){} + b;
        for (long r = 0; r < row_count; r++) {
            const long global = first_row + r, image = global / s->tiles_y, ty = global % s->tiles_y;
            float *y = output + (image * out_channels + c) * plane;
            const float *in = m + c * ldm + r * tx_count;
            for (long k = 0; k < tx_count; k += WG_LANES) {
                // s[q][col]: A^T applied down each of the 6 columns.
                WG_V sv[4][6];
                for (long col = 0; col < 6; col++) {
                    const float *p = in + col * position_stride + k;
                    WG_V rows[4];
                    WG_OUTPUT_1D(WG_NAME(load)(p), WG_NAME(load)(p + 6 * position_stride),
                                 WG_NAME(load)(p + 12 * position_stride), WG_NAME(load)(p + 18 * position_stride),
                                 WG_NAME(load)(p + 24 * position_stride), WG_NAME(load)(p + 30 * position_stride), rows);
                    for (long q = 0; q < 4; q++) sv[q][col] = rows[q];
                }
                if (max_pool) {
                    WG_NAME(store_pooled)(sv, ty, k, ph, pw, vb, clamp, vlo, vhi,
                                          output + (image * out_channels + c) * ph * pw);
                    continue;
                }
                const long columns = ow - 4 * k < 4 * WG_LANES ? ow - 4 * k : 4 * WG_LANES;
                for (long q = 0; q < 4; q++) {
                    const long oy = 4 * ty + q;
                    if (oy >= oh) break;
                    WG_V o[4];
                    WG_OUTPUT_1D(sv[q][0], sv[q][1], sv[q][2], sv[q][3], sv[q][4], sv[q][5], o);
                    for (long e = 0; e < 4; e++) {
                        o[e] += vb;
                        if (clamp) o[e] = __builtin_elementwise_min(__builtin_elementwise_max(o[e], vlo), vhi);
                    }
                    // Interleave: pixel 4 * lane + e of this row segment is o[e][lane].
#if WG_LANES == 16
                    const WG_V ab_lo = __builtin_shufflevector(o[0], o[1], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
                    const WG_V ab_hi = __builtin_shufflevector(o[0], o[1], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
                    const WG_V cd_lo = __builtin_shufflevector(o[2], o[3], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
                    const WG_V cd_hi = __builtin_shufflevector(o[2], o[3], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
#define WG_PAIRS_LOW 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23
#define WG_PAIRS_HIGH 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31
#else
                    const WG_V ab_lo = __builtin_shufflevector(o[0], o[1], 0, 8, 1, 9, 2, 10, 3, 11);
                    const WG_V ab_hi = __builtin_shufflevector(o[0], o[1], 4, 12, 5, 13, 6, 14, 7, 15);
                    const WG_V cd_lo = __builtin_shufflevector(o[2], o[3], 0, 8, 1, 9, 2, 10, 3, 11);
                    const WG_V cd_hi = __builtin_shufflevector(o[2], o[3], 4, 12, 5, 13, 6, 14, 7, 15);
#define WG_PAIRS_LOW 0, 1, 8, 9, 2, 3, 10, 11
#define WG_PAIRS_HIGH 4, 5, 12, 13, 6, 7, 14, 15
#endif
                    float *target = y + oy * ow + 4 * k;
                    WG_V pixels[4];
                    pixels[0] = __builtin_shufflevector(ab_lo, cd_lo, WG_PAIRS_LOW);
                    pixels[1] = __builtin_shufflevector(ab_lo, cd_lo, WG_PAIRS_HIGH);
                    pixels[2] = __builtin_shufflevector(ab_hi, cd_hi, WG_PAIRS_LOW);
                    pixels[3] = __builtin_shufflevector(ab_hi, cd_hi, WG_PAIRS_HIGH);
#undef WG_PAIRS_LOW
#undef WG_PAIRS_HIGH
                    if (columns == 4 * WG_LANES) {
                        for (long e = 0; e < 4; e++) WG_NAME(store)(target + WG_LANES * e, pixels[e]);
                    } else {
                        __builtin_memcpy(target, pixels, (size_t)columns * sizeof(float));
                    }
                }
            }
        }
    }
}
