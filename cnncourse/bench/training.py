"""cnncourse bench training [--precision P] [--repeat N] [--frontier] [--json PATH] [--epochs-scale F]

Accuracy benchmark on this machine, side by side in one run:
  (a) seed_model: document 001's CNN exactly as 001 configures it (Adam 1e-4, batch 32, 10 epochs,
      validation_split=0.2), the recipe of notebook 08;
  (b) best_model: cnncourse.models.best_cpu_model() with cnncourse.training.train_best_model, on the
      precision path this CPU would use (bfloat16 where it has native bfloat16 arithmetic, else
      float32); --precision float32 forces the float32 path on any machine.
For each: test accuracy on the 10,000 test images and wall-clock training seconds (model.fit only;
evaluation, including (b)'s test-time augmentation - mirror image and 1-pixel shifts - is not
training time). --repeat N trains both N times, alternating which goes first, and reports the median
and the spread (min..max) of each and of the paired time ratios; the machine block names the CPU,
the flags that decide its speed, and the load average before and after (other jobs distort times).
--frontier adds the best model at other epoch counts and the previous best model (one convolution
per resolution, trained as it was): the accuracy / time frontier that notebook 09 plots.
To see what a CPU with AVX2 but no AVX-512 would do, run it with ONEDNN_MAX_CPU_ISA=AVX2: TensorFlow's
oneDNN kernels (convolutions, batch norm, pooling) then use AVX2 only; the machine block says so.
--json writes {"machine": {...}, "precision": ..., "seed_model": {...}, "best_model": {...},
"ratios": {...}, "frontier": [...]}.
Target (issue 14): best_model test accuracy >= 0.940 in at most 0.8x seed_model's training time.
"""
import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

DEFAULT_JSON = Path("build") / "bench" / "training.json"
TARGET_ACCURACY, TARGET_RATIO = 0.940, 0.8
SPEED_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile")
FRONTIER_EPOCHS = (5, 9)               # the best model at these epoch counts (besides its recipe's)
# the previous best model (models.ONE_CONV_SPEC) with the recipe it was trained with
FRONTIER_PREVIOUS = {"epochs": 7, "peak_lr": 1e-2}


