"""The plain-data boundary of grading (cnncourse.checks.handout): what a kernel hands out is read
back strictly -- values round-trip, and links, FIFOs, pickles, odd dtypes, oversized or deeply
nested files and models that carry code are refused with BadData, never followed or run."""
import io
import json
import os

import numpy as np
import pytest

from cnncourse.checks import handout
from cnncourse.checks.handout import BadData, Reader, Unsupported, Writer


def roundtrip(tmp_path, value):
    node = Writer(tmp_path).encode(value)
    json.dumps(node)                                    # a node is JSON
    with Reader(tmp_path) as reader:
        return reader.decode(json.loads(json.dumps(node)))


def test_values_round_trip_with_their_types(tmp_path):
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    got = roundtrip(tmp_path, (arr, [1, 2.5, None, True, "s"], {"k": np.int64(7)},
                               float("nan"), np.float64(-np.inf)))
    assert isinstance(got, tuple) and isinstance(got[1], list)
    assert got[0].dtype == np.float32 and np.array_equal(got[0], arr)
    assert got[1] == [1, 2.5, None, True, "s"] and got[2] == {"k": 7}
    assert np.isnan(got[3]) and got[4] == -np.inf


def test_objects_that_are_not_plain_data_become_unsupported(tmp_path):
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    got = roundtrip(tmp_path, AlwaysEqual())
    assert isinstance(got, Unsupported) and got != np.zeros(3).tolist()
    assert "AlwaysEqual" in repr(got)
    assert isinstance(roundtrip(tmp_path, np.array([object()])), Unsupported)
    assert isinstance(roundtrip(tmp_path, np.array(["a"])), Unsupported)


def test_an_object_with_array_is_converted_once_in_the_kernel(tmp_path):
    calls = []

    class Sneaky:
        def __array__(self, dtype=None, copy=None):
            calls.append(1)
            return np.ones(3)

    got = roundtrip(tmp_path, Sneaky())
    assert type(got) is np.ndarray and np.array_equal(got, np.ones(3)) and calls == [1]


def write(tmp_path, name, data):
    (tmp_path / name).write_bytes(data)


@pytest.mark.parametrize("node, why", [
    ({"array": "../x.npy"}, "bad file name"),
    ({"array": "/etc/passwd"}, "bad file name"),
    ({"array": "missing.npy"}, "missing"),
    ({"eval": "1"}, "unknown plain-data tag"),
    ({"list": [1], "tuple": [2]}, "not a plain-data value"),
    ({"dict": [[1, 2]]}, "unknown plain-data tag"),
    ({"float": "1e999"}, "unknown plain-data tag"),
])
def test_malformed_nodes_are_refused(tmp_path, node, why):
    with Reader(tmp_path) as reader, pytest.raises(BadData, match=why):
        reader.decode(node)


def test_links_fifos_and_folders_are_not_followed(tmp_path):
    secret = tmp_path.parent / "secret.npy"
    np.save(secret, np.arange(3))
    (tmp_path / "link.npy").symlink_to(secret)
    os.mkfifo(tmp_path / "fifo.npy")                      # an open() of it would block
    (tmp_path / "dir.npy").mkdir()
    with Reader(tmp_path) as reader:
        for name in ("link.npy", "fifo.npy", "dir.npy"):
            with pytest.raises(BadData):
                reader.array(name)
    (tmp_path.parent / "elsewhere" / "x").mkdir(parents=True)
    (tmp_path / "out").symlink_to(tmp_path.parent / "elsewhere")
    with pytest.raises(BadData, match="cannot be read"):
        Reader(tmp_path / "out")
    with pytest.raises(BadData, match="cannot be read"):       # a link higher up the path
        Reader(tmp_path / "out" / "x", root=tmp_path)
    (tmp_path / "real" / "x").mkdir(parents=True)
    Reader(tmp_path / "real" / "x", root=tmp_path).close()


def test_pickles_objects_and_structured_arrays_are_refused(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp_path / "rec.npy", np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]))
    np.save(tmp_path / "str.npy", np.array(["x"]))
    write(tmp_path, "junk.npy", b"\x93NUMPY garbage")
    header = io.BytesIO()                  # announces 8 PB of float64 in a 100-byte file
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10 ** 15,)})
    write(tmp_path, "liar.npy", header.getvalue() + b"\0" * 16)
    with Reader(tmp_path) as reader:
        for name in ("obj.npy", "rec.npy", "str.npy", "junk.npy", "liar.npy"):
            with pytest.raises(BadData):
                reader.array(name)


