// libtiff decoding from memory: errors go to a per-handle handler, never to stderr.
#include "CImageCodecs.h"
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <tiffio.h>

typedef struct {
    const uint8_t *data;
    toff_t size, offset;
    char *message;
} imgc_tiff_source;

static tsize_t imgc_tiff_read(thandle_t handle, tdata_t out, tsize_t length) {
    imgc_tiff_source *s = (imgc_tiff_source *)handle;
    if (length < 0) return -1;
    toff_t available = s->offset < s->size ? s->size - s->offset : 0;
    toff_t n = (toff_t)length < available ? (toff_t)length : available;
    if (n) memcpy(out, s->data + s->offset, (size_t)n);
    s->offset += n;
    return (tsize_t)n;
}
static tsize_t imgc_tiff_write(thandle_t h, tdata_t d, tsize_t n) { (void)h; (void)d; (void)n; return -1; }
static toff_t imgc_tiff_seek(thandle_t handle, toff_t offset, int whence) {
    imgc_tiff_source *s = (imgc_tiff_source *)handle;
    toff_t base = whence == SEEK_CUR ? s->offset : whence == SEEK_END ? s->size : 0;
    s->offset = base + offset;
    return s->offset;
}
static int imgc_tiff_close(thandle_t h) { (void)h; return 0; }
static toff_t imgc_tiff_size(thandle_t handle) { return ((imgc_tiff_source *)handle)->size; }
static int imgc_tiff_map(thandle_t h, tdata_t *base, toff_t *size) { (void)h; (void)base; (void)size; return 0; }
static void imgc_tiff_unmap(thandle_t h, tdata_t base, toff_t size) { (void)h; (void)base; (void)size; }

static int imgc_tiff_on_error(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif; (void)module;
    imgc_tiff_source *s = (imgc_tiff_source *)user;
    if (s->message[0] == 0) vsnprintf(s->message, IMGC_MESSAGE_SIZE, format, args);
    return 1;   // handled: libtiff must not print
}
static int imgc_tiff_on_warning(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif; (void)user; (void)module; (void)format; (void)args;
    return 1;
}

static TIFF *imgc_tiff_open(imgc_tiff_source *source) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (!options) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(options, imgc_tiff_on_error, source);
    TIFFOpenOptionsSetWarningHandlerExtR(options, imgc_tiff_on_warning, source);
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t)1 << 30);
    TIFF *tif = TIFFClientOpenExt("memory", "rm", (thandle_t)source, imgc_tiff_read, imgc_tiff_write,
                                  imgc_tiff_seek, imgc_tiff_close, imgc_tiff_size,
                                  imgc_tiff_map, imgc_tiff_unmap, options);
    TIFFOpenOptionsFree(options);
    if (!tif && source->message[0] == 0) snprintf(source->message, IMGC_MESSAGE_SIZE, "cannot open TIFF");
    return tif;
}

static void imgc_tiff_header_of(TIFF *tif, imgc_tiff_header *h) {
    uint32_t width = 0, height = 0;
    uint16_t spp = 1, bps = 1, photometric = PHOTOMETRIC_MINISBLACK, planar = PLANARCONFIG_CONTIG;
    uint16_t extra_count = 0, *extra = NULL, *r, *g, *b;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric)) photometric = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    h->extra_sample_kind = -1;
    if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra) && extra_count > 0 && extra)
        h->extra_sample_kind = extra[0];
    h->width = width; h->height = height;
    h->samples_per_pixel = spp; h->bits_per_sample = bps;
    h->photometric = photometric; h->planar_config = planar;
    h->has_colormap = TIFFGetField(tif, TIFFTAG_COLORMAP, &r, &g, &b) ? 1 : 0;
}

int imgc_tiff_read_header(const uint8_t *data, size_t size, imgc_tiff_header *header, char *message) {
    imgc_tiff_source source = { data, size, 0, message };
    message[0] = 0;
    TIFF *tif = imgc_tiff_open(&source);
    if (!tif) return -1;
    imgc_tiff_header_of(tif, header);
    TIFFClose(tif);
    return 0;
}

