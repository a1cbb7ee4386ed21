#!/usr/bin/env python3
"""faiss reference for `glyphsim index bench`: the same embeddings (.npy), the same measures.

The first --entries rows are indexed, the last --queries rows are the queries (one at a time).
Exact: IndexFlatL2. Approximate: IndexHNSWFlat (M --hnsw-m), efSearch the smallest of a fixed
list whose recall@10 against IndexFlatL2 on the same queries reaches --target-recall.
Run with faiss-cpu from PyPI (see bench/index_bench.sh, which makes .venv-faiss).
"""
import argparse
import json
import os
import tempfile
import time

import faiss
import numpy as np

EF_CANDIDATES = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]


def resident_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def latency(ms):
    s = np.sort(np.asarray(ms))
    q = lambda p: float(s[min(len(s) - 1, int(round((len(s) - 1) * p)))])
    return {"p50_milliseconds": q(0.5), "p99_milliseconds": q(0.99), "mean_milliseconds": float(s.mean())}


def timed_search(index, queries, k=10):
    times, ids = [], []
    for q in queries:
        t0 = time.perf_counter()
        _, found = index.search(q[None, :], k)
        times.append((time.perf_counter() - t0) * 1000)
        ids.append(found[0])
    return times, np.stack(ids)


def recall(found, truth):
    hits = sum(len(set(f) & set(t)) for f, t in zip(found, truth))
    return hits / truth.size


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--npy", required=True)
    p.add_argument("--entries", type=int, required=True)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--approximate", action="store_true")
    p.add_argument("--hnsw-m", type=int, default=32)
    p.add_argument("--ef-construction", type=int, default=40)
    p.add_argument("--target-recall", type=float, default=0.95)
    p.add_argument("--folder", default=tempfile.gettempdir())
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    faiss.omp_set_num_threads(a.threads)

    data = np.load(a.npy, mmap_mode="r")
    base = np.ascontiguousarray(data[: a.entries], dtype=np.float32)
    queries = np.ascontiguousarray(data[len(data) - a.queries :], dtype=np.float32)
    del data  # measure what the index holds, not the mapped input
    d = base.shape[1]
    report = {"framework": "faiss " + faiss.__version__, "entries": a.entries, "dimension": d, "queries": a.queries}

    path = os.path.join(a.folder, f"faiss-{a.entries}.flat")
    t0 = time.perf_counter()
    flat = faiss.IndexFlatL2(d)
    flat.add(base)
    faiss.write_index(flat, path)
    report["exact_build_seconds"] = time.perf_counter() - t0
    report["exact_bytes"] = os.path.getsize(path)
    os.remove(path)
    report["exact_resident_mib"] = resident_mib()
    times, truth = timed_search(flat, queries)
    report["exact"] = latency(times)

    if a.approximate:
        del flat
        path = os.path.join(a.folder, f"faiss-{a.entries}.hnsw")
        t0 = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(d, a.hnsw_m)
        hnsw.hnsw.efConstruction = a.ef_construction
        hnsw.add(base)
        report["approximate_build_seconds"] = time.perf_counter() - t0
        faiss.write_index(hnsw, path)
        report["approximate_bytes"] = os.path.getsize(path)
        os.remove(path)
        for ef in EF_CANDIDATES:
            hnsw.hnsw.efSearch = ef
            _, found = hnsw.search(queries, 10)
            r = recall(found, truth)
            if r >= a.target_recall:
                break
        times, found = timed_search(hnsw, queries)
        report.update(ef_search=ef, recall_at_10=recall(found, truth), m=a.hnsw_m, ef_construction=a.ef_construction,
                      approximate=latency(times), approximate_resident_mib=resident_mib())

    if a.json:
        print(json.dumps(report, sort_keys=True))
    else:
        e = report["exact"]
        print(f"faiss flat   {a.entries} x {d}: build {report['exact_build_seconds']:.2f} s, "
              f"{report['exact_bytes'] / 2**20:.1f} MiB on disk, RSS {report['exact_resident_mib']:.0f} MiB, "
              f"p50 {e['p50_milliseconds']:.3f} ms, p99 {e['p99_milliseconds']:.3f} ms")
        if a.approximate:
            h = report["approximate"]
            print(f"faiss hnsw   M {a.hnsw_m} efC {a.ef_construction} efSearch {report['ef_search']}: "
                  f"build {report['approximate_build_seconds']:.1f} s, {report['approximate_bytes'] / 2**20:.1f} MiB on disk, "
                  f"RSS {report['approximate_resident_mib']:.0f} MiB, p50 {h['p50_milliseconds']:.3f} ms, "
                  f"p99 {h['p99_milliseconds']:.3f} ms, recall@10 {report['recall_at_10']:.4f}")


if __name__ == "__main__":
    main()
