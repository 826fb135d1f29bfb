"""Checks for exercises/09_improving.ipynb: dropout_values, diagnose, build_regularized,
train_regularized (difficulty rising in that order).

The learning curves of ``diagnose`` are drawn from the seed with clear margins around the rules
the statement gives. ``build_regularized`` and ``train_regularized`` are judged on where their
models put batch normalization and dropout (``placement_problems``); the trained model is also
measured on held-out test images (``Case.held_out``: never handed to the student's function,
and when grading, never in the student's kernel) against TARGET_ACCURACY, within TIME_BUDGET.
"""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_array, assert_equal, check, choice,
                                      fail, layer_summary, registry, rng)

N_TRAIN, N_TEST, SEED = 1000, 1000, 3      # cnncourse.data.fashion_mnist_subset(1000, 1000, 3)
TARGET_ACCURACY = 0.78                     # on the 1000 test images of the subset
TIME_BUDGET = 45.0                         # seconds of training on a 2-core laptop CPU
OVERFIT_RISE = 1.10                        # diagnose: last validation loss / its minimum
UNDERFIT_ACCURACY = 0.75                   # diagnose: last training accuracy below this
DIAGNOSES = ("overfitting", "underfitting", "good fit")
#: Layers that apply a nonlinearity after a batch norm (by class name, as in the config).
ACTIVATION_LAYERS = ("ReLU", "Activation", "LeakyReLU", "ELU", "PReLU")


# ----------------------------------------------------------------------------- 1. dropout
def dropout_cases(seed):
    """001's and 002's Dropout(0.5), then 5 random rates."""
    rates = [(0.5, _("Dropout(0.5) of documents 001 and 002"))]
    rates += [(round(float(rng(seed + k).uniform(0.1, 0.9)), 2), _("seed {seed}").format(
        seed=seed + k))
              for k in range(5)]
    return [Case(_("Dropout({rate}) on an input of ones ({note})").format(rate=rate, note=note),
                 (rate,)) for rate, note in rates]


def reference_dropout_values(rate):
    """(share of inputs set to 0 in training, value of a kept input of 1.0 in training, value
    at prediction time): Keras' inverted dropout scales the kept ones by 1 / (1 - rate)."""
    return rate, 1.0 / (1.0 - rate), 1.0


# ----------------------------------------------------------------------------- 2. diagnose
def _curve(start, end, epochs, speed, r, noise=0.004):
    """A smooth curve from start towards end (exponential approach), with a little noise."""
    t = np.arange(epochs) / max(epochs - 1, 1)
    values = end + (start - end) * np.exp(-speed * t) / 1.0
    return values + r.normal(0, noise, epochs)


