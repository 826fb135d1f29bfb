"""Grading mode of the checks: inputs in and outputs out of the sandbox, as plain data only.

When the grader runs a notebook it sets ``CNNCOURSE_GRADING`` (``cnncourse.grading.protocol``)
in the kernel's environment to the handout folder. A check cell then judges nothing: it runs
the student's function on the grader's inputs (``inputs/<exercise>/cases.json``, written by
``write_cases``) and writes what the function returned to ``outputs/<exercise>/outputs.json``
(``hand_out``). The grader reads those with ``read_outputs`` outside the kernel and compares them
with references it computes itself.

Plain data means: JSON (None, bools, ints, finite floats, strings, and tagged lists, tuples,
dicts, non-finite floats) and ``.npy`` files of numbers (bool, int, uint, float; read back with
``allow_pickle=False``); a Keras model is its ``to_json()`` config plus its weights as arrays,
rebuilt by the grader from a config whose every class is a standard Keras one (``safe_mode``,
no Lambda layers, no custom objects). Anything else a student returns is recorded as
``unsupported`` (a wrong answer). Reading is strict and bounded: file names are checked, files
are opened without following links and must be regular files of limited size, JSON is size-
and depth-limited; a file that breaks these rules raises ``BadData`` (the exercise is invalid).
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import stat
from pathlib import Path

import numpy as np

from cnncourse.i18n import _

KERNEL_DIR_ENV = "CNNCOURSE_GRADING"       # == cnncourse.grading.protocol.KERNEL_DIR_ENV
INPUTS, OUTPUTS, CASES, RESULTS = "inputs", "outputs", "cases.json", "outputs.json"
MAX_FILE = 64 << 20           # one .npy or JSON file
MAX_TOTAL = 256 << 20         # all the files read for one exercise
MAX_JSON = 4 << 20
MAX_DEPTH = 32
MAX_NDIM = 8
MAX_TEXT = 2000               # characters of an exception message handed out
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.(npy|json)$")
#: The Keras classes a handed-out model may use (the course's models use no others).
KERAS_CLASSES = {
    "Sequential", "Functional", "Model", "InputLayer", "Conv2D", "Conv1D", "DepthwiseConv2D",
    "SeparableConv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
    "GlobalMaxPooling2D", "Flatten", "Dense", "Dropout", "SpatialDropout2D", "Activation",
    "ReLU", "LeakyReLU", "Softmax", "BatchNormalization", "Rescaling", "Reshape", "ZeroPadding2D",
    "Add", "Concatenate", "RandomFlip", "RandomTranslation", "RandomRotation", "RandomZoom",
    "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "Zeros", "Ones", "Constant",
    "RandomNormal", "RandomUniform", "TruncatedNormal", "L2", "L1", "L1L2", "DTypePolicy",
    "FloatDTypePolicy", "Node", "KerasTensor", "__tensor__", "__tuple__", "__numpy__",
    "__keras_tensor__", "__typespec__", "__lambda__"}
_ACTIVATIONS = {"relu", "softmax", "sigmoid", "tanh", "linear", "elu", "selu", "gelu", "swish",
                "silu", "softplus", "leaky_relu", "relu6", "hard_sigmoid", "exponential", "mish"}


class BadData(ValueError):
    """A handed-out file breaks the plain-data rules."""


class Unsupported:
    """What a student returned that is not plain data (shown in messages, equal to nothing)."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:100]

    def __repr__(self):
        return _("<a {type}: not a number, array or tuple>").format(type=self.type_name)


