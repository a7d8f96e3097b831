"""Device code for Chainer's grouped and N-d convolutions, N-d pooling, unpooling_2d and
upsampling_2d (the cases _layers leaves out: its 2-d ungrouped code is reused here).

Chainer's CPU code for these builds columns with numpy.pad and numpy.ndarray strides
(conv_nd.im2col_nd_cpu), or branches on `xp is numpy` and takes the CUDA branch otherwise.
Here every input becomes columns laid out channels first, (c, k1, ..., kd, n, o1, ..., od):

- 2-d inputs by the windows kernel (_layers._im2col_channels_first, _col2im_channels_first);
- other dimensionalities one strided-view copy per kernel tap (a 3x3x3 kernel: 27 copies),
  and back by one in-place add per tap;

and a (grouped) convolution is one batched matrix product over them:
(G, out_c/G, c/G*K) @ (G, c/G*K, n*P). depthwise_convolution_2d is Chainer's grouped
convolution; dilated_convolution_2d its dilated one.

Max pooling keeps Chainer's argmax indexes over the flattened kernel taps (the first
maximum, as numpy.argmax), so return_indices, the gradient and the double backward agree
with Chainer on NumPy.
"""

import itertools
import math

import numpy

import pymic2

from . import _layers
from ._device_functions import on_device

from chainer.functions.connection import convolution_2d as conv2d  # noqa: E402
from chainer.functions.connection import convolution_nd as convnd  # noqa: E402
from chainer.functions.connection import deconvolution_2d as deconv2d  # noqa: E402
from chainer.functions.connection import deconvolution_nd as deconvnd  # noqa: E402
from chainer.functions.pooling import average_pooling_nd as avgpoolnd  # noqa: E402
from chainer.functions.pooling import max_pooling_nd as maxpool  # noqa: E402
from chainer.functions.pooling import unpooling_2d as unpool  # noqa: E402
from chainer.functions.pooling import upsampling_2d as upsample  # noqa: E402
from chainer.utils import conv  # noqa: E402


class _Window:
    """An N-d sliding window over inputs of spatial size `dims`: kernel, stride, padding,
    dilation, and the output size `outs` (Chainer's get_conv_outsize unless given)."""

    def __init__(self, dims, ksize, stride, pad, dilate=None, cover_all=False, outs=None):
        ndim = len(dims)
        self.dims, self.ksize = tuple(dims), tuple(ksize)
        self.stride, self.pad = tuple(stride), tuple(pad)
        self.dilate = tuple(dilate) if dilate is not None else (1,) * ndim
        if outs is None:
            outs = tuple(conv.get_conv_outsize(d, k, s, p, cover_all, di) for d, k, s, p, di
                         in zip(self.dims, self.ksize, self.stride, self.pad, self.dilate))
        self.outs = tuple(outs)
        if any(o <= 0 for o in self.outs):
            raise ValueError(f"the window {self.ksize} with stride {self.stride}, padding "
                             f"{self.pad} and dilation {self.dilate} leaves no output for an "
                             f"input of size {self.dims}")

    @property
    def taps(self):
        return math.prod(self.ksize)

    def geometry_2d(self):
        (h, w), (kh, kw), (sy, sx), (ph, pw), (dy, dx) = (
            self.dims, self.ksize, self.stride, self.pad, self.dilate)
        return _layers._Geometry(h, w, kh, kw, sy, sx, ph, pw, dy=dy, dx=dx,
                                 out_h=self.outs[0], out_w=self.outs[1])

    def padding(self):
        """(before, after) per spatial axis: enough for the last window of every axis."""
        return tuple((p, max(0, (o - 1) * s + (k - 1) * di + 1 - p - d))
                     for d, k, s, p, di, o in zip(self.dims, self.ksize, self.stride,
                                                  self.pad, self.dilate, self.outs))

    def tap_slices(self):
        """(tap, slices): for each kernel tap, the strided slices of the padded input that
        it reads at every output position."""
        for tap in itertools.product(*(range(k) for k in self.ksize)):
            yield tap, tuple(slice(t * di, t * di + s * (o - 1) + 1, s) for t, di, s, o
                             in zip(tap, self.dilate, self.stride, self.outs))


