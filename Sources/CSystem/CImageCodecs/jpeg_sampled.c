// Streaming JPEG decode for nearest-neighbour resizing (the Keras recipe's
// `load_img(target_size=...)`): only the source rows the output samples are reconstructed.
// The rows in between are skipped with libjpeg-turbo's jpeg_skip_scanlines, which still
// entropy-decodes them (so damaged or truncated data anywhere stays an error) but skips their
// inverse DCT, upsampling and colour conversion: for a 224-row output from a 3000-row photo,
// most of the decode.
#include "jpeg_support.h"

int imgc_jpeg_decode_sampled(const uint8_t *data, size_t size, int scale_denom,
                             const long *rows, long row_count, const long *columns, long column_count,
                             uint8_t *output, size_t output_size, char *message) {
    struct jpeg_decompress_struct cinfo;
    imgc_jpeg_error error;
    imgc_jpeg_header header;
    imgc_jpeg_setup(&cinfo, &error, message);
    if (setjmp(error.jump)) { jpeg_destroy_decompress(&cinfo); return -1; }
    if (imgc_jpeg_open(&cinfo, data, size, scale_denom, &header, message) != 0) return -1;
    const long width = header.output_width, height = header.output_height, channels = header.output_channels;
    int valid = (channels == 1 || channels == 3) && row_count >= 0 && column_count >= 0
        && (size_t)(row_count * column_count * 3) == output_size;
    for (long i = 0, last = -1; valid && i < row_count; i++) {
        valid = rows[i] < height && (rows[i] < 0 || rows[i] >= last);
        if (rows[i] >= 0) last = rows[i];
    }
    for (long i = 0; valid && i < column_count; i++) valid = columns[i] < width;
    if (!valid) {
        snprintf(message, IMGC_MESSAGE_SIZE, "sampling window does not match the JPEG header");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    JSAMPARRAY line = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, (JDIMENSION)(width * channels), 1);
    jpeg_start_decompress(&cinfo);
    const size_t out_row = (size_t)column_count * 3;
    const uint8_t *previous = NULL;   // the output row of the last source row read
    long previous_row = -1;
    for (long r = 0; r < row_count; r++) {
        uint8_t *out = output + (size_t)r * out_row;
        const long y = rows[r];
        if (y < 0) { memset(out, 0, out_row); continue; }
        if (y == previous_row) { memcpy(out, previous, out_row); continue; }
        if (y > (long)cinfo.output_scanline) jpeg_skip_scanlines(&cinfo, (JDIMENSION)(y - (long)cinfo.output_scanline));
        jpeg_read_scanlines(&cinfo, line, 1);
        const JSAMPROW source = line[0];
        for (long i = 0; i < column_count; i++) {
            const long x = columns[i];
            uint8_t *pixel = out + 3 * i;
            if (x < 0) { pixel[0] = pixel[1] = pixel[2] = 0; continue; }
            if (channels == 1) { pixel[0] = pixel[1] = pixel[2] = source[x]; continue; }
            pixel[0] = source[3 * x]; pixel[1] = source[3 * x + 1]; pixel[2] = source[3 * x + 2];
        }
        previous = out;
        previous_row = y;
    }
    // The rest of the data is still entropy-decoded (skipping straight to the end would not
    // read it): skip to the last row, then read it.
    if ((long)cinfo.output_scanline + 1 < height) jpeg_skip_scanlines(&cinfo, (JDIMENSION)(height - 1 - (long)cinfo.output_scanline));
    if ((long)cinfo.output_scanline < height) jpeg_read_scanlines(&cinfo, line, 1);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
