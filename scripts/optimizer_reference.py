#!/usr/bin/env python3
"""Reference numbers for Tests/GlyphEngineTests/OptimizerTests.swift, computed by torch.optim.

Run: /opt/torchenv/bin/python scripts/optimizer_reference.py
It prints Swift array literals that the test pastes as constants.

Setup shared with the test: a weight W (shape [2, 2], weight decay applies, learning-rate
multiplier 1) and a bias b (shape [2], no weight decay, learning-rate multiplier 0.5), both
float32. The gradient at every step is that of a fixed quadratic: g = A * w + B elementwise,
so it depends on the current weights and three steps exercise the optimizer's state.
The multiplier and the weight-decay exemption are expressed as torch parameter groups.
"""
import torch

W0 = [0.5, -1.0, 2.0, 0.25]
B0 = [0.1, -0.3]
AW, BW = [1.0, 2.0, 0.5, 3.0], [0.2, -0.1, 0.3, -0.4]
AB, BB = [1.5, 0.7], [-0.2, 0.05]
LR = 0.1

CASES = {
    "sgd": lambda groups: torch.optim.SGD(groups, lr=LR),
    "sgdMomentum": lambda groups: torch.optim.SGD(groups, lr=LR, momentum=0.9),
    "sgdNesterovDecay": lambda groups: torch.optim.SGD(groups, lr=LR, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adamDecay": lambda groups: torch.optim.Adam(groups, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
    "adamW": lambda groups: torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
}


def run(case, steps):
    w = torch.tensor(W0, dtype=torch.float32).reshape(2, 2).requires_grad_(False)
    b = torch.tensor(B0, dtype=torch.float32)
    aw, bw = torch.tensor(AW).reshape(2, 2), torch.tensor(BW).reshape(2, 2)
    ab, bb = torch.tensor(AB), torch.tensor(BB)
    groups = [{"params": [w]}, {"params": [b], "lr": LR * 0.5, "weight_decay": 0.0}]
    opt = CASES[case](groups)
    for _ in range(steps):
        w.grad = aw * w + bw
        b.grad = ab * b + bb
        opt.step()
    return w.flatten().tolist() + b.tolist()


def literal(values):
    return "[" + ", ".join(f"{v:.9g}" for v in values) + "]"


if __name__ == "__main__":
    print(f"// torch {torch.__version__}")
    for case in CASES:
        for steps in (1, 3):
            print(f'"{case}.{steps}": {literal(run(case, steps))},')
