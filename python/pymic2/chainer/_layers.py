"""Device code for Chainer's layer functions whose CPU code cannot take pymic2 arrays.

Chainer's CPU paths of convolution, pooling, batch normalization and the LSTM cell build
NumPy arrays (numpy.ndarray(...), numpy.zeros, numpy.empty_like) or branch on `xp is numpy`
and take the CUDA branch for anything else. Here each gets a pymic2 version, registered with
_device_functions.on_device (installed by enable()), which computes what Chainer's CPU code
computes, with the same outputs and saved state, using device operations only:

- images to columns and back by the NN family's windows kernel (pymic2_windows: IM2COL,
  COL2IM), into a column array laid out for one matrix product;
- convolution_2d, its weight gradient and deconvolution_2d (the input gradient) as one GEMM
  each over those columns: (out_c, c*kh*kw) @ (c*kh*kw, n*out_h*out_w); the weight gradient
  takes over the forward's columns instead of making them again; with few column rows
  (a first layer: c*kh*kw = 9) the forward and the weight gradient multiply image by image
  instead, in one batched product (see _PER_IMAGE_ROWS);
- max_pooling_2d with Chainer's argmax indexes (first maximum, NaN first as numpy.argmax)
  and its gradient, average_pooling_2d and its gradient: one windows pass each (the double
  backward of max pooling gathers from the stacked window views);
- batch_normalization / fixed_batch_normalization (Chainer's GeneralBatchNormalizationImpl
  arithmetic, and the running statistics updated in place on the device): in the usual
  layout (channels on axis 1, one float dtype) one fused command each for the forward
  (statistics, normalisation, running statistics) and the backward, else array operations;
- the LSTM cell (chainer.functions.lstm, used by links.LSTM) forward and backward, one
  fused command each;
- transpose_sequence (used by the n_step RNNs), grouped by sequence length;
- mean_squared_error and mean_absolute_error (their CPU code wraps a 0-d result in
  numpy.array).

Grouped convolution, N-d convolution and pooling other than 2-d are _windows_nd's (it
registers after this module and calls the functions here for the 2-d ungrouped cases).
"""

import functools
import inspect

import numpy

import pymic2

from .. import _core
from . import _fused
from ._device import chainer
from ._device_functions import on_device

from chainer.functions.array import transpose_sequence  # noqa: E402
from chainer.functions.connection import convolution_2d as conv2d  # noqa: E402
from chainer.functions.connection import deconvolution_2d as deconv2d  # noqa: E402
from chainer.functions.loss import mean_absolute_error as mae  # noqa: E402
from chainer.functions.loss import mean_squared_error as mse  # noqa: E402
from chainer.functions.normalization import batch_normalization as bn  # noqa: E402
from chainer.functions.pooling import average_pooling_2d as avgpool  # noqa: E402
from chainer.functions.pooling import max_pooling_nd as maxpool  # noqa: E402
from chainer.functions.rnn import lstm  # noqa: E402
from chainer.utils import conv  # noqa: E402


def _refuse(what, why):
    raise TypeError(f"{what} is not implemented on pymic2 devices for {why}")


# ---------------------------------------------------------------------------------------
# Images and columns
# ---------------------------------------------------------------------------------------

class _Geometry:
    """A 2-d sliding window: kernel, stride, padding, dilation and the output size for an
    input of height h and width w (Chainer's get_conv_outsize)."""

    def __init__(self, h, w, kh, kw, sy, sx, ph, pw, cover_all=False, dy=1, dx=1,
                 out_h=None, out_w=None):
        self.h, self.w, self.kh, self.kw = h, w, kh, kw
        self.sy, self.sx, self.ph, self.pw, self.dy, self.dx = sy, sx, ph, pw, dy, dx
        self.out_h = conv.get_conv_outsize(h, kh, sy, ph, cover_all, dy) \
            if out_h is None else out_h
        self.out_w = conv.get_conv_outsize(w, kw, sx, pw, cover_all, dx) \
            if out_w is None else out_w
        if self.out_h <= 0 or self.out_w <= 0:
            raise ValueError(f"the window ({kh}, {kw}) with stride ({sy}, {sx}), padding "
                             f"({ph}, {pw}) and dilation ({dy}, {dx}) leaves no output for "
                             f"an input of size ({h}, {w})")

    def windows(self, padded):
        """(i, j, view): the padded image's elements under kernel tap (i, j) for every
        output position, a strided view of shape (..., out_h, out_w)."""
        for i in range(self.kh):
            top = i * self.dy
            for j in range(self.kw):
                left = j * self.dx
                yield i, j, padded[..., top:top + self.sy * self.out_h:self.sy,
                                   left:left + self.sx * self.out_w:self.sx]

    def pad(self, image, value=0):
        """The image (..., h, w) padded with value as Chainer's im2col_cpu pads it (no copy
        when there is nothing to pad)."""
        widths = ((self.ph, self.ph + self.sy - 1), (self.pw, self.pw + self.sx - 1))
        if not any(before or after for before, after in widths):
            return image
        return pymic2.pad(image, ((0, 0),) * (image.ndim - 2) + widths, mode="constant",
                          constant_values=value)


