// Streaming JPEG decode fused with Pillow's horizontal resampling pass: the scanlines a
// resize-and-crop needs are resampled as they come out of libjpeg, so a 12-megapixel photo
// never exists in memory as a whole (no 36 MB buffer to fault in, zero and read back).
#include "jpeg_support.h"

#include <stdlib.h>

#define IMGC_PRECISION_BITS 22
#define IMGC_HALF (1u << (IMGC_PRECISION_BITS - 1))

/// Pillow's clip8: drop the 22 fractional bits (arithmetic shift) and clamp to 0...255.
static inline uint8_t imgc_clip8(uint32_t accumulator) {
    const int32_t value = (int32_t)accumulator >> IMGC_PRECISION_BITS;
    return value < 0 ? 0 : (value > 255 ? 255 : (uint8_t)value);
}

/// Weights expanded per byte for the vector row pass: slot `i` holds w0,w0,w0,w1,w1,w1,...
/// (`3 * counts[i]` values), zero-padded to `stride` (a multiple of 24).
typedef struct { int32_t *weights; long stride; } imgc_expanded_weights;

static long imgc_expanded_stride(const imgc_resample_axis *axis) { return (3 * axis->stride + 23) / 24 * 24; }

static void imgc_expand_weights(const imgc_resample_axis *axis, imgc_expanded_weights expanded) {
    for (long slot = 0; slot < axis->count; slot++) {
        int32_t *target = expanded.weights + slot * expanded.stride;
        const int32_t *k = axis->weights + slot * axis->stride;
        long j = 0;
        for (long t = 0; t < axis->counts[slot]; t++, j += 3) target[j] = target[j + 1] = target[j + 2] = k[t];
        for (; j < expanded.stride; j++) target[j] = 0;
    }
}

/// One output pixel, scalar. Sums wrap as unsigned 32-bit integers, exactly like Pillow's int
/// accumulators on realistic inputs (and without C's signed overflow).
static inline void imgc_resample_pixel(const uint8_t *row, const imgc_resample_axis *axis, long slot, uint8_t *out) {
    const int32_t *k = axis->weights + slot * axis->stride;
    const uint8_t *pixel = row + axis->starts[slot] * 3;
    uint32_t r = IMGC_HALF, g = IMGC_HALF, b = IMGC_HALF;
    for (long t = 0; t < axis->counts[slot]; t++, pixel += 3) {
        const uint32_t w = (uint32_t)k[t];
        r += pixel[0] * w;
        g += pixel[1] * w;
        b += pixel[2] * w;
    }
    out[0] = imgc_clip8(r);
    out[1] = imgc_clip8(g);
    out[2] = imgc_clip8(b);
}

/// `row_count` rows through the pass (row pointers `rows`, outputs `outs`).
typedef void (*imgc_row_pass)(const uint8_t *const *rows, int row_count, long row_bytes, const imgc_resample_axis *axis,
                              imgc_expanded_weights expanded, uint8_t *const *outs);

static void imgc_resample_rows_scalar(const uint8_t *const *rows, int row_count, long row_bytes,
                                      const imgc_resample_axis *axis, imgc_expanded_weights expanded, uint8_t *const *outs) {
    (void)row_bytes; (void)expanded;
    for (int r = 0; r < row_count; r++)
        for (long slot = 0; slot < axis->count; slot++) imgc_resample_pixel(rows[r], axis, slot, outs[r] + 3 * slot);
}

