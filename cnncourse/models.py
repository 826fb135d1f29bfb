"""The Keras models of the source documents, one function each (uncompiled, Keras 3 API).

Each docstring names the document it comes from and what we changed to make it run on Keras 3.
Shapes are channels_last: a Fashion-MNIST batch is (N, 28, 28, 1).
"""
from __future__ import annotations

import keras
from keras import layers

from .i18n import _
from . import fast  # noqa: F401  (registers FusedBatchNorm: saved best models load after `import cnncourse.models`)


def fashion_cnn_001(input_shape=(28, 28, 1), num_classes=10):
    """Document 001's Fashion-MNIST CNN ("딥러닝 CNN 알고리즘이란?").

    Conv2D(32,3,same,relu) -> MaxPooling2D(2) -> Conv2D(64,3,same,relu) -> MaxPooling2D(2)
    -> Flatten (7*7*64 = 3136) -> Dense(128,relu) -> Dense(10,softmax); 421,642 parameters.
    Fix (S62): 001 passes input_shape=(28,28,1) to Conv2D *and* uses an Input layer; Keras 3
    takes the shape from keras.Input only, so the duplicate argument is dropped.
    """
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(pool_size=2, name="pool1"),
        layers.Conv2D(64, kernel_size=3, padding="same", activation="relu", name="conv2"),
        layers.MaxPooling2D(pool_size=2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", name="dense"),
        layers.Dense(num_classes, activation="softmax", name="output"),
    ], name="fashion_cnn_001")


def lenet5(input_shape=(28, 28, 1), num_classes=10, activation="tanh"):
    """LeNet-5 as drawn in document 003 (fig 4-19, after LeCun et al. 1998).

    Feature extraction CONV-POOL-CONV-POOL-CONV turns a 28x28 grey image into a 120-d vector:
    C1 6@5x5 same (28x28x6) -> S2 avg 2x2 (14x14x6) -> C3 16@5x5 (10x10x16) -> S4 avg 2x2
    (5x5x16) -> C5 120@5x5 (1x1x120); classification: an MLP with one hidden layer F6 (84) and
    10 outputs. 61,706 parameters. 003 says "average pooling" and the 1998 paper used tanh-like
    squashing; we keep tanh by default (pass activation="relu" for the modern choice).
    The original took 32x32 inputs without padding; "same" on C1 gives the same 28x28 map.
    """
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(6, 5, padding="same", activation=activation, name="C1"),
        layers.AveragePooling2D(2, name="S2"),
        layers.Conv2D(16, 5, activation=activation, name="C3"),
        layers.AveragePooling2D(2, name="S4"),
        layers.Conv2D(120, 5, activation=activation, name="C5"),
        layers.Flatten(name="feature_vector"),
        layers.Dense(84, activation=activation, name="F6"),
        layers.Dense(num_classes, activation="softmax", name="output"),
    ], name="lenet5")


def deep_cnn_002(input_shape=(28, 28, 1), num_classes=10):
    """The "typical CNN" of document 002 (after Hands-On ML, 2nd ed., ch. 14).

    Conv64 7x7 -> pool -> Conv128 x2 -> pool -> Conv256 x2 -> pool -> Flatten -> Dense128 ->
    Dropout(0.5) -> Dense64 -> Dropout(0.5) -> Dense10; resolution 28 -> 14 -> 7 -> 3.
    Fixes (S62): 002 writes `keras.laeyrs.Dropout` (typo), misses a comma after the first
    Conv2D(...) and passes input_shape=[28, 28, 1], which Keras 3 replaces by keras.Input.
    """
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(64, 7, activation="relu", padding="same", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(128, 3, activation="relu", padding="same", name="conv2a"),
        layers.Conv2D(128, 3, activation="relu", padding="same", name="conv2b"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Conv2D(256, 3, activation="relu", padding="same", name="conv3a"),
        layers.Conv2D(256, 3, activation="relu", padding="same", name="conv3b"),
        layers.MaxPooling2D(2, name="pool3"),
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", name="dense1"),
        layers.Dropout(0.5, name="dropout1"),
        layers.Dense(64, activation="relu", name="dense2"),
        layers.Dropout(0.5, name="dropout2"),
        layers.Dense(num_classes, activation="softmax", name="output"),
    ], name="deep_cnn_002")


