// The vector-math element functions (exp, sigmoid, SiLU, GELU, ...), written once on generic
// vectors of IMGVEC_VMATH_WIDTH floats, all always-inline. A file defines the width,
// IMGVEC_VMATH_ISA (512, 256 or 0: which intrinsics may be used), a per-function target
// attribute and whether FMA exists, then includes this file: vmath_body.h (through each
// vmath_<isa>.c) for the loops over buffers, and the AVX-512 GEMM kernel for its fused store,
// so both compute an activation with the same operations (the same bits).
//
// Speed: exp is a Cody-Waite reduction, a degree-5 polynomial and 2^n as one vscalefps (AVX-512)
// or exponent bits; AVX-512 divides by rcp14 + one Newton step. Without vscalefps the fast forms
// hold for |x| <= 87 only: a vector with any lane beyond (or NaN) takes the careful form (the
// `*_careful` functions), so results at the extremes are the same everywhere.
// Accuracy (vs double-precision libm): within about 2-3 float ulps (<= 3e-7 relative; GELU's
// erfc tail 5.5e-7) where the result is a normal float; right limits at ±infinity; NaN in gives NaN out.
#ifndef IMGVEC_VMATH_FUNCTIONS_H
#define IMGVEC_VMATH_FUNCTIONS_H
#ifndef IMGVEC_VMATH_WIDTH
#error "define IMGVEC_VMATH_WIDTH, IMGVEC_VMATH_ISA, IMGVEC_VMATH_TARGET and IMGVEC_VMATH_HAS_FMA first"
#endif

#define W IMGVEC_VMATH_WIDTH
#define FN static inline __attribute__((always_inline)) IMGVEC_VMATH_TARGET

typedef float vf __attribute__((vector_size(W * 4)));
typedef int vi __attribute__((vector_size(W * 4)));
typedef unsigned vu __attribute__((vector_size(W * 4)));
typedef double vd __attribute__((vector_size(W * 8)));

FN vf splat(float c) { return c - (vf){0}; }   // c - +0 is c for every c (0 + c would turn -0 into +0)
FN vf load(const float *p) { vf v; __builtin_memcpy(&v, p, sizeof v); return v; }
FN void store(float *p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
/// mask ? a : b, lane-wise (mask lanes are all ones or all zeros, as comparisons give).
FN vf pick(vi mask, vf a, vf b) { return (vf)((mask & (vi)a) | (~mask & (vi)b)); }
FN vf magnitude(vf x) { return (vf)((vu)x & 0x7FFFFFFFu); }
/// `magnitude` (>= 0) with the sign of `x`.
FN vf with_sign_of(vf magnitude, vf x) { return (vf)((vu)magnitude | ((vu)x & 0x80000000u)); }
/// a * b + c, fused where the instruction set has FMA.
FN vf madd(vf a, vf b, vf c) {
#if IMGVEC_VMATH_HAS_FMA
    return __builtin_elementwise_fma(a, b, c);
#else
    return a * b + c;
#endif
}
/// x clamped into [lo, hi]; NaN stays NaN.
FN vf clamp(vf x, vf lo, vf hi) {
    vf raised = pick(x < lo, lo, x);
    return pick(raised > hi, hi, raised);
}

// MARK: instruction-set primitives
// IMGVEC_VMATH_ISA is 512 (AVX-512F intrinsics), 256 (AVX2) or 0 (generic vectors only).

/// Whether any lane of a comparison mask is set.
FN int any_lane(vi mask) {
#if IMGVEC_VMATH_ISA == 512
    return _mm512_test_epi32_mask((__m512i)mask, (__m512i)mask) != 0;
#elif IMGVEC_VMATH_ISA == 256
    return _mm256_movemask_ps((__m256)mask) != 0;
#else
    return __builtin_reduce_or(mask) != 0;
#endif
}

/// Whether |x| <= limit in every lane (false for a NaN lane): one compare into a mask register on AVX-512.
FN int all_within(vf x, float limit) {
#if IMGVEC_VMATH_ISA == 512
    return _mm512_cmp_ps_mask((__m512)magnitude(x), _mm512_set1_ps(limit), _CMP_NLE_UQ) == 0;
#else
    return !any_lane(~(magnitude(x) <= limit));
#endif
}

/// The first `count` (0 < count <= W) floats at p; the other lanes are 0. Never reads past p + count.
FN vf load_first(const float *p, long count) {
#if IMGVEC_VMATH_ISA == 512
    return (vf)_mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1u), p);