# ----------------------------------------------------------------------------- writing
class Writer:
    """Encodes values into JSON nodes, arrays into .npy files of folder."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def _file(self, suffix):
        self.count += 1
        return f"f{self.count}{suffix}"

    def array(self, value):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf" or arr.dtype.fields is not None or arr.ndim > MAX_NDIM:
            return {"unsupported": f"array of dtype {arr.dtype}"}
        name = self._file(".npy")
        np.save(self.folder / name, np.ascontiguousarray(arr), allow_pickle=False)
        return {"array": name}

    def model(self, model):
        name = self._file(".json")
        (self.folder / name).write_text(model.to_json(), encoding="utf-8")
        return {"model": {"config": name, "weights": [self.array(w)["array"]
                                                      for w in model.get_weights()]}}

    def encode(self, value, depth=0):
        if depth > MAX_DEPTH:
            return {"unsupported": "a value nested too deeply"}
        if value is None or isinstance(value, (bool, str)):
            return value if not isinstance(value, str) else value[:100_000]
        if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
            return int(value)
        if isinstance(value, (float, np.floating)):
            value = float(value)
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, (np.ndarray, np.generic)):
            return self.array(value)
        if isinstance(value, (tuple, list)):
            return {"tuple" if isinstance(value, tuple) else "list":
                    [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"dict": [[k, self.encode(v, depth + 1)] for k, v in value.items()]}
        if _is_keras_model(value):
            return self.model(value)
        if _is_course_object(value):                   # an input such as ch11's f(x): its state
            state = [[k, self.encode(v, depth + 1)] for k, v in vars(value).items()]
            if not any(isinstance(v, dict) and "unsupported" in v for _, v in state):
                return {"object": {"module": type(value).__module__,
                                   "class": type(value).__qualname__, "state": state}}
        if hasattr(value, "__array__") or hasattr(value, "numpy"):     # tensors
            try:
                return self.array(value.numpy() if hasattr(value, "numpy") else value)
            except Exception:                                          # noqa: BLE001
                pass
        return {"unsupported": type(value).__name__}


def _is_course_object(value):
    """An instance of a class of the checks (a function given to the student, e.g. ch11's
    f(x) for numerical_gradient), with its state in plain attributes."""
    module = type(value).__module__ or ""
    return module.startswith("cnncourse.checks.") and hasattr(value, "__dict__") \
        and all(isinstance(k, str) for k in vars(value))


def _is_keras_model(value):
    try:
        import keras
    except ImportError:
        return False
    return isinstance(value, keras.Model)


def write_json(path, data):
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def write_cases(folder, cases):
    """Grader side: the inputs of one exercise's cases into folder (cases.json + .npy files)."""
    writer = Writer(folder)
    data = [{"function": case.function, "args": [writer.encode(a) for a in case.args],
             "kwargs": [[k, writer.encode(v)] for k, v in case.kwargs.items()]} for case in cases]
    write_json(Path(folder) / CASES, {"cases": data})