#if defined(__x86_64__)
#include <immintrin.h>
/// AVX2, `N` rows at once (N is a constant at each call site): 24 bytes (8 RGB pixels) of taps
/// per step, widened to 32-bit lanes and multiplied by the expanded weights, which are loaded
/// once for all N rows. Integer sums do not depend on order: bit-identical to the scalar loop.
/// A slot whose 24-byte steps would read past `row_bytes` takes the scalar loop.
static inline __attribute__((always_inline, target("avx2")))
void imgc_resample_block_avx2(const int N, const uint8_t *const *rows, long row_bytes, const imgc_resample_axis *axis,
                              imgc_expanded_weights expanded, uint8_t *const *outs) {
    for (long slot = 0; slot < axis->count; slot++) {
        const long first = axis->starts[slot] * 3, bytes = axis->counts[slot] * 3;
        const long steps = (bytes + 23) / 24;
        if (first + steps * 24 > row_bytes) {
            for (int r = 0; r < N; r++) imgc_resample_pixel(rows[r], axis, slot, outs[r] + 3 * slot);
            continue;
        }
        const int32_t *w = expanded.weights + slot * expanded.stride;
        __m256i acc[4][3];
        for (int r = 0; r < N; r++) acc[r][0] = acc[r][1] = acc[r][2] = _mm256_setzero_si256();
        for (long s = 0; s < steps; s++) {
            const long at = first + 24 * s;
            for (int part = 0; part < 3; part++) {
                const __m256i weight = _mm256_loadu_si256((const __m256i *)(w + 24 * s + 8 * part));
                for (int r = 0; r < N; r++) {
                    const __m256i pixels = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(rows[r] + at + 8 * part)));
                    acc[r][part] = _mm256_add_epi32(acc[r][part], _mm256_mullo_epi32(pixels, weight));
                }
            }
        }
        // acc[r][0..2] stored back to back hold bytes 24s + l (l < 24): channel l % 3.
        for (int r = 0; r < N; r++) {
            uint32_t lanes[24];
            for (int part = 0; part < 3; part++) _mm256_storeu_si256((__m256i *)(lanes + 8 * part), acc[r][part]);
            uint32_t red = IMGC_HALF, green = IMGC_HALF, blue = IMGC_HALF;
            for (int l = 0; l < 24; l += 3) { red += lanes[l]; green += lanes[l + 1]; blue += lanes[l + 2]; }
            uint8_t *out = outs[r] + 3 * slot;
            out[0] = imgc_clip8(red);
            out[1] = imgc_clip8(green);
            out[2] = imgc_clip8(blue);
        }
    }
}

__attribute__((target("avx2")))
static void imgc_resample_rows_avx2(const uint8_t *const *rows, int row_count, long row_bytes,
                                    const imgc_resample_axis *axis, imgc_expanded_weights expanded, uint8_t *const *outs) {
    int r = 0;
    for (; r + 4 <= row_count; r += 4) imgc_resample_block_avx2(4, rows + r, row_bytes, axis, expanded, outs + r);
    for (; r < row_count; r++) imgc_resample_block_avx2(1, rows + r, row_bytes, axis, expanded, outs + r);
}
#endif

/// The row pass for this CPU (asked at run time: never a compile-time assumption).
static imgc_row_pass imgc_select_row_pass(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return imgc_resample_rows_avx2;
#endif
    return imgc_resample_rows_scalar;
}

void imgc_resample_rows(const uint8_t *source, long source_stride, long row_count,
                        const imgc_resample_axis *axis, uint8_t *destination) {
    imgc_expanded_weights expanded = { NULL, imgc_expanded_stride(axis) };
    expanded.weights = malloc((size_t)(axis->count * expanded.stride) * sizeof(int32_t) + 1);
    imgc_row_pass pass = expanded.weights ? imgc_select_row_pass() : imgc_resample_rows_scalar;
    if (expanded.weights) imgc_expand_weights(axis, expanded);
    // A row is read only within its own `source_stride` bytes (never past the last row's end).
    for (long y = 0; y < row_count; y += 4) {
        const uint8_t *rows[4];
        uint8_t *outs[4];
        const int block = row_count - y < 4 ? (int)(row_count - y) : 4;
        for (int r = 0; r < block; r++) {
            rows[r] = source + (y + r) * source_stride;
            outs[r] = destination + (y + r) * axis->count * 3;
        }
        pass(rows, block, source_stride, axis, expanded, outs);
    }
    free(expanded.weights);
}

