"""`cnncourse doctor` and cnncourse.doctor(): is this machine ready for the course? Versions, CPU/GPU, data."""
from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

PACKAGES = ["cnncourse", "numpy", "tensorflow-cpu", "tensorflow", "keras", "matplotlib",
            "ipywidgets", "jupyterlab", "nbval", "scikit-image", "scikit-learn", "keras-tuner"]


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _gpus():
    """Names of the GPUs TensorFlow sees ([] on the usual CPU-only machine)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf
    except ImportError as err:
        return [f"(TensorFlow not importable: {err})"]
    return [d.name for d in tf.config.list_physical_devices("GPU")]


def doctor(verbose=True):
    """Collect and print what the course needs; returns the report as a dict."""
    from . import data
    report = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "packages": {p: v for p in PACKAGES if (v := _version(p))},
        "gpus": _gpus(),
        "fashion_mnist": str(data.find_fashion_mnist() or ""),
    }
    if verbose:
        print(format_report(report))
    return report


def format_report(report):
    from . import data
    from .i18n import _
    lines = [_("Python        {version} on {platform}").format(version=report["python"],
                                                              platform=report["platform"]),
             _("CPU cores     {count}").format(count=report["cpu_count"]),
             _("GPU           {gpus}").format(gpus=", ".join(report["gpus"]) or
                                              _("none (fine: every notebook of this course runs "
                                                "on the CPU)"))]
    lines += [f"  {name:<16}{version}" for name, version in report["packages"].items()]
    missing = [p for p in ("numpy", "keras", "matplotlib", "ipywidgets", "nbval")
               if p not in report["packages"]]
    if missing:
        lines.append(_("MISSING       {packages}  -> run `make lab` or `pip install -e .[dev]`")
                     .format(packages=", ".join(missing)))
    if report["fashion_mnist"]:
        lines.append(_("Fashion-MNIST found in {path}").format(path=report["fashion_mnist"]))
    else:
        lines.append(_("Fashion-MNIST not found on this machine (Keras will try to download "
                       "it).") + "\n" + data.how_to_get())
    return "\n".join(lines)


def configure_parser(parser):
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args):
    if args.json:
        import json
        print(json.dumps(doctor(verbose=False), indent=2))
    else:
        doctor()
    return 0
