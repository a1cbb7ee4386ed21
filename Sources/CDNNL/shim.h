// oneDNN 2.x C API (Debian 12: libdnnl-dev, oneDNN 2.6). No pkg-config file: the header is on
// the default include path and the modulemap links "dnnl".
#include <oneapi/dnnl/dnnl.h>
// Debian's oneDNN threads with OpenMP (libgomp). clang does not find omp.h, so the one
// function the engine needs is declared here (the modulemap links libgomp); it sets the thread
// count of oneDNN's pool.
void omp_set_num_threads(int num_threads);