#elif IMGVEC_VMATH_ISA == 256
    vi lanes = {0, 1, 2, 3, 4, 5, 6, 7};
    return (vf)_mm256_maskload_ps(p, (__m256i)(lanes < (int)count));
#else
    float buffer[W] = {0};
    __builtin_memcpy(buffer, p, (unsigned long)count * sizeof(float));
    return load(buffer);
#endif
}

/// Stores the first `count` (0 < count <= W) lanes of v at p; nothing past p + count is written.
FN void store_first(float *p, vf v, long count) {
#if IMGVEC_VMATH_ISA == 512
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << count) - 1u), (__m512)v);
#elif IMGVEC_VMATH_ISA == 256
    vi lanes = {0, 1, 2, 3, 4, 5, 6, 7};
    _mm256_maskstore_ps(p, (__m256i)(lanes < (int)count), (__m256)v);
#else
    float buffer[W];
    store(buffer, v);
    __builtin_memcpy(p, buffer, (unsigned long)count * sizeof(float));
#endif
}

/// num / den for den in [1, 2^100] (a normal, finite float). AVX-512: the 14-bit reciprocal
/// estimate, one Newton step (y += y (1 - den y), ~2^-27), then num y: within about an ulp,
/// and ±0, ±inf, NaN numerators stay what num / den gives. A 512-bit divide would cost
/// about as much as the whole exp; elsewhere the divider keeps up with the other work.
FN vf divide(vf num, vf den) {
#if IMGVEC_VMATH_ISA == 512
    vf y = (vf)_mm512_rcp14_ps((__m512)den);
    y = madd(y, madd(-den, y, splat(1.0f)), y);
    return num * y;
#else
    return num / den;
#endif
}

// MARK: exp

#define ROUNDING_MAGIC 12582912.0f   // 1.5 * 2^23: adding it rounds |y| < 2^22 to an integer
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f          // ln 2 = LN2_HI - LN2_LO; LN2_HI * n is exact for |n| < 2^15
#define LN2_LO 2.12194440e-4f

/// e^(hi + lo) where `hi - n ln2_hi` is exact (any float hi with few enough significant bits
/// near the reduction, e.g. an exact square; or plain x with lo = 0) and |lo| is small.
/// hi + lo must lie in [-150, 89] or be NaN. Cephes-style: n = round((hi + lo) log2 e),
/// r = hi + lo - n ln 2 in two steps, e^r by a degree-7 polynomial, times 2^n built from
/// exponent bits in two halves 2^n1 2^n2 (so that n in [-217, 129] neither overflows the
/// bits nor rounds twice in the subnormal range; n = 128, 129 overflow to +inf as they should).
/// Returns e^r 2^n1 (a normal float) and sets *scale = 2^n2: a caller that multiplies the
/// result by y rounds once, not twice, when y e^(hi + lo) is subnormal.
FN vf exp_of_sum_parts(vf hi, vf lo, vf *scale) {
    vf t = madd(hi + lo, splat(LOG2E), splat(ROUNDING_MAGIC));
    vf n = t - ROUNDING_MAGIC;
    vi k = (vi)t - (vi)splat(ROUNDING_MAGIC);
    vf r = madd(n, splat(-LN2_HI), hi);
    r = madd(n, splat(LN2_LO), r) + lo;
    vf p = splat(1.9875691500e-4f);
    p = madd(p, r, splat(1.3981999507e-3f));
    p = madd(p, r, splat(8.3334519073e-3f));
    p = madd(p, r, splat(4.1665795894e-2f));
    p = madd(p, r, splat(1.6666665459e-1f));
    p = madd(p, r, splat(5.0000001201e-1f));
    p = madd(p, r * r, r + 1.0f);
    vi half = k >> 1;
    *scale = (vf)((vu)(k - half + 127) << 23);
    return p * (vf)((vu)(half + 127) << 23);
}

