#!/usr/bin/env python3
"""Prints the table of a bench/sitting.sh run: python3 bench/sitting_summary.py OUT.jsonl"""
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rows:
    by[(r["model"], r["mode"], r["images"], r["binary"])].append(r)
keys = sorted({(m, mo, i) for (m, mo, i, b) in by})
print("| model | mode | images | " + " | ".join(["old main", "new", "-Ounchecked", "PyTorch cl", "TF oneDNN"]) + " | new / best peer | new / old | peak MB new / old / torch / tf |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for k in keys:
    cells = []; med = {}
    for b in ["old", "new", "unchecked", "torch", "tf"]:
        rs = by.get(k + (b,), [])
        v = [r["images_per_second"] for r in rs]
        med[b] = sorted(v)[len(v)//2] if v else None
        cells.append(", ".join(f"{x:.1f}" for x in v) if v else "-")
    mem = "/".join(f"{max(r['peak_rss_mb'] for r in by[k+(b,)]):.0f}" if by.get(k+(b,)) else "-" for b in ["new","old","torch","tf"])
    peers = [p for p in (med["torch"], med["tf"]) if p]
    # per-round ratio to the best peer of that round
    def rr(a, bs):
        A = [r["images_per_second"] for r in by.get(k+(a,), [])]
        B = [[r["images_per_second"] for r in by.get(k+(x,), [])] for x in bs]
        out = []
        for i in range(len(A)):
            vals = [b[i] for b in B if len(b) > i]
            if vals: out.append(A[i] / max(vals))
        return ", ".join(f"{x:.2f}" for x in out) if out else "-"
    print(f"| {k[0]} | {k[1]} | {k[2]} | " + " | ".join(cells) + f" | {rr('new', ['torch','tf'])} | {rr('new', ['old'])} | {mem} |")