def machine():
    """What decides the timings: CPU model and flags, cores, load, backend, accelerators, versions."""
    import keras
    from .. import backend
    from ..fast import cpu_flags, cpu_precision
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = cpu_flags()
    info = {"cpu": cpu, "cpus": os.cpu_count(),
            "flags": [f for f in SPEED_FLAGS if f in flags],
            "cpu_precision": cpu_precision(),
            "backend": backend.name(), "accelerators": backend.accelerators(),
            "platform": platform.platform(), "python": platform.python_version(),
            "keras": keras.__version__, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    if backend.name() == "tensorflow":
        import tensorflow as tf
        info["tensorflow"] = tf.__version__
    if os.environ.get("ONEDNN_MAX_CPU_ISA"):           # oneDNN told to use fewer instructions than the CPU has
        info["onednn_max_cpu_isa"] = os.environ["ONEDNN_MAX_CPU_ISA"]
    if hasattr(os, "getloadavg"):
        info["load_before"] = round(os.getloadavg()[0], 2)
    return info


def _summary(runs):
    acc, sec = [r["test_accuracy"] for r in runs], [r["train_seconds"] for r in runs]
    return {"test_accuracy": round(statistics.median(acc), 4), "train_seconds": round(statistics.median(sec), 1),
            "accuracy_range": [min(acc), max(acc)], "seconds_range": [min(sec), max(sec)], "runs": runs}


def _train_seed(data, verbose, epochs_scale, seed):
    import keras
    from .. import training
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(seed)
    epochs = max(1, round(10 * epochs_scale))
    model, _, seconds = training.train_seed_model(x_train, y_train, verbose=verbose, epochs=epochs)
    acc, _ = training.evaluate(model, x_test, y_test)
    return {"test_accuracy": round(acc, 4), "train_seconds": round(seconds, 1),
            "params": model.count_params(), "epochs": epochs}


def _train_best(data, verbose, epochs_scale, seed, precision, spec=None, recipe=None):
    import keras
    from .. import training
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(seed)
    model, _, seconds, recipe = training.train_best_model(
        x_train, y_train, verbose=verbose, epochs_scale=epochs_scale, precision=precision, spec=spec,
        recipe=recipe)
    acc, _ = training.evaluate(model, x_test, y_test, flip=True, shift=1)
    acc_flip, _ = training.evaluate(model, x_test, y_test, flip=True)
    acc_plain, _ = training.evaluate(model, x_test, y_test)
    return {"test_accuracy": round(acc, 4), "train_seconds": round(seconds, 1),
            "test_accuracy_flip_only": round(acc_flip, 4), "test_accuracy_single_view": round(acc_plain, 4),
            "precision": model.get_layer("conv1").dtype_policy.name, "params": model.count_params(),
            "recipe": recipe}


def run(epochs_scale=1.0, verbose=2, which=("seed_model", "best_model"), precision=None, repeat=1,
        frontier=False, seed=42):
    """Train (a) and/or (b) ``repeat`` times, alternating the order; returns the result dict."""
    from .. import data, models, training
    precision = precision or models.default_precision()
    results = {"machine": machine(), "precision": precision}
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    d = (training.prepare(x_train), y_train), (training.prepare(x_test), y_test)
    runs = {k: [] for k in which}
    for i in range(repeat):
        for key in (which if i % 2 == 0 else tuple(reversed(which))):
            r = (_train_seed(d, verbose, epochs_scale, seed) if key == "seed_model"
                 else _train_best(d, verbose, epochs_scale, seed, precision))
            runs[key].append(r)
            print(f"  repeat {i + 1}/{repeat} {key}: test accuracy {r['test_accuracy']:.4f}, "
                  f"train {r['train_seconds']:.1f} s", flush=True)
    for key in which:
        results[key] = _summary(runs[key])
        results[key].update({k: v for k, v in runs[key][0].items() if k not in ("test_accuracy", "train_seconds")})
    if "seed_model" in results and "best_model" in results:
        paired = [b["train_seconds"] / a["train_seconds"] for a, b in zip(runs["seed_model"], runs["best_model"])]
        results["ratios"] = {"time_median": round(results["best_model"]["train_seconds"]
                                                  / results["seed_model"]["train_seconds"], 3),
                             "time_paired": [round(p, 3) for p in paired]}
    if frontier:
        points = [("best_cpu_model", models.BEST_CPU_SPEC, {"epochs": e}) for e in FRONTIER_EPOCHS]
        points.append(("one_conv (previous best)", models.ONE_CONV_SPEC, FRONTIER_PREVIOUS))
        results["frontier"] = []
        for label, spec, recipe in points:
            r = _train_best(d, verbose, epochs_scale, seed, precision, spec=spec, recipe=recipe)
            r.update(label=label, epochs=r["recipe"]["epochs"], multiply_adds=models.multiply_adds(spec))
            results["frontier"].append(r)
            print(f"  frontier {label}, {r['epochs']} epochs: test accuracy {r['test_accuracy']:.4f}, "
                  f"train {r['train_seconds']:.1f} s", flush=True)
    if hasattr(os, "getloadavg"):
        results["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    return results


def report(results):
    """The machine, the table and the ratios as text."""
    m = results.get("machine", {})
    lines = []
    if m:
        lines.append(f"machine: {m.get('cpu')}, {m.get('cpus')} cores, flags {' '.join(m.get('flags', [])) or '-'}; "
                     f"backend {m.get('backend')}, accelerators {', '.join(m.get('accelerators', [])) or 'none'}")
        if "onednn_max_cpu_isa" in m:
            lines.append(f"ONEDNN_MAX_CPU_ISA={m['onednn_max_cpu_isa']}: TensorFlow's oneDNN kernels use only that "
                         f"instruction set (as on a CPU that has no more)")
        if "load_before" in m:
            lines.append(f"load average {m['load_before']} before, {m.get('load_after', '?')} after "
                         f"(above ~0.5 other jobs share the CPU: times are noisy)")
    if "precision" in results:
        forced = "" if results["precision"] == m.get("cpu_precision", results["precision"]) else " (forced)"
        lines.append(f"precision path of best_model: {results['precision']}{forced}; "
                     f"this CPU's own: {m.get('cpu_precision', '?')}")
    lines.append(f"{'model':<12}{'test accuracy':>15}{'train seconds':>15}{'params':>10}  spread (min..max)")
    for key in ("seed_model", "best_model"):
        if key in results:
            r = results[key]
            spread = ""
            if len(r.get("runs", [])) > 1:
                spread = (f"  acc {r['accuracy_range'][0]:.4f}..{r['accuracy_range'][1]:.4f}, "
                          f"s {r['seconds_range'][0]:.1f}..{r['seconds_range'][1]:.1f} ({len(r['runs'])} runs, medians shown)")
            lines.append(f"{key:<12}{r['test_accuracy']:>15.4f}{r['train_seconds']:>15.1f}{r['params']:>10,}{spread}")
    if "seed_model" in results and "best_model" in results:
        a, b = results["seed_model"], results["best_model"]
        ratio = b["train_seconds"] / a["train_seconds"]
        paired = results.get("ratios", {}).get("time_paired", [])
        lines.append(f"time ratio best/seed {ratio:.2f}"
                     + (f" (paired per repeat {min(paired):.2f}..{max(paired):.2f})" if len(paired) > 1 else "")
                     + f"   error ratio best/seed {(1 - b['test_accuracy']) / (1 - a['test_accuracy']):.2f}")
        ok = b["test_accuracy"] >= TARGET_ACCURACY and ratio <= TARGET_RATIO
        lines.append(f"target (best >= {TARGET_ACCURACY:.3f} in <= {TARGET_RATIO}x seed's time): "
                     f"{'met' if ok else 'NOT met'}")
    for p in results.get("frontier", []):
        lines.append(f"frontier  {p['label']:<26} {p['epochs']:>3} epochs  test accuracy {p['test_accuracy']:.4f}  "
                     f"train {p['train_seconds']:.1f} s")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cnncourse bench training", description=__doc__.splitlines()[2])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON,
                        help=f"where to write the results (default {DEFAULT_JSON})")
    parser.add_argument("--precision", choices=("auto", "float32", "mixed_bfloat16"), default="auto",
                        help="best_model's precision path (auto: this CPU's, cnncourse.models.default_precision)")
    parser.add_argument("--repeat", type=int, default=1, help="train both models N times; report medians and spread")
    parser.add_argument("--frontier", action="store_true",
                        help="also train the best model at other epoch counts and the previous best model")
    parser.add_argument("--epochs-scale", type=float, default=1.0,
                        help="multiply every epoch count (e.g. 0.1 for a smoke test; not the benchmark)")
    parser.add_argument("--only", choices=("seed_model", "best_model"), help="run one of the two")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    which = (args.only,) if args.only else ("seed_model", "best_model")
    results = run(epochs_scale=args.epochs_scale, which=which, repeat=args.repeat, frontier=args.frontier,
                  precision=None if args.precision == "auto" else args.precision)
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
        print("wrote", args.json)
    return 0