def test_sizes_and_depth_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(handout, "MAX_FILE", 1000)
    np.save(tmp_path / "big.npy", np.zeros(1000))
    write(tmp_path, "deep.json", b"[" * 500 + b"]" * 500)
    write(tmp_path, "huge.json", b"[" + b"1," * 3_000_000 + b"1]")
    with Reader(tmp_path) as reader:
        with pytest.raises(BadData, match="larger"):
            reader.read_bytes("big.npy", limit=handout.MAX_FILE)
        with pytest.raises(BadData, match="nested"):
            reader.json("deep.json")
        with pytest.raises(BadData, match="larger"):
            reader.json("huge.json")


def test_outputs_file_shape_is_checked(tmp_path):
    for bad in ({"outputs": {"a": 1}}, [1, 2], {"outputs": [{"value": 1, "extra": 2}]},
                {"outputs": [{"raised": 1, "message": "x"}]}):
        handout.write_json(tmp_path / handout.RESULTS, bad)
        with pytest.raises(BadData):
            handout.read_outputs(tmp_path)
    handout.write_json(tmp_path / handout.RESULTS, {"outputs": [
        {"value": 3}, {"raised": "NotImplementedError", "message": "conv1d: not implemented"}]})
    assert handout.read_outputs(tmp_path) == [
        ("value", 3), ("raised", "NotImplementedError", "conv1d: not implemented")]


# ----------------------------------------------------------------------------- Keras models
@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def small_model(keras):
    return keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(2, 3),
                             keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])


def test_a_model_round_trips_as_config_and_weights(tmp_path, keras):
    model = small_model(keras)
    got = roundtrip(tmp_path, model)
    assert isinstance(got, keras.Model) and got is not model
    x = np.random.default_rng(0).random((2, 4, 4, 1)).astype("float32")
    np.testing.assert_allclose(got.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_a_model_that_carries_code_or_custom_classes_is_refused(tmp_path, keras):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 0 + 1)])
    node = Writer(tmp_path).encode(model)
    with Reader(tmp_path) as reader, pytest.raises(BadData, match="Lambda|does not rebuild"):
        reader.decode(node)
    config = json.loads(small_model(keras).to_json())
    config["config"]["layers"][1]["module"] = "os"
    with pytest.raises(BadData, match="module"):
        handout.build_model(json.dumps(config), [])
    config["config"]["layers"][1].update(module="keras.layers", class_name="Evil")
    with pytest.raises(BadData, match="Evil"):
        handout.build_model(json.dumps(config), [])


def test_weights_that_do_not_fit_are_refused(keras):
    model = small_model(keras)
    with pytest.raises(BadData, match="weights"):
        handout.build_model(model.to_json(), [np.zeros(3)])


def test_a_course_object_reaches_the_kernel_as_a_plain_function(tmp_path):
    """ch11 hands the student a function f(x) that also knows its exact gradient: the kernel
    gets the call only; and nothing a kernel writes is ever rebuilt as an object."""
    from cnncourse.checks import ch11
    x = np.array([1.0, 2.0])
    node = Writer(tmp_path).encode(ch11.Wavy())
    with Reader(tmp_path, objects=True) as reader:
        f = reader.decode(node)
    assert f(x) == ch11.Wavy()(x) and not hasattr(f, "exact")
    with Reader(tmp_path) as reader, pytest.raises(BadData, match="unknown plain-data tag"):
        reader.decode(node)
    bad = {"object": {"module": "os", "class": "system", "state": []}}
    with Reader(tmp_path, objects=True) as reader, pytest.raises(BadData, match="not a course"):
        reader.decode(bad)


def _unsupported(node):
    if isinstance(node, dict):
        return "unsupported" in node or any(_unsupported(v) for v in node.values())
    if isinstance(node, list):
        return any(_unsupported(v) for v in node)
    return False


def test_every_exercise_of_every_chapter_can_be_handed_to_a_kernel(tmp_path):
    """What a new declarative chapter needs for the grader: cases whose inputs are plain data
    (tests/test_grading_hostile.py grades real notebooks; this covers every registry)."""
    from cnncourse.checks import CHAPTERS, exercises
    for chapter in CHAPTERS:
        for name, exercise in exercises(chapter).items():
            cases = exercise.cases(424242)
            folder = tmp_path / chapter / name
            handout.write_cases(folder, cases)
            spec = json.loads((folder / handout.CASES).read_text())
            assert len(spec["cases"]) == len(cases) >= 1
            assert not _unsupported(spec), f"{chapter} {name}: an input is not plain data"
            with Reader(folder, objects=True) as reader:
                for case in spec["cases"]:
                    [reader.decode(a) for a in case["args"]]
