#!/usr/bin/env python3
"""Writes Omniglot drawings from the npz files as 105x105 8-bit gray PNGs, in the grouped
user-folder layout group<NN>/char<id>/<drawing>-<copy>.png (50 groups), to measure how fast GlyphSim
loads a user's folder (docs/own-glyphs.md). Needs only numpy; PNGs are written with zlib.

    python3 bench/make_png_folder.py /work/shared/omniglot /tmp/glyphsim-folder-bench 100000
"""
import os
import struct
import sys
import zlib

import numpy as np


def png(gray):
    h, w = gray.shape
    raw = b"".join(b"\x00" + gray[y].tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    data, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    images = []
    for name in ("images_background.npz", "images_evaluation.npz"):
        images.append(np.load(os.path.join(data, name))["images"])
    drawings = np.concatenate(images)  # [1623, 20, 105, 105], True = paper
    characters, per = drawings.shape[0], drawings.shape[1]
    written = 0
    while written < count:
        copy, index = divmod(written, characters * per)
        c, k = divmod(index, per)
        folder = os.path.join(out, "group%02d" % (c % 50), "char%04d" % (c + 1))
        if k == 0 and copy == 0:
            os.makedirs(folder, exist_ok=True)
        gray = np.where(drawings[c, k], 255, 0).astype(np.uint8)
        with open(os.path.join(folder, "%02d-%d.png" % (k, copy)), "wb") as f:
            f.write(png(gray))
        written += 1
    print("wrote %d PNGs to %s" % (written, out))


if __name__ == "__main__":
    main()