def _windows(op, image, cols, indexes, geometry):
    """One pymic2_windows pass (the NN family's im2col, col2im and pooling kernel)."""
    g = geometry
    _core.windows(op, image, cols, indexes, g.kh, g.kw, g.sy, g.sx, g.ph, g.pw, g.dy, g.dx)


def _im2col_channels_first(x, geometry):
    """Columns of x (n, c, h, w) as a (c*kh*kw, n*out_h*out_w) matrix: row (c, i, j) holds
    tap (i, j) of channel c at every output position of every image."""
    n, c = x.shape[:2]
    g = geometry
    col = pymic2.empty((c, g.kh, g.kw, n, g.out_h, g.out_w), dtype=x.dtype,
                       stream=x._op_stream)
    _windows(_core.WINDOWS_IM2COL, x, col, None, g)
    return col.reshape(c * g.kh * g.kw, n * g.out_h * g.out_w)


def _col2im_channels_first(col, n, c, geometry):
    """The adjoint of _im2col_channels_first: the (n, c, h, w) image whose every pixel is
    the sum of the column entries that read it."""
    g = geometry
    col = col.reshape(c, g.kh, g.kw, n, g.out_h, g.out_w)
    image = pymic2.empty((n, c, g.h, g.w), dtype=col.dtype, stream=col._op_stream)
    _windows(_core.WINDOWS_COL2IM, image, col, None, g)
    return image


# ---------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------

def _conv_geometry(function, x_shape, w_shape):
    return _Geometry(x_shape[2], x_shape[3], w_shape[2], w_shape[3], function.sy,
                     function.sx, function.ph, function.pw, function.cover_all,
                     function.dy, function.dx)


# Columns with fewer rows (c*kh*kw) than this multiply image by image, as one batched
# product on views of the columns, which gives the output in NCHW (no transposing copy) and
# the weight gradient without transposing gy. Measured on the CNN's layers (2 cores, CPU ms
# per call): conv 1->32 3x3 (9 rows, batch 100 of 28x28) forward 2.4 one GEMM + transpose,
# 1.1 per image; weight gradient 4.3 and 1.1. Conv 32->64 (288 rows) forward 11.3 and 13.6:
# there the one GEMM wins.
_PER_IMAGE_ROWS = 64


def _per_image(col, n):
    """Columns (k, n*p) as the view (n, k, p): image i's columns."""
    return col.reshape(col.shape[0], n, -1).transpose(1, 0, 2)


def _images_from_rows(rows, n, geometry):
    """(k, n*out_h*out_w) -> (n, k, out_h, out_w), contiguous."""
    k = rows.shape[0]
    return rows.reshape(k, n, geometry.out_h, geometry.out_w).transpose(1, 0, 2, 3).copy()


def _rows_from_images(images):
    """(n, k, h, w) -> (k, n*h*w), the inverse of _images_from_rows."""
    n, k, h, w = images.shape
    return images.transpose(1, 0, 2, 3).reshape(k, n * h * w)


