"""Device code for the Chainer functions whose CPU code is NumPy-only.

Chainer runs a FunctionNode on pymic2 arrays through its CPU methods (forward_cpu,
backward_cpu), because pymic2 arrays are not CuPy arrays. Most CPU methods are written with
array methods and numpy functions that pymic2 arrays serve on the device (__array_ufunc__,
__array_function__). The ones here build host arrays (numpy.arange for indexing) or pass
`numpy` as the array module; each gets a pymic2 version, installed by `install()` as a
wrapper that runs it for pymic2 inputs and Chainer's original for everything else.

`on_device(cls, name)` is the registration decorator; other modules (the fused fast paths)
use it too, and a later registration for the same method replaces an earlier one.
"""

import functools

import pymic2

from ._device import chainer

from chainer.functions.activation import log_softmax  # noqa: E402
from chainer.functions.evaluation import accuracy  # noqa: E402
from chainer.functions.loss import softmax_cross_entropy as sce  # noqa: E402

_ORIGINAL_ATTR = "_pymic2_original"
_registry = {}


def on_device(cls, name):
    """Decorator: `function(self, *args)` replaces cls.<name> when the method's first array
    argument (the inputs tuple) holds pymic2 arrays."""
    def register(function):
        _registry[cls, name] = function
        if _installed:
            _install_one(cls, name, function)
        return function

    return register


def _install_one(cls, name, function):
    current = cls.__dict__[name]
    original = getattr(current, _ORIGINAL_ATTR, current)

    @functools.wraps(original)
    def method(self, arrays, *args):
        if any(isinstance(a, pymic2.ndarray) for a in arrays):
            return function(self, arrays, *args)
        return original(self, arrays, *args)

    setattr(method, _ORIGINAL_ATTR, original)
    setattr(cls, name, method)


_installed = False


def install():
    """Installs every registered device method (idempotent)."""
    global _installed
    for (cls, name), function in _registry.items():
        _install_one(cls, name, function)
    _installed = True


def _arange(n, like):
    return pymic2.arange(n, dtype="int64", stream=like._op_stream)


def _rows_last(array):
    """(N, C, d1, ...) -> (N*d1*..., C): one row per sample and position, classes last
    (the order of Chainer's rollaxis(array, 1).reshape(C, -1), transposed)."""
    if array.ndim == 2:
        return array
    moved = array.transpose((0,) + tuple(range(2, array.ndim)) + (1,))
    return moved.reshape(-1, array.shape[1])


def _rows_back(rows, shape):
    """The inverse of _rows_last for an array of `shape` (N, C, d1, ...)."""
    if len(shape) == 2:
        return rows
    moved = rows.reshape((shape[0],) + tuple(shape[2:]) + (shape[1],))
    return moved.transpose((0, len(shape) - 1) + tuple(range(1, len(shape) - 1)))


def _class_weight_on(function, like):
    # A class_weight array given as NumPy is uploaded once, to the device of the inputs.
    weight = function.class_weight
    if weight is None or isinstance(weight, pymic2.ndarray):
        return weight
    weight = pymic2.asarray(chainer.backend.from_chx(weight), device=like.device)
    function.class_weight = weight
    return weight


@on_device(accuracy.Accuracy, "forward_cpu")
def _accuracy_forward(self, inputs):
    return self._forward(pymic2, inputs)


@on_device(sce.SoftmaxCrossEntropy, "forward_cpu")
def _softmax_cross_entropy_forward(self, inputs):
    self.retain_inputs((0, 1))
    x, t = inputs
    class_weight = _class_weight_on(self, x)
    if x.ndim == t.ndim and x.shape == t.shape:
        self.soft_target = True
    log_y = log_softmax._log_softmax(x)
    if self.cache_score:
        self.y = pymic2.exp(log_y)
    if self.soft_target:
        return self._soft_target_loss(pymic2, x, t, log_y)
    if class_weight is not None:
        shape = [1 if d != 1 else -1 for d in range(x.ndim)]
        log_y *= class_weight.reshape(shape)
    labels = t.ravel()
    valid = labels != self.ignore_label
    log_p = _rows_last(log_y)[_arange(labels.size, x), labels * valid] * valid
    if self.reduce != "mean":
        return -log_p.reshape(t.shape),
    # The count stays on the device: reading it would stop the stream every iteration.
    count = pymic2.maximum(valid.sum(), 1) if self.normalize else max(len(x), 1)
    self._coeff = 1.0 / count
    total = log_p.sum(dtype=sce._reduction_dtype(x.dtype)) * -self._coeff
    return total.astype(x.dtype).reshape(()),


@on_device(sce._SoftmaxCrossEntropyGrad_NoDoubleBackprop, "forward_cpu")
def _softmax_cross_entropy_grad(self, inputs_and_grad_outputs):
    x, t, gloss = inputs_and_grad_outputs
    if x.size == 0:
        return pymic2.zeros_like(x), None
    if self.y is not None:
        y = self.y.copy()
    else:
        y = pymic2.exp(log_softmax._log_softmax(x))
    valid = t != self.ignore_label
    if self.soft_target:
        gx = y - t * valid
    else:
        class_weight = _class_weight_on(self, x)
        labels = (t * valid).ravel()
        rows = _rows_last(y)
        if rows is not y:
            rows = rows.copy()  # a contiguous copy, scattered into below
        rows[_arange(labels.size, x), labels] -= 1
        if class_weight is not None:
            rows *= class_weight[labels].reshape(-1, 1)
        rows *= valid.ravel().reshape(-1, 1)
        gx = _rows_back(rows, y.shape)
    if self.coeff is not None:
        gx = gx * (gloss * self.coeff)
    else:
        gx = gx * gloss[:, None]
    return gx.astype(x.dtype, copy=False),