FN vf exp_of_sum(vf hi, vf lo) {
    vf scale;
    vf part = exp_of_sum_parts(hi, lo, &scale);
    return part * scale;
}

/// exp_of_sum_parts(x, 0) for any x (clamped: below -150 the result is 0, above 89 +inf).
FN vf exp_parts(vf x, vf *scale) {
    return exp_of_sum_parts(clamp(x, splat(-150.0f), splat(89.0f)), splat(-0.0f), scale);   // + -0 folds away
}

/// e^x for any x, the careful way (the fallback of the fast paths below).
FN vf exp_careful(vf x) {
    vf scale;
    vf part = exp_parts(x, &scale);
    return part * scale;
}

// The fast exp: n = round(x log2 e) by adding a rounding constant that also carries the
// exponent bias 127 (so the low bits of t are n + 127), r = x - n ln 2 in two steps (Cody-Waite),
// e^r = 1 + r P(r) with P of degree 4 (fitted for relative error 1.05e-7 on |r| <= ln2/2; with
// float rounding exp is within 1.8e-7, SiLU and sigmoid 2.9e-7. Degree 5 (2e-9) gave 0.9e-7
// and 2.0e-7 for one more multiply-add in some 20 operations), times 2^n: one vscalefps on
// AVX-512 (exact overflow, underflow and subnormal results), else the exponent bits
// (n + 127) << 23, right for n in [-126, 127].
#define EXP_MAGIC 12583039.0f   // 1.5 * 2^23 + 127
#define EXP_FAST_LIMIT 87.0f    // |x| <= this: 2^n is a normal float, so the bit form is right

/// e^r = 1 + r P(r) for |r| <= ln2 / 2 (P of degree 4).
FN vf exp_of_reduced(vf r) {
    vf p = splat(8.3125256535267e-3f);
    p = madd(p, r, splat(4.189011451398951e-2f));
    p = madd(p, r, splat(1.666711446116292e-1f));
    p = madd(p, r, splat(4.999923177928905e-1f));
    p = madd(p, r, splat(1.0f));
    return madd(p, r, splat(1.0f));
}

/// e^r for r = hi + lo - n ln 2, n = round((hi + lo) log2 e); sets *n and *t (whose bits hold
/// n + 127). hi - n ln2_hi must be exact (as for exp_of_sum_parts) and |lo| small.
FN vf exp_poly_of_sum(vf hi, vf lo, vf *n, vf *t) {
    *t = madd(hi + lo, splat(LOG2E), splat(EXP_MAGIC));
    *n = *t - EXP_MAGIC;
    vf r = madd(*n, splat(-LN2_HI), hi);
    return exp_of_reduced(madd(*n, splat(LN2_LO), r) + lo);
}

/// e^r for r = x - n ln 2, n = round(x log2 e); sets *n and *t (whose bits hold n + 127).
FN vf exp_poly(vf x, vf *n, vf *t) {
    *t = madd(x, splat(LOG2E), splat(EXP_MAGIC));
    *n = *t - EXP_MAGIC;
    vf r = madd(*n, splat(-LN2_HI), x);
    return exp_of_reduced(madd(*n, splat(LN2_LO), r));
}

/// y 2^n (n, t from exp_poly), rounded once.
FN vf times_pow2(vf y, vf n, vf t) {
#if IMGVEC_VMATH_ISA == 512
    (void)t;
    return (vf)_mm512_scalef_ps((__m512)y, (__m512)n);
#else
    (void)n;
    return y * (vf)((vu)t << 23);
#endif
}

FN vf exp_reduced(vf x) {
    vf n, t;
    vf p = exp_poly(x, &n, &t);
    return times_pow2(p, n, t);
}

/// Whether exp_reduced is valid for every lane of x (and NaN-free): always with vscalefps
/// (after the callers' clamps), else |x| <= EXP_FAST_LIMIT.
FN int exp_fast_path(vf x) {
#if IMGVEC_VMATH_ISA == 512
    (void)x;
    return 1;
#else
    return all_within(x, EXP_FAST_LIMIT);
#endif
}

