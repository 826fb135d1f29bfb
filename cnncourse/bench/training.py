"""cnncourse bench training [--json PATH] [--epochs-scale F]

Accuracy benchmark, one run on this machine, side by side:
  (a) seed_model: document 001's CNN exactly as 001 configures it (Adam 1e-4, batch 32, 10 epochs,
      validation_split=0.2), the recipe of notebook 08;
  (b) best_model: cnncourse.models.best_cpu_model() with cnncourse.training.train_best_model.
For each: test accuracy on the 10,000 test images and wall-clock training seconds (model.fit only;
evaluation, including (b)'s test-time augmentation - mirror image and 1-pixel shifts - is not
training time).
Prints a table and the ratios; --json writes
  {"seed_model": {"test_accuracy", "train_seconds", ...}, "best_model": {...}, "machine": {...}}.
Target: best_model test_accuracy >= 0.935 with train_seconds <= seed_model's.
"""
import argparse
import json
import os
import platform
import time
from pathlib import Path

from .. import paths

DEFAULT_JSON = paths.build() / "bench" / "training.json"


def _machine():
    import keras
    import tensorflow as tf
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__,
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}


def run(epochs_scale=1.0, verbose=2, which=("seed_model", "best_model")):
    """Train (a) and/or (b) one after the other; returns the result dict (no files written)."""
    import keras
    from .. import data, training

    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    x_train, x_test = training.prepare(x_train), training.prepare(x_test)
    results = {}
    if "seed_model" in which:
        keras.utils.set_random_seed(42)
        epochs = max(1, round(10 * epochs_scale))
        model, hist, seconds = training.train_seed_model(x_train, y_train, verbose=verbose, epochs=epochs)
        acc, _ = training.evaluate(model, x_test, y_test)
        results["seed_model"] = {"test_accuracy": round(acc, 4), "train_seconds": round(seconds, 1),
                                 "params": model.count_params(), "epochs": epochs,
                                 "recipe": "fashion_cnn_001, Adam(1e-4), batch 32, validation_split 0.2"}
    if "best_model" in which:
        keras.utils.set_random_seed(42)
        model, hist, seconds, recipe = training.train_best_model(x_train, y_train, verbose=verbose,
                                                                 epochs_scale=epochs_scale)
        acc, _ = training.evaluate(model, x_test, y_test, flip=True, shift=1)
        acc_flip, _ = training.evaluate(model, x_test, y_test, flip=True)
        acc_plain, _ = training.evaluate(model, x_test, y_test)
        results["best_model"] = {"test_accuracy": round(acc, 4), "train_seconds": round(seconds, 1),
                                 "test_accuracy_flip_only": round(acc_flip, 4),
                                 "test_accuracy_single_view": round(acc_plain, 4),
                                 "precision": model.get_layer("conv1").dtype_policy.name,
                                 "params": model.count_params(), **recipe}
    results["machine"] = _machine()
    return results


def report(results):
    """The table and the ratios as text."""
    lines = [f"{'model':<12}{'test accuracy':>15}{'train seconds':>15}{'params':>10}"]
    for key in ("seed_model", "best_model"):
        if key in results:
            r = results[key]
            lines.append(f"{key:<12}{r['test_accuracy']:>15.4f}{r['train_seconds']:>15.1f}{r['params']:>10,}")
    if "seed_model" in results and "best_model" in results:
        a, b = results["seed_model"], results["best_model"]
        lines.append(f"time ratio best/seed {b['train_seconds'] / a['train_seconds']:.2f}   "
                     f"error ratio best/seed {(1 - b['test_accuracy']) / (1 - a['test_accuracy']):.2f}")
        ok = b["test_accuracy"] >= 0.935 and b["train_seconds"] <= a["train_seconds"]
        lines.append(f"target (best >= 0.935 and not slower than seed): {'met' if ok else 'NOT met'}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cnncourse bench training",
                                     description=__doc__.splitlines()[2])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON,
                        help=f"where to write the results (default {DEFAULT_JSON})")
    parser.add_argument("--epochs-scale", type=float, default=1.0,
                        help="multiply every epoch count (e.g. 0.1 for a smoke test; not the benchmark)")
    parser.add_argument("--only", choices=("seed_model", "best_model"), help="run one of the two")
    args = parser.parse_args(argv)
    which = (args.only,) if args.only else ("seed_model", "best_model")
    results = run(epochs_scale=args.epochs_scale, which=which)
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
        print("wrote", args.json)
    return 0