def cnn_004(input_shape=(28, 28, 1), num_classes=10):
    """Document 004's "2 convolution, 2 pooling, 3 fully connected layers" model.

    004 draws it as a figure whose numbers are not in the text we have, so the sizes here follow
    its source book (Deep Learning from Scratch, ch. 7/8 style): conv 16@3x3 stride 1 pad 1 ->
    max pool 2x2 stride 2 -> conv 32@3x3 stride 1 pad 1 -> max pool 2x2 stride 2 -> FC 100 ->
    FC 50 -> FC 10. Shapes in 004's (C,H,W) notation: (1,28,28) -> (16,28,28) -> (16,14,14)
    -> (32,14,14) -> (32,7,7) -> 1568 -> 100 -> 50 -> 10. Keras uses (H,W,C) instead.
    """
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.ZeroPadding2D(1, name="pad1"),
        layers.Conv2D(16, 3, strides=1, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, strides=2, name="pool1"),
        layers.ZeroPadding2D(1, name="pad2"),
        layers.Conv2D(32, 3, strides=1, activation="relu", name="conv2"),
        layers.MaxPooling2D(2, strides=2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(100, activation="relu", name="fc1"),
        layers.Dense(50, activation="relu", name="fc2"),
        layers.Dense(num_classes, activation="softmax", name="fc3"),
    ], name="cnn_004")


# The course's best CPU model (chapter 09 and `cnncourse bench training`).
# (kind, argument) items, read by best_cpu_model() and by the hand-formula test:
# "conv" = 3x3 conv (no bias) + batch norm + ReLU with that many filters, "pool" = 2x2 max pooling
# (padding "same"), "conv_pool" = 3x3 conv, then 2x2 max pooling, then batch norm + ReLU (the
# normalisation and ReLU run on a quarter of the pixels; max pooling commutes with ReLU, so only
# the batch statistics differ from conv -> batch norm -> ReLU -> pool). 28x28 -> 14x14 -> 7x7.
BEST_CPU_SPEC = (("conv_pool", 16),
                 ("conv", 32), ("conv", 32), ("pool", 2),
                 ("conv", 64))
# The previous best model (one convolution per resolution, down to 4x4x128): 20% fewer multiply-adds,
# but its 4x4 layer (1.2 million of its 3.6) paid less than a second convolution at 14x14
# (benchmarks/sweep_float32.txt).
ONE_CONV_SPEC = (("conv_pool", 16),
                 ("conv", 32), ("pool", 2),
                 ("conv", 64), ("pool", 2),
                 ("conv", 128))
BEST_CPU_HEAD = 256     # units of the hidden Dense layer on the flattened 7x7x64 features


def default_precision():
    """The dtype policy ``best_cpu_model`` uses when none is given: "float32" where the Keras backend
    computes on an accelerator (a GPU picks its own fast paths), else ``fast.cpu_precision()``."""
    from . import backend
    from .fast import cpu_precision
    return "float32" if backend.accelerators() else cpu_precision()


