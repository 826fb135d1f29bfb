"""Notebook 08 trains document 001's model with the recipe the benchmark runs.

The notebook spells 001's code out cell by cell (that is the lesson); the benchmark
(`cnncourse bench training`) calls training.train_seed_model. Their compile and fit calls are
read from the sources and compared argument by argument, so a change on one side alone fails.
"""
import ast
import inspect

import nbformat
import numpy as np

from cnncourse import paths, training
from cnncourse.bench import training as bench_training


def calls(tree, name):
    """The ast.Call nodes of ``<anything>.name(...)`` or ``name(...)`` in tree."""
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == name]


def keywords(call, resolve=None):
    """{keyword: source of its value}; a bare name is looked up in ``resolve`` first."""
    out = {}
    for kw in call.keywords:
        value = kw.value
        if isinstance(value, ast.Name) and resolve and value.id in resolve:
            out[kw.arg] = repr(resolve[value.id])
        else:
            out[kw.arg] = ast.unparse(value)
    return out


def notebook_training_cell():
    nb = nbformat.read(paths.notebooks() / "08_fashion_mnist.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"
             and "model.fit(" in c.source and "model.compile(" in c.source]
    assert len(cells) == 1, "notebook 08 should train 001's model in one cell"
    return ast.parse(cells[0])


def test_notebook_08_and_train_seed_model_are_the_same_recipe():
    cell = notebook_training_cell()
    function = ast.parse(inspect.getsource(training.train_seed_model).strip())
    defaults = {name: p.default for name, p in
                inspect.signature(training.train_seed_model).parameters.items()
                if p.default is not inspect.Parameter.empty}

    # the same model, built by the same function of cnncourse.models
    assert calls(cell, "fashion_cnn_001") and calls(function, "fashion_cnn_001")
    # compile: the same optimizer, learning rate, loss and metrics
    (nb_compile,), (fn_compile,) = calls(cell, "compile"), calls(function, "compile")
    assert keywords(nb_compile) == keywords(fn_compile)
    assert "Adam(learning_rate=0.0001)" in keywords(nb_compile)["optimizer"]
    # fit: the same data, epochs (the function's default), batch size (Keras' 32: none given)
    # and validation split; verbose only changes what is printed
    (nb_fit,), (fn_fit,) = calls(cell, "fit"), calls(function, "fit")
    assert [ast.unparse(a) for a in nb_fit.args] == [ast.unparse(a) for a in fn_fit.args]
    fn_keywords = keywords(fn_fit, defaults)
    fn_keywords.pop("verbose")
    assert keywords(nb_fit) == fn_keywords == {"epochs": "10", "validation_split": "0.2"}


def test_notebook_08_and_the_benchmark_use_the_same_seed():
    (nb_seed,) = calls(notebook_training_cell(), "set_random_seed")
    # the benchmark seeds every model with run()'s `seed` parameter, whose default is the notebook's
    seeds = {ast.unparse(call.args[0]) for call in calls(ast.parse(inspect.getsource(bench_training)),
                                                          "set_random_seed")}
    assert seeds == {"seed"}
    default = inspect.signature(bench_training.run).parameters["seed"].default
    assert {str(default)} == {ast.unparse(nb_seed.args[0])} == {"42"}


def test_the_benchmarks_prepare_is_notebook_08s_reshape_and_scaling():
    x = np.random.default_rng(0).integers(0, 256, (4, 28, 28)).astype(np.uint8)
    np.testing.assert_allclose(training.prepare(x), x.reshape(4, 28, 28, 1) / 255., rtol=1e-6)
