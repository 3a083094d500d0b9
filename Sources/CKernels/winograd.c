// Winograd F(4x4, 3x3) transforms for 3x3 stride-1 convolutions (the 36 GEMMs between them
// run in the engine). The loops live in winograd_body.h, compiled for AVX-512, AVX2+FMA
// (per-function target attributes, so the library runs on any x86-64) and portable C;
// the CPU is asked once (cpu_features.c).
#include "CKernels.h"
#include <stddef.h>

#pragma clang diagnostic ignored "-Wpsabi"   // the portable build passes 8-lane vectors only to inlined helpers

typedef float wg_v8 __attribute__((vector_size(32)));
typedef float wg_v16 __attribute__((vector_size(64)));

#define WG_V wg_v8
#define WG_LANES 8
#if defined(__x86_64__)
#define WG_TARGET __attribute__((target("avx512f")))
#define WG_NAME(x) wg_avx512_##x
#include "winograd_body.h"
#undef WG_TARGET
#undef WG_NAME

#define WG_TARGET __attribute__((target("avx2,fma")))
#define WG_NAME(x) wg_avx2_##x
#include "winograd_body.h"
#undef WG_TARGET
#undef WG_NAME
#endif

#define WG_TARGET
#define WG_NAME(x) wg_portable_##x
#include "winograd_body.h"
#undef WG_TARGET
#undef WG_NAME
#undef WG_V
#undef WG_LANES

// AVX-512 with 16 tiles per vector, for tile rows wider than 8 tiles (planes of 36 pixels
// and more): half the instructions of the 8-lane version there.
#if defined(__x86_64__)
#define WG_V wg_v16
#define WG_LANES 16
#define WG_TARGET __attribute__((target("avx512f")))
#define WG_NAME(x) wg_avx512x16_##x
#include "winograd_body.h"
#undef WG_TARGET
#undef WG_NAME
#undef WG_V
#undef WG_LANES
#endif

/// Whether the AVX-512 transforms take 16 tiles per vector for this shape.
static int wg_wide_vectors(const imgvec_winograd_shape *s) { return s->tiles_x > 8; }

static int wg_shape_valid(const imgvec_winograd_shape *s) {
    return s->channels > 0 && s->input_height > 0 && s->input_width > 0 && s->output_height > 0
        && s->output_width > 0 && s->pad_top >= 0 && s->pad_left >= 0
        && s->tiles_y == (s->output_height + 3) / 4 && s->tiles_x == (s->output_width + 3) / 4;
}

long imgvec_winograd_input_scratch_floats(const imgvec_winograd_shape *s) {
    if (!wg_shape_valid(s)) return 0;
    // One padded row and 6 rows of 4 phases, for the widest vectors any instruction set uses.
    const long lanes = 16, groups = (s->tiles_x + lanes - 1) / lanes + 1;
    return 7 * 4 * lanes * groups;
}

int imgvec_winograd_input(imgvec_sgemm_kernel isa, const imgvec_winograd_shape *s, const float *input,
                          long first_row, long row_count, float *v, long ldv, long position_stride, float *scratch) {
    if (isa == IMGVEC_SGEMM_KERNEL_AUTO) isa = imgvec_sgemm_active_kernel();
    if (!imgvec_sgemm_kernel_available(isa) || !wg_shape_valid(s) || first_row < 0 || row_count < 0) return -1;
    switch (isa) {
#if defined(__x86_64__)
    case IMGVEC_SGEMM_KERNEL_AVX512:
        if (wg_wide_vectors(s)) {
            wg_avx512x16_input(s, input, first_row, row_count, v, ldv, position_stride, scratch);
            break;
        }
        wg_avx512_input(s, input, first_row, row_count, v, ldv, position_stride, scratch);
        break;
    case IMGVEC_SGEMM_KERNEL_AVX2:
        wg_avx2_input(s, input, first_row, row_count, v, ldv, position_stride, scratch);
        break;
#endif
    default:
        wg_portable_input(s, input, first_row, row_count, v, ldv, position_stride, scratch);
        break;
    }
    return 0;
}

int imgvec_winograd_output(imgvec_sgemm_kernel isa, const imgvec_winograd_shape *s, long out_channels,
                           const float *m, long ldm, long position_stride, long first_row, long row_count,
                           const float *bias, int clamp, float lo, float hi, int max_pool, float *output) {
    if (isa == IMGVEC_SGEMM_KERNEL_AUTO) isa = imgvec_sgemm_active_kernel();
    if (!imgvec_sgemm_kernel_available(isa) || !wg_shape_valid(s) || out_channels <= 0
        || first_row < 0 || row_count < 0) return -1;
    switch (isa) {
#if defined(__x86_64__)
    case IMGVEC_SGEMM_KERNEL_AVX512:
        if (wg_wide_vectors(s)) {
            wg_avx512x16_output(s, out_channels, m, ldm, position_stride, first_row, row_count, bias, clamp, lo, hi, max_pool, output);
            break;
        }
        wg_avx512_output(s, out_channels, m, ldm, position_stride, first_row, row_count, bias, clamp, lo, hi, max_pool, output);
        break;
    case IMGVEC_SGEMM_KERNEL_AVX2:
        wg_avx2_output(s, out_channels, m, ldm, position_stride, first_row, row_count, bias, clamp, lo, hi, max_pool, output);
        break;
#endif
    default:
        wg_portable_output(s, out_channels, m, ldm, position_stride, first_row, row_count, bias, clamp, lo, hi, max_pool, output);
        break;
    }
    return 0;
}
