"""What differs between Keras backends (TensorFlow, JAX, PyTorch), in one place.

- ``name()``: the Keras backend in use ("tensorflow", "jax" or "torch"; set ``KERAS_BACKEND``
  before the first ``import keras`` to change it).
- ``accelerators()``: the GPUs (or TPUs) that backend computes on; [] when it uses the CPU only.
- ``gradient(f, x)``: f(x) and df/dx for a function f of one array that returns a scalar,
  with the backend's own automatic differentiation (used by ``inside.grad_cam``).
Everything else in the package goes through ``keras`` / ``keras.ops`` and needs no such switch.
"""
from __future__ import annotations

import os

import numpy as np
import keras


def name() -> str:
    """The Keras backend in use: "tensorflow", "jax" or "torch"."""
    return keras.backend.backend()


def accelerators() -> list[str]:
    """Names of the accelerators the current backend computes on ([] = CPU only)."""
    backend = name()
    try:
        if backend == "tensorflow":
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            import tensorflow as tf
            gpus = tf.config.list_physical_devices("GPU")
            return [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
        if backend == "jax":
            import jax
            return [f"{d.platform.upper()} {d.device_kind}" for d in jax.devices() if d.platform != "cpu"]
        if backend == "torch":
            import torch
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception as err:                                # a broken driver must not stop the course
        return [f"(could not ask {backend} for accelerators: {err})"]
    return []


def gradient(f, x):
    """(f(x), df/dx) as NumPy arrays; f maps one float32 array to a scalar (0-d or one-element)."""
    backend, x = name(), np.asarray(x, dtype="float32")
    if backend == "tensorflow":
        import tensorflow as tf
        xt = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = tf.reduce_sum(f(xt))
        return y.numpy(), tape.gradient(y, xt).numpy()
    if backend == "jax":
        import jax
        import jax.numpy as jnp
        y, g = jax.value_and_grad(lambda t: jnp.sum(f(t)))(jnp.asarray(x))
        return np.asarray(y), np.asarray(g)
    if backend == "torch":
        import torch
        xt = keras.ops.convert_to_tensor(x).detach().requires_grad_(True)
        y = f(xt).sum()
        y.backward()
        return y.detach().cpu().numpy(), xt.grad.detach().cpu().numpy()
    raise NotImplementedError(f"no gradient helper for the Keras backend {backend!r}; "
                              "use tensorflow, jax or torch")