/// e^x: about 1 ulp; below -150 exactly 0 (subnormal results rounded once), above 89 +inf.
FN vf exp_v(vf x) {
#if IMGVEC_VMATH_ISA == 512
    return exp_reduced(clamp(x, splat(-150.0f), splat(89.0f)));
#else
    return exp_fast_path(x) ? exp_reduced(x) : exp_careful(x);
#endif
}

/// -|x|, clamped at -150 with vscalefps (-inf: e^-150 = 0; NaN stays NaN); for exp_poly.
FN vf minus_magnitude(vf x) {
    vf m = -magnitude(x);
#if IMGVEC_VMATH_ISA == 512
    m = pick(m < -150.0f, splat(-150.0f), m);
#endif
    return m;
}

// MARK: logistic family

/// 1 / (1 + e^-x), as e^x / (1 + e^x) for x < 0 so no intermediate overflows (careful form).
FN vf sigmoid_careful(vf x) {
    vf e = exp_careful(-magnitude(x));
    return pick(x < 0.0f, e, splat(1.0f)) / (1.0f + e);
}

/// x * sigmoid(x) (SiLU, Swish), careful form.
FN vf silu_careful(vf x) {
    vf scale;
    vf part = exp_parts(-magnitude(x), &scale);
    vf e = part * scale;
    vf bounded = pick(x < -200.0f, splat(-200.0f), x);   // -inf * e^-inf would be NaN
    return pick(x < 0.0f, bounded * part * scale, x) / (1.0f + e);
}

/// 1 / den for den in [1, 2^100]: the reciprocal estimate and one Newton step on AVX-512
/// (within about an ulp), plain division elsewhere.
FN vf reciprocal(vf den) {
#if IMGVEC_VMATH_ISA == 512
    vf y = (vf)_mm512_rcp14_ps((__m512)den);
    return madd(y, madd(-den, y, splat(1.0f)), y);
#else
    return 1.0f / den;
#endif
}

/// sigmoid(x): e = e^-|x|, then e / (1 + e) for x < 0, 1 / (1 + e) otherwise.
FN vf sigmoid_v(vf x) {
    if (!exp_fast_path(x)) return sigmoid_careful(x);
    vf e = exp_reduced(minus_magnitude(x));
#if IMGVEC_VMATH_ISA == 512
    vf y = reciprocal(1.0f + e);
    return pick(x < 0.0f, e * y, y);
#else
    return pick(x < 0.0f, e, splat(1.0f)) / (1.0f + e);
#endif
}

/// x * sigmoid(b), b = x (SiLU) or a x (QuickGELU): (b < 0 ? x e : x) / (1 + e), e = e^-|b|.
/// x e is formed as (x p) 2^n so that it rounds once where e alone would be subnormal; for
/// SiLU x there is m = -|x| clamped at -150 (so -inf gives -0, not -inf * 0).
FN vf times_sigmoid(vf x, vf b, int b_is_x) {
    vf n, t;
    vf m = minus_magnitude(b);
    vf p = exp_poly(m, &n, &t);
    vf e = times_pow2(p, n, t);
    vf bounded = b_is_x ? m : pick(x < -200.0f, splat(-200.0f), x);
    return divide(pick(b < 0.0f, times_pow2(bounded * p, n, t), x), 1.0f + e);
}

/// x / (1 + e^-x) for |x| <= EXP_FAST_LIMIT in every lane, where e^-x and 1 / (1 + e^-x) are
/// normal floats: a third fewer operations than times_sigmoid (no sign split, one scaling),
/// for the same 2-3 ulps. SiLU is EfficientNet's activation after most convolutions.
FN vf silu_in_range(vf x) {
    return x * reciprocal(1.0f + exp_reduced(-x));
}

/// x * sigmoid(x) (SiLU, Swish).
FN vf silu_v(vf x) {
    if (all_within(x, EXP_FAST_LIMIT)) return silu_in_range(x);
    return exp_fast_path(x) ? times_sigmoid(x, x, 1) : silu_careful(x);
}

