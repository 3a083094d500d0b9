// The vector-math loops (element-wise maps, the GEMM epilogue, softmax), written once on the
// generic vectors of vmath_functions.h; each vmath_<isa>.c defines the ISA macros, then includes
// this file: it defines `imgvec_vmath_run`, `imgvec_epilogue_run` and `imgvec_softmax_run` (static).
#include "vmath_functions.h"

// MARK: buffers

/// y[i] = BODY(x[i]) over whole vectors, then the tail as one partial vector (masked loads
/// and stores where the instruction set has them), so every element goes through the same
/// arithmetic. x == y is fine.
#define IMGVEC_VMATH_MAP(name, BODY)                                                     \
    static IMGVEC_VMATH_TARGET void name(const float *x, float *y, long n, float a, float b) { \
        vf A = splat(a), B = splat(b);                                                   \
        (void)A; (void)B;                                                                \
        long i = 0;                                                                      \
        for (; i + W <= n; i += W) { vf v = load(x + i); store(y + i, BODY); }           \
        if (i < n) { vf v = load_first(x + i, n - i); store_first(y + i, BODY, n - i); } \
    }

IMGVEC_VMATH_MAP(map_exp, exp_v(v))
IMGVEC_VMATH_MAP(map_sigmoid, sigmoid_v(v))
IMGVEC_VMATH_MAP(map_silu, silu_v(v))
IMGVEC_VMATH_MAP(map_tanh, tanh_v(v))
IMGVEC_VMATH_MAP(map_erf, erf_v(v))
IMGVEC_VMATH_MAP(map_gelu, gelu_v(v))
IMGVEC_VMATH_MAP(map_gelu_tanh, gelu_tanh_v(v))
IMGVEC_VMATH_MAP(map_hardswish, hardswish_v(v))
IMGVEC_VMATH_MAP(map_hardsigmoid, hardsigmoid_v(v, A, B))
IMGVEC_VMATH_MAP(map_clamp, clamp(v, A, B))
IMGVEC_VMATH_MAP(map_quick_gelu, quick_gelu_v(v, A))
IMGVEC_VMATH_MAP(map_identity, v)

static IMGVEC_VMATH_TARGET void imgvec_vmath_run(imgvec_vmath_function function, const float *x, float *y,
                                                 long n, float a, float b) {
    switch (function) {
    case IMGVEC_VMATH_EXP: map_exp(x, y, n, a, b); break;
    case IMGVEC_VMATH_SIGMOID: map_sigmoid(x, y, n, a, b); break;
    case IMGVEC_VMATH_SILU: map_silu(x, y, n, a, b); break;
    case IMGVEC_VMATH_TANH: map_tanh(x, y, n, a, b); break;
    case IMGVEC_VMATH_ERF: map_erf(x, y, n, a, b); break;
    case IMGVEC_VMATH_GELU: map_gelu(x, y, n, a, b); break;
    case IMGVEC_VMATH_GELU_TANH: map_gelu_tanh(x, y, n, a, b); break;
    case IMGVEC_VMATH_HARDSWISH: map_hardswish(x, y, n, a, b); break;
    case IMGVEC_VMATH_HARDSIGMOID: map_hardsigmoid(x, y, n, a, b); break;
    case IMGVEC_VMATH_CLAMP: map_clamp(x, y, n, a, b); break;
    case IMGVEC_VMATH_QUICK_GELU: map_quick_gelu(x, y, n, a, b); break;
    case IMGVEC_VMATH_IDENTITY: map_identity(x, y, n, a, b); break;
    }
}

// MARK: GEMM epilogue

/// Rows of C: += bias (per column), += row bias, activation BODY (on v, with A and B its
/// parameters), += residual (before BODY when residual_first). The tail of a row is one
/// partial vector so that every element sees the same math.
#define IMGVEC_EPILOGUE_LOOP(BODY)                                                         \
    for (long i = row0; i < row0 + rows; i++) {                                            \
        float *row = c + i * ldc;                                                          \
        const float *res = e->residual ? e->residual + i * e->ldr : 0;                     \
        const float *resBefore = e->residual_first ? res : 0;                              \
        const float *resAfter = e->residual_first ? 0 : res;                               \
        const vf rowBias = splat(e->row_bias ? e->row_bias[i] : 0.0f);                     \
        long j = col0;                                                                     \
        for (; j + W <= end; j += W) {                                                     \
            vf v = load(row + j) + rowBias;                                                \
            if (e->bias) v += load(e->bias + j);                                           \
            if (resBefore) v += load(resBefore + j);                                       \
            v = BODY;                                                                      \
            if (resAfter) v += load(resAfter + j);                                         \
            store(row + j, v);                                                             \
        }                                                                                  \
        if (j < end) {                                                                     \
            long rest = end - j;                                                           \
            vf v = load_first(row + j, rest) + rowBias;                                    \
            if (e->bias) v += load_first(e->bias + j, rest);                               \
            if (resBefore) v += load_first(resBefore + j, rest);                           \
            v = BODY;                                                                      \
            if (resAfter) v += load_first(resAfter + j, rest);                             \
            store_first(row + j, v, rest);                                                 \
        }                                                                                  \
    }

