#!/usr/bin/env python3
"""PyTorch reference for `glyphsim bench`: the same steps, measured the same way.

Setup (once):  python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy
Run:           .venv-torch/bin/python bench/pytorch_reference.py --threads 2 [--json]
               (or bench/compare.sh, which runs both programs in one sitting and prints the ratios)

A training step is exactly glyphsim's: forward of the whole batch through one tower, the loss
(contrastive on N/2 pairs, or triplet on N/3 random triplets), backward, SGD with momentum.
Inference is a forward pass without gradients. Input: random numbers in [0, 1).
Timing: one warm-up step, then at least 3 timed steps and at least --seconds; the median.
Each setting runs in its own process so that peak memory (ru_maxrss) is its own.
"""
import argparse
import json
import resource
import subprocess
import sys
import time


def build(model_name, torch):
    nn = torch.nn
    if model_name == "koch":
        return nn.Sequential(
            nn.Conv2d(1, 64, 10), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 7), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(128, 128, 4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(128, 256, 4), nn.ReLU(), nn.Flatten(),
            nn.Linear(9216, 4096), nn.Sigmoid()), 105
    layers = []
    for block in range(4):
        layers += [nn.Conv2d(1 if block == 0 else 64, 64, 3, padding=1, bias=False),
                   nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2)]
    layers.append(nn.Flatten())
    return nn.Sequential(*layers), 28


def measure(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model, side = build(args.model, torch)
    groups = 3 if args.mode == "triplet" else 2
    n = args.images if args.mode == "infer" else args.images // groups * groups
    x = torch.rand(n, 1, side, side)
    if args.layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    dissimilar = (torch.arange(n // 2) % 2 == 1).float()

    def step():
        if args.mode == "infer":
            model.eval()
            with torch.no_grad():
                model(x)
            return
        model.train()
        e = model(x)
        if args.mode == "contrastive":
            d = (e[0::2] - e[1::2]).pow(2).sum(1).clamp_min(1e-12).sqrt()
            loss = (0.5 * (1 - dissimilar) * d.pow(2) + 0.5 * dissimilar * (1.0 - d).clamp_min(0).pow(2)).mean()
        else:
            a, p, q = e[0::3], e[1::3], e[2::3]
            dap = (a - p).pow(2).sum(1).clamp_min(1e-12).sqrt()
            dan = (a - q).pow(2).sum(1).clamp_min(1e-12).sqrt()
            loss = (1.0 + dap - dan).clamp_min(0).mean()
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()

    step()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < args.seconds:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    return {"framework": "pytorch-" + torch.__version__.split("+")[0] + "-" + args.layout,
            "model": args.model, "mode": args.mode, "images": n, "threads": args.threads,
            "layout": args.layout, "images_per_second": n / median, "steps": len(times),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["koch", "conv4-28"])
    parser.add_argument("--mode", choices=["contrastive", "triplet", "infer"])
    parser.add_argument("--images", type=int)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--layout", choices=["default", "channels_last"])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.model and args.mode and args.images and args.layout:
        result = measure(args)
        if args.json:
            print(json.dumps(result, sort_keys=True))
        else:
            print(f"{result['framework']:28} {args.model:9} {args.mode:12} {result['images']:6} "
                  f"{args.threads:3} {result['images_per_second']:9.1f} {result['peak_rss_mb']:8.0f}")
        return
    models = [args.model] if args.model else ["koch", "conv4-28"]
    modes = [args.mode] if args.mode else ["contrastive", "triplet", "infer"]
    sizes = [args.images] if args.images else [128, 256]
    layouts = [args.layout] if args.layout else ["default", "channels_last"]
    for model in models:
        for mode in modes:
            for images in sizes:
                for layout in layouts:
                    command = [sys.executable, __file__, "--model", model, "--mode", mode, "--images", str(images),
                               "--threads", str(args.threads), "--layout", layout, "--seconds", str(args.seconds)]
                    if args.json:
                        command.append("--json")
                    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
