// libpng 1.6 (Debian: libpng-dev), used through its simplified read API (png_image_*),
// and zlib (which libpng links anyway), for its fast crc32 when checking zip members.
#include <png.h>
#include <zlib.h>
