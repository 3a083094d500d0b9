// The AVX-512 row path of the depthwise convolution: output rows computed straight from the
// NCHW planes, with no scratch copy. A vector holds 16 output columns of one plane, a block up
// to 4 rows x 2 vectors. Each tap reads the input row under a vector with one unaligned load
// (stride 1); at stride 2 the 32 input values under a vector are split once into even and odd
// columns, which give all the taps (three or five). Loads are masked at the plane's borders so
// that the padding reads as zero. Included by depthwise_conv.c after depthwise_body.h and
// depthwise_activation.h (AVX-512 instance). Not a public header.
//
// The channel-blocked path transposes every input pixel into a band and every output pixel
// back; for stride 2 that input transpose is most of its time, and this path needs none. 5x5
// at stride 1 stays on the blocked path: measured 1.04-2.3x its time (five loads per input row
// and vector, every weight broadcast feeding at most two vectors; depthwise_conv.c).

/// Lanes [first, end) of a 16-lane mask (empty when end <= first).
static inline __attribute__((always_inline)) __mmask16 dw_lanes(long first, long end) {
    if (first < 0) first = 0;
    if (end > 16) end = 16;
    if (end <= first) return 0;
    return (__mmask16)((((1u << (end - first)) - 1u)) << first);
}

/// The 16 input values under one tap for output columns ox0 ... ox0 + 15 at stride 1:
/// row[base + i] with base = ox0 + kx - pad_left. `edge`: the vector touches a border, and the
/// load takes the mask `low` of the columns inside [0, iw) (zero elsewhere); else every column
/// read is inside the row.
static inline __attribute__((always_inline)) DW_TARGET
__m512 dw_avx512_row_taps(const int edge, const float *row, long base, __mmask16 low) {
    return edge ? _mm512_maskz_loadu_ps(low, row + base) : _mm512_loadu_ps(row + base);
}

/// The tap vectors of a 3x3 or 5x5 kernel (KW = 3 or 5) at stride 2 for V vectors of output
/// columns, from one input row: the 32 input values under each vector are split once into their
/// even and odd columns (two permutes), which are taps 0 and 1; taps 2, 3 and 4 are the evens,
/// odds and evens moved down one, one and two lanes with the following input values appended
/// (the next vector's evens and odds, or after the last vector the next four input values,
/// row[base + 32 ...], split the same way). For 3x3 that is half the loads and a third fewer
/// permutes of three separate two-load gathers. `halves[v]` masks the first and second 16
/// input values under vector v (used when `edge`).
static inline __attribute__((always_inline)) DW_TARGET
void dw_avx512_stride2_taps(const int V, const int KW, const int edge, const float *row, long first, long iw,
                            __mmask16 halves[2][2], __m512 taps[2][5]) {
    const __m512i evenIndices = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i oddIndices = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    __m512 evens[3], odds[3];
#pragma unroll
    for (int v = 0; v < V; v++) {
        const long base = first + 32 * v;
        const __m512 a = edge ? _mm512_maskz_loadu_ps(halves[v][0], row + base) : _mm512_loadu_ps(row + base);
        const __m512 b = edge ? _mm512_maskz_loadu_ps(halves[v][1], row + base + 16) : _mm512_loadu_ps(row + base + 16);
        evens[v] = _mm512_permutex2var_ps(a, evenIndices, b);
        odds[v] = _mm512_permutex2var_ps(a, oddIndices, b);
    }
    // After the last vector: row[base + 32] (3x3), or row[base + 32 ... base + 34] (5x5).
    const long last = first + 32 * V;
    if (KW == 3) {
        evens[V] = !edge || (last >= 0 && last < iw) ? _mm512_set1_ps(row[last]) : _mm512_setzero_ps();
    } else {
        const __mmask16 four = edge ? (__mmask16)(dw_lanes(-last, iw - last) & 0xF) : (__mmask16)0xF;
        const __m512 next = _mm512_maskz_loadu_ps(four, row + last);
        evens[V] = _mm512_permutexvar_ps(evenIndices, next);   // lanes 0, 1: row[last], row[last + 2]
        odds[V] = _mm512_permutexvar_ps(oddIndices, next);     // lane 0: row[last + 1]
    }
#define DW_SHIFT(next, current, lanes) \
    _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(current), lanes))
