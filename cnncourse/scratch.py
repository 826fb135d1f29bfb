"""Learning with the NumPy ops alone (S74): a kernel fitted by gradient descent, and a small CNN.

Everything here uses cnncourse.ops' forward and backward passes, nothing else; Keras appears only
in ``keras_twin`` (the same network, to compare with).

    fit_kernel(x, target, ...)                  learn a kernel from (image, feature map) pairs

    params = init_params(seed=0, filters=8)     the CNN, as a dict of NumPy arrays:
        conv 3x3, F filters, "same"  ->  ReLU  ->  2x2 max pool  ->  flatten  ->  dense 10
        W1 (3,3,1,F)  b1 (F,)  W2 (14*14*F, 10)  b2 (10,)
    logits, cache = forward(params, x)          x (N,28,28,1) floats -> logits (N,10)
    loss, dlogits = softmax_cross_entropy(logits, y)
    grads = backward(params, cache, dlogits)    dict with params' keys and shapes
    Adam(lr).step(params, grads)                update in place (SGD(lr) too)
    history = train(params, train_xy, test_xy, ...)
"""
from __future__ import annotations

import time

import numpy as np

from . import ops

__all__ = ["fit_kernel", "init_params", "forward", "softmax_cross_entropy", "backward",
           "predict", "accuracy", "SGD", "Adam", "train", "keras_twin"]