int imgc_jpeg_decode_resampled(const uint8_t *data, size_t size, int scale_denom,
                               long first_row, long row_count, long column_start, long column_count,
                               const imgc_resample_axis *columns,
                               uint8_t *output, size_t output_size, char *message) {
    struct jpeg_decompress_struct cinfo;
    imgc_jpeg_error error;
    imgc_jpeg_header header;
    imgc_jpeg_setup(&cinfo, &error, message);
    if (setjmp(error.jump)) { jpeg_destroy_decompress(&cinfo); return -1; }
    if (imgc_jpeg_open(&cinfo, data, size, scale_denom, &header, message) != 0) return -1;
    if (header.output_channels == 4) {
        snprintf(message, IMGC_MESSAGE_SIZE, "CMYK JPEGs are not streamed");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    const long width = header.output_width, height = header.output_height, channels = header.output_channels;
    const long out_width = columns ? columns->count : column_count;
    int valid = first_row >= 0 && row_count >= 0 && first_row + row_count <= height
        && (size_t)(row_count * out_width * 3) == output_size;
    if (columns) {
        for (long i = 0; valid && i < columns->count; i++)
            valid = columns->starts[i] >= 0 && columns->counts[i] >= 0 && columns->counts[i] <= columns->stride
                && columns->starts[i] + columns->counts[i] <= width;
    } else {
        valid = valid && column_start >= 0 && column_count >= 0 && column_start + column_count <= width;
    }
    if (!valid) {
        snprintf(message, IMGC_MESSAGE_SIZE, "resampling window does not match the JPEG header");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    // Scanline buffers from libjpeg's image pool (released by jpeg_destroy_decompress, also after
    // a longjmp): up to 4 pending RGB rows, resampled together, and one grayscale scanline.
    // 32 bytes of slack after each row let the vector pass read whole 24-byte steps.
    const long row_bytes = width * 3 + 32;
    JSAMPARRAY pending = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, (JDIMENSION)row_bytes, 5);
    JSAMPROW gray = pending[4];
    imgc_expanded_weights expanded = { NULL, 0 };
    imgc_row_pass pass = imgc_resample_rows_scalar;
    if (columns) {
        expanded.stride = imgc_expanded_stride(columns);
        expanded.weights = (int32_t *)(*cinfo.mem->alloc_large)((j_common_ptr)&cinfo, JPOOL_IMAGE,
                                                               (size_t)(columns->count * expanded.stride) * sizeof(int32_t) + 1);
        imgc_expand_weights(columns, expanded);
        pass = imgc_select_row_pass();
    }
    jpeg_start_decompress(&cinfo);
    int count = 0;           // pending rows
    long first_pending = 0;  // image row of pending[0]
    while (cinfo.output_scanline < cinfo.output_height) {
        const long y = cinfo.output_scanline;
        const int wanted = y >= first_row && y < first_row + row_count;
        JSAMPROW target = channels == 1 ? gray : pending[wanted ? count : 0];
        jpeg_read_scanlines(&cinfo, &target, 1);
        if (!wanted) continue;   // still decoded: damaged data anywhere stays an error
        if (channels == 1) {
            JSAMPROW rgb = pending[count];
            for (long x = 0; x < width; x++) rgb[3 * x] = rgb[3 * x + 1] = rgb[3 * x + 2] = gray[x];
        }
        if (count == 0) first_pending = y;
        count++;
        if (count < 4 && y + 1 < first_row + row_count) continue;
        uint8_t *outs[4];
        for (int r = 0; r < count; r++) outs[r] = output + (size_t)(first_pending + r - first_row) * (size_t)out_width * 3;
        if (columns) pass((const uint8_t *const *)pending, count, row_bytes, columns, expanded, outs);
        else for (int r = 0; r < count; r++) memcpy(outs[r], pending[r] + column_start * 3, (size_t)column_count * 3);
        count = 0;
    }
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
