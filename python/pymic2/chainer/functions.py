"""Fused device kernels as Chainer functions: the fast paths of an MLP's training step.

    bias_relu(x, b)                  relu(x + b), b broadcast over the rows (a layer's bias)
    softmax_cross_entropy(x, t)      Chainer's softmax_cross_entropy (reduce='mean')

On pymic2 arrays each forward and backward is one device command (the op rows BIAS_RELU and
RELU_GRAD, and the row-wise softmax cross entropy kernel) instead of the three to eight
element-wise passes Chainer's own functions make; on NumPy arrays they compute the same with
NumPy, so a model using them runs on either. Values, NaN and infinities follow Chainer's
F.relu(x + b) and F.softmax_cross_entropy; the tests check both against Chainer on NumPy.
Double backpropagation goes through bias_relu but not through softmax_cross_entropy (as
Chainer's default, enable_double_backprop=False).
"""

import chainer
import chainer.functions
import numpy

from .. import _core

__all__ = ["bias_relu", "softmax_cross_entropy", "BiasReLU", "SoftmaxCrossEntropy"]

_DeviceArray = _core.ndarray


def _on_device(array):
    return isinstance(array, _DeviceArray)


def _relu_grad(y, gy):
    """gy * (y > 0), in gy's dtype (Chainer's ReLUGrad2)."""
    if _on_device(gy):
        return _core.elementwise(_core.OP_RELU_GRAD, y, gy)
    return (gy * (y > 0)).astype(gy.dtype, copy=False)


class _ReLUGrad(chainer.function_node.FunctionNode):
    """gx = gy * (y > 0) for a fixed y; linear in gy, so its own gradient is itself."""

    def __init__(self, y):
        self.y = y

    def forward(self, inputs):
        return _relu_grad(self.y, inputs[0]),

    def backward(self, indexes, grad_outputs):
        return _ReLUGrad(self.y).apply(grad_outputs)


class BiasReLU(chainer.function_node.FunctionNode):
    """y = max(x + b, 0) with b of shape x.shape[1:] added to every row."""

    def check_type_forward(self, in_types):
        chainer.utils.type_check._argname(in_types, ("x", "b"))
        x_type, b_type = in_types
        chainer.utils.type_check.expect(
            x_type.dtype.kind == "f", b_type.dtype == x_type.dtype,
            x_type.ndim >= 2, b_type.ndim == x_type.ndim - 1)

    def forward(self, inputs):
        x, b = inputs
        if x.shape[1:] != b.shape:
            raise ValueError(f"bias_relu: the bias has shape {b.shape}, the rows of x "
                             f"{x.shape[1:]}")
        if _on_device(x):
            y = _core.elementwise(_core.OP_BIAS_RELU, x, b)
        else:
            y = numpy.maximum(x + b, 0, dtype=x.dtype)
        self.retain_outputs((0,))
        return y,

    def backward(self, indexes, grad_outputs):
        y = self.get_retained_outputs()[0].array
        gx, = _ReLUGrad(y).apply(grad_outputs)
        result = []
        if 0 in indexes:
            result.append(gx)
        if 1 in indexes:
            result.append(chainer.functions.sum(gx, axis=0))
        return result


def bias_relu(x, b):
    """relu(x + b) as one device pass; b has the shape of one row of x."""
    return BiasReLU().apply((x, b))[0]


def _log_softmax(x):
    """Chainer's _log_softmax on NumPy: x - (m + log(sum(exp(x - m)))) per row."""
    m = x.max(axis=1, keepdims=True)
    y = numpy.exp(x - m)
    return x - (m + numpy.log(y.sum(axis=1, keepdims=True)))


def _coefficient(t, normalize, ignore_label):
    count = int((t != ignore_label).sum()) if normalize else len(t)
    return 1.0 / max(count, 1)


class SoftmaxCrossEntropy(chainer.function_node.FunctionNode):
    """The mean over labelled rows of -log_softmax(x)[n, t[n]] (Chainer's reduce='mean')."""

    def __init__(self, normalize=True, ignore_label=-1):
        self.normalize = bool(normalize)
        self.ignore_label = int(ignore_label)

    def check_type_forward(self, in_types):
        chainer.utils.type_check._argname(in_types, ("x", "t"))
        x_type, t_type = in_types
        chainer.utils.type_check.expect(
            x_type.dtype.kind == "f", x_type.ndim == 2, t_type.dtype.kind == "i",
            t_type.ndim == 1, x_type.shape[0] == t_type.shape[0])

    def forward(self, inputs):
        x, t = inputs
        self.retain_inputs((0, 1))
        if _on_device(x):
            return _core.softmax_cross_entropy(x, t, self.ignore_label, self.normalize),
        labelled = t != self.ignore_label
        if ((t[labelled] < 0) | (t[labelled] >= x.shape[1])).any():
            raise IndexError(f"softmax_cross_entropy: a label is outside 0..{x.shape[1] - 1}")
        log_p = _log_softmax(x)[numpy.arange(len(t)), numpy.where(labelled, t, 0)]
        loss = -(log_p * labelled).sum() * _coefficient(t, self.normalize, self.ignore_label)
        return numpy.asarray(loss, dtype=x.dtype),

    def backward(self, indexes, grad_outputs):
        x, t = self.get_retained_inputs()
        return _SoftmaxCrossEntropyGrad(self.normalize, self.ignore_label).apply(
            (x, t, grad_outputs[0]))[0], None


class _SoftmaxCrossEntropyGrad(chainer.function_node.FunctionNode):
    """gx = (softmax(x) - onehot(t)) * labelled * gloss / count."""

    def __init__(self, normalize, ignore_label):
        self.normalize = normalize
        self.ignore_label = ignore_label

    def forward(self, inputs):
        x, t, gloss = inputs
        if _on_device(x):
            return _core.softmax_cross_entropy(x, t, self.ignore_label, self.normalize,
                                               gloss),
        labelled = t != self.ignore_label
        gx = numpy.exp(_log_softmax(x))
        gx[numpy.arange(len(t)), numpy.maximum(t, 0)] -= 1
        gx *= labelled[:, None]
        gx *= gloss * _coefficient(t, self.normalize, self.ignore_label)
        return gx.astype(x.dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        raise NotImplementedError("softmax_cross_entropy: double backpropagation is not "
                                  "supported (as Chainer's enable_double_backprop=False)")


def softmax_cross_entropy(x, t, normalize=True, ignore_label=-1):
    """Chainer's F.softmax_cross_entropy(x, t, normalize, ignore_label=ignore_label) with the
    mean reduction, as one device kernel forward and one backward."""
    return SoftmaxCrossEntropy(normalize, ignore_label).apply((x, t))[0]
