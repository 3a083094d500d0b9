// libjpeg(-turbo) decoding with errors (and premature end of data) turned into return codes.
#include "jpeg_support.h"

int imgc_jpeg_read_header(const uint8_t *data, size_t size, int scale_denom,
                          imgc_jpeg_header *header, char *message) {
    struct jpeg_decompress_struct cinfo;
    imgc_jpeg_error error;
    imgc_jpeg_setup(&cinfo, &error, message);
    if (setjmp(error.jump)) { jpeg_destroy_decompress(&cinfo); return -1; }
    if (imgc_jpeg_open(&cinfo, data, size, scale_denom, header, message) != 0) return -1;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int imgc_jpeg_decode(const uint8_t *data, size_t size, int scale_denom,
                     uint8_t *pixels, size_t pixels_size, char *message) {
    struct jpeg_decompress_struct cinfo;
    imgc_jpeg_error error;
    imgc_jpeg_header header;
    imgc_jpeg_setup(&cinfo, &error, message);
    if (setjmp(error.jump)) { jpeg_destroy_decompress(&cinfo); return -1; }
    if (imgc_jpeg_open(&cinfo, data, size, scale_denom, &header, message) != 0) return -1;
    size_t row_bytes = (size_t)header.output_width * (size_t)header.output_channels;
    if (row_bytes * (size_t)header.output_height != pixels_size) {
        snprintf(message, IMGC_MESSAGE_SIZE, "output buffer does not match the JPEG header");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_start_decompress(&cinfo);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    // Like Pillow, do not insist on the data after the last scan (EOI may be missing).
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