@on_device(conv2d.Convolution2DFunction, "forward_cpu")
def _convolution_2d(self, inputs):
    self.retain_inputs((0, 1))
    x, W = inputs[:2]
    b = inputs[2] if len(inputs) == 3 else None
    g = _conv_geometry(self, x.shape, W.shape)
    col = _im2col_channels_first(x, g)
    if chainer.config.enable_backprop:
        self._pymic2_columns = (x, col)  # the weight gradient's columns (see _GradW)
    n, out_c = x.shape[0], W.shape[0]
    if col.shape[0] < _PER_IMAGE_ROWS:
        y = W.reshape(out_c, -1) @ _per_image(col, n)  # (n, out_c, out_h*out_w): NCHW
        if b is not None:
            y += b.reshape(-1, 1)
        return y.reshape(n, out_c, g.out_h, g.out_w).astype(x.dtype, copy=False),
    rows = W.reshape(out_c, -1) @ col
    if b is not None:
        rows += b.reshape(-1, 1)
    return _images_from_rows(rows, n, g).astype(x.dtype, copy=False),


@on_device(conv2d.Convolution2DGradW, "forward_cpu")
def _convolution_2d_grad_w(self, inputs):
    self.retain_inputs((0, 1))
    x, gy = inputs
    g = _conv_geometry(self, x.shape, self.W_shape)
    cached_x, col = getattr(self, "_pymic2_columns", (None, None))
    if cached_x is not x:
        col = _im2col_channels_first(x, g)
    if col.shape[0] < _PER_IMAGE_ROWS:
        n, out_c = gy.shape[:2]
        gW = (gy.reshape(n, out_c, -1) @ _per_image(col, n).transpose(0, 2, 1)).sum(axis=0)
    else:
        gW = _rows_from_images(gy) @ col.T
    return gW.reshape(self.W_shape).astype(self.W_dtype, copy=False),


def _grad_w_init(original):
    """Convolution2DGradW.__init__ that takes over the forward's columns of x (kept when
    backpropagation is on), so the weight gradient does not recompute them: one IM2COL per
    layer and iteration instead of two, for the columns' memory until the backward."""
    @functools.wraps(original)
    def __init__(self, conv2d, *args, **kwargs):
        original(self, conv2d, *args, **kwargs)
        columns = conv2d.__dict__.pop("_pymic2_columns", None)
        if columns is not None:
            self._pymic2_columns = columns

    __init__._pymic2 = True
    return __init__


@on_device(deconv2d.Deconvolution2DFunction, "forward_cpu")
def _deconvolution_2d(self, inputs):
    self.retain_inputs((0, 1))
    x, W = inputs[:2]
    b = inputs[2] if len(inputs) == 3 else None
    self._calc_out_size(x.shape, W.shape)
    in_c, out_c, kh, kw = W.shape
    n = x.shape[0]
    g = _Geometry(self.outh, self.outw, kh, kw, self.sy, self.sx, self.ph, self.pw,
                  dy=self.dy, dx=self.dx, out_h=x.shape[2], out_w=x.shape[3])
    col = W.reshape(in_c, -1).T @ _rows_from_images(x)
    y = _col2im_channels_first(col.astype(x.dtype, copy=False), n, out_c, g)
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y,


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------

def _pool_geometry(function, shape, what):
    if getattr(function, "ndim", 2) != 2 or len(shape) != 4:
        _refuse(what, f"{len(shape) - 2}-d inputs (only 2-d pooling)")
    kh, kw = function.ksize if hasattr(function, "ksize") else (function.kh, function.kw)
    sy, sx = function.stride if hasattr(function, "stride") else (function.sy, function.sx)
    ph, pw = function.pad if hasattr(function, "pad") else (function.ph, function.pw)
    return _Geometry(shape[2], shape[3], kh, kw, sy, sx, ph, pw,
                     getattr(function, "cover_all", False))


def _pooled(x, geometry, op, indexes=None):
    """x pooled by op (WINDOWS_MAX_POOL with indexes, or WINDOWS_AVERAGE_POOL)."""
    y = pymic2.empty(x.shape[:2] + (geometry.out_h, geometry.out_w), dtype=x.dtype,
                     stream=x._op_stream)
    _windows(op, x, y, indexes, geometry)
    return y


