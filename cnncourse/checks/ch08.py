"""Checks for exercises/08_fashion_mnist.ipynb: prepare_images, build_model, train,
predict_classes, and the predict item steps_per_epoch (batches, steps, validation split, S64). The training check gives the student's ``train`` document 001's untrained model
and a Fashion-MNIST training subset, then measures the time and the accuracy of the model it
trained on the subset's held-out test images (``Case.held_out``: never handed to ``train``, and
when grading, never in the student's kernel)."""
from __future__ import annotations

import functools

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_array, assert_equal, assert_exact,
                                      check, compare_models, fail, registry, rng)

N_TRAIN, N_TEST, SEED = 5000, 1000, 0      # cnncourse.data.fashion_mnist_subset(5000, 1000, 0)
TARGET_ACCURACY = 0.78                     # on the 1000 test images of that subset
TIME_BUDGET = 60.0                         # seconds of training on a 2-core laptop CPU


def prepare_images_cases(seed):
    """4 random uint8 batches of 1, 5, 32 and 3 images."""
    cases = []
    for k, n in enumerate((1, 5, 32, 3)):
        x = rng(seed + k).integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
        cases.append(Case(_("x uint8 shape {shape} (seed {seed})").format(shape=x.shape,
                                                                          seed=seed + k), (x,)))
    return cases


def compare_float32_images(exercise, case, expected, got, hint):
    """The values as assert_array compares them, and the dtype float32."""
    __tracebackhide__ = True
    assert_array(exercise, case, expected, got, hint)
    assert_equal(exercise, case + ": dtype", "float32", str(np.asarray(got).dtype), hint)


def build_model_cases(seed):
    return [Case(_("build_model() on a 28x28x1 input"))]


compare_with_001 = functools.partial(compare_models, ref_label=N_("document 001's model"))


def reference_model():
    from cnncourse import models
    return models.fashion_cnn_001()


def untrained_model():
    """Document 001's model with the weights keras.utils.set_random_seed(SEED) gives."""
    import keras
    keras.utils.set_random_seed(SEED)
    return reference_model()


def predict_classes_cases(seed):
    """An untrained 001 model (fixed weights) on 3 random batches of 1, 8 and 20 images."""
    model = untrained_model()
    cases = []
    for k, n in enumerate((1, 8, 20)):
        x = rng(seed + k).random((n, 28, 28, 1)).astype(np.float32)
        cases.append(Case(_("an untrained 001 model (seed {model_seed}), x shape {shape} "
                            "(seed {seed})").format(model_seed=SEED, shape=x.shape, seed=seed + k),
                          (model, x)))
    return cases


def reference_predict_classes(model, x):
    return np.argmax(model.predict(x, verbose=0), axis=1)


def train_cases(seed):
    """One case: document 001's untrained model, the training part of
    fashion_mnist_subset(N_TRAIN, N_TEST, seed), and its test part held out."""
    from cnncourse import data
    (x, y), (xt, yt) = data.fashion_mnist_subset(N_TRAIN, N_TEST, seed=seed)
    return [Case(_("document 001's model trained on fashion_mnist_subset({n_train}, {n_test}, "
                   "seed={seed}), tested on its {n_test} test images").format(
                       n_train=N_TRAIN, n_test=N_TEST, seed=seed),
                 (untrained_model(), ops.prepare_images(x), y),
                 held_out=(ops.prepare_images(xt), yt))]


def trained_model(args, result):
    """What train is judged on: the model it was given, after training (not its return)."""
    return args[0]


def compare_training(exercise, case, expected, got, hint):
    """got must still be document 001's model, and reach TARGET_ACCURACY on the held-out test
    images expected = (x_test, y_test)."""
    __tracebackhide__ = True
    x_test, y_test = expected
    compare_with_001(exercise, case, reference_model(), got, hint)
    accuracy = float(np.mean(np.argmax(got.predict(x_test, verbose=0), axis=1) == y_test))
    if accuracy < TARGET_ACCURACY:
        fail(exercise, case, _("the test accuracy is below the target"),
             f">= {TARGET_ACCURACY}", round(accuracy, 4), hint)
    return 1