def _channels_first(x):
    """(n, c, ...) -> the view (c, n, ...)."""
    return x.transpose((1, 0) + tuple(range(2, x.ndim)))


def columns(x, window, pval=0):
    """x (n, c, *dims) as columns (c, *ksize, n, *outs) (padding reads pval)."""
    n, c = x.shape[:2]
    if len(window.dims) == 2 and pval == 0:
        col = _layers._im2col_channels_first(x, window.geometry_2d())
        return col.reshape((c,) + window.ksize + (n,) + window.outs)
    padding = window.padding()
    padded = x
    if any(before or after for before, after in padding):
        padded = pymic2.pad(x, ((0, 0), (0, 0)) + padding, mode="constant",
                            constant_values=pval)
    source = _channels_first(padded)
    col = pymic2.empty((c,) + window.ksize + (n,) + window.outs, dtype=x.dtype,
                       stream=x._op_stream)
    every = (slice(None),) * 2
    for tap, slices in window.tap_slices():
        col[(slice(None),) + tap] = source[every + slices]
    return col


def image(col, n, c, window):
    """The adjoint of columns(): the (n, c, *dims) image whose every element is the sum of
    the column entries that read it; col is (c, *ksize, n, *outs) or its matrix form."""
    col = col.reshape((c,) + window.ksize + (n,) + window.outs)
    if len(window.dims) == 2:
        return _layers._col2im_channels_first(col, n, c, window.geometry_2d())
    padding = window.padding()
    shape = tuple(d + before + after for d, (before, after) in zip(window.dims, padding))
    padded = pymic2.zeros((c, n) + shape, dtype=col.dtype, stream=col._op_stream)
    every = (slice(None),) * 2
    for tap, slices in window.tap_slices():
        target = padded[every + slices]
        pymic2.add(target, col[(slice(None),) + tap], out=target)
    inside = every + tuple(slice(before, before + d)
                           for d, (before, _) in zip(window.dims, padding))
    return _channels_first(padded[inside]).copy()


# ---------------------------------------------------------------------------------------
# Convolution: one batched GEMM per call over the groups
# ---------------------------------------------------------------------------------------

