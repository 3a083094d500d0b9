// libjpeg set-up shared by the JPEG shims (jpeg_codec.c, jpeg_resampled.c, jpeg_sampled.c): errors become
// a longjmp back into the shim with a message, a premature end of data is an error (as in
// Pillow), and the decoder is configured with Pillow's settings. Not a public header.
#ifndef IMGC_JPEG_SUPPORT_H
#define IMGC_JPEG_SUPPORT_H
#include "CImageCodecs.h"
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} imgc_jpeg_error;

static void imgc_jpeg_fail(j_common_ptr cinfo) {
    imgc_jpeg_error *error = (imgc_jpeg_error *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    error->base.format_message(cinfo, text);
    snprintf(error->message, IMGC_MESSAGE_SIZE, "%s", text);
    longjmp(error->jump, 1);
}

// Warnings are silent, except a premature end of the data: libjpeg would pad the
// image with gray; Pillow reports "image file is truncated", and so do we.
static void imgc_jpeg_message(j_common_ptr cinfo, int level) {
    if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        imgc_jpeg_error *error = (imgc_jpeg_error *)cinfo->err;
        snprintf(error->message, IMGC_MESSAGE_SIZE, "image file is truncated (premature end of JPEG data)");
        longjmp(error->jump, 1);
    }
}

static void imgc_jpeg_setup(struct jpeg_decompress_struct *cinfo, imgc_jpeg_error *error, char *message) {
    cinfo->err = jpeg_std_error(&error->base);
    error->base.error_exit = imgc_jpeg_fail;
    error->base.emit_message = imgc_jpeg_message;
    error->message = message;
    message[0] = 0;
}

static int imgc_jpeg_configure(struct jpeg_decompress_struct *cinfo, int scale_denom, imgc_jpeg_header *header) {
    switch (cinfo->num_components) {
    case 1: cinfo->out_color_space = JCS_GRAYSCALE; break;
    case 3: cinfo->out_color_space = JCS_RGB; break;
    case 4: cinfo->out_color_space = JCS_CMYK; break;
    default: return -1;
    }
    cinfo->dct_method = JDCT_ISLOW;
    cinfo->do_fancy_upsampling = TRUE;
    cinfo->scale_num = 1;
    cinfo->scale_denom = (unsigned int)(scale_denom == 2 || scale_denom == 4 || scale_denom == 8 ? scale_denom : 1);
    jpeg_calc_output_dimensions(cinfo);
    header->width = (int32_t)cinfo->image_width;
    header->height = (int32_t)cinfo->image_height;
    header->components = cinfo->num_components;
    header->color_space = (int32_t)cinfo->jpeg_color_space;
    header->saw_adobe_marker = cinfo->saw_Adobe_marker ? 1 : 0;
    header->output_width = (int32_t)cinfo->output_width;
    header->output_height = (int32_t)cinfo->output_height;
    header->output_channels = cinfo->out_color_components;
    return 0;
}

/// Creates the decoder over `data`, reads the header and configures it (`header` describes the
/// output). Call right after `setjmp(error.jump)`: libjpeg's errors longjmp back there. Returns
/// -1 with `message` set when the component count is unsupported (the decoder is destroyed).
static int imgc_jpeg_open(struct jpeg_decompress_struct *cinfo, const uint8_t *data, size_t size, int scale_denom,
                          imgc_jpeg_header *header, char *message) {
    jpeg_create_decompress(cinfo);
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);
    if (imgc_jpeg_configure(cinfo, scale_denom, header) != 0) {
        snprintf(message, IMGC_MESSAGE_SIZE, "unsupported JPEG with %d components", cinfo->num_components);
        jpeg_destroy_decompress(cinfo);
        return -1;
    }
    return 0;
}

#endif
