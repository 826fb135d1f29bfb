"""Looking inside a trained Keras CNN (chapter 10): feature maps, occlusion sensitivity, Grad-CAM.
(The image changes of the vision difficulties - shift, brightness, occlusion - are NumPy
helpers in ``cnncourse.ops``.)

Images are channels-last float arrays in [0, 1]: one image (H, W, C), a batch (N, H, W, C).
The model is any built keras.Model whose input is (None, H, W, C) and whose output is softmax.
"""
import numpy as np
import keras

from . import ops
from .i18n import _


def _batch(x):
    x = np.asarray(x, dtype="float32")
    if x.ndim == 2:
        x = x[..., None]
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(_("expected an image (H, W), (H, W, C) or a batch (N, H, W, C), got "
                           "shape {shape}").format(shape=x.shape))
    return x


def _single_input(model):
    if len(model.inputs) != 1:
        raise ValueError(_("expected a model with one image input, {model} has {count}").format(
            model=model.name, count=len(model.inputs)))
    return model.inputs[0]


def conv_layers(model):
    """Names of the layers whose output is a 4-D feature map (N, H, W, C), input to output."""
    return [l.name for l in model.layers
            if not isinstance(l, keras.layers.InputLayer) and len(l.output.shape) == 4]


def feature_maps(model, x, layer_names=None):
    """Outputs of the named layers (default: every layer with a 4-D output) for image(s) x.

    Returns a dict name -> array (N, H', W', C') in layer order. A second model is built that shares
    the weights of ``model`` and returns the intermediate outputs (nothing is retrained).
    """
    names = conv_layers(model) if layer_names is None else list(layer_names)
    known = {l.name for l in model.layers}
    missing = [n for n in names if n not in known]
    if missing:
        raise ValueError(_("no layer named {name} in the model; layers are {names}").format(
            name=missing, names=sorted(known)))
    probe = keras.Model(_single_input(model), [model.get_layer(n).output for n in names])
    outs = probe(_batch(x), training=False)
    if len(names) == 1:
        outs = [outs]
    return {n: keras.ops.convert_to_numpy(o) for n, o in zip(names, outs)}


def occlusion_sensitivity(model, image, label, patch=6, stride=2, fill=0.0, batch_size=256):
    """How much the probability of class ``label`` drops when a patch x patch square is hidden.

    image (H, W, C) or (H, W). The grey square (value ``fill``) slides with ``stride``; the result
    has shape (OH, OW) with OH = (H - patch) // stride + 1 (the conv output-size formula) and entry
    [i, j] = p(label | image) - p(label | image with the square at (i*stride, j*stride)).
    Large positive values mark the pixels the prediction depends on.
    """
    x = _batch(image)[0]
    h, w = x.shape[:2]
    if not 1 <= patch <= min(h, w) or stride < 1:
        raise ValueError(_("patch must be in 1..{largest} and stride >= 1, got patch={patch}, "
                           "stride={stride}").format(largest=min(h, w), patch=patch,
                                                     stride=stride))
    oh, ow = ops.output_size(h, patch, stride), ops.output_size(w, patch, stride)
    batch = np.stack([ops.occlude(x, i * stride, j * stride, patch, fill)
                      for i in range(oh) for j in range(ow)])
    base = float(model.predict(x[None], verbose=0)[0, label])
    probs = model.predict(batch, batch_size=batch_size, verbose=0)[:, label]
    return (base - probs).reshape(oh, ow)


def grad_cam(model, image, layer_name, class_index=None):
    """Grad-CAM (Selvaraju et al. 2017) heat map (H', W') of one image at conv layer ``layer_name``.

    The feature maps A (H', W', K) of the layer are weighted by the mean gradient of the class score
    over each map, alpha_k = mean_ij d y_c / d A_ij^k, then cam = ReLU(sum_k alpha_k A^k), scaled to
    [0, 1]. The model must be a chain of layers (a Sequential, or a functional model without
    branches, like every model of the course): the image is passed layer by layer up to
    ``layer_name`` (A), then the rest of the chain is differentiated with respect to A. Works on
    every Keras backend (``backend.gradient``).
    """
    from . import backend
    names = [l.name for l in model.layers]
    if layer_name not in names:
        raise ValueError(_("no layer named {name}; layers are {names}").format(
            name=repr(layer_name), names=names))
    chain = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]
    k = next(i for i, l in enumerate(chain) if l.name == layer_name) + 1

    def run(h, layers):
        for layer in layers:
            h = layer(h, training=False)
        return h

    fmap = keras.ops.convert_to_numpy(run(_batch(image)[:1], chain[:k])).astype("float32")
    probs = keras.ops.convert_to_numpy(run(fmap, chain[k:]))
    c = int(np.argmax(probs[0])) if class_index is None else int(class_index)
    _value, grads = backend.gradient(lambda a: run(a, chain[k:])[:, c], fmap)
    weights = grads[0].mean(axis=(0, 1))                       # alpha_k, (K,)
    cam = np.maximum((fmap[0] * weights).sum(axis=-1), 0)
    return cam / cam.max() if cam.max() > 0 else cam
