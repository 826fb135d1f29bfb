"""cnncourse: the companion package of a Jupyter course on convolutional neural networks.

Layout (one idea per module; a notebook's helper is one hop from its import line):

    ops.py             NumPy reference operations: sizes and padding, layouts, image changes
                       (shift, brightness, occlusion), conv1d/conv2d, pooling, usage counts;
                       the backward passes (im2col/col2im, conv2d/pool/relu backward)
    gradcheck.py       numerical gradients (centred differences) and the relative error
    scratch.py         learning with the NumPy ops alone: a fitted kernel, a small CNN (ch. 11)
    scratch_plots.py   figures of chapter 11: im2col, backward passes, kernel learning, timings
    data.py            Fashion-MNIST (offline first) and scikit-image's sample photos
    models.py          the documents' Keras models, and the course's best CPU model
    fast.py            CPU speed-ups of that model (bfloat16 when native, fused batch norm on TF)
    backend.py         what differs between Keras backends: name, accelerators, gradients
    training.py        training recipes (document 001's, the best model's), evaluation
    inside.py          looking inside a trained CNN: feature maps, occlusion, Grad-CAM
    viz.py             drawing primitives: grids of numbers (the widgets'), the one image grid
    fonts.py           a Hangul font for matplotlib (viz, plots and set_language("ko") use it)
    plots.py           figures of training results: learning curves, confusion, mistakes, maps
    diagrams.py        architecture diagrams: boxes sized by each layer's output shape (003 fig 4-19)
    claims.py          claim(value, expected, what): a notebook's stated number, printed and asserted
    widgets/           ipywidgets: ConvStepper, SizePlayground, PaddingExplorer, PoolingStepper,
                       KernelLab, BackwardStepper; _base.py holds what they share
    checks/            exercise checks, one module per chapter (ch02 ... ch08, ch11); _common.py
                       holds the exercises-as-data registry, the case runner and the messages
    exercises.py       solutions/ -> exercises/ (answers replaced by stubs)
    grading/           `cnncourse grade`: the graded copy, the bubblewrap sandbox, the trusted
                       comparison outside the kernel (nbval plugin), verdicts, reports, Dask
    paths.py           where the course's folders are (checkout or installed wheel)
    i18n.py            the package's language: _(), set_language("ko"), CNNCOURSE_LANG;
                       its Korean text in locale/ko/LC_MESSAGES/cnncourse.po
    translation/       the Korean edition of the notebooks: catalogs (i18n/ko/*.po), glossary,
                       `cnncourse i18n update|build|status`
    slides.py          `cnncourse slides`: offline reveal.js decks
    deck_template.py   the decks' reveal.js template: 16:9 slides that fit, fragments in view
    deck_widgets.py    course widgets in decks: frame players computed in the kernel, else pictures
    deck_record.py     pytest plugin: an nbval run also fills the decks' execution cache
    site.py            `cnncourse site`: the static course site
    checkup.py         `cnncourse doctor`: versions, CPU/GPU, data
    cli.py             the `cnncourse` command (also `python -m cnncourse`, __main__.py)
    bench/             `cnncourse bench {ops,grading,training,parallel,all}`; gpu.py (PyTorch, on
                       a GPU machine) and its gpu_record.json
"""
__version__ = "0.1.0"


from .checkup import doctor  # noqa: E402  (cnncourse.doctor() in notebook 00)
from .i18n import T, get_language, set_language  # noqa: E402  (the Korean notebooks' first cell;
#                                                   T("...") marks a notebook label as text)
