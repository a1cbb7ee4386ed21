// The extern "C" shim over hnswlib (Debian: libhnswlib-dev, header-only). See include/chnsw.h.
#include "chnsw.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct chnsw_index {
    std::unique_ptr<hnswlib::L2Space> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
    size_t dimension;
};

static void report(char *error, size_t capacity, const char *message) {
    if (error == nullptr || capacity == 0) return;
    std::strncpy(error, message, capacity - 1);
    error[capacity - 1] = '\0';
}

extern "C" chnsw_index *chnsw_create(size_t dimension, size_t capacity, size_t m, size_t ef_construction,
                                     uint64_t seed, char *error, size_t error_capacity) {
    try {
        auto index = std::make_unique<chnsw_index>();
        index->dimension = dimension;
        index->space = std::make_unique<hnswlib::L2Space>(dimension);
        index->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
            index->space.get(), std::max<size_t>(capacity, 1), m, ef_construction, static_cast<size_t>(seed));
        return index.release();
    } catch (const std::exception &e) {
        report(error, error_capacity, e.what());
    } catch (...) {
        report(error, error_capacity, "unknown error while creating the graph");
    }
    return nullptr;
}

extern "C" int chnsw_add(chnsw_index *index, const float *vectors, size_t count, uint64_t first_label,
                         int threads, char *error, size_t error_capacity) {
    try {
        if (count == 0) return 0;
        // hnswlib's addPoint is thread-safe; the first point is added alone so that the others
        // all find an entry point.
        size_t start = 0;
        if (index->graph->cur_element_count == 0) {
            index->graph->addPoint(vectors, first_label);
            start = 1;
        }
        const size_t workers = std::max(1, threads);
        std::atomic<size_t> next(start);
        std::atomic<bool> failed(false);
        std::string message;
        std::mutex message_lock;
        auto work = [&]() {
            for (;;) {
                size_t i = next.fetch_add(1);
                if (i >= count || failed.load()) return;
                try {
                    index->graph->addPoint(vectors + i * index->dimension, first_label + i);
                } catch (const std::exception &e) {
                    std::lock_guard<std::mutex> guard(message_lock);
                    message = e.what();
                    failed.store(true);
                }
            }
        };
        if (workers == 1) {
            work();
        } else {
            std::vector<std::thread> pool;
            for (size_t t = 0; t < workers; t++) pool.emplace_back(work);
            for (auto &thread : pool) thread.join();
        }
        if (failed.load()) {
            report(error, error_capacity, message.c_str());
            return -1;
        }
        return 0;
    } catch (const std::exception &e) {
        report(error, error_capacity, e.what());
    } catch (...) {
        report(error, error_capacity, "unknown error while adding vectors");
    }
    return -1;
}

extern "C" size_t chnsw_count(const chnsw_index *index) { return index->graph->cur_element_count; }

extern "C" void chnsw_set_ef(chnsw_index *index, size_t ef) { index->graph->setEf(ef); }

extern "C" long chnsw_search(const chnsw_index *index, const float *query, size_t k, uint64_t *labels,
                             float *squared_distances, char *error, size_t error_capacity) {
    try {
        auto found = index->graph->searchKnn(query, k);  // farthest on top
        long n = static_cast<long>(found.size());
        for (long i = n - 1; i >= 0; i--) {
            labels[i] = found.top().second;
            squared_distances[i] = found.top().first;
            found.pop();
        }
        return n;
    } catch (const std::exception &e) {
        report(error, error_capacity, e.what());
    } catch (...) {
        report(error, error_capacity, "unknown error while searching");
    }
    return -1;
}

extern "C" int chnsw_save(const chnsw_index *index, const char *path, char *error, size_t error_capacity) {
    try {
        index->graph->saveIndex(path);
        return 0;
    } catch (const std::exception &e) {
        report(error, error_capacity, e.what());
    } catch (...) {
        report(error, error_capacity, "unknown error while saving");
    }
    return -1;
}

extern "C" chnsw_index *chnsw_load(const char *path, size_t dimension, char *error, size_t error_capacity) {
    try {
        auto index = std::make_unique<chnsw_index>();
        index->dimension = dimension;
        index->space = std::make_unique<hnswlib::L2Space>(dimension);
        index->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(index->space.get(), std::string(path));
        return index.release();
    } catch (const std::exception &e) {
        report(error, error_capacity, e.what());
    } catch (...) {
        report(error, error_capacity, "unknown error while loading");
    }
    return nullptr;
}

extern "C" void chnsw_free(chnsw_index *index) { delete index; }