def _rows(images, groups):
    """(n, k, *dims) -> (groups, k/groups, n*prod(dims))."""
    n, k = images.shape[:2]
    return _channels_first(images).reshape(groups, k // groups, n * math.prod(images.shape[2:]))


def _images(rows, n, outs):
    """(groups, k/groups, n*prod(outs)) -> (n, k, *outs), contiguous."""
    return _channels_first(rows.reshape((rows.shape[0] * rows.shape[1], n) + tuple(outs))).copy()


def _add_bias(y, b):
    if b is not None:
        y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


def _grouped_columns(x, window, groups):
    """columns(x) as (groups, c/groups*taps, n*prod(outs))."""
    n, c = x.shape[:2]
    return columns(x, window).reshape(groups, c // groups * window.taps,
                                      n * math.prod(window.outs))


def convolve(x, W, b, window, groups):
    """Chainer's convolution_nd / convolution_2d forward: (n, out_c, *outs)."""
    col = _grouped_columns(x, window, groups)
    y = W.reshape(groups, W.shape[0] // groups, -1) @ col
    return _add_bias(_images(y, x.shape[0], window.outs).astype(x.dtype, copy=False), b)


def weight_gradient(x, gy, window, groups, W_shape, W_dtype):
    """The convolution's weight gradient (out_c, c/groups, *ksize)."""
    col = _grouped_columns(x, window, groups)
    gW = _rows(gy, groups) @ col.transpose(0, 2, 1)
    return gW.reshape(W_shape).astype(W_dtype, copy=False)


def deconvolve(x, W, b, window, groups):
    """Chainer's deconvolution (the convolution's input gradient): W is (in_c, out_c/groups,
    *ksize), window maps the output (window.dims) to x (window.outs)."""
    in_c = W.shape[0]
    Wg = W.reshape(groups, in_c // groups, -1)
    col = Wg.transpose(0, 2, 1) @ _rows(x, groups)
    y = image(col.astype(x.dtype, copy=False), x.shape[0], groups * W.shape[1], window)
    return _add_bias(y, b)


def _window_2d(function, x_dims, ksize):
    return _Window(x_dims, ksize, (function.sy, function.sx), (function.ph, function.pw),
                   (function.dy, function.dx), function.cover_all)


def _window_nd(function, x_dims, ksize):
    return _Window(x_dims, ksize, function.stride, function.pad, function.dilate,
                   function.cover_all)


@on_device(conv2d.Convolution2DFunction, "forward_cpu")
def _convolution_2d(self, inputs):
    if self.groups == 1:
        return _layers._convolution_2d(self, inputs)
    self.retain_inputs((0, 1))
    x, W = inputs[:2]
    b = inputs[2] if len(inputs) == 3 else None
    return convolve(x, W, b, _window_2d(self, x.shape[2:], W.shape[2:]), self.groups),


@on_device(conv2d.Convolution2DGradW, "forward_cpu")
def _convolution_2d_grad_w(self, inputs):
    if self.groups == 1:
        return _layers._convolution_2d_grad_w(self, inputs)
    self.retain_inputs((0, 1))
    x, gy = inputs
    window = _window_2d(self, x.shape[2:], self.W_shape[2:])
    return weight_gradient(x, gy, window, self.groups, self.W_shape, self.W_dtype),


@on_device(deconv2d.Deconvolution2DFunction, "forward_cpu")
def _deconvolution_2d(self, inputs):
    if self.groups == 1:
        return _layers._deconvolution_2d(self, inputs)
    self.retain_inputs((0, 1))
    x, W = inputs[:2]
    b = inputs[2] if len(inputs) == 3 else None
    self._calc_out_size(x.shape, W.shape)
    window = _Window((self.outh, self.outw), W.shape[2:], (self.sy, self.sx),
                     (self.ph, self.pw), (self.dy, self.dx), outs=x.shape[2:])
    return deconvolve(x, W, b, window, self.groups),


@on_device(convnd.ConvolutionND, "forward")
def _convolution_nd(self, inputs):
    self.retain_inputs((0, 1))
    x, W = inputs[:2]
    b = inputs[2] if len(inputs) == 3 else None
    return convolve(x, W, b, _window_nd(self, x.shape[2:], W.shape[2:]), self.groups),


@on_device(convnd.ConvolutionNDGradW, "forward")
def _convolution_nd_grad_w(self, inputs):
    self.retain_inputs((0, 1))
    x, gy = inputs
    W_shape = (gy.shape[1], x.shape[1] // self.groups) + tuple(self.ksize)
    window = _window_nd(self, x.shape[2:], self.ksize)
    return weight_gradient(x, gy, window, self.groups, W_shape, self.W_dtype),


@on_device(deconvnd.DeconvolutionND, "forward")
def _deconvolution_nd(self, inputs):
    self.retain_inputs((0, 1))
    x, W = inputs[:2]
    b = inputs[2] if len(inputs) == 3 else None
    if self.outs is None:
        self.outs = tuple(conv.get_deconv_outsize(d, k, s, p, d=di) for d, k, s, p, di
                          in zip(x.shape[2:], W.shape[2:], self.stride, self.pad,
                                 self.dilate))
        if any(out <= 0 for out in self.outs):
            raise ValueError(f"deconvolution_nd: output sizes {self.outs} must be positive")
    self._set_cover_all(x, W)
    window = _Window(self.outs, W.shape[2:], self.stride, self.pad, self.dilate,
                     outs=x.shape[2:])
    return deconvolve(x, W, b, window, self.groups),


# ---------------------------------------------------------------------------------------
# N-d pooling
# ---------------------------------------------------------------------------------------

def _pool_window(function, dims):
    return _Window(dims, function.ksize, function.stride, function.pad,
                   cover_all=function.cover_all)


def _tap_axis(window, n_channels_first):
    """col (c, *ksize, n, *outs) -> (c, taps, n, *outs)."""
    return n_channels_first.reshape((n_channels_first.shape[0], window.taps) +
                                    n_channels_first.shape[1 + len(window.ksize):])


def _tap_ids(window, ndim, like):
    """arange(taps) shaped to broadcast along axis 1 of a (c, taps, n, *outs) array."""
    return pymic2.arange(window.taps, dtype="int64", stream=like._op_stream).reshape(
        (1, window.taps) + (1,) * (ndim - 2))


@on_device(maxpool.MaxPoolingND, "forward_cpu")
def _max_pooling_nd(self, inputs):
    if self.ndim == 2:
        return _layers._max_pooling_2d(self, inputs)
    x = inputs[0]
    window = _pool_window(self, x.shape[2:])
    col = _tap_axis(window, columns(x, window, pval=-numpy.inf))
    self._in_shape = x.shape
    self._in_dtype = x.dtype
    self.indexes = _channels_first(col.argmax(axis=1)).copy()
    return _channels_first(col.max(axis=1)).copy(),


@on_device(maxpool.MaxPoolingNDGrad, "forward_cpu")
def _max_pooling_nd_grad(self, inputs):
    func = self.func
    if func.ndim == 2:
        return _layers._max_pooling_2d_grad(self, inputs)
    gy = _channels_first(inputs[0].astype(func._in_dtype, copy=False))
    window = _pool_window(func, func._in_shape[2:])
    picked = _tap_ids(window, gy.ndim + 1, gy) == _channels_first(func.indexes)[:, None]
    gcol = pymic2.where(picked, gy[:, None], gy.dtype.type(0))
    return image(gcol, func._in_shape[0], gcol.shape[0], window),


@on_device(maxpool.MaxPoolingNDWithIndexes, "forward_cpu")
def _max_pooling_nd_with_indexes(self, inputs):
    func = self.func
    if func.ndim == 2:
        return _layers._max_pooling_2d_with_indexes(self, inputs)
    x = inputs[0]
    window = _pool_window(func, x.shape[2:])
    col = _tap_axis(window, columns(x, window, pval=-numpy.inf))
    return _pick(col, func.indexes),


def _pick(col, indexes):
    """col (c, taps, n, *outs) at indexes (n, c, *outs): (n, c, *outs), contiguous (one
    gather over the flattened positions: the device's gathers take few index arrays)."""
    c, taps = col.shape[:2]
    positions = math.prod(col.shape[2:])
    flat = _channels_first(indexes).reshape(c, 1, positions)
    picked = pymic2.take_along_axis(col.reshape(c, taps, positions), flat, axis=1)
    return _channels_first(picked.reshape((c,) + col.shape[2:])).copy()


def _pooling_width(window, like):
    """How many elements of the input (not padding) each window covers: (1, 1, *outs)."""
    ones = pymic2.ones((1, 1) + window.dims, dtype=like.dtype, stream=like._op_stream)
    return _tap_axis(window, columns(ones, window)).sum(axis=1).reshape(
        (1, 1) + window.outs)


@on_device(avgpoolnd.AveragePoolingND, "forward_cpu")
def _average_pooling_nd(self, inputs):
    x = inputs[0]
    window = _pool_window(self, x.shape[2:])
    total = _channels_first(_tap_axis(window, columns(x, window)).sum(axis=1))
    if self.pad_value is None:
        self.width = _pooling_width(window, x)
        y = total / self.width
    else:
        self.width = None
        y = total / x.dtype.type(window.taps)
    self._in_shape = x.shape
    self._in_dtype = x.dtype
    return y.astype(x.dtype, copy=False),


@on_device(avgpoolnd.AveragePoolingNDGrad, "forward_cpu")
def _average_pooling_nd_grad(self, inputs):
    func = self.func
    gy = inputs[0]
    window = _pool_window(func, func._in_shape[2:])
    gy = gy / (func.width if func.pad_value is None else gy.dtype.type(window.taps))
    gy = _channels_first(gy.astype(func._in_dtype, copy=False))
    gcol = pymic2.broadcast_to(gy[:, None], (gy.shape[0], window.taps) + gy.shape[1:])
    return image(gcol.copy(), func._in_shape[0], gcol.shape[0], window),


# ---------------------------------------------------------------------------------------
# Unpooling and upsampling (col2im of the input spread over the windows)
# ---------------------------------------------------------------------------------------

def _unpool_window(function, out_dims, in_dims):
    return _Window(out_dims, (function.kh, function.kw), (function.sy, function.sx),
                   (function.ph, function.pw), outs=in_dims)


def _spread(values, window):
    """values (n, c, *outs) copied to every tap: columns (c, *ksize, n, *outs)."""
    v = _channels_first(values)
    expanded = v.reshape((v.shape[0],) + (1,) * len(window.ksize) + v.shape[1:])
    return pymic2.broadcast_to(expanded, (v.shape[0],) + window.ksize + v.shape[1:]).copy()


@on_device(unpool.Unpooling2D, "forward")
def _unpooling_2d(self, inputs):
    x = inputs[0]
    h, w = x.shape[2:]
    if self.outh is None:
        self.outh = conv.get_deconv_outsize(h, self.kh, self.sy, self.ph, self.cover_all)
    if self.outw is None:
        self.outw = conv.get_deconv_outsize(w, self.kw, self.sx, self.pw, self.cover_all)
    self._use_int_scale_forward = False  # Unpooling2DGrad reads it: the general path
    window = _unpool_window(self, (self.outh, self.outw), (h, w))
    return image(_spread(x, window), x.shape[0], x.shape[1], window),


@on_device(unpool.Unpooling2DGrad, "forward")
def _unpooling_2d_grad(self, inputs):
    gy = inputs[0]
    window = _Window(gy.shape[2:], (self.kh, self.kw), (self.sy, self.sx),
                     (self.ph, self.pw), cover_all=self.cover_all)
    col = columns(gy, window)  # (c, kh, kw, n, h, w)
    return _channels_first(col.sum(axis=(1, 2))).copy(),


def _upsample_window(function, in_dims):
    return _unpool_window(function, (function.outh, function.outw), in_dims)


@on_device(upsample.Upsampling2D, "forward_cpu")
def _upsampling_2d(self, inputs):
    x = inputs[0]
    n, c, h, w = x.shape
    if self.outh is None:
        self.outh = conv.get_deconv_outsize(h, self.kh, self.sy, self.ph, self.cover_all)
    if self.outw is None:
        self.outw = conv.get_deconv_outsize(w, self.kw, self.sx, self.pw, self.cover_all)
    self._in_dtype = x.dtype
    window = _upsample_window(self, (h, w))
    indexes = _channels_first(_device_indexes(self.indexes, x))[:, None]
    picked = _tap_ids(window, x.ndim + 1, x) == indexes
    gcol = pymic2.where(picked, _channels_first(x)[:, None], x.dtype.type(0))
    return image(gcol, n, c, window),


@on_device(upsample.Upsampling2DGrad, "forward_cpu")
def _upsampling_2d_grad(self, inputs):
    gy = inputs[0]
    window = _Window(gy.shape[2:], (self.kh, self.kw), (self.sy, self.sx),
                     (self.ph, self.pw), cover_all=self.cover_all)
    col = _tap_axis(window, columns(gy, window))
    return _pick(col, _device_indexes(self.indexes, gy)),


def _device_indexes(indexes, like):
    """Upsampling's indexes (max_pooling_2d's return_indices) on like's device (host indexes
    are uploaded, as pymic2 does with any host operand)."""
    return pymic2.asarray(indexes, device=like.device).astype("int64", copy=False)
