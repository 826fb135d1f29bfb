"""Checks for exercises/08_fashion_mnist.ipynb: prepare_images, build_model, train,
predict_classes. The training check trains document 001's model with the student's ``train``
on a fixed Fashion-MNIST subset and measures time and test accuracy itself."""
from __future__ import annotations

import time

import numpy as np

from cnncourse.checks._common import assert_array, assert_equal, call, fail, ok, rng
from cnncourse.checks.ch07 import compare_models

N_TRAIN, N_TEST, SEED = 5000, 1000, 0      # cnncourse.data.fashion_mnist_subset(5000, 1000, 0)
TARGET_ACCURACY = 0.78                     # on the 1000 test images of that subset
TIME_BUDGET = 60.0                         # seconds of training on a 2-core laptop CPU


def reference_prepare(x):
    """uint8 (N,28,28) -> float32 (N,28,28,1) in [0, 1], as document 001 does (S57)."""
    return (np.asarray(x).reshape(-1, 28, 28, 1) / 255.0).astype(np.float32)


def check_prepare_images(prepare_images):
    """prepare_images(x uint8 (N,28,28)) -> float32 (N,28,28,1) scaled to [0, 1]."""
    name = "prepare_images"
    hint = ("add the channel axis Keras expects, x.reshape(-1, 28, 28, 1) (a grey image has one "
            "channel), and scale 0..255 to 0..1 by dividing by 255; return float32")
    cases = 0
    for seed, n in zip(range(1800, 1804), (1, 5, 32, 3)):
        x = rng(seed).integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
        case = f"x uint8 shape {x.shape} (seed {seed})"
        got = call(name, case, prepare_images, x.copy())
        assert_array(name, case, reference_prepare(x), got, hint)
        assert_equal(name, case + ": dtype", "float32", str(np.asarray(got).dtype), hint)
        cases += 1
    ok(name, cases)


def check_build_model(build_model):
    """build_model() -> document 001's CNN: same layers, output shapes, 421,642 parameters."""
    from cnncourse import models
    name = "build_model"
    hint = ("Input (28,28,1) -> Conv2D(32, 3, padding='same', relu) -> MaxPooling2D(2) -> "
            "Conv2D(64, 3, padding='same', relu) -> MaxPooling2D(2) -> Flatten (7*7*64 = 3136) "
            "-> Dense(128, relu) -> Dense(10, softmax)")
    case = "build_model() on a 28x28x1 input"
    model = call(name, case, build_model)
    n = compare_models(name, case, models.fashion_cnn_001(), model, hint, "document 001's model")
    ok(name, n)


def check_train(train):
    """train(model, x_train, y_train) compiles and fits; the test accuracy must reach the target
    within the time budget. The check builds the model and measures both itself."""
    import keras
    from cnncourse import data, models
    name = "train"
    hint = (f"compile with optimizer=keras.optimizers.Adam(learning_rate=1e-3) and "
            f"loss='sparse_categorical_crossentropy', then model.fit(x, y, epochs=5, "
            f"batch_size=64, verbose=0); 001's learning rate 1e-4 needs many more epochs")
    (x, y), (xt, yt) = data.fashion_mnist_subset(N_TRAIN, N_TEST, seed=SEED)
    x, xt = reference_prepare(x), reference_prepare(xt)
    keras.utils.set_random_seed(SEED)
    model = models.fashion_cnn_001()
    case = (f"document 001's model trained on fashion_mnist_subset({N_TRAIN}, {N_TEST}, "
            f"seed={SEED}), tested on its {N_TEST} test images")
    start = time.perf_counter()
    call(name, case, train, model, x, y)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(np.argmax(model.predict(xt, verbose=0), axis=1) == yt))
    if seconds > TIME_BUDGET:
        fail(name, case, "training took longer than the time budget",
             f"<= {TIME_BUDGET:.0f} s", f"{seconds:.1f} s", "fewer epochs or a larger batch_size")
    if accuracy < TARGET_ACCURACY:
        fail(name, case, "the test accuracy is below the target",
             f">= {TARGET_ACCURACY}", round(accuracy, 4), hint)
    ok(name, 1)


def check_predict_classes(predict_classes):
    """predict_classes(model, x) -> int array (N,): the class with the highest softmax output."""
    import keras
    from cnncourse import models
    name = "predict_classes"
    hint = ("model.predict(x) gives (N, 10) class probabilities (softmax); the predicted class "
            "of each image is the index of its largest probability: np.argmax(..., axis=1)")
    keras.utils.set_random_seed(SEED)
    model = models.fashion_cnn_001()
    cases = 0
    for seed, n in zip(range(1900, 1903), (1, 8, 20)):
        x = rng(seed).random((n, 28, 28, 1)).astype(np.float32)
        case = f"an untrained 001 model (seed {SEED}), x shape {x.shape} (seed {seed})"
        got = call(name, case, predict_classes, model, x.copy())
        expected = np.argmax(model.predict(x, verbose=0), axis=1)
        assert_array(name, case, expected, got, hint, atol=0, rtol=0)
        cases += 1
    ok(name, cases)
