"""Data for the course: Fashion-MNIST (offline first) and real photos from scikit-image.

``load_fashion_mnist()`` returns exactly what ``keras.datasets.fashion_mnist.load_data()`` returns,
but looks for the four IDX files in this order (DESIGN.md, "Data"):

1. the ``path=`` argument, or the ``CNNCOURSE_DATA`` environment variable;
2. Keras' own cache, ``$KERAS_HOME/datasets/fashion-mnist`` (``~/.keras/datasets/fashion-mnist``);
3. ``/usr/share/datasets/fashion-mnist``, the Debian/Ubuntu package ``dataset-fashion-mnist``;
4. otherwise Keras' own download.

The class names: ``CLASS_NAMES`` (English), ``CLASS_NAMES_KO`` (Korean), and ``class_names()``,
the list for the language in force (``cnncourse.set_language``), which plots and prints use.
"""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from .i18n import N_, _, get_language

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CLASS_NAMES_KO = ["티셔츠/탑", "바지", "풀오버", "드레스", "코트",
                  "샌들", "셔츠", "스니커즈", "가방", "앵클 부츠"]


def class_names(lang=None):
    """Fashion-MNIST's ten class names, index = label, in `lang` ("en" or "ko"; default: the
    language in force, see cnncourse.set_language): a new list, CLASS_NAMES or CLASS_NAMES_KO."""
    lang = get_language() if lang is None else lang
    if lang not in ("en", "ko"):
        raise ValueError(_("class_names: the course has class names in 'en' and 'ko', got "
                           "{lang!r}").format(lang=lang))
    return list(CLASS_NAMES_KO if lang == "ko" else CLASS_NAMES)

FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
IDX_MAGIC = {0x00000801: 1, 0x00000803: 3}   # unsigned-byte labels (1 dim) / images (3 dims)

HOW_TO_GET = N_(
    "Ways to get Fashion-MNIST:\n"
    "  - Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist  (files in {debian})\n"
    "  - put the four files ({names}) in a folder and set CNNCOURSE_DATA=/that/folder,\n"
    "    or pass load_fashion_mnist(path='/that/folder')\n"
    "  - or connect to the internet once: Keras downloads them into {keras}"
)
#: the labels of the folders searched (candidate_dirs), shown in errors
SOURCES = {"path argument": N_("path argument"), "CNNCOURSE_DATA": "CNNCOURSE_DATA",
           "Keras cache": N_("Keras cache"), "Debian package": N_("Debian package")}


class DataError(RuntimeError):
    """The data files are missing, corrupt or truncated; the message says which and what to do."""


def how_to_get():
    """The ways to get the four Fashion-MNIST files, as text for error messages and doctor()."""
    return _(HOW_TO_GET).format(debian=DEBIAN_DIR, names=", ".join(FILES.values()),
                             keras=keras_cache_dir())


