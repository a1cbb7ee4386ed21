// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). pkg-config "openblas" adds the include path.
#include <cblas.h>
// OpenBLAS's own thread control (declared in cblas.h of OpenBLAS, repeated for other BLAS headers).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
