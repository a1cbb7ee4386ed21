#!/usr/bin/env python3
"""Writes Tests/GlyphEngineTests/Fixtures/koch_fixture.json: the Koch et al. (2015) Siamese
tower run by PyTorch on weights and inputs that both PyTorch and the Swift test compute from
the same closed-form formulas, so no weights need to be shipped.

Needs Python 3 with numpy and torch (CPU). To make such a virtual environment:
    python3 -m venv /opt/torchenv
    /opt/torchenv/bin/pip install numpy torch --index-url https://download.pytorch.org/whl/cpu
Then, from the repository root:
    /opt/torchenv/bin/python scripts/make_koch_fixture.py

Formulas (i is the row-major flat index into the tensor in PyTorch's layout, l the index of
the weighted layer 0...4; everything in float64, then rounded to float32):
    weight[i] = scale_l * (2 frac(i * 0.6180339887498949 + 0.1 l) - 1)   (frac(t) = t - floor(t))
    bias[i]   = 0.05 * cos(0.91 i + l)
    input[i]  = 0.5 + 0.5 * sin(0.21 i) * cos(0.013 i)          (shape [2, 1, 105, 105])
    R[i]      = sin(0.71 i + 0.5)                                (loss L = sum(output * R))
with scale_l = WEIGHT_GAIN[l] / sqrt(fan_in) (gain sqrt(6) is He's variance). The weight
formula uses only IEEE multiply, add and floor, so both languages get identical bits. The network then runs in float64 so that the
fixture holds the exact answer for those float32 values; the Swift side runs in float32.
"""
import json
import math
import os

import numpy as np
import torch

WEIGHT_GAIN = [8.0, 4.0, 4.0, 4.0, 30.0]
BATCH = 2
SAMPLES = 16


def formula_weight(shape, layer, fan_in):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    scale = WEIGHT_GAIN[layer] / math.sqrt(fan_in)
    t = i * 0.6180339887498949 + 0.1 * layer
    w = scale * (2.0 * (t - np.floor(t)) - 1.0)
    return w.astype(np.float32).reshape(shape)


def formula_bias(count, layer):
    i = np.arange(count, dtype=np.float64)
    return (0.05 * np.cos(0.91 * i + layer)).astype(np.float32)


def formula_input(shape):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return (0.5 + 0.5 * np.sin(0.21 * i) * np.cos(0.013 * i)).astype(np.float32).reshape(shape)


def formula_projection(shape):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return np.sin(0.71 * i + 0.5).reshape(shape)


def sample_indices(count):
    """A fixed spread of flat indices, the same rule as the Swift test."""
    return [(k * 104729 + 7 * k * k + 3) % count for k in range(SAMPLES)]


def summary(tensor):
    flat = tensor.detach().reshape(-1).numpy()
    idx = sample_indices(flat.size)
    return {"count": int(flat.size), "norm": float(np.linalg.norm(flat)),
            "indices": idx, "values": [float(flat[j]) for j in idx]}


def main():
    torch.set_num_threads(2)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 64, 10), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(64, 128, 7), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(128, 128, 4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(128, 256, 4), torch.nn.ReLU(),
        torch.nn.Flatten(), torch.nn.Linear(9216, 4096), torch.nn.Sigmoid(),
    ).double()
    weighted = [m for m in net if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        for layer, module in enumerate(weighted):
            shape = tuple(module.weight.shape)
            fan_in = int(np.prod(shape[1:]))
            module.weight.copy_(torch.from_numpy(formula_weight(shape, layer, fan_in).astype(np.float64)))
            module.bias.copy_(torch.from_numpy(formula_bias(shape[0], layer).astype(np.float64)))

    x = torch.from_numpy(formula_input((BATCH, 1, 105, 105)).astype(np.float64)).requires_grad_(True)
    out = net(x)
    r = torch.from_numpy(formula_projection(tuple(out.shape)))
    loss = (out * r).sum()
    loss.backward()

    o = out.detach().numpy()
    saturated = float(np.mean((o < 0.02) | (o > 0.98)))
    print(f"output mean {o.mean():.4f} std {o.std():.4f} saturated {saturated:.3%}, loss {loss.item():.6f}")
    hidden = x
    for module in net[:-3]:
        hidden = module(hidden)
        if isinstance(module, torch.nn.ReLU):
            print(f"  relu active fraction {float((hidden.detach() > 0).double().mean()):.3f} rms {float(hidden.detach().pow(2).mean().sqrt()):.4f} std over batch-spatial {float(hidden.detach().std()):.4f}")

    # For scale: how far PyTorch's own float32 run lands from this float64 answer on the sampled
    # entries (|a - b| / max(|b|, 1% of the tensor's RMS)); the Swift engine runs in float32 too.
    import copy
    net32 = copy.deepcopy(net).float()
    x32 = x.detach().float().requires_grad_(True)
    out32 = net32(x32)
    (out32 * r.float()).sum().backward()
    for name, p in net32.named_parameters():
        ref = dict(net.named_parameters())[name].grad.reshape(-1).numpy()
        got = p.grad.reshape(-1).double().numpy()
        idx = sample_indices(ref.size)
        floor = 0.01 * np.linalg.norm(ref) / math.sqrt(ref.size)
        worst = max(abs(got[j] - ref[j]) / max(abs(ref[j]), floor) for j in idx)
        print(f"  pytorch float32 {name}: worst sampled relative error {worst:.2e}")

    fixture = {
        "description": "Koch tower on formula weights, see scripts/make_koch_fixture.py",
        "batch": BATCH,
        "loss": float(loss.item()),
        "output": summary(out),
        "inputGradient": summary(x.grad),
        "saturatedFraction": saturated,
        "parameters": {name: summary(p.grad) for name, p in net.named_parameters()},
    }
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "GlyphEngineTests", "Fixtures", "koch_fixture.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