# ----------------------------------------------------------------------------- reading
class Reader:
    """Decodes JSON nodes and the files they name, from one folder, strictly and with limits."""

    def __init__(self, folder, root=None, objects=False):
        """folder: the folder to read; root: a trusted folder above it, from which every
        component of the path is opened without following links (the kernel may have replaced
        one with a link); objects: rebuild course objects (the kernel reading the grader's
        inputs) -- never for what a kernel wrote."""
        self.objects = objects
        folder = Path(folder)
        parts = folder.relative_to(root).parts if root is not None else ()
        try:
            fd = os.open(root if root is not None else folder,
                         os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            for part in parts:
                try:
                    nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                finally:
                    os.close(fd)
                fd = nxt
        except FileNotFoundError:
            raise FileNotFoundError(folder) from None
        except OSError as err:
            raise BadData(_("the folder {name} cannot be read ({strerror}: a link?)").format(
                name=folder.name, strerror=err.strerror)) \
                from None
        self.dir_fd = fd
        self.budget = MAX_TOTAL

    def close(self):
        os.close(self.dir_fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read_bytes(self, name, limit=MAX_FILE):
        if not isinstance(name, str) or not _NAME.match(name):
            raise BadData(_("bad file name {name}").format(name=repr(str(name)[:80])))
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=self.dir_fd)
        except FileNotFoundError:
            raise FileNotFoundError(name) from None
        except OSError as err:
            raise BadData(_("{name} cannot be opened ({strerror}: a link?)").format(
                name=name, strerror=err.strerror)) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise BadData(_("{name} is not a regular file").format(name=name))
            if info.st_size > min(limit, self.budget):
                raise BadData(_("{name} is larger than allowed ({st_size} bytes)").format(
                    name=name, st_size=info.st_size))
            chunks, size = [], 0
            while chunk := os.read(fd, 1 << 20):
                size += len(chunk)
                if size > min(limit, self.budget):
                    raise BadData(_("{name} is larger than allowed").format(name=name))
                chunks.append(chunk)
        finally:
            os.close(fd)
        self.budget -= size
        return b"".join(chunks)

    def json(self, name, limit=MAX_JSON):
        try:
            data = json.loads(self.read_bytes(name, limit).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            raise BadData(_("{name} is not valid JSON ({err})").format(
                name=name, err=str(err)[:100])) from None
        _check_depth(data, 2 * MAX_DEPTH + 8)
        return data

    def array(self, name):
        try:
            raw = self.read_bytes(name)
            stream = io.BytesIO(raw)
            version = np.lib.format.read_magic(stream)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(_(".npy format version {version} is not accepted").format(
                    version=version))
            shape, _order, dtype = read_header(stream)
            if math.prod(shape) * dtype.itemsize > len(raw) - stream.tell():
                raise ValueError(_("the header announces {shape} {dtype}, more than the file "
                                   "holds").format(
                    shape=shape, dtype=dtype))
            stream.seek(0)
            arr = np.load(stream, allow_pickle=False)
        except FileNotFoundError:
            raise BadData(_("{name} is missing").format(name=name)) from None
        except (ValueError, OSError, EOFError, TypeError, SyntaxError) as err:
            raise BadData(_("{name} is not a plain .npy array ({err})").format(
                name=name, err=str(err)[:100])) from None
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf" \
                or arr.dtype.fields is not None or arr.ndim > MAX_NDIM:
            raise BadData(_("{name} holds no plain numbers (dtype {value})").format(
                name=name, value=getattr(arr, 'dtype', '?')))
        return arr

    def decode(self, node, depth=0):
        if depth > MAX_DEPTH:
            raise BadData(_("values nested too deeply"))
        if node is None or isinstance(node, (bool, int, float, str)):
            if isinstance(node, float) and not math.isfinite(node):
                raise BadData(_("a non-finite number outside its tag"))
            return node
        if not isinstance(node, dict) or len(node) != 1:
            raise BadData(_("not a plain-data value: {node}").format(node=str(node)[:80]))
        (tag, body), = node.items()
        if tag == "float" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag in ("list", "tuple") and isinstance(body, list):
            items = [self.decode(v, depth + 1) for v in body]
            return items if tag == "list" else tuple(items)
        if tag == "dict" and isinstance(body, list) and all(
                isinstance(kv, list) and len(kv) == 2 and isinstance(kv[0], str) for kv in body):
            return {k: self.decode(v, depth + 1) for k, v in body}
        if tag == "array":
            return self.array(body)
        if tag == "unsupported" and isinstance(body, str):
            return Unsupported(body)
        if tag == "model" and isinstance(body, dict):
            return self.model(body)
        if tag == "object" and self.objects and isinstance(body, dict):
            return self.course_object(body, depth)
        raise BadData(_("unknown plain-data tag {tag}").format(tag=repr(str(tag)[:40])))

    def course_object(self, body, depth):
        """A checks object the grader handed in, as a plain function: the student gets its call,
        not its methods (ch11's f(x) has an exact gradient the student must not read)."""
        import importlib
        module, name = str(body.get("module")), str(body.get("class"))
        if not module.startswith("cnncourse.checks.") or "." in name:
            raise BadData(_("not a course object: {module}.{name}").format(
                module=module, name=name))
        cls = getattr(importlib.import_module(module), name)
        obj = cls.__new__(cls)
        obj.__dict__.update({k: self.decode(v, depth + 1) for k, v in body.get("state", [])})

        def function(*args, **kwargs):
            return obj(*args, **kwargs)
        function.__name__ = function.__qualname__ = "f"
        return function

    def model(self, body):
        config = body.get("config")
        weights = body.get("weights")
        if not isinstance(weights, list) or len(weights) > 1000:
            raise BadData(_("a model's weights must be a list of arrays"))
        text = self.read_bytes(config, MAX_JSON).decode("utf-8", "replace")
        return build_model(text, [self.array(w) for w in weights])


def _check_depth(data, limit):
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise BadData(_("JSON nested too deeply"))
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def check_model_config(config):
    """Every class in a Keras config must be a standard layer/initializer of KERAS_CLASSES from a
    keras module; activations must be named standard ones. BadData otherwise."""
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "class_name" in item:
                name, module = item.get("class_name"), item.get("module")
                if name not in KERAS_CLASSES or name == "__lambda__":
                    raise BadData(_("the model uses {name}, which the grader does not rebuild "
                                    "(only standard Keras layers)").format(
                        name=repr(str(name)[:60])))
                if module is not None and not (isinstance(module, str) and
                                               (module == "keras" or module.startswith("keras."))):
                    raise BadData(_("the model names the module {module}").format(
                        module=repr(str(module)[:60])))
                if item.get("registered_name") not in (None, name):
                    raise BadData(_("the model uses a registered custom object"))
            activation = item.get("activation")
            if isinstance(activation, str) and activation not in _ACTIVATIONS:
                raise BadData(_("unknown activation {value}").format(value=repr(activation[:40])))
            if "function" in item or "function_type" in item:
                raise BadData(_("the model carries code (a Lambda layer)"))
            stack.extend(item.values())


def build_model(config_text, weights):
    """A Keras model from a checked config and its weights (BadData if they do not fit)."""
    import keras
    try:
        config = json.loads(config_text)
    except ValueError:
        raise BadData(_("the model config is not JSON")) from None
    _check_depth(config, 200)
    if isinstance(config, dict):
        config.pop("compile_config", None)     # the optimizer and loss: not judged, not rebuilt
    check_model_config(config)
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as err:                                          # noqa: BLE001
        raise BadData(_("the model cannot be rebuilt ({value}: {err})").format(
            value=type(err).__name__, err=str(err)[:200])) \
            from None
    if not isinstance(model, keras.Model):
        raise BadData(_("the config is not a Keras model"))
    try:
        model.set_weights(weights)
    except Exception as err:                                          # noqa: BLE001
        raise BadData(_("the weights do not fit the model ({err})").format(
            err=str(err)[:200])) from None
    return model


# ----------------------------------------------------------------------------- kernel side
def grading_dir():
    """The handout folder when the grader runs this kernel, else None."""
    return os.environ.get(KERNEL_DIR_ENV) or None


def hand_out(exercise, student):
    """Kernel side of a check in grading mode: run student (a function, or {name: function})
    on the grader's cases of exercise (an ``Exercise``) and write what is judged of each call
    (``exercise.judged``: the result, or e.g. the trained model); judge nothing. Returns the
    number of cases."""
    __tracebackhide__ = True
    name = exercise.name
    folder = Path(grading_dir())
    with Reader(folder / INPUTS / name, objects=True) as reader:
        spec = reader.json(CASES)
        cases = [(c.get("function"), tuple(reader.decode(a) for a in c["args"]),
                  {k: reader.decode(v) for k, v in c["kwargs"]}) for c in spec["cases"]]
    writer = Writer(folder / OUTPUTS / name)
    results = []
    for function, args, kwargs in cases:
        fn = student.get(function) if isinstance(student, dict) else student
        try:
            if not callable(fn):
                raise TypeError(f"{function or name}: expected a function, got {type(fn).__name__}")
            results.append({"value": writer.encode(exercise.judged(args, fn(*args, **kwargs)))})
        except Exception as err:                                      # noqa: BLE001
            results.append({"raised": type(err).__name__, "message": str(err)[:MAX_TEXT]})
    write_json(folder / OUTPUTS / name / RESULTS, {"outputs": results})
    print(f"{name}: {len(cases)} case{'s' if len(cases) != 1 else ''} run for the grader "
          "(it compares the results outside this kernel)")
    return len(cases)


def read_outputs(folder, root=None):
    """Grader side: [("value", value) | ("raised", ename, message)] from one exercise's outputs
    folder (below the trusted root, see Reader). FileNotFoundError when the check handed out
    nothing; BadData when it broke the rules."""
    with Reader(folder, root) as reader:
        data = reader.json(RESULTS)
        outputs = data.get("outputs") if isinstance(data, dict) else None
        if not isinstance(outputs, list):
            raise BadData(_("{RESULTS} has no list of outputs").format(RESULTS=RESULTS))
        out = []
        for item in outputs:
            if isinstance(item, dict) and set(item) == {"value"}:
                out.append(("value", reader.decode(item["value"])))
            elif isinstance(item, dict) and set(item) == {"raised", "message"} \
                    and isinstance(item["raised"], str) and isinstance(item["message"], str):
                out.append(("raised", item["raised"][:100], item["message"][:MAX_TEXT]))
            else:
                raise BadData(_("{RESULTS}: an output is neither a value nor an exception").format(
                    RESULTS=RESULTS))
        return out