/// Rows of C: += row bias (if any), then activation BODY; no column bias, no residual.
#define IMGVEC_ROW_BIAS_LOOP(BODY)                                                          \
    for (long i = row0; i < row0 + rows; i++) {                                            \
        float *row = c + i * ldc;                                                          \
        const vf rowBias = splat(e->row_bias ? e->row_bias[i] : 0.0f);                     \
        long j = col0;                                                                     \
        for (; j + W <= end; j += W) { vf v = load(row + j) + rowBias; store(row + j, BODY); } \
        if (j < end) { vf v = load_first(row + j, end - j) + rowBias; store_first(row + j, BODY, end - j); } \
    }

/// The convolution's common case, kept free of per-vector tests: a bias per row, then a
/// clamp (Relu, Clip) or nothing; no column bias, no residual.
static IMGVEC_VMATH_TARGET void imgvec_epilogue_row_bias_clamp(const imgvec_sgemm_epilogue *e, float *c, long ldc,
                                                               long row0, long rows, long col0, long cols,
                                                               vf lo, vf hi) {
    const long end = col0 + cols;
    IMGVEC_ROW_BIAS_LOOP(clamp(v, lo, hi))
}

static IMGVEC_VMATH_TARGET void imgvec_epilogue_run(const imgvec_sgemm_epilogue *e, float *c, long ldc,
                                                    long row0, long rows, long col0, long cols) {
    const long end = col0 + cols;
    vf A = splat(e->activation_a), B = splat(e->activation_b);
    (void)B;
    if (!e->bias && !e->residual) {
        if (e->activation == IMGVEC_VMATH_CLAMP) {
            imgvec_epilogue_row_bias_clamp(e, c, ldc, row0, rows, col0, cols, A, B);
            return;
        }
        if (e->activation == IMGVEC_VMATH_IDENTITY) {
            if (!e->row_bias) return;
            imgvec_epilogue_row_bias_clamp(e, c, ldc, row0, rows, col0, cols, splat(-__builtin_inff()), splat(__builtin_inff()));
            return;
        }
    }
    if (!e->bias && !e->residual) {
        // A convolution's epilogue (a bias per row, then the activation), tile by tile: the
        // loop without the per-vector tests for a column bias and a residual. EfficientNet-B0's
        // 16 -> 96 expansion with SiLU at 112x112 (one-layer harness, 3 alternating runs): 729
        // -> 719 us.
        switch (e->activation) {
        case IMGVEC_VMATH_SILU: IMGVEC_ROW_BIAS_LOOP(silu_v(v)) return;
        case IMGVEC_VMATH_HARDSWISH: IMGVEC_ROW_BIAS_LOOP(hardswish_v(v)) return;
        case IMGVEC_VMATH_SIGMOID: IMGVEC_ROW_BIAS_LOOP(sigmoid_v(v)) return;
        case IMGVEC_VMATH_QUICK_GELU: IMGVEC_ROW_BIAS_LOOP(quick_gelu_v(v, A)) return;
        default: break;
        }
    }
    switch (e->activation) {
    case IMGVEC_VMATH_SIGMOID: IMGVEC_EPILOGUE_LOOP(sigmoid_v(v)) break;
    case IMGVEC_VMATH_SILU: IMGVEC_EPILOGUE_LOOP(silu_v(v)) break;
    case IMGVEC_VMATH_TANH: IMGVEC_EPILOGUE_LOOP(tanh_v(v)) break;
    case IMGVEC_VMATH_ERF: IMGVEC_EPILOGUE_LOOP(erf_v(v)) break;
    case IMGVEC_VMATH_GELU: IMGVEC_EPILOGUE_LOOP(gelu_v(v)) break;
    case IMGVEC_VMATH_GELU_TANH: IMGVEC_EPILOGUE_LOOP(gelu_tanh_v(v)) break;
    case IMGVEC_VMATH_HARDSWISH: IMGVEC_EPILOGUE_LOOP(hardswish_v(v)) break;
    case IMGVEC_VMATH_HARDSIGMOID: IMGVEC_EPILOGUE_LOOP(hardsigmoid_v(v, A, B)) break;
    case IMGVEC_VMATH_CLAMP: IMGVEC_EPILOGUE_LOOP(clamp(v, A, B)) break;
    case IMGVEC_VMATH_QUICK_GELU: IMGVEC_EPILOGUE_LOOP(quick_gelu_v(v, A)) break;
    case IMGVEC_VMATH_EXP: IMGVEC_EPILOGUE_LOOP(exp_v(v)) break;
    case IMGVEC_VMATH_IDENTITY: IMGVEC_EPILOGUE_LOOP(v) break;
    }
}

