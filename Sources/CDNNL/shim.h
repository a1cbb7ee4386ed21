// oneDNN 2.x C API (Debian 12: libdnnl-dev, oneDNN 2.6). No pkg-config file: the header is on
// the default include path and the modulemap links "dnnl".
#include <oneapi/dnnl/dnnl.h>

// Debian's oneDNN threads with OpenMP (libgomp), and the engine's own parallel loops run on the
// same libgomp pool, so that one set of threads serves both (see ComputeThreads.swift). clang
// does not find omp.h, so the few functions the engine needs are declared here (the modulemap
// links libgomp).

/// Sets the thread count of parallel regions the calling thread starts (oneDNN's and ours).
void omp_set_num_threads(int num_threads);
/// Index of the calling thread in its team (0 for the thread that started the region).
int omp_get_thread_num(void);
/// Size of the calling thread's team (1 outside a parallel region).
int omp_get_num_threads(void);
/// Non-zero inside an active parallel region: a loop started there runs serially.
int omp_in_parallel(void);
/// libgomp's public entry for `#pragma omp parallel`: runs `fn(data)` on every thread of a team
/// of `num_threads` (0: the default), the calling thread included, and returns when all are done.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
