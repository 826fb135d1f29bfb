"""Checks for exercises/10_looking_inside.ipynb: edge_orientation, layer_output, occlusion_map
(difficulty rising in that order).

The models of the cases are small CNNs with chapter 10's layer names (conv1, pool1, conv2,
pool2, flatten, output) and fixed random weights drawn from the case's seed: the grader hands
them to the student's function as plain data (config + weights) and computes the references
with ``cnncourse.inside``.
"""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_close, check, choice, registry,
                                      rng, shapes)

ORIENTATIONS = ("vertical", "horizontal", "neither")
RATIO = 2.0           # edge_orientation: one response at least twice the other


# ----------------------------------------------------------------------------- 1. orientation
def step_edges(size):
    """(vertical edge, horizontal edge): 2*size x 2*size images, 0 on the left (top) half and 1
    on the right (bottom) half."""
    vertical = np.zeros((2 * size, 2 * size))
    vertical[:, size:] = 1.0
    return vertical, vertical.T.copy()


def edge_responses(kernel):
    """(largest |response| to a vertical step edge, to a horizontal one) of a square kernel."""
    kernel = np.asarray(kernel, float)
    vertical, horizontal = step_edges(kernel.shape[0])
    return (float(np.abs(ops.conv2d(vertical, kernel)).max()),
            float(np.abs(ops.conv2d(horizontal, kernel)).max()))


def reference_orientation(kernel):
    v, h = edge_responses(kernel)
    if v >= RATIO * h and v > 0:
        return "vertical"
    if h >= RATIO * v and h > 0:
        return "horizontal"
    return "neither"


SOBEL_V = np.array(ops.SOBEL_X)           # 003's "vertical" kernel
LAPLACE = np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])


def _kernel(kind, r):
    """A random 3x3 or 5x5 kernel of one kind, learned-filter-like (scaled, noisy)."""
    size = int(r.choice([3, 5]))
    ramp = np.tile(np.linspace(-1, 1, size), (size, 1)) * r.uniform(0.5, 2.0)
    if kind == "vertical":
        k = ramp * np.sign(r.normal())
    elif kind == "horizontal":
        k = ramp.T * np.sign(r.normal())
    else:
        k = r.choice([np.ones((size, size)) * r.uniform(0.2, 1.0),                # blob / dot
                      np.pad(LAPLACE, (size - 3) // 2) * r.uniform(0.5, 2.0),
                      np.eye(size) - np.eye(size)[::-1]])                          # diagonal X
    return (k + r.normal(0, 0.05, (size, size))).round(3)


def orientation_cases(seed):
    """003's two Sobel kernels and a Laplacian, then 9 random 3x3/5x5 kernels (3 of each kind,
    noisy, drawn so that the answer is clear)."""
    cases = [Case(_("003's vertical Sobel kernel [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]"), (SOBEL_V,)),
             Case(_("003's horizontal Sobel kernel (the transpose)"), (SOBEL_V.T.copy(),)),
             Case(_("a Laplacian [[0, 1, 0], [1, -4, 1], [0, 1, 0]] (a dot detector)"), (LAPLACE,))]
    kinds = rng(seed).permutation(np.repeat(np.arange(3), 3))
    k = 0
    for kind in kinds:
        while True:
            r = rng(seed + 1 + k)
            k += 1
            kernel = _kernel(ORIENTATIONS[kind], r)
            v, h = edge_responses(kernel)
            ratio = max(v, h) / max(min(v, h), 1e-9)
            if reference_orientation(kernel) == ORIENTATIONS[kind] and (
                    ratio > 3 if kind < 2 else ratio < 1.5):
                break
        cases.append(Case(_("a {size}x{size} kernel (seed {seed})").format(size=kernel.shape[0],
                                                                           seed=seed + k),
                          (kernel,)))
    return cases


ORIENTATION_WHY = {
    "vertical": N_("The kernel's values change from left to right (its columns differ), so a "
                 "vertical edge - dark on the left, light on the right - gives a large response, "
                 "at least twice that of a horizontal edge: like 003's vertical Sobel kernel."),
    "horizontal": N_("The kernel's values change from top to bottom (its rows differ), so a "
                   "horizontal edge gives the large response, at least twice that of a vertical "
                   "edge: like the transposed Sobel kernel."),
    "neither": N_("Neither response is twice the other: the kernel reacts to both edges about "
                "equally (a dot or blob detector, a diagonal pattern), so it is no vertical or "
                "horizontal edge detector."),
}


# ----------------------------------------------------------------------------- 2-3. models
def small_cnn(seed):
    """A small CNN with chapter 10's layer names and fixed random weights from seed: conv1 (8
    filters 3x3 same, relu) - pool1 - conv2 (16, 3x3 same, relu) - pool2 - flatten - output
    (10, softmax). The output weights are scaled up so that the class probabilities differ."""
    import keras
    from keras import layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="small_cnn")
    r = rng(seed)
    weights = []
    for w in model.get_weights():
        scale = np.sqrt(2.0 / np.prod(w.shape[:-1])) if w.ndim > 1 else 0.1
        weights.append((r.normal(0, scale, w.shape) * (4.0 if w.shape == (784, 10) else 1.0))
                       .astype("float32"))
    model.set_weights(weights)
    return model


