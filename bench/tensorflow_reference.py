#!/usr/bin/env python3
"""TensorFlow reference for `glyphsim bench`: the same steps as bench/pytorch_reference.py.

Setup (once):  python3 -m venv .venv-tf && .venv-tf/bin/pip install tensorflow-cpu numpy
Run:           .venv-tf/bin/python bench/tensorflow_reference.py --model koch --mode contrastive \
                   --images 128 --threads 2 --json

TensorFlow runs with oneDNN (TF_ENABLE_ONEDNN_OPTS=1, set here before the import) in its own
layout, NHWC. A training step is glyphsim's: forward of the whole batch through one tower, the
loss (contrastive on N/2 pairs, or triplet on N/3 triplets), backward, SGD with momentum, all in
one compiled tf.function. Inference is a forward pass in inference mode. Input: random numbers
in [0, 1). Timing: one warm-up step (it also traces the function), then at least 3 timed steps
and at least --seconds; the median. Peak memory is this process's ru_maxrss.
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def build(model_name, keras):
    layers = keras.layers
    if model_name == "koch":
        return keras.Sequential([
            keras.Input((105, 105, 1)),
            layers.Conv2D(64, 10, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(128, 7, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(128, 4, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(256, 4, activation="relu"), layers.Flatten(),
            layers.Dense(4096, activation="sigmoid")]), 105
    blocks = [keras.Input((28, 28, 1))]
    for _ in range(4):
        blocks += [layers.Conv2D(64, 3, padding="same", use_bias=False), layers.BatchNormalization(),
                   layers.ReLU(), layers.MaxPooling2D(2)]
    blocks.append(layers.Flatten())
    return keras.Sequential(blocks), 28


def measure(args):
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.random.set_seed(1)
    keras = tf.keras
    model, side = build(args.model, keras)
    groups = 3 if args.mode == "triplet" else 2
    n = args.images if args.mode == "infer" else args.images // groups * groups
    x = tf.random.uniform((n, side, side, 1))
    optimizer = keras.optimizers.SGD(learning_rate=0.001, momentum=0.9)
    dissimilar = tf.cast(tf.range(n // 2) % 2 == 1, tf.float32)

    def loss_of(e):
        if args.mode == "contrastive":
            d = tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(e[0::2] - e[1::2]), 1), 1e-12))
            return tf.reduce_mean(0.5 * (1 - dissimilar) * tf.square(d)
                                  + 0.5 * dissimilar * tf.square(tf.maximum(1.0 - d, 0)))
        a, p, q = e[0::3], e[1::3], e[2::3]
        dap = tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(a - p), 1), 1e-12))
        dan = tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(a - q), 1), 1e-12))
        return tf.reduce_mean(tf.maximum(1.0 + dap - dan, 0))

    @tf.function(jit_compile=False)
    def train_step():
        with tf.GradientTape() as tape:
            loss = loss_of(model(x, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function(jit_compile=False)
    def infer_step():
        return model(x, training=False)

    step = infer_step if args.mode == "infer" else train_step
    step().numpy()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < args.seconds:
        t0 = time.perf_counter()
        step().numpy()  # .numpy() waits for the step to finish
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    return {"framework": "tensorflow-" + tf.__version__ + "-onednn" + os.environ["TF_ENABLE_ONEDNN_OPTS"],
            "model": args.model, "mode": args.mode, "images": n, "threads": args.threads,
            "layout": "nhwc", "images_per_second": n / median, "steps": len(times),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["koch", "conv4-28"], required=True)
    parser.add_argument("--mode", choices=["contrastive", "triplet", "infer"], required=True)
    parser.add_argument("--images", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"{result['framework']:28} {args.model:9} {args.mode:12} {result['images']:6} "
              f"{args.threads:3} {result['images_per_second']:9.1f} {result['peak_rss_mb']:8.0f}")


if __name__ == "__main__":
    main()
