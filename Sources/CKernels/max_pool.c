// Max pooling with a 3x3 window at stride 2 (ResNet's stem pool), straight from the input plane:
// no padded copy. Each output row takes the maximum of its (up to) three input rows column by
// column, then of each window's three columns: two-source permutes pick the even and odd
// columns of 32, and lane shifts the window's third column. Columns outside the input are
// masked loads that read -inf (masked lanes never touch memory), so any padding and ceil_mode
// overhang work. AVX-512 only; elsewhere the caller keeps its generic path.
#include "CKernels.h"
#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define TARGET __attribute__((target("avx512f")))

/// Lanes i with 0 <= first + i < width.
static inline TARGET __mmask16 columns_inside(long first, long width) {
    const long lo = first < 0 ? -first : 0;
    long hi = width - first;
    if (hi > 16) hi = 16;
    if (hi <= lo) return 0;
    return (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
}

/// The maximum over `count` rows of the 16 columns from `first` (-inf outside the row).
static inline TARGET __m512 rows_maximum(const float *const rows[3], int count, long first, long width) {
    const __mmask16 inside = columns_inside(first, width);
    const __m512 none = _mm512_set1_ps(-INFINITY);
    __m512 v = none;
    for (int r = 0; r < count; r++)
        v = _mm512_max_ps(v, _mm512_mask_loadu_ps(none, inside, (const char *)rows[r] + first * (long)sizeof(float)));
    return v;
}

TARGET static void max_pool_3x3s2_avx512(const float *input, long ih, long iw, float *output, long oh, long ow,
                                         long pad_top, long pad_left) {
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (long oy = 0; oy < oh; oy++) {
        const float *rows[3];
        int count = 0;
        for (long iy = 2 * oy - pad_top; iy < 2 * oy - pad_top + 3; iy++)
            if (iy >= 0 && iy < ih) rows[count++] = input + iy * iw;
        float *out = output + oy * ow;
        long first = -pad_left;   // input column under window 0's first tap
        __m512 low = rows_maximum(rows, count, first, iw);
        for (long ox = 0; ox < ow; ox += 16, first += 32) {
            // Columns first ... first + 47 (the last block only needs first + 32).
            const __m512 high = rows_maximum(rows, count, first + 16, iw);
            const __m512 next = rows_maximum(rows, count, first + 32, iw);
            const __m512 left = _mm512_permutex2var_ps(low, evens, high);
            const __m512 middle = _mm512_permutex2var_ps(low, odds, high);
            const __m512 shiftedLow = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(high), _mm512_castps_si512(low), 2));
            const __m512 shiftedHigh = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(high), 2));
            const __m512 right = _mm512_permutex2var_ps(shiftedLow, evens, shiftedHigh);
            const __m512 result = _mm512_max_ps(_mm512_max_ps(left, middle), right);
            const long rest = ow - ox;
            if (rest >= 16) _mm512_storeu_ps(out + ox, result);
            else _mm512_mask_storeu_ps(out + ox, (__mmask16)((1u << rest) - 1), result);
            low = next;
        }
    }
}
#endif

int imgvec_max_pool_3x3s2(const float *input, long input_height, long input_width, float *output,
                          long output_height, long output_width, long pad_top, long pad_left) {
#if defined(__x86_64__)
    if (imgvec_sgemm_active_kernel() == IMGVEC_SGEMM_KERNEL_AVX512) {
        max_pool_3x3s2_avx512(input, input_height, input_width, output, output_height, output_width, pad_top, pad_left);
        return 1;
    }
#endif
    (void)input; (void)input_height; (void)input_width; (void)output;
    (void)output_height; (void)output_width; (void)pad_top; (void)pad_left;
    return 0;
}