def _unpooled(gy, geometry, op, in_shape, dtype, indexes=None):
    """The pooling's gradient (op: WINDOWS_MAX_UNPOOL with the forward's indexes, or
    WINDOWS_AVERAGE_UNPOOL) for an input of in_shape and dtype."""
    gy = gy.astype(dtype, copy=False)
    gx = pymic2.empty(in_shape, dtype=dtype, stream=gy._op_stream)
    _windows(op, gx, gy, indexes, geometry)
    return gx


@on_device(maxpool.MaxPoolingND, "forward_cpu")
def _max_pooling_2d(self, inputs):
    x = inputs[0]
    g = _pool_geometry(self, x.shape, "max_pooling_2d")
    self._in_shape = x.shape
    self._in_dtype = x.dtype
    self.indexes = pymic2.empty(x.shape[:2] + (g.out_h, g.out_w), dtype="int64",
                                stream=x._op_stream)
    return _pooled(x, g, _core.WINDOWS_MAX_POOL, self.indexes),


@on_device(maxpool.MaxPoolingNDGrad, "forward_cpu")
def _max_pooling_2d_grad(self, inputs):
    func = self.func
    g = _pool_geometry(func, func._in_shape, "max_pooling_2d (gradient)")
    return _unpooled(inputs[0], g, _core.WINDOWS_MAX_UNPOOL, func._in_shape, func._in_dtype,
                     func.indexes),


@on_device(maxpool.MaxPoolingNDWithIndexes, "forward_cpu")
def _max_pooling_2d_with_indexes(self, inputs):
    """x at the forward's argmax of every window (max pooling's double backward): the
    windows stacked on a leading axis, then one gather."""
    func = self.func
    x = inputs[0]
    g = _pool_geometry(func, x.shape, "max_pooling_2d (double backward)")
    padded = g.pad(x, -float("inf"))
    stack = pymic2.empty((g.kh, g.kw) + x.shape[:2] + (g.out_h, g.out_w), dtype=x.dtype,
                         stream=x._op_stream)
    for i, j, view in g.windows(padded):
        stack[i, j] = view
    picked = pymic2.take_along_axis(stack.reshape(g.kh * g.kw, -1),
                                    func.indexes.reshape(1, -1), axis=0)
    return picked.reshape(func.indexes.shape),


@on_device(avgpool.AveragePooling2D, "forward_cpu")
def _average_pooling_2d(self, inputs):
    x = inputs[0]
    g = _pool_geometry(self, x.shape, "average_pooling_2d")
    self._in_shape = x.shape
    self._in_dtype = x.dtype
    return _pooled(x, g, _core.WINDOWS_AVERAGE_POOL),


@on_device(avgpool.AveragePooling2DGrad, "forward_cpu")
def _average_pooling_2d_grad(self, inputs):
    g = _pool_geometry(self, self._in_shape, "average_pooling_2d (gradient)")
    return _unpooled(inputs[0], g, _core.WINDOWS_AVERAGE_UNPOOL, self._in_shape,
                     self._in_dtype),


# ---------------------------------------------------------------------------------------
# Batch normalization
# ---------------------------------------------------------------------------------------

def _on_xp(original_of, cls, name):
    """Replaces cls.<name>(self, ..., xp, ...) (Chainer's batch normalization methods, called
    with keywords or positionally) by the decorated function when xp is pymic2."""
    def register(function):
        original = getattr(cls, name)
        signature = inspect.signature(original)

        @functools.wraps(original)
        def method(self, *args, **kwargs):
            if signature.bind(self, *args, **kwargs).arguments["xp"] is pymic2:
                return function(self, *args, **kwargs)
            return original(self, *args, **kwargs)

        original_of[cls, name] = (original, method)
        return function

    return register


_batch_norm_methods = {}


def _interm_dtype(x, gamma):
    return numpy.promote_types(x.dtype, gamma.dtype)


def _normalize(x, mean, inv_std, gamma, beta):
    """Chainer's _apply_bn_fwd (NumPy branch): (x - mean) * inv_std * gamma + beta."""
    y = bn._x_hat(x, mean, inv_std)
    y *= gamma
    y += beta
    return y.astype(x.dtype, copy=False)


def _apply_bn_fwd(original):
    @functools.wraps(original)
    def apply(xp, x, mean, inv_std, gamma, beta):
        if xp is pymic2:
            return _normalize(x, mean, inv_std, gamma, beta)
        return original(xp, x, mean, inv_std, gamma, beta)

    return apply


