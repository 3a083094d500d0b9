// The activations fused into the depthwise kernels' epilogue, on one vector, written once
// with vector extensions and instantiated per instruction set by depthwise_conv.c (needs
// DW_VEC, DW_IVEC (same-size int vector), DW_SPLAT, DW_MIN, DW_MAX, DW_TARGET, DW_NAME).
// Not a public header. With DW_VMATH defined (the AVX-512 instance, after vmath_functions.h),
// sigmoid and SiLU are the vector-math library's, as the convolutions' epilogues compute them;
// elsewhere exp is a small self-contained one (|relative error| < 2e-7 on the clamped range).

/// e^x for x clamped to [-87, 88] (results stay normal): 2^n * p(r), r = x - n ln2.
static inline __attribute__((always_inline)) DW_TARGET
DW_VEC DW_NAME(exp)(DW_VEC x) {
    x = DW_MIN(DW_MAX(x, DW_SPLAT(-87.0f)), DW_SPLAT(88.0f));
    const DW_VEC magic = DW_SPLAT(12582912.0f);   // 1.5 * 2^23: adding it rounds to an integer
    const DW_VEC n = (x * 1.44269504088896341f + magic) - magic;
    const DW_VEC r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
    DW_VEC p = DW_SPLAT(1.0f / 720.0f);
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const DW_IVEC bits = (__builtin_convertvector(n, DW_IVEC) + 127) << 23;
    return p * (DW_VEC)bits;
}

/// 1 / x: the instruction set's estimate refined by Newton steps (two after a 12-bit
/// estimate, one after a 14-bit one), else a division.
static inline __attribute__((always_inline)) DW_TARGET
DW_VEC DW_NAME(reciprocal)(DW_VEC x) {
#ifdef DW_RCP_ESTIMATE
    DW_VEC r = DW_RCP_ESTIMATE(x);
    r = r * (2.0f - x * r);
    if (DW_LANES == 8) r = r * (2.0f - x * r);
    return r;
#else
    return 1.0f / x;
#endif
}

/// Activation `kind` (IMGVEC_DEPTHWISE_*, a constant at the call sites that matter) with
/// parameters a, b on one vector.
static inline __attribute__((always_inline)) DW_TARGET
DW_VEC DW_NAME(activate)(const int kind, float a, float b, DW_VEC v) {
    const DW_VEC one = DW_SPLAT(1.0f), zero = DW_SPLAT(0.0f);
    switch (kind) {
    case IMGVEC_DEPTHWISE_CLAMP: return DW_MIN(DW_MAX(v, DW_SPLAT(a)), DW_SPLAT(b));
    case IMGVEC_DEPTHWISE_HARD_SWISH: return v * DW_MIN(DW_MAX(v * (1.0f / 6.0f) + 0.5f, zero), one);
    case IMGVEC_DEPTHWISE_HARD_SIGMOID: return DW_MIN(DW_MAX(v * a + b, zero), one);
#ifdef DW_VMATH
    case IMGVEC_DEPTHWISE_SIGMOID: return (DW_VEC)sigmoid_v((vf)v);
    case IMGVEC_DEPTHWISE_SILU: return (DW_VEC)(a == 1.0f ? silu_v((vf)v) : quick_gelu_v((vf)v, splat(a)));
#else
    case IMGVEC_DEPTHWISE_SIGMOID: return DW_NAME(reciprocal)(one + DW_NAME(exp)(-v));
    case IMGVEC_DEPTHWISE_SILU: return v * DW_NAME(reciprocal)(one + DW_NAME(exp)(v * -a));
#endif
    default: return v;
    }
}

/// Expands STEP(KIND) once per activation kind, KIND a constant, switching on `kind`.
#define DW_FOR_ACTIVATION(kind, STEP) \
    switch (kind) { \
    case IMGVEC_DEPTHWISE_CLAMP: STEP(IMGVEC_DEPTHWISE_CLAMP); break; \
    case IMGVEC_DEPTHWISE_HARD_SWISH: STEP(IMGVEC_DEPTHWISE_HARD_SWISH); break; \
    case IMGVEC_DEPTHWISE_HARD_SIGMOID: STEP(IMGVEC_DEPTHWISE_HARD_SIGMOID); break; \
    case IMGVEC_DEPTHWISE_SIGMOID: STEP(IMGVEC_DEPTHWISE_SIGMOID); break; \
    case IMGVEC_DEPTHWISE_SILU: STEP(IMGVEC_DEPTHWISE_SILU); break; \
    default: STEP(IMGVEC_DEPTHWISE_NONE); break; \
    }
