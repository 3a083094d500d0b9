// Depthwise convolution (one 2-D filter per channel) with bias and an activation fused.
// Three paths; imgvec_depthwise_uses_rows / imgvec_depthwise_uses_blocks pick one per shape
// and instruction set:
// - rows (depthwise_rows_body.h, AVX-512, wide planes, 3x3 kernels and 5x5 at stride 2):
//   blocks of 4 output rows x 32 columns computed straight from the NCHW planes, each input
//   row's tap vectors made once (at stride 2 from one even/odd split), the borders by masked
//   loads; no scratch.
// - channel-blocked (depthwise_blocked_body.h): 16 / 8 / 4 channels of one image at a time
//   are transposed into a [row][column][channel] band of scratch; each output pixel is a
//   vector over the block's channels (one FMA per tap, pixels of narrow planes packed
//   across rows), transposed back into NCHW with the activation on the way.
// - per plane (depthwise_body.h): the plane is copied into scratch with its zero padding
//   explicit and, for a horizontal stride s > 1, its columns split into s phases, so the
//   input under any tap of output column ox is a contiguous run: blocks of 4 output rows x
//   one vector of columns, taps unrolled for 3x3 and 5x5.
// The last two are compiled for AVX-512, AVX2+FMA (per-function target attributes, so the library
// runs on any x86-64) and portable C; the CPU is asked once (cpu_features.c).
#include "CKernels.h"
#include "env_switch.h"
#include <stdlib.h>
#include <string.h>

/// The blocked path's scratch (float offsets, 64-byte aligned) and band geometry: bands of
/// `band_rows` output rows; band rows of `width` columns x lanes floats; `table` places each
/// input float of a band's input rows (see gather_band in depthwise_blocked_body.h).
typedef struct dw_blocked_layout {
    long band_rows, width, offsets_at, table_at, weights_at, out_at, band_at, wrap_at, total;
} dw_blocked_layout;

#if defined(__x86_64__)
#include <immintrin.h>

#define DW_VEC dw_v16
#define DW_LANES 16
#define DW_TARGET __attribute__((target("avx512f")))
#define DW_NAME(x) dw_avx512_##x
#define DW_STORE_PARTIAL(p, v, n) _mm512_mask_storeu_ps((p), (__mmask16)((1u << (n)) - 1), (__m512)(v))
#define DW_LOAD_PARTIAL(p, n) ((dw_v16)_mm512_maskz_loadu_ps((__mmask16)((1u << (n)) - 1), (p)))
#define DW_SPLAT(x) ((dw_v16)_mm512_set1_ps(x))
#define DW_MIN(a, b) ((dw_v16)_mm512_min_ps((__m512)(a), (__m512)(b)))
#define DW_MAX(a, b) ((dw_v16)_mm512_max_ps((__m512)(a), (__m512)(b)))
#define DW_EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define DW_ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#define DW_IVEC dw_i16
#define DW_RCP_ESTIMATE(x) ((dw_v16)_mm512_rcp14_ps((__m512)(x)))
#define DW_ILO_LANES 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23
#define DW_IHI_LANES 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31
typedef float dw_v16 __attribute__((vector_size(64)));
typedef int dw_i16 __attribute__((vector_size(64)));
// Sigmoid and SiLU as the vector-math library computes them (vscalefps for 2^n, no clamps in
// range): the same bits as the convolutions' fused SiLU, and fewer operations than the portable exp.
#define IMGVEC_VMATH_WIDTH 16
#define IMGVEC_VMATH_ISA 512
#define IMGVEC_VMATH_TARGET DW_TARGET
#define IMGVEC_VMATH_HAS_FMA 1
#include "vmath_functions.h"
#define DW_VMATH 1
#include "depthwise_activation.h"
#include "depthwise_body.h"
#include "depthwise_blocked_body.h"
#include "depthwise_rows_body.h"
#undef DW_VMATH
#undef DW_IVEC
#undef DW_TRANSPOSE
#undef DW_RCP_ESTIMATE
#undef DW_ILO_LANES
#undef DW_IHI_LANES
#undef DW_VEC
#undef DW_LANES
#undef DW_TARGET
#undef DW_NAME
#undef DW_STORE_PARTIAL
#undef DW_SPLAT
#undef DW_LOAD_PARTIAL
#undef DW_MIN
#undef DW_MAX
#undef DW_EVEN_LANES
#undef DW_ODD_LANES