def _channel_sizes(x, axis, gamma):
    """(N, C, S) when x (N, C, ...) is normalised over every axis but 1 with a 1-d gamma
    (Chainer's default layout) and x and gamma are contiguous, of one float dtype: the
    fused kernels' case. None otherwise."""
    if x.ndim < 2 or gamma.ndim != 1 or tuple(axis) != (0,) + tuple(range(2, x.ndim)):
        return None
    if not _fused.fusable(x, gamma):
        return None
    return x.shape[0], x.shape[1], int(numpy.prod(x.shape[2:], dtype=numpy.int64))


@_on_xp(_batch_norm_methods, bn.GeneralBatchNormalizationImpl, "forward")
def _batch_norm_forward(self, axis, gamma, x, x_layout, xp, expander, beta, eps, decay,
                        running_mean, running_var):
    sizes = _channel_sizes(x, axis, gamma)
    if sizes is not None and _fused.fusable(x, gamma, beta, running_mean, running_var):
        y = pymic2.empty_like(x)
        mean, var, inv_std = (pymic2.empty(gamma.shape, dtype=x.dtype, stream=x._op_stream)
                              for _ in range(3))
        m = x.size // gamma.size
        _fused.run(_core.FUSED_BATCH_NORM_FORWARD,
                   (x, gamma, beta, y, mean, var, inv_std, running_mean, running_var), sizes,
                   (eps, decay, m / max(m - 1., 1.)))
        return y, x_layout, running_mean, running_var, mean, var, inv_std, None
    interm = _interm_dtype(x, gamma)
    gamma = gamma[expander].astype(interm, copy=False)
    beta = beta[expander].astype(interm, copy=False)
    mean = x.mean(axis=axis, dtype=interm)
    var = x.var(axis=axis, dtype=interm)
    inv_std = pymic2.reciprocal(pymic2.sqrt(var + interm.type(eps)))
    y = _normalize(x, mean[expander], inv_std[expander], gamma, beta)
    if running_mean is not None:
        m = x.size // gamma.size
        adjust = m / max(m - 1., 1.)  # unbiased variance, as Chainer
        running_mean *= decay
        running_mean += ((1 - decay) * mean).astype(running_mean.dtype, copy=False)
        running_var *= decay
        running_var += ((1 - decay) * adjust * var).astype(running_var.dtype, copy=False)
    return y, x_layout, running_mean, running_var, mean, var, inv_std, None