// Copies the rows [y0, y0+rows) x columns [x0, x0+cols) of a decoded block into the image.
static void imgc_tiff_place(const uint8_t *block, size_t block_row_bytes, uint8_t *pixels, size_t image_row_bytes,
                            uint32_t x0, uint32_t y0, uint32_t cols, uint32_t rows, size_t spp) {
    for (uint32_t y = 0; y < rows; y++)
        memcpy(pixels + (size_t)(y0 + y) * image_row_bytes + (size_t)x0 * spp,
               block + (size_t)y * block_row_bytes, (size_t)cols * spp);
}

int imgc_tiff_read_samples(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                           uint16_t *colormap, char *message) {
    imgc_tiff_source source = { data, size, 0, message };
    message[0] = 0;
    TIFF *tif = imgc_tiff_open(&source);
    if (!tif) return -1;
    imgc_tiff_header h;
    imgc_tiff_header_of(tif, &h);
    int result = -1;
    uint8_t *block = NULL;
    size_t spp = (size_t)h.samples_per_pixel, image_row_bytes = (size_t)h.width * spp;
    if (h.bits_per_sample != 8 || h.planar_config != PLANARCONFIG_CONTIG || spp == 0) {
        snprintf(message, IMGC_MESSAGE_SIZE, "unsupported TIFF variant (%d bits per sample, planar config %d)",
                 h.bits_per_sample, h.planar_config);
        goto done;
    }
    if (image_row_bytes * h.height != pixels_size) {
        snprintf(message, IMGC_MESSAGE_SIZE, "output buffer does not match the TIFF header");
        goto done;
    }
    if (h.has_colormap && colormap) {
        uint16_t *r, *g, *b;
        TIFFGetField(tif, TIFFTAG_COLORMAP, &r, &g, &b);
        memcpy(colormap, r, 256 * sizeof(uint16_t));
        memcpy(colormap + 256, g, 256 * sizeof(uint16_t));
        memcpy(colormap + 512, b, 256 * sizeof(uint16_t));
    }
    if (TIFFIsTiled(tif)) {
        uint32_t tw = 0, th = 0;
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
        tmsize_t tile_size = TIFFTileSize(tif);
        if (tw == 0 || th == 0 || tile_size <= 0 || (size_t)tile_size < (size_t)tw * th * spp) {
            snprintf(message, IMGC_MESSAGE_SIZE, "invalid TIFF tile geometry"); goto done;
        }
        block = (uint8_t *)malloc((size_t)tile_size);
        if (!block) { snprintf(message, IMGC_MESSAGE_SIZE, "out of memory"); goto done; }
        for (uint32_t y = 0; y < h.height; y += th)
            for (uint32_t x = 0; x < h.width; x += tw) {
                if (TIFFReadEncodedTile(tif, TIFFComputeTile(tif, x, y, 0, 0), block, tile_size) < 0) goto failed;
                uint32_t cols = h.width - x < tw ? h.width - x : tw, rows = h.height - y < th ? h.height - y : th;
                imgc_tiff_place(block, (size_t)tw * spp, pixels, image_row_bytes, x, y, cols, rows, spp);
            }
    } else {
        uint32_t rows_per_strip = h.height;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
        if (rows_per_strip == 0 || rows_per_strip > h.height) rows_per_strip = h.height;
        tmsize_t strip_size = TIFFStripSize(tif);
        if (strip_size <= 0) { snprintf(message, IMGC_MESSAGE_SIZE, "invalid TIFF strip geometry"); goto done; }
        block = (uint8_t *)malloc((size_t)strip_size);
        if (!block) { snprintf(message, IMGC_MESSAGE_SIZE, "out of memory"); goto done; }
        for (uint32_t y = 0; y < h.height; y += rows_per_strip) {
            uint32_t rows = h.height - y < rows_per_strip ? h.height - y : rows_per_strip;
            tmsize_t want = (tmsize_t)((size_t)rows * image_row_bytes);
            if (want > strip_size) { snprintf(message, IMGC_MESSAGE_SIZE, "invalid TIFF strip geometry"); goto done; }
            tmsize_t got = TIFFReadEncodedStrip(tif, TIFFComputeStrip(tif, y, 0), block, want);
            if (got < want) goto failed;
            imgc_tiff_place(block, image_row_bytes, pixels, image_row_bytes, 0, y, h.width, rows, spp);
        }
    }
    result = 0;
    goto done;
failed:
    if (message[0] == 0) snprintf(message, IMGC_MESSAGE_SIZE, "image file is truncated or corrupt");
done:
    free(block);
    TIFFClose(tif);
    return result;
}
