// A small C interface to hnswlib's HierarchicalNSW graph (squared Euclidean distance, float32),
// so that Swift can use it without C++ interop. Every function catches C++ exceptions and
// reports them as a message in `error` (a buffer of `error_capacity` bytes) and a failure value.
#ifndef CHNSW_H
#define CHNSW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chnsw_index chnsw_index;

/// A new, empty graph for up to `capacity` vectors of `dimension` floats.
chnsw_index *chnsw_create(size_t dimension, size_t capacity, size_t m, size_t ef_construction,
                          uint64_t seed, char *error, size_t error_capacity);

/// Adds `count` row-major vectors, labelled `first_label`, `first_label + 1`, ..., on `threads`
/// threads (1: deterministic graph). Returns 0, or -1 with a message.
int chnsw_add(chnsw_index *index, const float *vectors, size_t count, uint64_t first_label,
              int threads, char *error, size_t error_capacity);

/// The number of vectors in the graph.
size_t chnsw_count(const chnsw_index *index);

/// How many candidates a search keeps (hnswlib's ef; at least k is used).
void chnsw_set_ef(chnsw_index *index, size_t ef);

/// The `k` nearest vectors to `query`, nearest first: labels and squared distances.
/// Returns how many were found (at most k), or -1 with a message.
long chnsw_search(const chnsw_index *index, const float *query, size_t k, uint64_t *labels,
                  float *squared_distances, char *error, size_t error_capacity);

/// Writes the graph to `path` (hnswlib's own format). Returns 0, or -1 with a message.
int chnsw_save(const chnsw_index *index, const char *path, char *error, size_t error_capacity);

/// Reads a graph written by chnsw_save; the caller has checked the file's size and checksum.
chnsw_index *chnsw_load(const char *path, size_t dimension, char *error, size_t error_capacity);

void chnsw_free(chnsw_index *index);

#ifdef __cplusplus
}
#endif

#endif