@_on_xp(_batch_norm_methods, bn.GeneralBatchNormalizationImpl, "backward")
def _batch_norm_backward(self, axis, gamma, gy, x, x_layout, xp, expander, mean, inv_std,
                         eps, var, forward_data):
    sizes = _channel_sizes(x, axis, gamma)
    if sizes is not None and _fused.fusable(x, gy, gamma, mean, inv_std):
        gx = pymic2.empty_like(x)
        ggamma, gbeta = (pymic2.empty(gamma.shape, dtype=x.dtype, stream=x._op_stream)
                         for _ in range(2))
        _fused.run(_core.FUSED_BATCH_NORM_BACKWARD,
                   (x, pymic2.ascontiguousarray(gy), gamma, mean, inv_std, gx, ggamma, gbeta),
                   sizes)
        return gx, None, ggamma, gbeta
    x_hat = bn._x_hat(x, mean[expander], inv_std[expander])
    gbeta = gy.sum(axis=axis, dtype=gamma.dtype)
    ggamma = (gy * x_hat).sum(axis=axis, dtype=gamma.dtype)
    inv_m = gamma.dtype.type(1. / (x.size // gamma.size))
    gx = (gamma * inv_std)[expander] * (
        gy - (x_hat * ggamma[expander] + gbeta[expander]) * inv_m)
    return gx.astype(x.dtype, copy=False), None, ggamma, gbeta


# ---------------------------------------------------------------------------------------
# LSTM cell
# ---------------------------------------------------------------------------------------

def _lstm_sizes(c_prev, x):
    """The fused LSTM kernels' sizes: (cell rows, batch rows, units, gate trailing size)."""
    trailing = int(numpy.prod(x.shape[2:], dtype=numpy.int64))
    return len(c_prev), len(x), c_prev.size // max(len(c_prev), 1), trailing


@on_device(lstm.LSTM, "forward")
def _lstm(self, inputs):
    self.retain_inputs((0, 1))
    c_prev, x = (pymic2.ascontiguousarray(a) for a in inputs)
    if not _fused.fusable(c_prev, x):
        _refuse("lstm", f"{c_prev.dtype} and {x.dtype} (float32 or float64, one dtype)")
    c_next = pymic2.empty_like(c_prev)
    h = pymic2.empty((len(x),) + c_prev.shape[1:], dtype=x.dtype, stream=x._op_stream)
    _fused.run(_core.FUSED_LSTM_FORWARD, (c_prev, x, c_next, h), _lstm_sizes(c_prev, x))
    self.retain_outputs((0,))
    return c_next, h


@on_device(lstm.LSTMGrad, "forward")
def _lstm_grad(self, inputs):
    c_prev, x, c_next, gc, gh = (None if a is None else pymic2.ascontiguousarray(a)
                                 for a in inputs)
    if not _fused.fusable(c_prev, x, c_next, gc, gh):
        _refuse("lstm (gradient)", "mixed dtypes (float32 or float64, one dtype)")
    gc_prev = pymic2.empty_like(c_prev)
    gx = pymic2.empty_like(x)
    _fused.run(_core.FUSED_LSTM_BACKWARD, (c_prev, x, c_next, gc, gh, gc_prev, gx),
               _lstm_sizes(c_prev, x))
    return gc_prev, gx


@on_device(transpose_sequence.TransposeSequence, "forward")
def _transpose_sequence(self, xs):
    """Chainer's _transpose on the device: output p stacks step p of every sequence longer
    than p (xs are sorted by decreasing length). Sequences of equal length are stacked once,
    so the work is one stack per distinct length and one concatenate per step."""
    if not xs:
        return ()
    runs = []  # (length, stacked (k, length, ...)) for each run of equal lengths
    begin = 0
    while begin < len(xs):
        end = begin
        while end < len(xs) and len(xs[end]) == len(xs[begin]):
            end += 1
        if len(xs[begin]):
            runs.append((len(xs[begin]), pymic2.stack(xs[begin:end])))
        begin = end
    outs = []
    for p in range(self._length):
        pieces = [stacked[:, p] for length, stacked in runs if length > p]
        outs.append(pieces[0].copy() if len(pieces) == 1 else pymic2.concatenate(pieces))
    return tuple(outs)


# ---------------------------------------------------------------------------------------
# Losses with a 0-d result
# ---------------------------------------------------------------------------------------

@on_device(mse.MeanSquaredError, "forward_cpu")
def _mean_squared_error(self, inputs):
    self.retain_inputs((0, 1))
    diff = (inputs[0] - inputs[1]).ravel()
    return (diff @ diff / diff.dtype.type(diff.size)).astype(diff.dtype, copy=False),


@on_device(mae.MeanAbsoluteError, "forward_cpu")
def _mean_absolute_error(self, inputs):
    x0, x1 = inputs
    self.diff = x0 - x1
    diff = self.diff.ravel().astype(mae._get_intermediate_dtype(self.diff.dtype), copy=False)
    return (abs(diff).sum() / diff.dtype.type(diff.size)).astype(self.diff.dtype, copy=False),


def install():
    """Installs what on_device cannot: the batch normalization methods that take xp, the
    module-level _apply_bn_fwd and Convolution2DGradW.__init__ (idempotent)."""
    for (cls, name), (original, method) in _batch_norm_methods.items():
        if getattr(cls, name) is original:
            setattr(cls, name, method)
    if not getattr(conv2d.Convolution2DGradW.__init__, "_pymic2", False):
        conv2d.Convolution2DGradW.__init__ = _grad_w_init(conv2d.Convolution2DGradW.__init__)
    if not getattr(bn._apply_bn_fwd, "_pymic2", False):
        bn._apply_bn_fwd = _apply_bn_fwd(bn._apply_bn_fwd)
        bn._apply_bn_fwd._pymic2 = True
