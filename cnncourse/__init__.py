"""cnncourse: the companion package of a Jupyter course on convolutional neural networks.

Modules: ops (NumPy reference operations), data (Fashion-MNIST and sample photos), models (the
documents' Keras models), plots, widgets, checks (exercise checks), exercises, grading, cli, bench.
"""
__version__ = "0.1.0"


from .checkup import doctor  # noqa: E402  (cnncourse.doctor() in notebook 00)
from .i18n import get_language, set_language  # noqa: E402  (the Korean notebooks' first cell)
