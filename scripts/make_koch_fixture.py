#!/usr/bin/env python3
"""Writes Tests/GlyphEngineTests/Fixtures/koch_fixture.json: the Koch et al. (2015) Siamese
tower run by PyTorch on weights and inputs that both PyTorch and the Swift test compute from
the same closed-form formulas, so no weights need to be shipped.

Needs Python 3 with numpy and torch (CPU), e.g. the virtual environment bench/compare.sh makes:
    python3 -m venv .venv-torch && .venv-torch/bin/pip install numpy torch
Then, from the repository root:
    .venv-torch/bin/python scripts/make_koch_fixture.py            # checks the margins, writes the fixture
    .venv-torch/bin/python scripts/make_koch_fixture.py --search   # ranks input constants by margin

Formulas (i is the row-major flat index into the tensor in PyTorch's layout, l the index of
the weighted layer 0...4; everything in float64, then rounded to float32):
    weight[i] = scale_l * (2 frac(i * 0.6180339887498949 + 0.1 l) - 1)   (frac(t) = t - floor(t))
    bias[i]   = 0.05 * cos(0.91 i + l)
    input[i]  = q16(0.5 + 0.5 * sin(A i) * cos(B i + C))        (shape [2, 1, 105, 105])
    R[i]      = sin(0.71 i + 0.5)                                (loss L = sum(output * R))
with scale_l = WEIGHT_GAIN[l] / sqrt(fan_in) (gain sqrt(6) is He's variance), qN(v) =
floor(N v + 1/2) / N, and for layer 0 the weight rounded by q64 and the bias by q1024. The
weight formula uses only IEEE multiply, add and floor, so both languages get identical bits.
The network then runs in float64 so that the fixture holds the exact answer for those float32
values; the Swift side runs in float32.

Why no max-pool window is near a tie (a near-tie's gradient goes to one pixel or the other
depending on rounding, and moves the gradients below it by up to 2%; the first version of this
fixture had one at 6e-6):
- conv1 is exact: inputs are multiples of 1/16, weights of 1/64, biases of 1/1024, so every
  partial sum is an integer below 2^24 times 2^-10, exact in float32 whatever the summation
  order. Its pooling windows are exact ties (broken the same way: first maximum) or apart by
  at least 2^-10. `check_conv1_exact` asserts it.
- conv2 to conv4 are float32 sums of thousands of terms. The input constants A, B, C were
  chosen (`--search`) so that every window whose maximum is positive has its two largest
  values, and its maximum and zero (the ReLU's kink), more than MIN_GAP times the layer's RMS
  apart, as are all of conv4's values from zero. `check_margins` asserts it, and that each
  layer's smallest gap is at least 5x the largest float32 error PyTorch makes on any of that
  layer's pre-activations (measured 4e-6, 9e-6, 1.3e-5 of the RMS). A gap of 1e-3 is out of
  reach: about 10^5 windows would need it, and about one in 10^3 is that close.
"""
import json
import math
import os

import numpy as np
import torch

WEIGHT_GAIN = [8.0, 4.0, 4.0, 4.0, 30.0]
BATCH = 2
SAMPLES = 16
# The input formula's constants (see the docstring; found with --search).
INPUT_A, INPUT_B, INPUT_C = 0.53, 0.019, 0.0
# Smallest allowed distance of a pooling window's top two values (and of a ReLU input from
# zero) on conv2-conv4, relative to the layer's RMS.
MIN_GAP = 2e-5


def quantize(v, steps):
    """floor(steps * v + 1/2) / steps, after checking that no value is within 1e-9 of a rounding
    edge (where another language's last-bit difference in sin or cos could round the other way)."""
    scaled = steps * v + 0.5
    edge = np.abs(scaled - np.round(scaled)).min() if scaled.size else 1.0
    assert edge > 1e-9, f"a value is {edge:.1e} from a rounding edge of q{steps}"
    return np.floor(scaled) / steps


def formula_weight(shape, layer, fan_in):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    scale = WEIGHT_GAIN[layer] / math.sqrt(fan_in)
    t = i * 0.6180339887498949 + 0.1 * layer
    w = scale * (2.0 * (t - np.floor(t)) - 1.0)
    if layer == 0:
        w = quantize(w, 64)
    return w.astype(np.float32).reshape(shape)