#pragma unroll
    for (int v = 0; v < V; v++) {
        taps[v][0] = evens[v];
        taps[v][1] = odds[v];
        taps[v][2] = DW_SHIFT(evens[v + 1], evens[v], 1);
        if (KW == 5) {
            taps[v][3] = DW_SHIFT(odds[v + 1], odds[v], 1);
            taps[v][4] = DW_SHIFT(evens[v + 1], evens[v], 2);
        }
    }
#undef DW_SHIFT
}

/// Output rows oy ... oy + R - 1 (R = 1...4), columns ox ... ox + 16 V - 1 (V = 1 or 2
/// vectors, the last holding `count` columns) of one plane (`w`: its taps, each broadcast), for
/// a KH x KW kernel at stride SW in both directions (all constants; KW = 3 or 5 at stride 2, 3
/// at stride 1): every input row under the block is read once, its KW tap vectors feeding each
/// output row it falls in, each broadcast tap serving V vectors. Clamped to [lo, hi] on the way out.
static inline __attribute__((always_inline)) DW_TARGET
void dw_avx512_rows_block(const int R, const int V, const int KH, const int KW, const int SW, const int edge,
                          const imgvec_depthwise_shape *s, const float *x, const __m512 *w, float bias, float lo,
                          float hi, float *y, long oy, long ox, long count) {
    const long iw = s->input_width, ih = s->input_height, ow = s->output_width;
    const long top = oy * SW - s->pad_top, first = SW * ox - s->pad_left;
    // Masks of the columns inside [0, iw) under each load (all set when not at an edge): at
    // stride 1 one load per tap and vector, at stride 2 two per vector (its 32 input values).
    __mmask16 tapMasks[2][3], halfMasks[2][2];
#pragma unroll
    for (int v = 0; v < V; v++) {
        if (SW == 2) {
            const long base = first + 32 * v;
            halfMasks[v][0] = edge ? dw_lanes(-base, iw - base) : 0;
            halfMasks[v][1] = edge ? dw_lanes(-base - 16, iw - base - 16) : 0;
        } else {
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const long base = first + 16 * v + kx;
                tapMasks[v][kx] = edge ? dw_lanes(-base, iw - base) : 0;
            }
        }
    }
    __m512 acc[4][2];
#pragma unroll
    for (int r = 0; r < R; r++) {
#pragma unroll
        for (int v = 0; v < V; v++) acc[r][v] = _mm512_set1_ps(bias);
    }
#pragma unroll
    for (int j = 0; j < (R - 1) * SW + KH; j++) {
        const long iy = top + j;
        if (iy < 0 || iy >= ih) continue;
        const float *row = x + iy * iw;
        __m512 taps[2][5];
        if (SW == 2) {
            dw_avx512_stride2_taps(V, KW, edge, row, first, iw, halfMasks, taps);
        } else {
#pragma unroll
            for (int v = 0; v < V; v++) {
#pragma unroll
                for (int kx = 0; kx < KW; kx++) taps[v][kx] = dw_avx512_row_taps(edge, row, first + 16 * v + kx, tapMasks[v][kx]);
            }
        }
#pragma unroll
        for (int r = 0; r < R; r++) {
            const int ky = j - r * SW;
            if (ky < 0 || ky >= KH) continue;
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const __m512 weight = w[ky * KW + kx];
#pragma unroll
                for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(taps[v][kx], weight, acc[r][v]);
            }
        }
    }
    const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
#pragma unroll
    for (int r = 0; r < R; r++) {
#pragma unroll
        for (int v = 0; v < V; v++) {
            const __m512 out = _mm512_min_ps(_mm512_max_ps(acc[r][v], vlo), vhi);
            float *target = y + (oy + r) * ow + ox + 16 * v;
            if (v < V - 1 || count == 16) _mm512_storeu_ps(target, out);
            else _mm512_mask_storeu_ps(target, dw_lanes(0, count), out);
        }
    }
}