/// x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): GELU's tanh form, since
/// (1 + tanh u) / 2 = sigmoid(2u). 2u is formed in double and handed to exp as a float
/// plus its rounding error: in float alone its relative error (~1e-7) times |2u| (up to
/// ~100 before the result underflows) would reach 1e-5 relative in the negative tail.
FN vf gelu_tanh_v(vf x) {
    vd xd = __builtin_convertvector(x, vd);
    vd twice_u = xd * (xd * xd * 0.0713548162726008 + 1.5957691216057308);
    vf high = __builtin_convertvector(twice_u, vf);
    vf low = __builtin_convertvector(twice_u - __builtin_convertvector(high, vd), vf);
    low = pick(low == low, low, splat(0.0f));   // inf - inf: 2u beyond the float range
    vi negative = high < 0.0f;
    // e = exp(-|2u|), as exp(-|high| - (±low))
    vf m = clamp(-magnitude(high), splat(-150.0f), splat(0.0f)), m_low = pick(negative, low, -low);
    vf y;
    if (exp_fast_path(m)) {
        vf n, bits;
        vf p = exp_poly_of_sum(m, m_low, &n, &bits);
        vf e = times_pow2(p, n, bits);
        y = divide(pick(negative, times_pow2(x * p, n, bits), x), 1.0f + e);
    } else {
        vf scale;
        vf part = exp_of_sum_parts(m, m_low, &scale);
        vf e = part * scale;
        y = pick(negative, x * part * scale, x) / (1.0f + e);
    }
    return pick(x < -20.0f, splat(-0.0f), y);
}

// MARK: tanh

/// tanh x: Cephes' odd polynomial below |x| = 0.625 (no cancellation near 0),
/// (1 - e^-2|x|) / (1 + e^-2|x|) with the sign of x beyond.
FN vf tanh_v(vf x) {
    vf z = x * x;
    vf p = splat(-5.70498872745e-3f);
    p = madd(p, z, splat(2.06390887954e-2f));
    p = madd(p, z, splat(-5.37397155531e-2f));
    p = madd(p, z, splat(1.33314422036e-1f));
    p = madd(p, z, splat(-3.33332819422e-1f));
    vf small = madd(p * z, x, x);
    vf a = magnitude(x);
    // tanh rounds to 1 from |x| = 9.01; the clamp keeps exp on its fast path (NaN stays NaN).
    vf e = exp_reduced(-2.0f * pick(a > 10.0f, splat(10.0f), a));
    vf large = divide(1.0f - e, 1.0f + e);
    return with_sign_of(magnitude(pick(a < 0.625f, small, large)), x);   // odd, so -0 stays -0
}

// MARK: erf

/// erfc z for z = ax * scale (ax = |x| clamped, a = z), scale = 1 or 1/sqrt 2 (halve_square):
/// t exp(-z^2 + P(t)), t = 1 / (1 + z/2), P of degree 9 — the Chebyshev-fitted form of Press
/// et al., Numerical Recipes §6.2 (1.2e-7 relative for every z >= 0). z^2 = ax^2 scale^2 is
/// passed to exp as an exact part and a small correction (ax = xh + xl, xh keeping 12
/// significant bits so xh^2 is exact): rounding z or z^2 would cost up to 1e-5 relative at z = 10.
FN vf erfc_tail(vf ax, vf a, const int halve_square) {
    vf t = divide(splat(1.0f), madd(a, splat(0.5f), splat(1.0f)));
    vf q = splat(0.17087277f);
    q = madd(q, t, splat(-0.82215223f));
    q = madd(q, t, splat(1.48851587f));
    q = madd(q, t, splat(-1.13520398f));
    q = madd(q, t, splat(0.27886807f));
    q = madd(q, t, splat(-0.18628806f));
    q = madd(q, t, splat(0.09678418f));
    q = madd(q, t, splat(0.37409196f));
    q = madd(q, t, splat(1.00002368f));
    q = madd(q, t, splat(-1.26551223f));
    vf high = (vf)((vu)ax & 0xFFFFF000u);
    vf low = ax - high;
    vf square_high = high * high, square_low = low * (ax + high);
    if (halve_square) { square_high *= 0.5f; square_low *= 0.5f; }
    // The exponent -z^2 + P(t) lies in [-z^2 - 1.3, -z^2 + 0.5]: the bit form of 2^n needs
    // z^2 <= 85 (vscalefps takes any z^2 <= 100 here).
    if (exp_fast_path(square_high + 2.0f)) {
        vf n, bits;
        vf p = exp_poly_of_sum(-square_high, q - square_low, &n, &bits);
        return times_pow2(t * p, n, bits);
    }
    return t * exp_of_sum(-square_high, q - square_low);
}