def multiply_adds(spec=BEST_CPU_SPEC, head=BEST_CPU_HEAD, input_shape=(28, 28, 1), num_classes=10):
    """Multiply-adds of one forward pass of one image through ``best_cpu_model(spec, head)``
    (convolutions and dense layers; batch norm, ReLU and pooling are not counted).
    A 3x3 conv with C_in -> C_out channels on an H x W map costs H * W * 9 * C_in * C_out."""
    h, w, c = input_shape
    total = 0
    for kind, arg in spec:
        if kind in ("conv", "conv_pool"):
            total += h * w * 9 * c * arg
            c = arg
        if kind in ("pool", "conv_pool"):
            h, w = -(-h // 2), -(-w // 2)
    return total + h * w * c * head + head * num_classes


def best_cpu_model(input_shape=(28, 28, 1), num_classes=10, spec=BEST_CPU_SPEC, head=BEST_CPU_HEAD,
                   flip=True, precision=None, shift_px=0):
    """The course's best CPU model for Fashion-MNIST (chapter 09; not from a source document).

    Built for accuracy per CPU-second, from what chapter 09 tries one at a time:
    RandomFlip (horizontal, training only; 003's augmentation) -> one cheap full-resolution conv
    (16 filters on 28x28: fine texture, few multiply-adds because the input has one channel),
    pooled before its batch norm -> two 3x3 convs with 32 filters at 14x14 (the second one paid
    more than anything else in the validation sweep) -> 2x2 max pooling -> one 3x3 conv with 64
    filters at 7x7 (each conv + batch norm + ReLU; 001's batch norm, 002's growing filter counts)
    -> Flatten (7x7x64: keeps *where* a feature is, which global average pooling would throw away)
    -> Dense(head) + batch norm + ReLU -> Dense(10, softmax). The layout is ``BEST_CPU_SPEC``
    (``ONE_CONV_SPEC`` is the previous one: one conv per resolution down to 4x4).

    shift_px > 0 adds random shifts of up to that many pixels (training only) after the flip; the
    validation sweep (benchmarks/sweep_float32.py) found they do not pay off in so few epochs.
    precision: "float32" or "mixed_bfloat16"; None picks ``default_precision()`` (bfloat16 where
    the CPU computes it natively and no GPU is used). Batch norm on feature maps is
    ``fast.batch_norm()``: TensorFlow's fused kernel on the TensorFlow backend, Keras' own layer on
    JAX and PyTorch (same weights). The softmax output is float32 either way.
    Train it with ``cnncourse.training.train_best_model`` (the recipe: batch 256, AdamW with a
    warm-up + cosine schedule, label smoothing); evaluate with test-time augmentation
    (``evaluate(flip=True, shift=1)``).
    """
    from .fast import batch_norm
    policy = keras.DTypePolicy(precision or default_precision())
    inputs = keras.Input(shape=input_shape)
    x = layers.RandomFlip("horizontal", name="random_flip")(inputs) if flip else inputs
    if shift_px:
        f = shift_px / input_shape[0]
        x = layers.RandomTranslation(f, f, fill_mode="constant", name="random_shift")(x)
    n_conv = n_pool = 0
    for kind, arg in spec:
        if kind in ("conv", "conv_pool"):
            n_conv += 1
            x = layers.Conv2D(arg, 3, padding="same", use_bias=False, name=f"conv{n_conv}", dtype=policy)(x)
        if kind in ("pool", "conv_pool"):
            n_pool += 1
            x = layers.MaxPooling2D(2, padding="same", name=f"pool{n_pool}", dtype=policy)(x)
        if kind in ("conv", "conv_pool"):
            x = batch_norm(name=f"bn{n_conv}", dtype=policy)(x)
            x = layers.ReLU(name=f"relu{n_conv}", dtype=policy)(x)
        if kind not in ("conv", "pool", "conv_pool"):
            raise ValueError(_("unknown spec item {kind}; use 'conv', 'pool' or 'conv_pool'").format(
                kind=repr(kind)))
    x = layers.Flatten(name="flatten", dtype=policy)(x)
    x = layers.Dense(head, use_bias=False, name="dense", dtype=policy)(x)
    x = layers.BatchNormalization(name="bn_dense", dtype=policy)(x)
    x = layers.ReLU(name="relu_dense", dtype=policy)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="best_cpu_model")
