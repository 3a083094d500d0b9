// Thin C shims over libjpeg, libpng and libtiff for Imaging's decoders.
//
// libjpeg and libpng report fatal errors by longjmp-ing out of the library, which
// Swift cannot do; libtiff reports through global printf-style handlers. These
// functions catch both and return 0 on success or -1 with a message. No function
// allocates the output: the caller reads the header first, checks the pixel
// limit, then passes a buffer of exactly the announced size.
#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

#define IMGC_MESSAGE_SIZE 200

// MARK: JPEG

typedef struct {
    int32_t width, height;          // stored size
    int32_t components;             // 1, 3 or 4
    int32_t color_space;            // J_COLOR_SPACE of the file (JCS_YCbCr, JCS_CMYK, ...)
    int32_t saw_adobe_marker;       // APP14 "Adobe" present
    int32_t output_width, output_height; // after 1/scale_denom DCT scaling
    int32_t output_channels;        // 1 (gray), 3 (RGB) or 4 (CMYK, as stored)
} imgc_jpeg_header;

/// Reads the header; output_* describe a decode with the given scale (1, 2, 4 or 8).
int imgc_jpeg_read_header(const uint8_t *data, size_t size, int scale_denom,
                          imgc_jpeg_header *header, char *message);

/// Decodes into `pixels` (output_height * output_width * output_channels bytes).
/// Uses the accurate integer IDCT and fancy upsampling; premature end of data is an error.
int imgc_jpeg_decode(const uint8_t *data, size_t size, int scale_denom,
                     uint8_t *pixels, size_t pixels_size, char *message);

/// One axis of Pillow's resampling filter in fixed point (see Imaging's ResampleCoefficients):
/// output `i` of `count` reads `counts[i]` source pixels from `starts[i]`, with the weights
/// `weights[i * stride ..< i * stride + counts[i]]` (PRECISION_BITS = 22).
typedef struct {
    long count;
    const long *starts;
    const long *counts;
    const int32_t *weights;
    long stride;
} imgc_resample_axis;

/// Pillow's horizontal resampling pass over `row_count` interleaved RGB rows (`source_stride`
/// bytes apart), each producing axis->count pixels; destination rows are packed.
void imgc_resample_rows(const uint8_t *source, long source_stride, long row_count,
                        const imgc_resample_axis *axis, uint8_t *destination);

/// Decodes a 1- or 3-component JPEG (scaled by 1/scale_denom) one scanline at a time and
/// keeps rows [first_row, first_row + row_count), each passed through Pillow's horizontal
/// resampling pass `columns` (rounding, then clip to 8 bits) or, when `columns` is NULL,
/// cropped to [column_start, column_start + column_count). Grayscale becomes RGB (R = G = B).
/// `output` holds row_count * width * 3 bytes, width = columns->count or column_count.
/// Every scanline is still decoded, so damaged data anywhere is an error, as with
/// imgc_jpeg_decode; but no more than one scanline of the full image is ever held.
int imgc_jpeg_decode_resampled(const uint8_t *data, size_t size, int scale_denom,
                               long first_row, long row_count, long column_start, long column_count,
                               const imgc_resample_axis *columns,
                               uint8_t *output, size_t output_size, char *message);

/// Decodes a 1- or 3-component JPEG (scaled by 1/scale_denom) for a nearest-neighbour resize:
/// output row r is source row rows[r] (non-decreasing; -1: black) sampled at source columns
/// columns[0 ..< column_count] (-1: black), RGB (gray replicated); row_count * column_count * 3
/// bytes. Rows no output uses are skipped (entropy-decoded only, so damaged data anywhere is an
/// error, as with imgc_jpeg_decode). jpeg_sampled.c.
int imgc_jpeg_decode_sampled(const uint8_t *data, size_t size, int scale_denom,
                             const long *rows, long row_count, const long *columns, long column_count,
                             uint8_t *output, size_t output_size, char *message);

// MARK: PNG

typedef struct {
    uint32_t width, height;
    int32_t bit_depth, color_type, interlaced;
} imgc_png_header;

int imgc_png_read_header(const uint8_t *data, size_t size, imgc_png_header *header, char *message);

/// Decodes to 8-bit RGB (palette looked up, gray replicated, alpha dropped, 16-bit
/// samples reduced to their high byte), or, when `gray16` is set for a 16-bit
/// grayscale file, to native-endian uint16 samples (width * height * 2 bytes).
int imgc_png_decode(const uint8_t *data, size_t size, int gray16,
                    uint8_t *pixels, size_t pixels_size, char *message);

// MARK: TIFF

typedef struct {
    uint32_t width, height;
    int32_t samples_per_pixel, bits_per_sample, photometric, planar_config;
    int32_t extra_sample_kind;      // EXTRASAMPLE_* of the first extra sample, -1 if none
    int32_t has_colormap;
} imgc_tiff_header;

int imgc_tiff_read_header(const uint8_t *data, size_t size, imgc_tiff_header *header, char *message);

/// Reads the first image's 8-bit samples, interleaved (height * width * samples_per_pixel
/// bytes), from strips or tiles, any compression libtiff supports. `colormap` (768 entries,
/// R then G then B, 16-bit) is filled for palette images.
int imgc_tiff_read_samples(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                           uint16_t *colormap, char *message);

#endif