def keras_cache_dir():
    """Where Keras keeps Fashion-MNIST: $KERAS_HOME/datasets/fashion-mnist."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "fashion-mnist"


def candidate_dirs(path=None):
    """The folders searched, in order, as (label, Path) pairs."""
    explicit = path or os.environ.get("CNNCOURSE_DATA")
    if explicit:
        source = "path argument" if path else "CNNCOURSE_DATA"
        return [(source, Path(explicit).expanduser())]
    return [("Keras cache", keras_cache_dir()), ("Debian package", DEBIAN_DIR)]


def _has_all_files(folder):
    return all((folder / name).is_file() for name in FILES.values())


def find_fashion_mnist(path=None):
    """The first folder holding all four files, or None (Keras would then download them)."""
    for _label, folder in candidate_dirs(path):
        if _has_all_files(folder):
            return folder
    return None


def read_idx(filename):
    """Read one gzipped IDX file of unsigned bytes -> uint8 array of the shape its header gives.

    Raises DataError naming the file when it is not gzip, has a bad magic number, or holds fewer
    or more bytes than its header promises (a truncated download, say).
    """
    filename = Path(filename)
    fix = _("Delete {file} and get it again (sudo apt-get install --reinstall "
            "dataset-fashion-mnist, or let Keras re-download it).").format(file=filename)
    try:
        with gzip.open(filename, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as err:  # BadGzipFile is an OSError
        raise DataError(_("{file} is not a readable gzip file ({error}). {fix}").format(
            file=filename, error=err, fix=fix)) from err
    if len(raw) < 4:
        raise DataError(_("{file} is too short to be an IDX file ({size} bytes). {fix}").format(
            file=filename, size=len(raw), fix=fix))
    magic = int.from_bytes(raw[:4], "big")
    if magic not in IDX_MAGIC:
        raise DataError(_("{file} has IDX magic number {magic}; expected 0x00000801 (labels) or "
                          "0x00000803 (images). The file is corrupt. {fix}").format(
            file=filename, magic=f"0x{magic:08x}", fix=fix))
    ndim = IDX_MAGIC[magic]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(_("{file} ends inside its header. {fix}").format(file=filename, fix=fix))
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    got = len(raw) - header
    if got != expected:
        raise DataError(_("{file} should hold {expected} bytes for shape {shape} but holds "
                          "{got}: the file is truncated or corrupt. {fix}").format(
            file=filename, expected=expected, shape=shape, got=got, fix=fix))
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


def _load_folder(folder):
    arrays = {key: read_idx(folder / name) for key, name in FILES.items()}
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            message = (_("{folder}: train images {images} and labels {labels} do not match")
                       if split == "train" else
                       _("{folder}: test images {images} and labels {labels} do not match"))
            raise DataError(message.format(folder=folder, images=x.shape, labels=y.shape) + " "
                            + _("(expected (N,28,28) images and N labels). Get the files again.")
                            + f"\n{how_to_get()}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_fashion_mnist(path=None, download=True):
    """Fashion-MNIST as ((x_train, y_train), (x_test, y_test)), exactly like Keras' loader.

    x_train (60000,28,28) uint8, y_train (60000,) uint8, x_test (10000,28,28), y_test (10000,).
    path: a folder with the four IDX .gz files (else CNNCOURSE_DATA, Keras' cache, the Debian
    package). download: if nothing is found, let Keras download the files (needs internet).
    """
    candidates = candidate_dirs(path)
    for label, folder in candidates:
        if _has_all_files(folder):
            return _load_folder(folder)
        if label in ("path argument", "CNNCOURSE_DATA"):
            missing = [n for n in FILES.values() if not (folder / n).is_file()]
            raise DataError(_("{source} {folder} is missing {files}.").format(
                source=_(SOURCES[label]), folder=folder, files=", ".join(missing))
                + f"\n{how_to_get()}")
    if download:
        try:
            from keras.datasets import fashion_mnist
            return fashion_mnist.load_data()
        except Exception as err:  # no internet, proxy, disk full: all end the same way
            raise DataError(_("Fashion-MNIST was not found and Keras could not download it "
                              "({error}).").format(error=f"{type(err).__name__}: {err}") + "\n"
                            + _("Looked in: {folders}").format(
                                folders=", ".join(str(f) for _label, f in candidates))
                            + f"\n{how_to_get()}") from err
    raise DataError(_("Fashion-MNIST was not found.") + " " + _("Looked in: {folders}").format(
        folders=", ".join(str(f) for _label, f in candidates)) + f"\n{how_to_get()}")


def fashion_mnist_subset(n_train=6000, n_test=1000, seed=0, path=None):
    """A reproducible random subset, balanced by chance: ((x, y), (x, y)) with n_train / n_test
    images, uint8 (n,28,28) and labels (n,), drawn without replacement with ``seed``."""
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(path)
    rng = np.random.default_rng(seed)
    train = np.sort(rng.choice(len(x_train), n_train, replace=False))
    test = np.sort(rng.choice(len(x_test), n_test, replace=False))
    return (x_train[train], y_train[train]), (x_test[test], y_test[test])


# ----------------------------------------------------------------------------- photos
SAMPLE_IMAGES = {
    "chelsea": "the cat Chelsea (RGB)",
    "astronaut": "astronaut Eileen Collins (RGB)",
    "coffee": "a cup of coffee (RGB)",
    "rocket": "a rocket on the launch pad (RGB)",
    "horse": "a horse silhouette (binary)",
    "camera": "the cameraman (grayscale)",
    "coins": "coins (grayscale)",
    "brick": "a brick wall (grayscale)",
    "text": "printed text (grayscale)",
}


def sample_image(name="chelsea", gray=False):
    """A photo shipped with scikit-image as floats in [0, 1].

    Returns (H,W,3) for colour photos, (H,W) for grayscale ones or when gray=True
    (luminance 0.2125 R + 0.7154 G + 0.0721 B, as skimage.color.rgb2gray).
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(_("unknown sample image {name}; choose one of {names}").format(
            name=repr(name), names=sorted(SAMPLE_IMAGES)))
    from skimage import color, data, util
    image = util.img_as_float(getattr(data, name)())
    if image.ndim == 3 and image.shape[-1] == 4:
        image = color.rgba2rgb(image)
    if gray and image.ndim == 3:
        image = color.rgb2gray(image)
    return image.astype(np.float64)
