"""Training recipes shared by notebooks 08-09 and the accuracy benchmark.

- ``prepare(x)``: Fashion-MNIST uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1] (001's reshape
  + /255); it is ``ops.prepare_images``, the reference of exercise 08's prepare_images.
- ``train_seed_model``: document 001's model trained exactly as 001 configures it.
- ``train_best_model``: the course's best CPU model with its recipe (``best_recipe``: one per
  precision path, float32 or bfloat16).
- ``augmentation``: random flips and shifts of up to 2 px (003's ConvNetJS demo) as Keras layers.
- ``warmup_cosine``: a learning-rate schedule (linear warm-up, then cosine decay to 0).
- ``evaluate``: test accuracy, optionally averaging the image and its mirror image (test-time flip).
"""
import time

import numpy as np
import keras

from . import ops
from .i18n import _

prepare = ops.prepare_images        # one function; notebooks 09-10 call it training.prepare


def augmentation(flip=True, shift_px=2, size=28, seed=None):
    """Random horizontal flips and random shifts of up to ``shift_px`` pixels, as Keras layers.

    The layers act only during training (model.fit); at predict/evaluate time they pass images through.
    """
    layers = []
    if flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if shift_px:
        f = shift_px / size
        layers.append(keras.layers.RandomTranslation(f, f, fill_mode="constant", seed=seed))
    return keras.Sequential(layers, name="augmentation")


def warmup_cosine(peak_lr, total_steps, warmup_fraction=0.15, start_fraction=0.1):
    """Learning rate rising linearly from start_fraction*peak_lr to peak_lr over the first
    warmup_fraction of the steps, then falling along a half cosine to 0 ("one-cycle" shape)."""
    warm = int(total_steps * warmup_fraction)
    return keras.optimizers.schedules.CosineDecay(
        peak_lr * start_fraction, decay_steps=total_steps - warm, warmup_target=peak_lr, warmup_steps=warm)


def train_seed_model(x_train, y_train, verbose=2, epochs=10):
    """Document 001's model and recipe: Adam(1e-4), sparse categorical cross-entropy, batch 32
    (Keras' default, 001 passes none), 10 epochs, validation_split=0.2. x_train prepared (N,28,28,1).

    Returns (model, history dict, train_seconds). The accuracy metric is only reported, it does not
    change training.
    """
    from .models import fashion_cnn_001
    model = fashion_cnn_001()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0001),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    t0 = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, validation_split=0.2, verbose=verbose).history
    return model, history, time.perf_counter() - t0


def evaluate(model, x, y, flip=False, shift=0, batch_size=1000):
    """Accuracy of ``model`` on (x, y); returns (accuracy, probabilities (N, classes)).

    Test-time augmentation averages the softmax over several views of each image:
    flip=True adds its left-right mirror image; shift=s adds copies moved s pixels up, down, left
    and right (each with its mirror if flip). The unshifted view(s) count as much as the four
    shifted ones together: small shifts are a second opinion, not the main one.
    """
    def views(images):
        p = model.predict(images, batch_size=batch_size, verbose=0)
        if flip:
            p = (p + model.predict(images[:, :, ::-1], batch_size=batch_size, verbose=0)) / 2
        return p
    p = views(x)
    if shift:
        moves = [(0, shift), (0, -shift), (shift, 0), (-shift, 0)]
        p = (p + sum(views(ops.shift(x, dy, dx)) for dy, dx in moves) / len(moves)) / 2
    return float(np.mean(p.argmax(axis=1) == np.asarray(y))), p


