#!/usr/bin/env python3
"""The Python side of Tests/GlyphEngineTests/CheckpointInteropTests.swift.

  python safetensors_interop.py describe FILE   reads FILE with safetensors.numpy.load_file
      and prints {"tensors": {name: {"shape": [...], "sum": float, "first": float}},
      "metadata": {...}} as JSON.
  python safetensors_interop.py write FILE      writes a known set of tensors (float32,
      float64, float16) and metadata with safetensors.numpy.save_file.

Needs numpy and safetensors (scripts/test.sh installs them into .venv-test).
"""
import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def describe(path):
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata() or {}
    out = {
        name: {
            "shape": list(t.shape),
            "dtype": str(t.dtype),
            "sum": float(t.astype(np.float64).sum()),
            "first": float(t.flat[0]) if t.size else None,
        }
        for name, t in tensors.items()
    }
    print(json.dumps({"tensors": out, "metadata": metadata}, sort_keys=True))


def write(path):
    tensors = {
        "conv.weight": np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 8,
        "conv.bias": np.array([-1.5, 2.25], dtype=np.float32),
        "dense.weight64": np.linspace(-1, 1, 6, dtype=np.float64).reshape(3, 2),
        "half": np.array([0.5, -2.0, 65504.0, 6.1e-5], dtype=np.float16),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }
    save_file(tensors, path, metadata={"glyphsim.config": '{"lr": 0.01}', "written.by": "python"})


if __name__ == "__main__":
    {"describe": describe, "write": write}[sys.argv[1]](sys.argv[2])