# ----------------------------------------------------------------------------- optimizers
class SGD:
    """Plain gradient descent: p <- p - lr * g, for every array of a params dict."""

    def __init__(self, lr=0.1):
        self.lr = lr

    def step(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


class Adam:
    """Adam (Kingma & Ba 2015), written as Keras 3 writes it so both give the same updates:

        m <- m + (g - m)(1 - beta1);   v <- v + (g^2 - v)(1 - beta2)
        p <- p - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-7):
        self.lr, self.beta1, self.beta2, self.epsilon = lr, beta1, beta2, epsilon
        self.t, self.m, self.v = 0, {}, {}

    def step(self, params, grads):
        self.t += 1
        alpha = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for k, g in grads.items():
            m = self.m.setdefault(k, np.zeros_like(g))
            v = self.v.setdefault(k, np.zeros_like(g))
            m += (g - m) * (1 - self.beta1)
            v += (g * g - v) * (1 - self.beta2)
            params[k] -= (alpha * m / (np.sqrt(v) + self.epsilon)).astype(params[k].dtype)


# ----------------------------------------------------------------------------- learn one kernel
def fit_kernel(x, target, kernel_size=3, steps=300, lr=0.05, optimizer="adam", seed=0,
               snapshots=(0, 10, 30, 100)):
    """Find the kernel w with conv2d(x, w) = target by gradient descent on the mean squared error.

    x: (N,H,W) images; target: (N,OH,OW) feature maps ("valid" convolution). The loss
    L = mean((conv2d(x, w) - target)^2) has dL/d(out) = 2 (out - target) / out.size, and
    conv2d_backward turns that into dL/dw. Starts from small random weights (seed).
    Returns a dict: "kernel" (FH,FW) at the end, "loss" (steps,) before each step,
    "snapshots" {step: kernel} at the given steps (and the last).
    """
    x = np.asarray(x, np.float64)[..., None]                          # (N,H,W,1)
    target = np.asarray(target, np.float64)[..., None]
    fh, fw = ops._pair(kernel_size, "kernel_size")
    params = {"w": np.random.default_rng(seed).normal(0, 0.1, (fh, fw, 1, 1))}
    opt = Adam(lr) if optimizer == "adam" else SGD(lr)
    losses, snaps = [], {}
    for step in range(steps):
        if step in snapshots:
            snaps[step] = params["w"][:, :, 0, 0].copy()
        err = ops.conv2d(x, params["w"]) - target
        losses.append(float(np.mean(err ** 2)))
        _, dw, _ = ops.conv2d_backward(2 * err / err.size, x, params["w"])
        opt.step(params, {"w": dw})
    snaps[steps] = params["w"][:, :, 0, 0].copy()
    return {"kernel": snaps[steps], "loss": np.array(losses), "snapshots": snaps}


# ----------------------------------------------------------------------------- the small CNN
def _glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))            # Keras' default "glorot_uniform"
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def init_params(seed=0, filters=8, kernel_size=3, image_size=28, classes=10):
    """Initial weights, drawn like Keras' defaults (Glorot uniform kernels, zero biases)."""
    rng = np.random.default_rng(seed)
    k, f = kernel_size, filters
    flat = (image_size // 2) ** 2 * f
    return {"W1": _glorot(rng, (k, k, 1, f), k * k, k * k * f),
            "b1": np.zeros(f, np.float32),
            "W2": _glorot(rng, (flat, classes), flat, classes),
            "b2": np.zeros(classes, np.float32)}


def forward(params, x):
    """x (N,28,28,1) -> logits (N,10) and the cache that backward needs."""
    z1 = ops.conv2d_im2col(x, params["W1"], params["b1"], padding="same")  # (N,28,28,F)
    a1 = ops.relu(z1)
    p1 = ops.max_pool2d(a1, 2)                                          # (N,14,14,F)
    flat = p1.reshape(len(x), -1)                                       # (N,14*14*F)
    logits = flat @ params["W2"] + params["b2"]                         # (N,10)
    return logits, (x, z1, a1, p1, flat)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels y (N,), and dL/dlogits.

    p = softmax(z);  L = -mean log p[y];  dL/dz = (p - onehot(y)) / N.
    """
    z = logits - logits.max(axis=1, keepdims=True)                     # same softmax, no overflow
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -log_p[np.arange(n), y].mean()
    dz = np.exp(log_p)
    dz[np.arange(n), y] -= 1
    return float(loss), (dz / n).astype(logits.dtype)


def backward(params, cache, dlogits):
    """Gradients of the loss for every parameter, layer by layer from the top (backpropagation)."""
    x, z1, a1, p1, flat = cache
    grads = {"W2": flat.T @ dlogits, "b2": dlogits.sum(axis=0)}        # dense
    dp1 = (dlogits @ params["W2"].T).reshape(p1.shape)                  # unflatten
    da1 = ops.max_pool2d_backward(dp1, a1, 2)                           # to the arg-max
    dz1 = ops.relu_backward(da1, z1)                                    # through ReLU
    _, grads["W1"], grads["b1"] = ops.conv2d_backward(dz1, x, params["W1"], padding="same")
    return grads


def predict(params, x, batch_size=500):
    """Class indices (N,) for images x (N,28,28,1)."""
    return np.concatenate([forward(params, x[i:i + batch_size])[0].argmax(axis=1)
                           for i in range(0, len(x), batch_size)])


def accuracy(params, x, y):
    return float(np.mean(predict(params, x) == y))


def train(params, train_xy, test_xy, epochs=3, batch_size=64, optimizer=None, seed=0,
          batches=None, blas_threads=1):
    """Mini-batch training of the CNN in place; returns the history.

    train_xy, test_xy: (x (N,28,28,1) float32, y (N,) ints). Each epoch shuffles with
    np.random.default_rng(seed + epoch) (or takes ``batches``, a list of index arrays, for
    every epoch). history: "step_loss" (one per step, before the update), "loss" and
    "accuracy" (per epoch, on the batches as they were seen), "test_accuracy" (per epoch),
    "seconds" (wall time of the whole training).
    blas_threads: threads for NumPy's matrix products during training (None: leave as is).
    The matrices of a small batch are small: one thread is faster than two threads that wait
    for each other, and much faster when other programs use the second core.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=blas_threads, user_api="blas"):
        return _train(params, train_xy, test_xy, epochs, batch_size, optimizer, seed, batches)


def _train(params, train_xy, test_xy, epochs, batch_size, optimizer, seed, batches):
    x, y = train_xy
    optimizer = optimizer or Adam(1e-3)
    hist = {"step_loss": [], "loss": [], "accuracy": [], "test_accuracy": []}
    start = time.perf_counter()
    for epoch in range(epochs):
        if batches is None:
            order = np.random.default_rng(seed + epoch).permutation(len(x))
            chunks = [order[i:i + batch_size] for i in range(0, len(x), batch_size)]
        else:
            chunks = batches
        losses, correct = [], 0
        for idx in chunks:
            logits, cache = forward(params, x[idx])
            loss, dlogits = softmax_cross_entropy(logits, y[idx])
            optimizer.step(params, backward(params, cache, dlogits))
            losses.append(loss)
            correct += int((logits.argmax(axis=1) == y[idx]).sum())
        hist["step_loss"] += losses
        hist["loss"].append(float(np.mean(losses)))
        hist["accuracy"].append(correct / sum(len(i) for i in chunks))
        hist["test_accuracy"].append(accuracy(params, *test_xy))
    hist["seconds"] = time.perf_counter() - start
    return hist


def keras_twin(params, optimizer="adam", lr=1e-3):
    """The same network in Keras with the same weights (a copy), compiled with the same loss
    (softmax cross-entropy on logits) and optimizer ("adam" or "sgd", learning rate lr)."""
    import keras

    f = params["W1"].shape[-1]
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(f, params["W1"].shape[:2], padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(params["W2"].shape[1]),
    ])
    model.set_weights([params[k].copy() for k in ("W1", "b1", "W2", "b2")])
    opt = (keras.optimizers.Adam(lr, epsilon=1e-7) if optimizer == "adam"
           else keras.optimizers.SGD(lr))
    model.compile(optimizer=opt,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
