// The activations fused into the depthwise kernels' epilogue, on one vector, written once
// with vector extensions and instantiated per instruction set by depthwise_conv.c (needs
// DW_VEC, DW_IVEC (same-size int vector), DW_SPLAT, DW_MIN, DW_MAX, DW_TARGET, DW_NAME).
// Not a public header. exp is a small self-contained one (|relative error| < 2e-7 on the
// clamped range), so the kernels do not depend on the vector-math library.

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

/// Applies activation `kind` (IMGVEC_DEPTHWISE_*) with parameters a, b to v[0..<count].
static inline __attribute__((always_inline)) DW_TARGET
void DW_NAME(activate)(int kind, float a, float b, DW_VEC *v, int count) {
    const DW_VEC one = DW_SPLAT(1.0f), zero = DW_SPLAT(0.0f);
    switch (kind) {
    case IMGVEC_DEPTHWISE_CLAMP: {
        const DW_VEC lo = DW_SPLAT(a), hi = DW_SPLAT(b);
        for (int i = 0; i < count; i++) v[i] = DW_MIN(DW_MAX(v[i], lo), hi);
        break;
    }
    case IMGVEC_DEPTHWISE_HARD_SWISH:
        for (int i = 0; i < count; i++) v[i] = v[i] * DW_MIN(DW_MAX(v[i] * (1.0f / 6.0f) + 0.5f, zero), one);
        break;
    case IMGVEC_DEPTHWISE_HARD_SIGMOID:
        for (int i = 0; i < count; i++) v[i] = DW_MIN(DW_MAX(v[i] * a + b, zero), one);
        break;
    case IMGVEC_DEPTHWISE_SIGMOID:
        for (int i = 0; i < count; i++) v[i] = one / (one + DW_NAME(exp)(-v[i]));
        break;
    case IMGVEC_DEPTHWISE_SILU:
        for (int i = 0; i < count; i++) v[i] = v[i] / (one + DW_NAME(exp)(v[i] * -a));
        break;
    default:
        break;
    }
}