def history_of(kind, r):
    """Keras-style history dict of one run: overfitting, underfitting or a good fit."""
    epochs = int(r.integers(8, 21))
    if kind == "overfitting":
        loss = np.maximum(_curve(1.2, 0.02, epochs, 3.5, r), 0.01)
        loss = np.minimum.accumulate(loss)
        turn = int(r.integers(2, epochs // 2))
        low = float(r.uniform(0.33, 0.45))
        down = np.linspace(1.0, low, turn + 1)
        up = low * np.linspace(1.0, float(r.uniform(1.3, 1.8)), epochs - turn)[1:]
        val_loss = np.concatenate([down, up]) + r.normal(0, 0.004, epochs)
        acc = np.minimum(_curve(0.6, 0.995, epochs, 3.5, r), 0.999)
        val_acc = np.minimum(_curve(0.65, float(r.uniform(0.82, 0.87)), epochs, 6.0, r), 0.9)
    elif kind == "underfitting":
        end = float(r.uniform(0.45, 0.68))
        acc = _curve(0.15, end + 0.1, epochs, 1.2, r)
        acc = acc - acc[-1] + end
        val_acc = acc + r.uniform(-0.02, 0.02)
        loss = _curve(2.3, float(r.uniform(0.9, 1.3)), epochs, 1.0, r)
        val_loss = loss + r.uniform(-0.05, 0.05)
        val_loss = np.minimum.accumulate(val_loss) - 0.005 * np.arange(epochs)
    else:
        loss = _curve(0.9, float(r.uniform(0.22, 0.32)), epochs, 4.0, r)
        val_loss = _curve(0.8, float(r.uniform(0.3, 0.36)), epochs, 5.0, r, noise=0.002)
        val_loss = np.minimum.accumulate(val_loss)
        end = float(r.uniform(0.88, 0.92))
        acc = _curve(0.65, end, epochs, 4.0, r)
        val_acc = acc - r.uniform(0.005, 0.035)
    as_list = lambda v: [round(float(x), 4) for x in v]                  # noqa: E731
    return {"loss": as_list(loss), "accuracy": as_list(acc), "val_loss": as_list(val_loss),
            "val_accuracy": as_list(val_acc)}


def reference_diagnose(history):
    """The statement's rules, in order: overfitting, underfitting, good fit."""
    val_loss, loss = history["val_loss"], history["loss"]
    if val_loss[-1] > OVERFIT_RISE * min(val_loss) and loss[-1] <= min(loss):
        return "overfitting"
    if history["accuracy"][-1] < UNDERFIT_ACCURACY:
        return "underfitting"
    return "good fit"


def _clear(history, kind):
    """The rules' quantities are far from their thresholds."""
    rise = history["val_loss"][-1] / min(history["val_loss"])
    acc = history["accuracy"][-1]
    return {"overfitting": rise > 1.25 and history["loss"][-1] <= min(history["loss"]),
            "underfitting": rise < 1.03 and acc < 0.70,
            "good fit": rise < 1.03 and acc > 0.85}[kind]


def diagnose_cases(seed):
    """9 learning curves, 3 of each kind in a shuffled order, 8 to 20 epochs each."""
    kinds = rng(seed).permutation(np.repeat(np.arange(3), 3))
    cases, k = [], 0
    for kind in kinds:
        while True:
            r = rng(seed + 1 + k)
            k += 1
            history = history_of(DIAGNOSES[kind], r)
            if _clear(history, DIAGNOSES[kind]):
                break
        cases.append(Case(_("a history of {epochs} epochs (seed {seed})").format(
            epochs=len(history['loss']), seed=seed + k),
                          (history,)))
    return cases


DIAGNOSE_WHY = {
    "overfitting": N_("The validation loss reached its minimum and then rose (the last one is more "
                    "than 10% above it) while the training loss kept falling: the model is "
                    "memorising the training images. Fix: dropout, batch norm, augmentation, "
                    "early stopping, more data."),
    "underfitting": N_("The validation loss did not turn up, and the model has not even learned "
                     "the training images (training accuracy below 0.75 at the last epoch): "
                     "train longer, with a larger learning rate or a bigger model."),
    "good fit": N_("The validation loss is still near its minimum at the end (it did not turn "
                 "up), and the training accuracy is high (0.75 or more): neither rule applies."),
}


# ----------------------------------------------------------------------------- 3-4. placement
def _activation(layer):
    return layer.get_config().get("activation", "linear")


def placement_problems(model):
    """What is wrong with where ``model`` puts batch normalization and dropout (an empty list
    when nothing is): the statement's rules, checked on the layer list."""
    import keras
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    kinds = [type(layer).__name__ for layer in layers]
    problems = []
    if "BatchNormalization" not in kinds:
        problems.append(_("no BatchNormalization layer"))
    if "Dropout" not in kinds:
        problems.append(_("no Dropout layer"))
    for i, kind in enumerate(kinds):
        if kind != "BatchNormalization":
            continue
        before = layers[i - 1] if i else None
        if before is None or type(before).__name__ not in ("Conv2D", "Dense"):
            problems.append(_("layer {number} (BatchNormalization) does not come right after "
                              "a Conv2D or Dense layer").format(number=i + 1))
        elif _activation(before) != "linear":
            problems.append(_("layer {number} ({kind}) applies activation={activation} before "
                              "the batch norm that follows it").format(
                number=i, kind=kinds[i - 1], activation=repr(_activation(before))))
        if i + 1 >= len(kinds) or kinds[i + 1] not in ACTIVATION_LAYERS:
            problems.append(_("layer {number} (BatchNormalization) is not followed by an "
                              "activation layer (ReLU)").format(number=i + 1))
    dense = [i for i, kind in enumerate(kinds) if kind == "Dense"]
    flatten = kinds.index("Flatten") if "Flatten" in kinds else None
    if "Dropout" in kinds and dense and flatten is not None and not any(
            kinds[i] == "Dropout" for i in range(flatten + 1, dense[-1])):
        problems.append(_("no Dropout between the Flatten and the output layer"))
    if kinds and kinds[-1] != "Dense":
        problems.append(_("the last layer is a {kind}, not the Dense softmax output layer").format(
            kind=kinds[-1]))
    return problems


def compare_placement(exercise, case, expected, got, hint):
    """got: a keras.Model whose batch norm and dropout sit where the rules say."""
    __tracebackhide__ = True
    import keras
    if not isinstance(got, keras.Model):
        fail(exercise, case, _("the function must return a keras.Model"), _("a keras.Model"), got, hint)
    problems = placement_problems(got)
    if problems:
        fail(exercise, case, _("batch norm or dropout in the wrong place: {problems}").format(
            problems="; ".join(problems)),
             _("Conv2D (no activation) -> BatchNormalization -> ReLU, Dropout in the dense part"),
             [type(layer).__name__ for layer in got.layers], hint)
    return 1


def _skeleton(model):
    """The conv/pool/flatten/dense layers: (type, output shape) - the parameters differ once the
    convolutions drop their bias."""
    return [(kind, shape) for kind, shape, _ in layer_summary(model)]


def compare_regularized(exercise, case, expected, got, hint):
    """got: document 001's layers (types and output shapes, the reference model ``expected``),
    with batch norm after both convolutions and dropout placed by the rules."""
    __tracebackhide__ = True
    compare_placement(exercise, case, expected, got, hint)
    assert_equal(exercise, _("{case}: conv/pool/flatten/dense layers (type, output shape)").format(
        case=case),
                 _skeleton(expected), _skeleton(got), hint)
    kinds = [type(layer).__name__ for layer in got.layers]
    after_conv = [kinds[i + 1] if i + 1 < len(kinds) else None
                  for i, kind in enumerate(kinds) if kind == "Conv2D"]
    assert_equal(exercise, _("{case}: the layer after each Conv2D").format(case=case),
                 ["BatchNormalization"] * 2, after_conv, hint)
    return 3


def build_cases(seed):
    return [Case(_("build_regularized() on a 28x28x1 input"))]


def reference_regularized(momentum=0.9, rate=0.5):
    """Document 001's model with batch norm after both convolutions (before their ReLU, without
    the convolutions' bias) and dropout before both dense layers."""
    import keras
    from keras import layers

    def block(filters):
        return [layers.Conv2D(filters, 3, padding="same", use_bias=False),
                layers.BatchNormalization(momentum=momentum), layers.ReLU(), layers.MaxPooling2D(2)]
    return keras.Sequential([keras.Input((28, 28, 1)), *block(32), *block(64), layers.Flatten(),
                             layers.Dropout(rate / 2), layers.Dense(128, activation="relu"),
                             layers.Dropout(rate), layers.Dense(10, activation="softmax")])


def train_cases(seed):
    """One case: the training part of fashion_mnist_subset(N_TRAIN, N_TEST, seed), its test
    part held out."""
    from cnncourse import data
    (x, y), (xt, yt) = data.fashion_mnist_subset(N_TRAIN, N_TEST, seed=seed)
    return [Case(_("train_regularized on fashion_mnist_subset({n_train}, {n_test}, seed={seed}), "
                   "tested on its {n_test} test images").format(n_train=N_TRAIN, n_test=N_TEST,
                                                                 seed=seed),
                 (ops.prepare_images(x), y),
                 held_out=(ops.prepare_images(xt), yt))]


def compare_training(exercise, case, expected, got, hint):
    """got: the trained model - batch norm and dropout placed by the rules, a 28x28x1 input and
    10 outputs, and TARGET_ACCURACY on the held-out test images expected = (x_test, y_test)."""
    __tracebackhide__ = True
    compare_placement(exercise, case, None, got, hint)
    assert_equal(exercise, _("{case}: the model's input and output shapes").format(case=case),
                 ((None, 28, 28, 1), (None, 10)),
                 (tuple(got.inputs[0].shape), tuple(got.outputs[0].shape)), hint)
    x_test, y_test = expected
    accuracy = float(np.mean(np.argmax(got.predict(x_test, verbose=0), axis=1) == y_test))
    if accuracy < TARGET_ACCURACY:
        fail(exercise, case, _("the test accuracy is below the target"),
             f">= {TARGET_ACCURACY}", round(accuracy, 4), hint)
    return 1


EXERCISES = registry(
    Exercise("dropout_values", dropout_cases, reference_dropout_values, seed=2900,
             compare=assert_array,
             hint=N_("Keras' Dropout(rate) sets each input to 0 with probability rate during "
                   "training and multiplies the kept ones by 1 / (1 - rate), so the expected sum "
                   "stays the same (inverted dropout); at prediction time it passes the input "
                   "through unchanged")),
    Exercise("diagnose", diagnose_cases, reference_diagnose, seed=3000,
             compare=choice(*DIAGNOSES, why=DIAGNOSE_WHY),
             hint=N_("Rules, in order: 'overfitting' if history['val_loss'][-1] > 1.1 * "
                   "min(history['val_loss']) and the last training loss is its lowest; else "
                   "'underfitting' if history['accuracy'][-1] < 0.75; else 'good fit'.")),
    Exercise("build_regularized", build_cases, reference_regularized,
             compare=compare_regularized,
             hint=N_("each block: Conv2D(filters, 3, padding='same', use_bias=False) with no "
                   "activation -> BatchNormalization(momentum=0.9) -> ReLU() -> MaxPooling2D(2); "
                   "then Flatten -> Dropout -> Dense(128, relu) -> Dropout(0.5) -> Dense(10, "
                   "softmax). Batch norm normalises a layer's weighted sums before the "
                   "nonlinearity (Ioffe and Szegedy 2015); dropout goes where the parameters "
                   "are, in the dense part, never after the output")),
    Exercise("train_regularized", train_cases, None, seed=SEED, compare=compare_training,
             time_budget=TIME_BUDGET,
             hint=N_("build the model of exercise 3 (batch norm's momentum 0.9: this short run "
                   "has few steps, chapter 09 S66), compile it with Adam(1e-3) and "
                   "sparse_categorical_crossentropy, and fit it on x, y for about 12 epochs of "
                   "batches of 64; return the model")),
)


def check_dropout_values(dropout_values):
    """dropout_values(rate) -> (share zeroed in training, kept value in training, value at
    prediction) for an input of ones."""
    __tracebackhide__ = True
    check(EXERCISES["dropout_values"], dropout_values)


def check_diagnose(diagnose):
    """diagnose(history) -> 'overfitting', 'underfitting' or 'good fit' (the statement's rules)."""
    __tracebackhide__ = True
    check(EXERCISES["diagnose"], diagnose)


def check_build_regularized(build_regularized):
    """build_regularized() -> 001's model with batch norm and dropout in the right places."""
    __tracebackhide__ = True
    check(EXERCISES["build_regularized"], build_regularized)


def check_train_regularized(train_regularized):
    """train_regularized(x, y) -> a trained model with batch norm and dropout in the right
    places that reaches the target accuracy on held-out test images within the time budget."""
    __tracebackhide__ = True
    check(EXERCISES["train_regularized"], train_regularized)