# The recipes of the best CPU model (chapter 09), one per precision path; the benchmark trains
# exactly these. Layout, learning rate and the accuracy per epoch were chosen on a validation split
# (50,000 training images / the other 10,000), never on the test set (benchmarks/sweep_float32.txt);
# the epochs fit each path's time budget: float32 must stay well under 001's training time even on
# CPUs with AVX2 only (7 epochs); where bfloat16 is native a multiply-add costs about two thirds as
# much, so it affords 9.
BEST_RECIPES = {
    "float32": {"epochs": 7, "batch_size": 256, "peak_lr": 2e-2, "weight_decay": 5e-4,
                "label_smoothing": 0.1, "warmup_fraction": 0.15, "steps_per_execution": 16},
}
BEST_RECIPES["mixed_bfloat16"] = dict(BEST_RECIPES["float32"], epochs=9)


def best_recipe(precision=None):
    """The recipe (a dict) for the precision path ``precision`` ("float32" or "mixed_bfloat16";
    None: ``models.default_precision()``, what this machine would use), with its "precision"."""
    from .models import default_precision
    precision = precision or default_precision()
    if precision not in BEST_RECIPES:
        raise ValueError(_("no recipe for precision {precision}; use one of {recipes}").format(
            precision=repr(precision), recipes=sorted(BEST_RECIPES)))
    return dict(BEST_RECIPES[precision], precision=precision)


def train_best_model(x_train, y_train, verbose=2, epochs_scale=1.0, recipe=None, precision=None, spec=None,
                     head=None):
    """Train ``models.best_cpu_model()`` on all of (x_train, y_train) with its recipe.

    x_train (N, 28, 28, 1) prepared, y_train (N,) ints. precision: "float32" or "mixed_bfloat16"
    (None: this machine's, ``models.default_precision()``); it picks the model's dtype policy and
    the recipe (``BEST_RECIPES``): batch 256 (few, large steps: the CPU's cores stay busy), 16 steps
    per call into the backend (less Python between steps; the maths is unchanged), AdamW (Adam +
    weight decay) with a linear warm-up then a cosine decay of the learning rate to 0 over exactly
    the planned steps, label smoothing 0.1 (targets 0.91/0.01 instead of 1/0: less over-confident),
    horizontal flips inside the model. ``recipe`` overrides items (e.g. {"epochs": 6}); ``spec`` another
    layout for ``best_cpu_model`` (chapter 09's frontier), ``head`` another width of its hidden Dense layer.
    A recipe item "ema": True keeps an exponential moving average of the weights (momentum 0.99)
    and puts it into the model when training ends; "shift_px": n adds random shifts of up to n pixels
    (``best_cpu_model(shift_px=n)``). Both are off in ``BEST_RECIPES`` (benchmarks/sweep_float32.txt).
    No validation split: the recipe was chosen beforehand, so all 60,000 images are used for training.
    Returns (model, history dict, train_seconds, recipe dict).
    """
    from .models import BEST_CPU_HEAD, BEST_CPU_SPEC, best_cpu_model
    r = dict(best_recipe(precision), **(recipe or {}))
    r["epochs"] = max(1, round(r["epochs"] * epochs_scale))
    model = best_cpu_model(precision=r["precision"], spec=spec or BEST_CPU_SPEC, head=head or BEST_CPU_HEAD,
                           shift_px=r.get("shift_px", 0))
    steps = r["epochs"] * int(np.ceil(len(x_train) / r["batch_size"]))
    schedule = warmup_cosine(r["peak_lr"], steps, warmup_fraction=r["warmup_fraction"])
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=r["weight_decay"],
                                                   use_ema=r.get("ema", False), ema_momentum=0.99),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=r["label_smoothing"]),
                  metrics=["accuracy"],
                  # PyTorch's Keras trainer runs one step per call (the maths is the same)
                  steps_per_execution=1 if keras.backend.backend() == "torch" else r["steps_per_execution"])
    y_onehot = keras.utils.to_categorical(y_train, 10)
    t0 = time.perf_counter()
    history = model.fit(x_train, y_onehot, epochs=r["epochs"], batch_size=r["batch_size"],
                        verbose=verbose).history
    return model, history, time.perf_counter() - t0, r
