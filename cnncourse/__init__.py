"""cnncourse: the companion package of a Jupyter course on convolutional neural networks.

Layout (one idea per module; a notebook's helper is one hop from its import line):

    ops.py             NumPy reference operations: sizes and padding, layouts, image changes
                       (shift, brightness, occlusion), conv1d/conv2d, pooling, usage counts
    data.py            Fashion-MNIST (offline first) and scikit-image's sample photos
    models.py          the documents' Keras models, and the course's best CPU model
    fast.py            CPU speed-ups of that model (bfloat16 when native, fused batch norm on TF)
    backend.py         what differs between Keras backends: name, accelerators, gradients
    training.py        training recipes (document 001's, the best model's), evaluation
    inside.py          looking inside a trained CNN: feature maps, occlusion, Grad-CAM
    viz.py             drawing primitives: grids of numbers (the widgets'), the one image grid
    plots.py           figures of training results: learning curves, confusion, mistakes, maps
    widgets/           ipywidgets: ConvStepper, SizePlayground, PaddingExplorer, PoolingStepper,
                       KernelLab; _base.py holds what they share
    checks/            exercise checks, one module per chapter (ch02 ... ch08); _common.py holds
                       the exercises-as-data registry, the case runner and the messages
    exercises.py       solutions/ -> exercises/ (answers replaced by stubs)
    grading.py         `cnncourse grade`: grades submissions with nbval, a class at a time
    grading_nbval.py   the pytest plugin the grader runs inside nbval
    paths.py           where the course's folders are (checkout or installed wheel)
    slides.py          `cnncourse slides`: offline reveal.js decks
    site.py            `cnncourse site`: the static course site
    checkup.py         `cnncourse doctor`: versions, CPU/GPU, data
    cli.py             the `cnncourse` command (also `python -m cnncourse`, __main__.py)
    bench/             `cnncourse bench {ops,grading,training,all}`
"""
__version__ = "0.1.0"


from .checkup import doctor  # noqa: E402  (cnncourse.doctor() in notebook 00)
from .i18n import get_language, set_language  # noqa: E402  (the Korean notebooks' first cell)
