// libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev): header-first decoding, so an
// image's size is known, and checked, before any pixel buffer is allocated.
#include <stddef.h>
#include <turbojpeg.h>