def formula_bias(count, layer):
    i = np.arange(count, dtype=np.float64)
    b = 0.05 * np.cos(0.91 * i + layer)
    if layer == 0:
        b = quantize(b, 1024)
    return b.astype(np.float32)


def formula_input(shape, a=None, b=None, c=None):
    a, b, c = (INPUT_A if a is None else a), (INPUT_B if b is None else b), (INPUT_C if c is None else c)
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return quantize(0.5 + 0.5 * np.sin(a * i) * np.cos(b * i + c), 16).astype(np.float32).reshape(shape)


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


def make_net():
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
    return net


def pre_activations(net, x):
    """The pre-ReLU output of every convolution, in order."""
    out, h = [], x
    with torch.no_grad():
        for module in net:
            if isinstance(module, torch.nn.Linear):
                break
            h = module(h)
            if isinstance(module, torch.nn.Conv2d):
                out.append(h)
    return out


def margins(net, x):
    """Per convolution after the first: the smallest distance (relative to the layer's RMS) of a
    positive pooling window's two largest values or of its maximum from zero; for the last
    convolution (no pooling), of any value from zero."""
    result = []
    convs = pre_activations(net, x)
    for index, pre in enumerate(convs[1:], start=1):
        scale = float(pre.pow(2).mean().sqrt())
        if index < len(convs) - 1:
            n, c, h, w = pre.shape
            windows = pre[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
            windows = windows.permute(0, 1, 2, 4, 3, 5).reshape(-1, 4)
            top, _ = windows.sort(dim=1, descending=True)
            positive = top[:, 0] > 0
            gap = float(((top[:, 0] - top[:, 1]) / scale)[positive].min())
            kink = float((top[:, 0].abs() / scale).min())
            result.append(min(gap, kink))
        else:
            result.append(float((pre.abs() / scale).min()))
    return result


def check_conv1_exact(net, x):
    """conv1 in float32 gives exactly the float64 values (see the docstring)."""
    conv = net[0]
    exact = conv(x).detach()
    single = torch.nn.functional.conv2d(x.detach().float(), conv.weight.detach().float(), conv.bias.detach().float())
    assert torch.equal(single.double(), exact), "conv1 is not exact in float32"


def check_margins(net, x):
    """Every window on conv2-conv4 more than MIN_GAP from a tie, and each layer's smallest gap
    at least 5x PyTorch's own largest float32 error on that layer (relative to the RMS)."""
    found = margins(net, x)
    import copy
    net32 = copy.deepcopy(net).float()
    errors = []
    for exact, single in zip(pre_activations(net, x)[1:], pre_activations(net32, x.detach().float())[1:]):
        errors.append(float((single.double() - exact).abs().max() / exact.pow(2).mean().sqrt()))
    print("  smallest gap, conv2-conv4 (x RMS): " + ", ".join(f"{g:.2e}" for g in found)
          + "; PyTorch float32 error: " + ", ".join(f"{e:.1e}" for e in errors))
    assert min(found) > MIN_GAP, f"a pooling window or ReLU input is within {min(found):.1e} of a tie"
    for layer, (gap, error) in enumerate(zip(found, errors), start=2):
        assert gap >= 5 * error, f"conv{layer}: smallest gap {gap:.1e} is under 5x the float32 error {error:.1e}"


def search():
    """Prints input constants by their smallest margin, best last."""
    net = make_net()
    rows = []
    for a in [0.21, 0.17, 0.29, 0.37, 0.43, 0.53]:
        for b in [0.013, 0.019, 0.031, 0.047]:
            for c in [0.0, 0.7, 1.9, 2.6]:
                x = torch.from_numpy(formula_input((BATCH, 1, 105, 105), a, b, c).astype(np.float64))
                rows.append((min(margins(net, x)), a, b, c))
                print(f"A={a} B={b} C={c}: smallest margin {rows[-1][0]:.2e}", flush=True)
    for row in sorted(rows)[-5:]:
        print(f"{row[0]:.2e}: A={row[1]} B={row[2]} C={row[3]}")


def main():
    torch.set_num_threads(2)
    net = make_net()

    x = torch.from_numpy(formula_input((BATCH, 1, 105, 105)).astype(np.float64)).requires_grad_(True)
    check_conv1_exact(net, x)
    check_margins(net, x)
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
        "input": {"a": INPUT_A, "b": INPUT_B, "c": INPUT_C, "minGap": MIN_GAP},
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
    import sys
    search() if "--search" in sys.argv[1:] else main()
