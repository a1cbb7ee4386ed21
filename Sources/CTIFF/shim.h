// libtiff 4.5+ (Debian: libtiff-dev), read from memory through TIFFClientOpenExt.
//
// Swift cannot call C variadic functions (TIFFGetField, TIFFSetField) or receive a va_list
// message, so the few calls that need them are these small inline helpers.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

/// The bytes being read, the read position, and the first error libtiff reported.
typedef struct {
    const unsigned char *data;
    uint64_t size;
    uint64_t position;
    char message[256];
} glyph_tiff_source;

static inline tmsize_t glyph_tiff_read(thandle_t handle, void *buffer, tmsize_t count) {
    glyph_tiff_source *s = (glyph_tiff_source *)handle;
    if (count <= 0 || s->position >= s->size) return 0;
    uint64_t left = s->size - s->position;
    uint64_t n = (uint64_t)count < left ? (uint64_t)count : left;
    memcpy(buffer, s->data + s->position, (size_t)n);
    s->position += n;
    return (tmsize_t)n;
}

static inline tmsize_t glyph_tiff_write(thandle_t handle, void *buffer, tmsize_t count) {
    (void)handle; (void)buffer; (void)count;
    return 0;
}

static inline toff_t glyph_tiff_seek(thandle_t handle, toff_t offset, int whence) {
    glyph_tiff_source *s = (glyph_tiff_source *)handle;
    uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->position : s->size;
    if (offset > UINT64_MAX - base) return (toff_t)-1;
    s->position = base + offset;
    return s->position;
}

static inline int glyph_tiff_close(thandle_t handle) { (void)handle; return 0; }
static inline toff_t glyph_tiff_size(thandle_t handle) { return ((glyph_tiff_source *)handle)->size; }
static inline int glyph_tiff_map(thandle_t handle, void **base, toff_t *size) {
    (void)handle; (void)base; (void)size;
    return 0;
}
static inline void glyph_tiff_unmap(thandle_t handle, void *base, toff_t size) {
    (void)handle; (void)base; (void)size;
}

/// Keeps the first error message; returning 1 stops libtiff printing it to stderr.
static inline int glyph_tiff_error(TIFF *tif, void *user, const char *module, const char *format, va_list ap) {
    (void)tif; (void)module;
    glyph_tiff_source *s = (glyph_tiff_source *)user;
    if (s->message[0] == 0) vsnprintf(s->message, sizeof s->message, format, ap);
    return 1;
}

static inline int glyph_tiff_warning(TIFF *tif, void *user, const char *module, const char *format, va_list ap) {
    (void)tif; (void)user; (void)module; (void)format; (void)ap;
    return 1;
}

/// Opens `source` for reading (no memory mapping), with libtiff's own allocations capped.
static inline TIFF *glyph_tiff_open(glyph_tiff_source *source, tmsize_t max_single_allocation) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (!options) return NULL;
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, max_single_allocation);
    TIFFOpenOptionsSetErrorHandlerExtR(options, glyph_tiff_error, source);
    TIFFOpenOptionsSetWarningHandlerExtR(options, glyph_tiff_warning, source);
    TIFF *tif = TIFFClientOpenExt("memory", "rm", (thandle_t)source, glyph_tiff_read, glyph_tiff_write,
                                  glyph_tiff_seek, glyph_tiff_close, glyph_tiff_size, glyph_tiff_map,
                                  glyph_tiff_unmap, options);
    TIFFOpenOptionsFree(options);
    return tif;
}

/// The first image's width and height; 0 when the tags are missing.
static inline int glyph_tiff_dimensions(TIFF *tif, uint32_t *width, uint32_t *height) {
    *width = 0; *height = 0;
    return TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, width) == 1 && TIFFGetField(tif, TIFFTAG_IMAGELENGTH, height) == 1;
}

/// Writes an uncompressed or deflated single-image TIFF (gray or RGB, optional alpha, 8 or 16
/// bits). Used to make test images; returns 1 on success.
static inline int glyph_tiff_write_file(const char *path, uint32_t width, uint32_t height, uint16_t samples,
                                        uint16_t bits, int has_alpha, int deflate, const void *pixels) {
    TIFF *tif = TIFFOpen(path, "w");
    if (!tif) return 0;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, samples);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, deflate ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, height);
    if (has_alpha) {
        uint16_t extra = EXTRASAMPLE_UNASSALPHA;
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
    tmsize_t row = (tmsize_t)width * samples * (bits / 8);
    int ok = 1;
    for (uint32_t y = 0; y < height && ok; y++) {
        ok = TIFFWriteScanline(tif, (void *)((const unsigned char *)pixels + (tmsize_t)y * row), y, 0) == 1;
    }
    TIFFClose(tif);
    return ok;
}