def _images(seed, n):
    """n Fashion-MNIST test images (28, 28, 1) float32 in [0, 1], and their labels."""
    from cnncourse import data
    _train, (x, y) = data.fashion_mnist_subset(1, n, seed=seed)
    return ops.prepare_images(x), y


def layer_output_cases(seed):
    """5 cases: a small CNN (weights from the seed), a Fashion-MNIST test image, one of its
    layers (conv1, pool1, conv2, pool2)."""
    x, _labels = _images(seed, 5)
    cases = []
    for k in range(5):
        r = rng(seed + k)
        name = str(r.choice(["conv1", "pool1", "conv2", "pool2"]))
        cases.append(Case(_("a small CNN (weights of seed {seed}), {shapes}, layer {layer}").format(
            seed=seed + k, shapes=shapes(image=x[k]), layer=repr(name)),
                          (small_cnn(seed + k), x[k], name)))
    return cases


def reference_layer_output(model, image, layer_name):
    from cnncourse import inside
    return inside.feature_maps(model, image, [layer_name])[layer_name][0]


def occlusion_cases(seed):
    """Chapter 10's 6x6 patch with stride 2, then 7x7/7 and 4x4/4 patches and one at random:
    a small CNN (weights from the seed), a Fashion-MNIST test image, its true label."""
    x, y = _images(seed, 4)
    settings = [(6, 2), (7, 7), (4, 4)]
    r = rng(seed)
    settings.append((int(r.integers(3, 9)), int(r.integers(2, 5))))
    cases = []
    for k, (patch, stride) in enumerate(settings):
        cases.append(Case(_("a small CNN (weights of seed {seed}), {shapes}, label={label}, "
                            "patch={patch}, stride={stride}").format(
            seed=seed + k, shapes=shapes(image=x[k]), label=int(y[k]), patch=patch, stride=stride),
                          (small_cnn(seed + k), x[k], int(y[k]), patch, stride)))
    return cases


def reference_occlusion(model, image, label, patch, stride):
    from cnncourse import inside
    return inside.occlusion_sensitivity(model, image, label, patch=patch, stride=stride, fill=0.0)


EXERCISES = registry(
    Exercise("edge_orientation", orientation_cases, reference_orientation, seed=3200,
             compare=choice(*ORIENTATIONS, why=ORIENTATION_WHY),
             hint=N_("Cross-correlate the kernel (valid) with a vertical step edge (left half 0, "
                   "right half 1) and with a horizontal one (top half 0, bottom half 1), both "
                   "2F x 2F; compare the largest absolute responses: 'vertical' if the first is "
                   "at least twice the second, 'horizontal' if the reverse, else 'neither'.")),
    Exercise("layer_output", layer_output_cases, reference_layer_output, seed=3300,
             compare=assert_close,
             hint=N_("build a second model that shares the weights: keras.Model(model.inputs, "
                   "model.get_layer(layer_name).output), call it on image[None] (a batch of "
                   "one) and return the first (only) image's maps, shape (H', W', C')")),
    Exercise("occlusion_map", occlusion_cases, reference_occlusion, seed=3400,
             compare=assert_close,
             hint=N_("OH = (H - patch) // stride + 1 positions per axis; for each (i, j) copy the "
                   "image, set image[i*stride : i*stride + patch, j*stride : j*stride + patch] "
                   "to 0 and predict; entry [i, j] = p(label | image) - p(label | occluded "
                   "image). Predict all occluded copies in one batch: it is much faster")),
)


def check_edge_orientation(edge_orientation):
    """edge_orientation(kernel) -> 'vertical', 'horizontal' or 'neither' (an edge detector?)."""
    __tracebackhide__ = True
    check(EXERCISES["edge_orientation"], edge_orientation)


def check_layer_output(layer_output):
    """layer_output(model, image, layer_name) -> (H', W', C') feature maps of that layer."""
    __tracebackhide__ = True
    check(EXERCISES["layer_output"], layer_output)


def check_occlusion_map(occlusion_map):
    """occlusion_map(model, image, label, patch, stride) -> (OH, OW) drops of p(label)."""
    __tracebackhide__ = True
    check(EXERCISES["occlusion_map"], occlusion_map)