/// |x| bounded where the answer no longer changes: erf z rounds to 1 from z = 4, and GELU's
/// x/2 erfc z underflows beyond z = 10. Also keeps exp out of its (slow) subnormal results
/// except in GELU's far negative tail.
FN vf erf_magnitude(vf x, const int halve_square) {
    vf ax = magnitude(x);
    vf limit = halve_square ? pick(x < 0.0f, splat(14.142135f), splat(8.485281f)) : splat(6.0f);
    return pick(ax > limit, limit, ax);
}

/// erf z and erfc z for z = |x| * scale, scale = 1 or 1/sqrt 2 (GELU).
///
/// Below z = 0.5: the Maclaurin series of erf (7 terms; the next is < 5e-10 there).
/// Above: erfc_tail.
FN void erf_erfc(vf x, const int halve_square, vf *erf_out, vf *erfc_out) {
    vf ax = erf_magnitude(x, halve_square);
    vf a = halve_square ? ax * 0.70710678118654752f : ax;
    vf z = a * a;
    vf s = splat(1.2055332981789664e-4f);
    s = madd(s, z, splat(-8.548327023450852e-4f));
    s = madd(s, z, splat(5.223977625442188e-3f));
    s = madd(s, z, splat(-2.6866170645131252e-2f));
    s = madd(s, z, splat(1.1283791670955126e-1f));
    s = madd(s, z, splat(-3.7612638903183754e-1f));
    vf series = madd(s, z, splat(1.1283791670955126f)) * a;
    vf tail = erfc_tail(ax, a, halve_square);
    vi use_series = a < 0.5f;
    *erf_out = pick(use_series, series, 1.0f - tail);
    *erfc_out = pick(use_series, 1.0f - series, tail);
}

FN vf erf_v(vf x) {
    vf erf, erfc;
    erf_erfc(x, 0, &erf, &erfc);
    return with_sign_of(erf, x);
}

/// GELU, exact form: x/2 (1 + erf(x / sqrt 2)) = x/2 (2 - erfc z) for x >= 0 and x/2 erfc z
/// for x < 0, z = |x| / sqrt 2, from the erfc tail alone at every z (no series): its relative
/// error (1.2e-7) bounds the result's on both sides, since 2 - erfc z lies in [1, 2); the
/// negative tail keeps its relative accuracy.
FN vf gelu_v(vf x) {
    vf ax = erf_magnitude(x, 1);
    vf erfc = erfc_tail(ax, ax * 0.70710678118654752f, 1);
    vf half_x = 0.5f * x;
    vf y = half_x * pick(x < 0.0f, erfc, 2.0f - erfc);
    return pick(x < -14.142135f, splat(-0.0f), y);   // z > 10: |result| < 1e-44
}

/// x * sigmoid(a x) (QuickGELU); far negative a x gives -0 rather than -inf * 0.
FN vf quick_gelu_v(vf x, vf a) {
    vf ax = a * x;
    vf y = exp_fast_path(ax) ? times_sigmoid(x, ax, 0) : x * sigmoid_careful(ax);
    return pick(ax < -100.0f, splat(-0.0f), y);
}

// MARK: piecewise linear

/// x * clamp((x + 3) / 6, 0, 1): x + 3 is exact near -3, so the gate keeps its relative
/// accuracy where it starts; x is bounded below by -3 so that -inf gives 0, not NaN.
FN vf hardswish_v(vf x) {
    vf gate = clamp((x + 3.0f) * (1.0f / 6.0f), splat(0.0f), splat(1.0f));
    return pick(x < -3.0f, splat(-3.0f), x) * gate;
}

FN vf hardsigmoid_v(vf x, vf alpha, vf beta) {
    return clamp(madd(x, alpha, beta), splat(0.0f), splat(1.0f));
}

#endif
