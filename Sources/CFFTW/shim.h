// FFTW 3, single precision (Debian 12: libfftw3-dev). The engine uses its guru "split" interface
// (real and imaginary parts in separate arrays, arbitrary strides) so that spectra land directly in
// the frequency-major layout the per-frequency matrix products read.
#include <fftw3.h>