/// Output rows [row_begin, row_end) of one plane, blocks of up to 4 rows x 32 columns, for a
/// K x K kernel at stride SW (constants); clamped to [lo, hi], then activation `kind` (not a
/// clamp; NONE for nothing) over each block of rows while it is in L1.
static inline __attribute__((always_inline)) DW_TARGET
void dw_avx512_rows_plane(const int K, const int SW, const imgvec_depthwise_shape *s, const float *x, const float *w,
                          float bias, float lo, float hi, int kind, float a, float b, float *y, long row_begin,
                          long row_end) {
    const long iw = s->input_width, ow = s->output_width;
    // The taps broadcast once per plane, not in every block (they stay in registers for 3x3):
    // one-layer harness, 1 thread, 3x3 over 144 x 56 x 56 149 -> 133 us, stride 2 over
    // 64 x 112 x 112 93 -> 85 us; 5x5 stride 2 over 144 x 56 x 56 104.5 -> 101 us.
    __m512 wv[25];
#pragma unroll
    for (int t = 0; t < K * K; t++) wv[t] = _mm512_set1_ps(w[t]);
    for (long oy = row_begin; oy < row_end; oy += 4) {
        const long rows = row_end - oy < 4 ? row_end - oy : 4;
        for (long ox = 0; ox < ow;) {
            const int pair = ow - ox > 16;
            const long columns = ow - ox < (pair ? 32 : 16) ? ow - ox : (pair ? 32 : 16);
            const long count = columns - (pair ? 16 : 0);
            const long first = SW * ox - s->pad_left;
            // Inside: every load of every tap within the row (SW * ox - pad_left >= 0, and the
            // last tap's reach, a whole vector or two past the block's last column, at most the row's end).
            const long reach = (pair ? 32 : 16) * SW;
            const int edge = first < 0 || first + K - 1 + reach > iw;
#define DW_ROWS_BLOCK(R) \
            if (pair) { \
                if (edge) dw_avx512_rows_block(R, 2, K, K, SW, 1, s, x, wv, bias, lo, hi, y, oy, ox, count); \
                else dw_avx512_rows_block(R, 2, K, K, SW, 0, s, x, wv, bias, lo, hi, y, oy, ox, count); \
            } else { \
                if (edge) dw_avx512_rows_block(R, 1, K, K, SW, 1, s, x, wv, bias, lo, hi, y, oy, ox, count); \
                else dw_avx512_rows_block(R, 1, K, K, SW, 0, s, x, wv, bias, lo, hi, y, oy, ox, count); \
            }
            switch (rows) {
            case 4: DW_ROWS_BLOCK(4) break;
            case 3: DW_ROWS_BLOCK(3) break;
            case 2: DW_ROWS_BLOCK(2) break;
            default: DW_ROWS_BLOCK(1) break;
            }
#undef DW_ROWS_BLOCK
            ox += columns;
        }
        if (kind != IMGVEC_DEPTHWISE_NONE) dw_avx512_activate_span(kind, a, b, y + oy * ow, rows * ow);
    }
}

/// Whether the row path runs this shape: a 3x3 kernel at stride 1 or 2, or a 5x5 one at
/// stride 2 (the same stride in both directions), undilated, padding inside the kernel.
static int dw_avx512_has_rows(const imgvec_depthwise_shape *s) {
    const long k = s->kernel_width;
    return s->kernel_height == k && (k == 3 || (k == 5 && s->stride_width == 2))
        && s->dilation_height == 1 && s->dilation_width == 1
        && (s->stride_width == 1 || s->stride_width == 2) && s->stride_height == s->stride_width
        && s->pad_left < k && s->pad_top < k;
}

/// Planes [first_plane, first_plane + plane_count), output rows [row_begin, row_end) of each
/// (the shapes dw_avx512_has_rows takes); activations other than a clamp run over each block of
/// rows after it.
static DW_TARGET
void dw_avx512_rows(const imgvec_depthwise_shape *s, long channels, long first_plane, long plane_count,
                    long row_begin, long row_end, const float *input, const float *weights, const float *bias,
                    const imgvec_depthwise_activation *act, float *output) {
    const long in_plane = s->input_height * s->input_width, out_plane = s->output_height * s->output_width;
    const int clamp = act->kind == IMGVEC_DEPTHWISE_CLAMP, after = clamp ? IMGVEC_DEPTHWISE_NONE : act->kind;
    const float lo = clamp ? act->a : -__builtin_inff(), hi = clamp ? act->b : __builtin_inff();
    for (long p = first_plane; p < first_plane + plane_count; p++) {
        const long channel = p % channels;
        const float *x = input + p * in_plane, *w = weights + channel * s->kernel_height * s->kernel_width;
        const float b = bias ? bias[channel] : 0.0f;
        float *y = output + p * out_plane;
        if (s->kernel_width == 5) dw_avx512_rows_plane(5, 2, s, x, w, b, lo, hi, after, act->a, act->b, y, row_begin, row_end);
        else if (s->stride_width == 1) dw_avx512_rows_plane(3, 1, s, x, w, b, lo, hi, after, act->a, act->b, y, row_begin, row_end);
        else dw_avx512_rows_plane(3, 2, s, x, w, b, lo, hi, after, act->a, act->b, y, row_begin, row_end);
    }
}
