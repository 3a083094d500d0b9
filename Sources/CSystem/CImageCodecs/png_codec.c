// libpng decoding from memory with png_error's longjmp turned into return codes.
#include "CImageCodecs.h"
#include <stdio.h>
#include <string.h>
#include <png.h>

typedef struct {
    const uint8_t *data;
    size_t size, offset;
    char *message;
} imgc_png_source;

static void imgc_png_read(png_structp png, png_bytep out, png_size_t length) {
    imgc_png_source *source = (imgc_png_source *)png_get_io_ptr(png);
    if (length > source->size - source->offset) {
        png_error(png, "image file is truncated");
    }
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

static void imgc_png_error(png_structp png, png_const_charp text) {
    imgc_png_source *source = (imgc_png_source *)png_get_error_ptr(png);
    snprintf(source->message, IMGC_MESSAGE_SIZE, "%s", text);
    png_longjmp(png, 1);
}

static void imgc_png_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

// Creates the read structs and reads up to the first IDAT. Returns NULL png on failure.
#define IMGC_PNG_BEGIN(source, png, info) \
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, imgc_png_error, imgc_png_warning); \
    if (!png) { snprintf(message, IMGC_MESSAGE_SIZE, "out of memory"); return -1; } \
    png_infop info = png_create_info_struct(png); \
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); snprintf(message, IMGC_MESSAGE_SIZE, "out of memory"); return -1; }

int imgc_png_read_header(const uint8_t *data, size_t size, imgc_png_header *header, char *message) {
    imgc_png_source source = { data, size, 0, message };
    message[0] = 0;
    IMGC_PNG_BEGIN(source, png, info)
    if (setjmp(png_jmpbuf(png))) { png_destroy_read_struct(&png, &info, NULL); return -1; }
    png_set_read_fn(png, &source, imgc_png_read);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, info);
    header->width = png_get_image_width(png, info);
    header->height = png_get_image_height(png, info);
    header->bit_depth = png_get_bit_depth(png, info);
    header->color_type = png_get_color_type(png, info);
    header->interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

int imgc_png_decode(const uint8_t *data, size_t size, int gray16,
                    uint8_t *pixels, size_t pixels_size, char *message) {
    imgc_png_source source = { data, size, 0, message };
    message[0] = 0;
    IMGC_PNG_BEGIN(source, png, info)
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_free(png, rows);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_set_read_fn(png, &source, imgc_png_read);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, info);
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    int keep16 = gray16 && bit_depth == 16 && color_type == PNG_COLOR_TYPE_GRAY;
    size_t channels = keep16 ? 1 : 3, sample_bytes = keep16 ? 2 : 1;
    if (keep16) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        png_set_swap(png);
#endif
    } else {
        if (bit_depth == 16) png_set_strip_16(png);          // high byte, as Pillow's RGB;16B / LA;16B
        if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
        if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
        if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
        png_set_strip_alpha(png);                             // drops alpha and tRNS-derived alpha
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t row_bytes = (size_t)width * channels * sample_bytes;
    if (png_get_rowbytes(png, info) != row_bytes || row_bytes * height != pixels_size) {
        snprintf(message, IMGC_MESSAGE_SIZE, "unexpected PNG row layout");
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    rows = (png_bytep *)png_malloc(png, sizeof(png_bytep) * (height ? height : 1));
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_free(png, rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}