def steps_cases(seed):
    """Document 001's fit (60,000 images, validation_split=0.2, the default batch of 32), then 7
    random ones whose training part n * (1 - split) is not within 0.1 of an integer (so no
    rounding of the product can change the answer)."""
    cases = [(60000, 0.2, 32, _("document 001: 48,000 training images"))]
    k = 0
    while len(cases) < 8:
        r = rng(seed + k)
        k += 1
        n = int(r.integers(100, 60001))
        split = float(r.choice([0.0, 0.1, 0.15, 0.2, 0.25, 0.3]))
        fraction = (n * (1.0 - split)) % 1.0
        if split and not 0.1 < fraction < 0.9:
            continue
        cases.append((n, split, int(r.choice([16, 32, 64, 100, 128, 256])), _("seed {seed}").format(
            seed=seed + k - 1)))
    return [Case(f"n={n}, validation_split={split}, batch_size={b} ({note})", (n, split, b))
            for n, split, b, note in cases]


def reference_steps(n, validation_split, batch_size):
    """Keras' fit trains on the first floor(n * (1 - validation_split)) samples, in batches of
    batch_size, the last one smaller: ceil of that over batch_size steps per epoch."""
    import math
    train = int(math.floor(n * (1.0 - validation_split)))
    return -(-train // batch_size)


EXERCISES = registry(
    Exercise("prepare_images", prepare_images_cases, ops.prepare_images, seed=1800,
             compare=compare_float32_images,
             hint=N_("add the channel axis Keras expects, x.reshape(-1, 28, 28, 1) (a grey image "
                   "has one channel), and scale 0..255 to 0..1 by dividing by 255; return "
                   "float32")),
    Exercise("build_model", build_model_cases, reference_model, compare=compare_with_001,
             hint=N_("Input (28,28,1) -> Conv2D(32, 3, padding='same', relu) -> MaxPooling2D(2) -> "
                   "Conv2D(64, 3, padding='same', relu) -> MaxPooling2D(2) -> Flatten (7*7*64 = "
                   "3136) -> Dense(128, relu) -> Dense(10, softmax)")),
    Exercise("train", train_cases, None, seed=SEED, compare=compare_training,
             output=trained_model, time_budget=TIME_BUDGET,
             hint=N_("compile with optimizer=keras.optimizers.Adam(learning_rate=1e-3) and "
                   "loss='sparse_categorical_crossentropy', then model.fit(x, y, epochs=5, "
                   "batch_size=64, verbose=0); 001's learning rate 1e-4 needs many more epochs")),
    Exercise("predict_classes", predict_classes_cases, reference_predict_classes, seed=1900,
             compare=assert_exact,
             hint=N_("model.predict(x) gives (N, 10) class probabilities (softmax); the predicted "
                   "class of each image is the index of its largest probability: np.argmax(..., "
                   "axis=1)")),
    Exercise("steps_per_epoch", steps_cases, reference_steps, seed=4100, compare=assert_equal,
             hint=N_("validation_split holds out the last part of the arrays: fit trains on "
                   "floor(n * (1 - validation_split)) images; one step = one batch, and the last "
                   "batch may be smaller: ceil(training images / batch_size). 001: 48,000 / 32 = "
                   "1,500.")),
)


def check_prepare_images(prepare_images):
    """prepare_images(x uint8 (N,28,28)) -> float32 (N,28,28,1) scaled to [0, 1]."""
    __tracebackhide__ = True
    check(EXERCISES["prepare_images"], prepare_images)


def check_build_model(build_model):
    """build_model() -> document 001's CNN: same layers, output shapes, 421,642 parameters."""
    __tracebackhide__ = True
    check(EXERCISES["build_model"], build_model)


def check_predict_classes(predict_classes):
    """predict_classes(model, x) -> int array (N,): the class with the highest softmax output."""
    __tracebackhide__ = True
    check(EXERCISES["predict_classes"], predict_classes)


def check_train(train):
    """train(model, x_train, y_train) compiles and fits the model it is given; that model must
    reach the target accuracy on held-out test images within the time budget."""
    __tracebackhide__ = True
    check(EXERCISES["train"], train)


def check_steps_per_epoch(steps_per_epoch):
    """steps_per_epoch(n, validation_split, batch_size) -> the steps Keras' fit runs per epoch."""
    __tracebackhide__ = True
    check(EXERCISES["steps_per_epoch"], steps_per_epoch)
