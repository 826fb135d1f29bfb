"""Choose the best CPU model's layout and float32 recipe on a validation split (issue 14).

Trains on the first 50,000 Fashion-MNIST training images and scores on the last 10,000 (the test set
is never read), with the benchmark's test-time augmentation (``evaluate(flip=True, shift=1)``), on the
float32 path. One line per candidate: layout, head, recipe changes, epochs, multiply-adds per image,
multiply-adds x epochs relative to the current model, validation accuracy (plain and with TTA),
training seconds and the load average (the machine is shared: seconds are noisy, compare the
multiply-adds). Usage (from the repository root):

    python benchmarks/sweep_float32.py                 # every candidate
    python benchmarks/sweep_float32.py base ema        # some of them
    python benchmarks/sweep_float32.py --list

A name "base@1" trains candidate "base" with random seed 1 instead of 0 (seed-to-seed spread).
Rows are printed and appended to benchmarks/sweep_float32.txt. Validation standard error at 0.94
is about sqrt(0.94 * 0.06 / 10000) = 0.24 points; one seed per candidate.
"""
import os
import sys
import time

import keras

from cnncourse import data, models, training


def layout(c1, c2, c3, c4, extra14=0, extra7=0):
    """One conv per resolution (28/14/7/4) with c1..c4 filters, plus extra convs at 14x14 or 7x7;
    c4=None: no 4x4 layer (the classifier reads the 7x7 maps)."""
    return tuple([("conv_pool", c1), ("conv", c2)] + [("conv", c2)] * extra14 + [("pool", 2), ("conv", c3)]
                 + [("conv", c3)] * extra7 + ([("pool", 2), ("conv", c4)] if c4 else []))


# The starting point (models.BEST_CPU_SPEC and training.BEST_RECIPES["float32"] when the sweep ran),
# written out so that every row stays reproducible whatever the defaults become; each candidate is
# this recipe with its changes.
BASE = layout(16, 32, 64, 128)
TWO14_NO4 = layout(16, 32, 64, None, extra14=1)      # the second round's starting point (no 4x4 layer)
RECIPE0 = {"epochs": 7, "batch_size": 256, "peak_lr": 1e-2, "weight_decay": 5e-4, "label_smoothing": 0.1,
           "warmup_fraction": 0.15, "steps_per_execution": 16, "ema": False, "shift_px": 0}

# name: (spec, head, recipe changes)
CANDIDATES = {
    "base": (BASE, 256, {}),
    "ema": (BASE, 256, {"ema": True}),
    "ls05": (BASE, 256, {"label_smoothing": 0.05}),
    "lr2e-2": (BASE, 256, {"peak_lr": 2e-2}),
    "bs128": (BASE, 256, {"batch_size": 128}),
    "wd5e-3": (BASE, 256, {"weight_decay": 5e-3}),
    "e10": (BASE, 256, {"epochs": 10}),
    "head512_e8": (BASE, 512, {"epochs": 8}),
    "mid96": (layout(16, 32, 96, 128), 256, {}),
    "mid96_ema_e8": (layout(16, 32, 96, 128), 256, {"epochs": 8, "ema": True}),
    "w48_96_e6": (layout(16, 48, 96, 128), 256, {"epochs": 6}),
    "two14": (layout(16, 32, 64, 128, extra14=1), 256, {}),
    "two14_e6": (layout(16, 32, 64, 128, extra14=1), 256, {"epochs": 6}),
    "two14_ls05": (layout(16, 32, 64, 128, extra14=1), 256, {"label_smoothing": 0.05}),
    "two14_ema": (layout(16, 32, 64, 128, extra14=1), 256, {"ema": True}),
    "two14_lr2e-2": (layout(16, 32, 64, 128, extra14=1), 256, {"peak_lr": 2e-2}),
    "two14_lr2e-2_ema": (layout(16, 32, 64, 128, extra14=1), 256, {"peak_lr": 2e-2, "ema": True}),
    "two14_h512": (layout(16, 32, 64, 128, extra14=1), 512, {}),
    "two7": (layout(16, 32, 64, 128, extra7=1), 256, {}),
    "two7_ema": (layout(16, 32, 64, 128, extra7=1), 256, {"ema": True}),
    "two7_96": (layout(16, 32, 96, 128, extra7=1), 256, {"epochs": 6}),
    "shift1_e9": (BASE, 256, {"shift_px": 1, "epochs": 9}),
    "shift2_e10": (BASE, 256, {"shift_px": 2, "epochs": 10}),
    "two14_shift1_e8": (layout(16, 32, 64, 128, extra14=1), 256, {"shift_px": 1, "epochs": 8}),
    "w32": (layout(32, 32, 64, 128), 256, {}),
    "w32_e6": (layout(32, 32, 64, 128), 256, {"epochs": 6}),
    "w24_48_96_192_e5": (layout(24, 48, 96, 192), 256, {"epochs": 5}),
    # second round: no 4x4 layer (its 1.2 million multiply-adds go to the second 14x14 conv instead)
    "no4": (layout(16, 32, 64, None), 256, {}),
    "two14_no4": (TWO14_NO4, 256, {}),
    "two14_no4_ema": (TWO14_NO4, 256, {"ema": True}),
    "two14_no4_e8": (TWO14_NO4, 256, {"epochs": 8}),
    "two14_no4_h512": (TWO14_NO4, 512, {}),
    "two14_no4_c96": (layout(16, 32, 96, None, extra14=1), 256, {}),
    "two14_no4_w48": (layout(16, 48, 64, None, extra14=1), 256, {}),
    "three14_no4": (layout(16, 32, 64, None, extra14=2), 256, {}),
    "two14_two7_no4": (layout(16, 32, 64, None, extra14=1, extra7=1), 256, {}),
    "two14_no4_lr2e-2": (TWO14_NO4, 256, {"peak_lr": 2e-2}),
    "two14_no4_lr2e-2_ema": (TWO14_NO4, 256, {"peak_lr": 2e-2, "ema": True}),
    "two14_no4_lr3e-2_ema": (TWO14_NO4, 256, {"peak_lr": 3e-2, "ema": True}),
    "two14_no4_lr2e-2_ema_e6": (TWO14_NO4, 256, {"peak_lr": 2e-2, "ema": True, "epochs": 6}),
    "two14_no4_lr2e-2_e8": (TWO14_NO4, 256, {"peak_lr": 2e-2, "epochs": 8}),
    "two14_no4_lr2e-2_ema_ls05": (TWO14_NO4, 256,
                                  {"peak_lr": 2e-2, "ema": True, "label_smoothing": 0.05}),
    "two14_no4_lr2e-2_w24": (layout(24, 32, 64, None, extra14=1), 256, {"peak_lr": 2e-2}),
}