static const int dw_avx2_mask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
#define DW_VEC dw_v8
#define DW_LANES 8
#define DW_TARGET __attribute__((target("avx2,fma")))
#define DW_NAME(x) dw_avx2_##x
#define DW_STORE_PARTIAL(p, v, n) \
    _mm256_maskstore_ps((p), _mm256_loadu_si256((const __m256i *)(dw_avx2_mask + 8 - (n))), (__m256)(v))
#define DW_LOAD_PARTIAL(p, n) \
    ((dw_v8)_mm256_maskload_ps((p), _mm256_loadu_si256((const __m256i *)(dw_avx2_mask + 8 - (n)))))
#define DW_SPLAT(x) ((dw_v8)_mm256_set1_ps(x))
#define DW_MIN(a, b) ((dw_v8)_mm256_min_ps((__m256)(a), (__m256)(b)))
#define DW_MAX(a, b) ((dw_v8)_mm256_max_ps((__m256)(a), (__m256)(b)))
#define DW_EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14
#define DW_ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15
#define DW_IVEC dw_i8
#define DW_TRANSPOSE(v) dw_avx2_transpose8(v)
#define DW_RCP_ESTIMATE(x) ((dw_v8)_mm256_rcp_ps((__m256)(x)))
#define DW_ILO_LANES 0, 8, 1, 9, 2, 10, 3, 11
#define DW_IHI_LANES 4, 12, 5, 13, 6, 14, 7, 15
typedef float dw_v8 __attribute__((vector_size(32)));
typedef int dw_i8 __attribute__((vector_size(32)));
/// 8x8 transpose in registers: in-lane unpacks and shuffles, then 128-bit lane swaps (24
/// shuffles; the generic interleave rounds need twice as many on AVX2).
static inline __attribute__((always_inline)) DW_TARGET
void dw_avx2_transpose8(dw_v8 *v) {
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps((__m256)v[i], (__m256)v[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps((__m256)v[i], (__m256)v[i + 1]);
    }
    for (int h = 0; h < 8; h += 4) {
        s[h] = _mm256_shuffle_ps(t[h], t[h + 2], 0x44);
        s[h + 1] = _mm256_shuffle_ps(t[h], t[h + 2], 0xEE);
        s[h + 2] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44);
        s[h + 3] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        v[i] = (dw_v8)_mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        v[i + 4] = (dw_v8)_mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}
#include "depthwise_activation.h"
#include "depthwise_body.h"
#include "depthwise_blocked_body.h"
#undef DW_IVEC
#undef DW_TRANSPOSE
#undef DW_RCP_ESTIMATE
#undef DW_ILO_LANES
#undef DW_IHI_LANES
#undef DW_VEC
#undef DW_LANES
#undef DW_TARGET
#undef DW_NAME
#undef DW_STORE_PARTIAL
#undef DW_SPLAT
#undef DW_LOAD_PARTIAL
#undef DW_MIN
#undef DW_MAX
#undef DW_EVEN_LANES
#undef DW_ODD_LANES
#endif

#define DW_VEC dw_v4
#define DW_LANES 4
#define DW_TARGET
#define DW_NAME(x) dw_portable_##x
#define DW_STORE_PARTIAL(p, v, n) __builtin_memcpy((p), &(v), (size_t)(n) * sizeof(float))
#define DW_LOAD_PARTIAL(p, n) dw_portable_load_partial((p), (n))
#define DW_SPLAT(x) ((dw_v4){(x), (x), (x), (x)})
#define DW_MIN(a, b) __builtin_elementwise_min((a), (b))
#define DW_MAX(a, b) __builtin_elementwise_max((a), (b))
#define DW_EVEN_LANES 0, 2, 4, 6
#define DW_ODD_LANES 1, 3, 5, 7
#define DW_IVEC dw_i4
#define DW_ILO_LANES 0, 4, 1, 5
#define DW_IHI_LANES 2, 6, 3, 7
typedef float dw_v4 __attribute__((vector_size(16)));
typedef int dw_i4 __attribute__((vector_size(16)));
static inline dw_v4 dw_portable_load_partial(const float *p, long n) {
    dw_v4 v = {0};
    __builtin_memcpy(&v, p, (size_t)n * sizeof(float));
    return v;
}
#include "depthwise_activation.h"
#include "depthwise_body.h"
#include "depthwise_blocked_body.h"

/// The padded, phase-split copy: `rows` padded rows of `row_stride` floats per phase.
typedef struct dw_layout { long rows, row_stride, phases, taps, offset_floats; } dw_layout;

static dw_layout dw_layout_for(const imgvec_depthwise_shape *s) {
    dw_layout l;
    const long rounded_width = (s->output_width + 15) / 16 * 16;
    l.rows = (s->output_height - 1) * s->stride_height + (s->kernel_height - 1) * s->dilation_height + 1;
    // Room for a 16-float load at any output column plus the widest tap offset, 64-byte rows.
    l.row_stride = (rounded_width + (s->kernel_width - 1) * s->dilation_width / s->stride_width + 1 + 15) / 16 * 16;
    l.phases = s->stride_width;
    l.taps = s->kernel_height * s->kernel_width;
    l.offset_floats = (2 * l.taps + 15) / 16 * 16;   // the tap offsets (longs) come first
    return l;
}

static int dw_shape_valid(const imgvec_depthwise_shape *s) {
    return s->input_height > 0 && s->input_width > 0 && s->output_height > 0 && s->output_width > 0
        && s->kernel_height > 0 && s->kernel_width > 0 && s->stride_height > 0 && s->stride_width > 0
        && s->dilation_height > 0 && s->dilation_width > 0 && s->pad_top >= 0 && s->pad_left >= 0;
}

long imgvec_depthwise_scratch_floats(const imgvec_depthwise_shape *s) {
    if (!dw_shape_valid(s)) return 0;
    dw_layout l = dw_layout_for(s);
    return l.offset_floats + l.rows * l.row_stride * l.phases;
}

/// The per-plane path: each plane padded (phase-split) into scratch, vectors along rows.
static void dw_planar(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *s, long channels, long first_plane,
                      long plane_count, const float *input, const float *weights, const float *bias,
                      const imgvec_depthwise_activation *act, float *output, float *scratch) {
    const dw_layout l = dw_layout_for(s);
    long *offsets = (long *)(void *)scratch;
    float *padded = scratch + l.offset_floats;
    const long phase_size = l.rows * l.row_stride;
    for (long ky = 0; ky < s->kernel_height; ky++)
        for (long kx = 0; kx < s->kernel_width; kx++) {
            const long column = kx * s->dilation_width;
            offsets[ky * s->kernel_width + kx] = ky * s->dilation_height * l.row_stride
                + (column % s->stride_width) * phase_size + column / s->stride_width;
        }
    const long row_step = s->stride_height * l.row_stride, oh = s->output_height, ow = s->output_width;
    const long in_plane = s->input_height * s->input_width, out_plane = oh * ow;
    const int taps = (int)l.taps;
    for (long p = first_plane; p < first_plane + plane_count; p++) {
        const long channel = p % channels;
        const float *x = input + p * in_plane, *w = weights + channel * taps;
        const float b = bias ? bias[channel] : 0.0f;
        float *y = output + p * out_plane;
        switch (isa) {
#if defined(__x86_64__)
        case IMGVEC_SGEMM_KERNEL_AVX512:
            dw_avx512_fill(s, l.rows, l.row_stride, phase_size, x, padded);
            dw_avx512_plane(taps, padded, row_step, offsets, w, b, act, y, oh, ow);
            break;
        case IMGVEC_SGEMM_KERNEL_AVX2:
            dw_avx2_fill(s, l.rows, l.row_stride, phase_size, x, padded);
            dw_avx2_plane(taps, padded, row_step, offsets, w, b, act, y, oh, ow);
            break;
#endif
        default:
            dw_portable_fill(s, l.rows, l.row_stride, phase_size, x, padded);
            dw_portable_plane(taps, padded, row_step, offsets, w, b, act, y, oh, ow);
            break;
        }
    }
}

int imgvec_depthwise_planes(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *s, long channels,
                            long first_plane, long plane_count, const float *input, const float *weights,
                            const float *bias, int clamp, float lo, float hi, float *output, float *scratch) {
    if (isa == IMGVEC_SGEMM_KERNEL_AUTO) isa = imgvec_sgemm_active_kernel();
    if (!imgvec_sgemm_kernel_available(isa) || !dw_shape_valid(s) || channels <= 0) return -1;
    const imgvec_depthwise_activation act = { clamp ? IMGVEC_DEPTHWISE_CLAMP : IMGVEC_DEPTHWISE_NONE, lo, hi };
    dw_planar(isa, s, channels, first_plane, plane_count, input, weights, bias, &act, output, scratch);
    return 0;
}

long imgvec_depthwise_block_channels(imgvec_sgemm_kernel isa) {
    if (isa == IMGVEC_SGEMM_KERNEL_AUTO) isa = imgvec_sgemm_active_kernel();
    switch (isa) {
#if defined(__x86_64__)
    case IMGVEC_SGEMM_KERNEL_AVX512: return 16;
    case IMGVEC_SGEMM_KERNEL_AVX2: return 8;
#endif
    default: return 4;
    }
}

/// The blocked path's layout for `s` (16 lanes: an upper bound for fewer). Band rows hold
/// every output column's taps and every input column, so each input row lands whole.
static dw_blocked_layout dw_blocked_layout_for(const imgvec_depthwise_shape *s) {
    dw_blocked_layout l;
    const long taps = s->kernel_height * s->kernel_width;
    const long reach = (s->output_width - 1) * s->stride_width + (s->kernel_width - 1) * s->dilation_width + 1;
    l.width = reach > s->pad_left + s->input_width ? reach : s->pad_left + s->input_width;
    const long row_floats = l.width * 16, budget = 24 * 1024;
    const long span = (s->kernel_height - 1) * s->dilation_height + 1;
    long rows = (budget - span * row_floats) / (s->stride_height * row_floats) + 1;
    if (rows < 1) rows = 1;
    l.band_rows = rows < s->output_height ? rows : s->output_height;
    const long input_rows = (l.band_rows - 1) * s->stride_height + span;
    const long table_ints = input_rows * s->input_width;
    l.offsets_at = 0;
    l.table_at = (2 * taps + 15) / 16 * 16;
    l.weights_at = l.table_at + (table_ints + 15) / 16 * 16;
    l.out_at = l.weights_at + (taps * 16 + 16 + 15) / 16 * 16;
    l.band_at = l.out_at + (l.band_rows * s->output_width + 2 * DW_BLOCK_PIXELS + 15) / 16 * 16 * 16;
    l.wrap_at = l.band_at + input_rows * l.width * 16;
    l.total = l.wrap_at + (16 * taps + 16 + 15) / 16 * 16;
    return l;
}

/// Narrowest output row the row path takes (3x3 kernels only), by stride. Measured on a
/// Xeon (one layer, alternating with the blocked path): 3x3 stride 1 at 112, 56 and 28 columns
/// 0.59-0.93x the blocked path's time, at 14 0.88-1.27x; 5x5 1.04-2.3x (each input row's five
/// tap vectors cost five loads or permutes, and every weight broadcast feeds at most two
/// vectors). Stride 2 since its taps come from one even/odd split per 32 input values
/// (dw_avx512_stride2_taps), on an EPYC (one-layer models, node time): 64 channels 112 -> 56
/// 0.16 -> 0.10 ms against the previous row path, 240 channels 56 -> 28 0.17 -> 0.09 and
/// 28 -> 14 0.04 -> 0.03 against the blocked path; 14 -> 7 the same. 5x5 at stride 2 (the
/// same split, two more shifted taps) against the blocked path: 72 channels 56 -> 28 with ReLU
/// 0.085 -> 0.055 ms, 144 with SiLU 0.185 -> 0.17, 240 channels 28 -> 14 0.06 -> 0.05.
enum { DW_ROWS_MINIMUM_WIDTH_STRIDE_1 = 28, DW_ROWS_MINIMUM_WIDTH_STRIDE_2 = 14 };

int imgvec_depthwise_uses_rows(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *s) {
#if defined(__x86_64__)
    // IMGVEC_DEPTHWISE_ROWS=0 turns the path off (for comparisons); read once.
    static _Atomic int switch_state = -1;
    const int enabled = imgvec_switch_enabled("IMGVEC_DEPTHWISE_ROWS", &switch_state);
    if (isa == IMGVEC_SGEMM_KERNEL_AUTO) isa = imgvec_sgemm_active_kernel();
    return enabled && isa == IMGVEC_SGEMM_KERNEL_AVX512 && imgvec_sgemm_kernel_available(isa) && dw_shape_valid(s)
        && dw_avx512_has_rows(s)
        && s->output_width >= (s->stride_width == 1 ? DW_ROWS_MINIMUM_WIDTH_STRIDE_1 : DW_ROWS_MINIMUM_WIDTH_STRIDE_2);
#else
    (void)isa; (void)s;
    return 0;
#endif
}

int imgvec_depthwise_splits_rows(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *s) {
    return imgvec_depthwise_uses_rows(isa, s) || imgvec_depthwise_uses_blocks(isa, s);
}

int imgvec_depthwise_uses_blocks(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *s) {
    if (isa == IMGVEC_SGEMM_KERNEL_AUTO) isa = imgvec_sgemm_active_kernel();
    if (imgvec_depthwise_uses_rows(isa, s)) return 0;
    // Measured (Xeon, AVX-512 and AVX2 forced): with 16 lanes and 32 registers the blocked path
    // wins everywhere; with 8 (or 4) lanes the per-plane path still wins (by 5-20%) on wide
    // stride-1 planes with 3x3 or smaller kernels, where its row vectors are full and it needs
    // no transposes.
    if (isa == IMGVEC_SGEMM_KERNEL_AVX512) return 1;
    return !(s->stride_width == 1 && s->output_width >= 32 && s->kernel_height * s->kernel_width <= 9);
}

long imgvec_depthwise_run_scratch_floats(const imgvec_depthwise_shape *s) {
    if (!dw_shape_valid(s)) return 0;
    const long planar = imgvec_depthwise_scratch_floats(s), blocked = dw_blocked_layout_for(s).total;
    return planar > blocked ? planar : blocked;
}

int imgvec_depthwise_run(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *s, long channels,
                         long first_plane, long plane_count, long row_begin, long row_end,
                         const float *input, const float *weights, const float *bias,
                         const imgvec_depthwise_activation *activation, float *output, float *scratch) {
    if (isa == IMGVEC_SGEMM_KERNEL_AUTO) isa = imgvec_sgemm_active_kernel();
    const imgvec_depthwise_activation none = { IMGVEC_DEPTHWISE_NONE, 0, 0 };
    const imgvec_depthwise_activation *act = activation ? activation : &none;
    if (!imgvec_sgemm_kernel_available(isa) || !dw_shape_valid(s) || channels <= 0
        || act->kind < IMGVEC_DEPTHWISE_NONE || act->kind > IMGVEC_DEPTHWISE_SILU) return -1;
    if (row_begin < 0) row_begin = 0;
    if (row_end > s->output_height) row_end = s->output_height;
    const int rows = imgvec_depthwise_uses_rows(isa, s);
    if (!rows && !imgvec_depthwise_uses_blocks(isa, s)) {
        if (row_begin == 0 && row_end == s->output_height)
            dw_planar(isa, s, channels, first_plane, plane_count, input, weights, bias, act, output, scratch);
        return 0;
    }
    if (row_begin >= row_end) return 0;
#if defined(__x86_64__)
    if (rows) {
        dw_avx512_rows(s, channels, first_plane, plane_count, row_begin, row_end, input, weights, bias, act, output);
        return 0;
    }
#endif
    const long lanes = imgvec_depthwise_block_channels(isa);
    const dw_blocked_layout l = dw_blocked_layout_for(s);
    const long in_plane = s->input_height * s->input_width, out_plane = s->output_height * s->output_width;
    const long taps = s->kernel_height * s->kernel_width, last = first_plane + plane_count;
    // Where input float e of a band's input rows goes: row e / iw, column pl + e % iw.
    int *table = (int *)(void *)(scratch + l.table_at);
    const long table_rows = (l.band_rows - 1) * s->stride_height + (s->kernel_height - 1) * s->dilation_height + 1;
    for (long r = 0; r < table_rows; r++)
        for (long ix = 0; ix < s->input_width; ix++) table[r * s->input_width + ix] = (int)(r * l.width + s->pad_left + ix);
    // Tap t's float offset from an output pixel's first input vector in the band.
    long *offsets = (long *)(void *)(scratch + l.offsets_at);
    for (long ky = 0; ky < s->kernel_height; ky++)
        for (long kx = 0; kx < s->kernel_width; kx++)
            offsets[ky * s->kernel_width + kx] = (ky * s->dilation_height * l.width + kx * s->dilation_width) * lanes;
    int zero = 1;
    for (long p = first_plane; p < last;) {
        // A block: up to `lanes` consecutive planes (across images at batch > 1, so channel
        // counts that are not multiples of `lanes` waste lanes only once), ending at a multiple.
        long end = (p / lanes + 1) * lanes;
        if (end > last) end = last;
        const long channel = p % channels;
        const float *x = input + p * in_plane, *w = weights + channel * taps, *b = bias ? bias + channel : NULL;
        if (channel + (end - p) > channels) {
            // The block wraps to the next image's first channels: their taps and biases, contiguous.
            float *wrapped = scratch + l.wrap_at, *wrapped_bias = wrapped + 16 * taps;
            for (long c = 0; c < end - p; c++) {
                const long k = (channel + c) % channels;
                memcpy(wrapped + c * taps, weights + k * taps, (size_t)taps * sizeof(float));
                wrapped_bias[c] = bias ? bias[k] : 0.0f;
            }
            w = wrapped;
            b = wrapped_bias;
        }
        float *y = output + p * out_plane;
        switch (isa) {
#if defined(__x86_64__)
        case IMGVEC_SGEMM_KERNEL_AVX512:
            dw_avx512_block(s, &l, x, end - p, w, b, act, y, row_begin, row_end, zero, scratch);
            break;
        case IMGVEC_SGEMM_KERNEL_AVX2:
            dw_avx2_block(s, &l, x, end - p, w, b, act, y, row_begin, row_end, zero, scratch);
            break;
#endif
        default:
            dw_portable_block(s, &l, x, end - p, w, b, act, y, row_begin, row_end, zero, scratch);
            break;
        }
        p = end;
        zero = 0;
    }
    return 0;
}
