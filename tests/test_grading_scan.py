"""The static scan of answers (cnncourse.grading.scan): calls of a reference implementation are
found through imports, aliases, the setup cell's names, assignments and strings; reaching code
by name and the interpreter's internals are reported too; an honest answer has no flags."""
import copy
from pathlib import Path

import nbformat
import pytest

from cnncourse.grading import scan
from cnncourse.grading.notebook import build_graded
from tests.hostile import CORRECT, EXERCISE, notebook

SETUP = scan.setup_aliases(["import numpy as np\nfrom cnncourse.checks import ch02\n"
                            "import matplotlib.pyplot as plt\nfrom cnncourse import data\n"])


def found(source, chapter="02_convolution"):
    return scan.scan_source(source, chapter, SETUP)


@pytest.mark.parametrize("source, finding", [
    ("from cnncourse import ops\ndef f(x, w):\n    return ops.conv1d(x, w)", "reference: cnncourse.ops.conv1d"),
    ("import cnncourse.ops as o\nf = lambda x, k: o.conv2d(x, k)", "reference: cnncourse.ops.conv2d"),
    ("import cnncourse\ng = cnncourse\nh = g.ops\nh.conv2d(1, 2)", "reference: cnncourse.ops.conv2d"),
    ("from cnncourse.ops import conv2d as c", "reference: cnncourse.ops.conv2d"),
    ("def f(x):\n    return ch02.EXERCISES['conv1d'].reference(x)", "reference: cnncourse.checks.ch02.EXERCISES"),
    ("from scipy import signal\nsignal.correlate2d(1, 2, 'valid')", "reference: scipy.signal.correlate2d"),
    ("import scipy.signal\nscipy.signal.correlate(1, 2)", "reference: scipy.signal.correlate"),
    ("import tensorflow as tf\ntf.nn.conv2d(1, 2, 1, 'VALID')", "reference: tensorflow.nn.conv2d"),
    ("import keras\nkeras.layers.Conv2D(1, 3)", "reference: keras.layers.Conv2D"),
    ("from keras import ops as K\nK.conv(1, 2)", "reference: keras.ops.conv"),
    ("m = __import__('cnncourse.ops')", "reference: cnncourse.ops"),
    ("m = __import__('cnncourse.ops')", "dynamic: __import__"),
    ("import importlib\nimportlib.import_module('sci' + 'py.signal')", "dynamic: importlib.import_module"),
    ("import sys\nsys.modules['cnncourse.ops']", "dynamic: sys.modules"),
    ("exec(code)", "dynamic: exec"),
    ("import sys\nf = sys._getframe(1)", "introspection: sys._getframe"),
    ("def f():\n    return frame.f_back.f_locals", "introspection: .f_back"),
    ("get_ipython().input_transformers_cleanup.append(g)", "introspection: get_ipython"),
    ("import os\nos.fork()", "introspection: os.fork"),
    ("f.__defaults__ = (1,)", "introspection: .__defaults__"),
    ("%run other.py", "magic: %run other.py"),
])
def test_findings(source, finding):
    assert finding in found(source)


def test_keras_layers_are_the_exercise_in_the_keras_chapters():
    src = "from keras import layers\nlayers.Conv2D(6, 5)"
    assert "reference: keras.layers.Conv2D" in found(src, "02_convolution")
    assert found(src, "07_lenet") == []
    assert "reference: cnncourse.models.lenet5" in found(
        "from cnncourse import models\nmodels.lenet5()", "07_lenet")


def test_honest_answers_have_no_flags():
    for source in CORRECT.values():
        assert found(source) == []
    assert found("x = np.pad(x, 1)\ny = data.sample_image('camera')") == []


def test_flags_go_to_their_exercise_and_extra_cells_to_all():
    answers = {**CORRECT, "conv1d": "from cnncourse import ops\ndef conv1d(x, w, b=0.0):\n"
                                    "    return ops.conv1d(x, w, b)\n"}
    nb = notebook(answers=answers, after={"sobel_magnitude": ["import scipy.signal"]})
    graded = build_graded(nb, copy.deepcopy(EXERCISE))
    flags = scan.flags(graded, "02_convolution")
    assert "reference: cnncourse.ops.conv1d" in flags["conv1d"]
    assert "reference: cnncourse.ops" not in flags["cross_correlate2d"]
    assert all("reference: scipy.signal (extra cell)" in flags[ex] for ex in flags)
    assert set(flags) == {"conv1d", "cross_correlate2d", "sobel_magnitude"}


def test_a_cell_that_does_not_parse_is_reported_not_fatal():
    assert found("def f(:\n") == ["unparsable cell"]