def describe(spec):
    """E.g. "16|32|64|128" (| = 2x2 pooling; "32,32" = two convs at one resolution)."""
    text = ""
    for kind, arg in spec:
        text += ("," if text and text[-1] not in "|" else "") + str(arg) if kind != "pool" else "|"
        text += "|" if kind == "conv_pool" else ""
    return text + ("|-" if text.count("|") < 3 else "")                # "-": no 4x4 layer


def main(names):
    (x, y), _ = data.load_fashion_mnist()
    x = training.prepare(x)
    x_fit, y_fit, x_val, y_val = x[:50000], y[:50000], x[50000:], y[50000:]
    base_cost = models.multiply_adds(BASE, 256) * RECIPE0["epochs"]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sweep_float32.txt")
    header = (f"{'name':18s} {'layout (28|14|7|4)':24s} {'head':>4s} {'ep':>3s} {'MACs':>6s} {'xMACep':>6s} "
              f"{'val':>6s} {'valTTA':>6s} {'sec':>6s} {'load':>5s}  changes")
    print(header, flush=True)
    if not os.path.exists(out):
        with open(out, "w") as f:
            f.write(header + "\n")
    for name in names:
        key, _, seed = name.partition("@")              # "base@1": candidate "base" with seed 1
        spec, head, changes = CANDIDATES[key]
        keras.utils.set_random_seed(int(seed or 0))
        model, _, seconds, r = training.train_best_model(x_fit, y_fit, verbose=0, recipe=dict(RECIPE0, **changes),
                                                         precision="float32", spec=spec, head=head)
        plain, _ = training.evaluate(model, x_val, y_val)
        tta, _ = training.evaluate(model, x_val, y_val, flip=True, shift=1)
        macs = models.multiply_adds(spec, head)
        row = (f"{name:18s} {describe(spec):24s} {head:4d} {r['epochs']:3d} {macs / 1e6:5.2f}M "
               f"{macs * r['epochs'] / base_cost:6.2f} {plain:6.4f} {tta:6.4f} {seconds:6.1f} "
               f"{os.getloadavg()[0]:5.2f}  {changes or ''}")
        print(row, flush=True)
        with open(out, "a") as f:
            f.write(row + "\n")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--list"]:
        print("\n".join(CANDIDATES))
    else:
        unknown = [a for a in args if a.partition("@")[0] not in CANDIDATES]
        if unknown:
            sys.exit(f"unknown candidates {unknown}; --list shows them")
        main(args or list(CANDIDATES))
