"""cnncourse: the companion package of a Jupyter course on convolutional neural networks.

Modules: ops (NumPy reference operations), data (Fashion-MNIST and sample photos), models (the
documents' Keras models), plots, widgets, checks (exercise checks), exercises, grading, cli, bench.
"""
__version__ = "0.1.0"


def doctor(verbose=True):
    """Print (and return) versions, CPU/GPU and where Fashion-MNIST was found."""
    from .doctor import doctor as _doctor
    return _doctor(verbose=verbose)
