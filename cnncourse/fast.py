"""Two ways to make a small Keras CNN train faster on a CPU (used by ``models.best_cpu_model``).

- ``cpu_precision()``: "mixed_bfloat16" when the CPU multiplies bfloat16 numbers natively
  (x86 flags avx512_bf16 or amx_bf16), else "float32". With mixed bfloat16 the convolutions run on
  16-bit numbers (about 2x the multiply-adds per second here) while the weights, the batch-norm
  statistics and the softmax stay float32. On a CPU without those instructions bfloat16 is emulated
  and slower, so we keep float32 there.
- ``FusedBatchNorm``: batch normalisation through TensorFlow's fused kernel. Keras 3's
  ``BatchNormalization`` builds it from about ten separate operations (mean, variance, subtract,
  scale, ...), each one a pass over the feature map; the fused kernel makes one pass, and accepts
  bfloat16 feature maps with float32 statistics. It *is* a ``keras.layers.BatchNormalization``
  (same maths, weights, defaults and saved layout); only its call on (N, H, W, C) maps under the
  TensorFlow backend differs. Under JAX or PyTorch it runs Keras' own operations, so a model saved
  with it loads and predicts on every backend.
- ``batch_norm()``: the batch-norm layer to build with: ``FusedBatchNorm`` where TensorFlow is the
  Keras backend, ``keras.layers.BatchNormalization`` elsewhere (JAX and PyTorch fuse it themselves).
"""
from __future__ import annotations

from pathlib import Path

import keras

BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> set[str]:
    """The CPU's feature flags from a Linux ``cpuinfo`` file (an empty set where there is none)."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return set()
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
    return flags


def cpu_precision(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """"mixed_bfloat16" if the CPU has native bfloat16 arithmetic, else "float32".

    Reads the CPU flags from ``cpuinfo`` (Linux); anywhere else (no such file) returns "float32".
    """
    return "mixed_bfloat16" if cpu_flags(cpuinfo) & set(BF16_FLAGS) else "float32"


@keras.saving.register_keras_serializable(package="cnncourse")
class FusedBatchNorm(keras.layers.BatchNormalization):
    """Batch normalisation over the last axis of (N, H, W, C) feature maps, in one fused kernel.

    training=True : y = gamma * (x - mean_batch) / sqrt(var_batch + epsilon) + beta, and the moving
                    statistics move towards the batch's: moving = momentum * moving + (1 - momentum) * batch
    training=False: the same with the moving mean and variance.
    gamma, beta and the moving statistics are float32 (C,) even when x is bfloat16.
    """

    def __init__(self, momentum=0.99, epsilon=1e-3, **kwargs):
        kwargs.pop("axis", None)                 # always the channels (last) axis
        super().__init__(axis=-1, momentum=momentum, epsilon=epsilon, **kwargs)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"FusedBatchNorm expects (N, H, W, C) feature maps, got shape {input_shape}")
        super().build(input_shape)

    def call(self, x, training=None, mask=None):
        if keras.backend.backend() != "tensorflow" or not (self.scale and self.center):
            return super().call(x, training=training, mask=mask)
        import tensorflow as tf
        if not training:
            y, _, _ = tf.compat.v1.nn.fused_batch_norm(
                x, self.gamma, self.beta, mean=self.moving_mean, variance=self.moving_variance,
                epsilon=self.epsilon, is_training=False)
            return y
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            x, self.gamma, self.beta, epsilon=self.epsilon, is_training=True)
        # TF returns the unbiased variance (divided by n - 1); Keras keeps the biased one (n)
        n = tf.cast(tf.size(x) // tf.shape(x)[-1], "float32")
        variance = variance * (n - 1) / n
        m = self.momentum
        self.moving_mean.assign(self.moving_mean * m + mean * (1 - m))
        self.moving_variance.assign(self.moving_variance * m + variance * (1 - m))
        return y


def batch_norm(**kwargs):
    """A batch-norm layer for (N, H, W, C) maps: ``FusedBatchNorm`` on the TensorFlow backend,
    ``keras.layers.BatchNormalization`` (the same weights) on JAX and PyTorch."""
    if keras.backend.backend() == "tensorflow":
        return FusedBatchNorm(**kwargs)
    return keras.layers.BatchNormalization(**kwargs)