// MARK: softmax

/// Lanes [0, count) set, for count in [0, W].
FN vi first_lanes(long count) {
    static const int iota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    vi index;
    __builtin_memcpy(&index, iota, sizeof index);
    return index < (int)count;
}

/// The sum of the lanes, pairwise (log2 W dependent adds, not W).
FN float lane_sum(vf v) {
    float a[W];
    store(a, v);
    for (int width = W / 2; width >= 1; width /= 2)
        for (int lane = 0; lane < width; lane++) a[lane] += a[lane + width];
    return a[0];
}

/// The largest lane (NaN lanes are skipped, as by the comparisons that built v), pairwise.
FN float lane_max(vf v) {
    float a[W];
    store(a, v);
    for (int width = W / 2; width >= 1; width /= 2)
        for (int lane = 0; lane < width; lane++) a[lane] = a[lane + width] > a[lane] ? a[lane + width] : a[lane];
    return a[0];
}

/// a x rounded, then + shift (not fused: a fused a x - a max would turn the rounding error of
/// a max into e^(±huge) for huge x; rounded, x = max gives exactly 0).
FN vf scaled_minus(vf x, vf a, vf shift) {
    vf ax = x * a;
    return ax + shift;
}

/// Rows of y = exp(a x - max(a x)) / sum (or its logarithm): one pass for the maximum, one
/// for exp (stored) and its sum, one to scale. Row tails are partial vectors.
static IMGVEC_VMATH_TARGET void imgvec_softmax_run(const float *x, float *y, long rows, long n, long ld,
                                                   float a, int logarithmic) {
    if (n <= 0) return;
    const vf A = splat(a);
    const long whole = n - n % W, rest = n - whole;
    const vi tail = first_lanes(rest);
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * ld;
        float *yr = y + r * ld;
        vf best = splat(-__builtin_inff()), best2 = best;
        long i = 0;
        for (; i + 2 * W <= whole; i += 2 * W) {
            vf v = load(xr + i), w = load(xr + i + W);
            best = pick(v > best, v, best);
            best2 = pick(w > best2, w, best2);
        }
        if (i < whole) { vf v = load(xr + i); best = pick(v > best, v, best); }
        if (rest) { vf v = pick(tail, load_first(xr + whole, rest), best); best = pick(v > best, v, best); }
        best = pick(best2 > best, best2, best);
        float maximum = lane_max(best);
        if (maximum == __builtin_inff() || maximum != maximum) {
            // +inf or NaN in the row: the scalar definition decides (NaN results).
            for (long j = 0; j < n; j++) yr[j] = __builtin_nanf("");
            continue;
        }
        const vf shift = splat(-a * maximum);
        vf sum = splat(0.0f), sum2 = sum;
        for (i = 0; i + 2 * W <= whole; i += 2 * W) {
            vf e = exp_v(scaled_minus(load(xr + i), A, shift)), f = exp_v(scaled_minus(load(xr + i + W), A, shift));
            if (!logarithmic) { store(yr + i, e); store(yr + i + W, f); }
            sum += e;
            sum2 += f;
        }
        if (i < whole) {
            vf e = exp_v(scaled_minus(load(xr + i), A, shift));
            if (!logarithmic) store(yr + i, e);
            sum += e;
        }
        if (rest) {
            vf e = pick(tail, exp_v(scaled_minus(load_first(xr + whole, rest), A, shift)), splat(0.0f));
            if (!logarithmic) store_first(yr + whole, e, rest);
            sum += e;
        }
        float total = lane_sum(sum + sum2);
        if (logarithmic) {
            const vf offset = splat(-a * maximum - __builtin_logf(total));
            for (i = 0; i < whole; i += W) store(yr + i, scaled_minus(load(xr + i), A, offset));
            if (rest) store_first(yr + whole, scaled_minus(load_first(xr + whole, rest), A, offset), rest);
        } else {
            const vf inverse = splat(1.0f / total);
            for (i = 0; i < whole; i += W) store(yr + i, load(yr + i) * inverse);
            if (rest) store_first(yr + whole, load_first(yr + whole, rest) * inverse, rest);
        }
    }
}

#undef W
#undef FN
