"""cnncourse.data: the search order, IDX parsing on files the tests write (good, corrupt,
truncated, missing), the real Debian files when present, and the sample photos."""
import gzip
import shutil

import numpy as np
import pytest

from cnncourse import data


def write_idx(path, array, magic=None):
    """Write a gzipped IDX file of unsigned bytes, the format of the Fashion-MNIST files."""
    array = np.asarray(array, np.uint8)
    magic = magic if magic is not None else (0x801 if array.ndim == 1 else 0x803)
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def make_dataset(folder, n_train=6, n_test=4, seed=0):
    """Four small IDX files with the standard names; returns the arrays written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for key, name in data.FILES.items():
        write_idx(folder / name, arrays[key])
    return arrays


@pytest.fixture
def no_data_env(monkeypatch, tmp_path):
    """Nothing found anywhere: empty CNNCOURSE_DATA, empty Keras home, no Debian folder."""
    monkeypatch.delenv("CNNCOURSE_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no_debian")
    return tmp_path


def test_loads_the_files_it_is_given(tmp_path):
    arrays = make_dataset(tmp_path / "fm")
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(tmp_path / "fm")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == y_train.dtype == np.uint8
    assert x_test.shape == (4, 28, 28)


def test_search_order_env_then_keras_cache_then_debian(no_data_env, monkeypatch):
    tmp = no_data_env
    debian = make_dataset(tmp / "no_debian", seed=1)
    assert np.array_equal(data.load_fashion_mnist()[0][1], debian["y_train"])
    keras_cache = make_dataset(tmp / "keras_home" / "datasets" / "fashion-mnist", seed=2)
    assert np.array_equal(data.load_fashion_mnist()[0][0], keras_cache["x_train"])
    env = make_dataset(tmp / "env", seed=3)
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp / "env"))
    assert np.array_equal(data.load_fashion_mnist()[0][0], env["x_train"])
    assert data.find_fashion_mnist() == tmp / "env"


def test_bad_magic_number_names_the_file(tmp_path):
    make_dataset(tmp_path)
    write_idx(tmp_path / data.FILES["y_train"], np.zeros(6), magic=0x0803_1234)
    with pytest.raises(data.DataError, match=r"train-labels-idx1-ubyte.gz has IDX magic number "
                                             r"0x08031234.*corrupt.*reinstall"):
        data.load_fashion_mnist(tmp_path)


def test_truncated_file_is_reported_not_half_read(tmp_path):
    make_dataset(tmp_path)
    name = tmp_path / data.FILES["x_test"]
    raw = gzip.open(name).read()
    with gzip.open(name, "wb") as f:
        f.write(raw[:-100])                      # a download cut short
    with pytest.raises(data.DataError, match=r"t10k-images.*should hold 3136 bytes.*holds 3036"):
        data.load_fashion_mnist(tmp_path)


def test_truncated_gzip_stream_and_garbage_are_reported(tmp_path):
    make_dataset(tmp_path)
    name = tmp_path / data.FILES["x_train"]
    name.write_bytes(name.read_bytes()[:200])    # the gzip stream itself is cut
    with pytest.raises(data.DataError, match="train-images-idx3-ubyte.gz is not a readable gzip"):
        data.load_fashion_mnist(tmp_path)
    name.write_bytes(b"<html>proxy error</html>")
    with pytest.raises(data.DataError, match="not a readable gzip"):
        data.read_idx(name)


def test_images_and_labels_must_agree(tmp_path):
    make_dataset(tmp_path)
    write_idx(tmp_path / data.FILES["y_train"], np.zeros(5))   # 6 images, 5 labels
    with pytest.raises(data.DataError, match=r"train images \(6, 28, 28\) and labels \(5,\)"):
        data.load_fashion_mnist(tmp_path)


def test_missing_files_in_an_explicit_folder(tmp_path):
    make_dataset(tmp_path)
    (tmp_path / data.FILES["y_test"]).unlink()
    with pytest.raises(data.DataError, match=r"missing t10k-labels-idx1-ubyte.gz(.|\n)*apt-get"):
        data.load_fashion_mnist(tmp_path)


def test_no_files_and_no_internet_lists_every_option(no_data_env, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("URL fetch failure: no internet")
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(data.DataError) as err:
        data.load_fashion_mnist()
    message = str(err.value)
    for words in ("could not download", "no internet", "apt-get install dataset-fashion-mnist",
                  "CNNCOURSE_DATA", "keras_home"):
        assert words in message
    with pytest.raises(data.DataError, match="was not found"):
        data.load_fashion_mnist(download=False)


def test_falls_back_to_keras_download(no_data_env, monkeypatch):
    import keras
    fake = ((np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)),) * 2
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", lambda: fake)
    assert data.load_fashion_mnist() is fake


def test_subset_is_reproducible(tmp_path):
    make_dataset(tmp_path, n_train=50, n_test=20)
    a = data.fashion_mnist_subset(10, 5, seed=7, path=tmp_path)
    b = data.fashion_mnist_subset(10, 5, seed=7, path=tmp_path)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    assert a[0][0].shape == (10, 28, 28) and a[1][1].shape == (5,)


REAL = data.DEBIAN_DIR


@pytest.mark.skipif(not (REAL / data.FILES["x_train"]).exists(),
                    reason="dataset-fashion-mnist is not installed")
def test_real_files_equal_what_keras_loader_returns(tmp_path, monkeypatch):
    """Copy the Debian files into a Keras cache so Keras' own loader reads them offline."""
    import keras
    cache = tmp_path / "keras" / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)
    for name in data.FILES.values():
        shutil.copy(REAL / name, cache / name)
    monkeypatch.setattr("keras.src.utils.file_utils.config.keras_home",
                        lambda: str(tmp_path / "keras"))
    expected = keras.datasets.fashion_mnist.load_data()
    got = data.load_fashion_mnist(REAL)
    for (xe, ye), (xg, yg) in zip(expected, got):
        np.testing.assert_array_equal(xg, xe)
        np.testing.assert_array_equal(yg, ye)
        assert xg.dtype == xe.dtype and yg.dtype == ye.dtype
    assert got[0][0].shape == (60000, 28, 28) and got[1][0].shape == (10000, 28, 28)
    assert sorted(np.unique(got[0][1])) == list(range(10))


def test_class_names_in_two_languages():
    assert len(data.CLASS_NAMES) == len(data.CLASS_NAMES_KO) == 10
    assert data.CLASS_NAMES[9] == "Ankle boot"


@pytest.mark.parametrize("name, ndim", [("chelsea", 3), ("astronaut", 3), ("coffee", 3),
                                        ("camera", 2)])
def test_sample_images_are_floats_in_unit_range(name, ndim):
    image = data.sample_image(name)
    assert image.ndim == ndim and image.dtype == np.float64
    assert 0.0 <= image.min() and image.max() <= 1.0
    if ndim == 3:
        assert image.shape[-1] == 3
        assert data.sample_image(name, gray=True).shape == image.shape[:2]


def test_unknown_sample_image_lists_the_choices():
    with pytest.raises(ValueError, match="chelsea"):
        data.sample_image("lena")
