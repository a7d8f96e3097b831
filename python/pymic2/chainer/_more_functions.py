"""Device code for more Chainer functions whose CPU code cannot take pymic2 arrays:

- get_item's gradient (CPU: numpy.add.at; otherwise CuPy's scatter_add) and embed_id's
  (CPU: a Python loop over the ids; otherwise a CUDA kernel): pymic2.add_at, the
  unbuffered scatter-add of the INDEX family;
- slstm forward and backward (CPU branch taken only for numpy.ndarray);
- im2col / its gradient (chainer.functions.im2col: conv.im2col_cpu only for NumPy);
- hinge (numpy.copy, numpy.arange and numpy.array on its inputs): the label's entry of each
  row flipped by a one-hot sign on the device.

connectionist_temporal_classification is refused (TypeError): its CPU code is NumPy's
masked arrays and a per-step Python loop of host indexing, its other branch CUDA kernels.
"""

import pymic2

from . import _layers
from ._device_functions import on_device

from chainer.functions.array import get_item  # noqa: E402
from chainer.functions.array import im2col  # noqa: E402
from chainer.functions.connection import embed_id  # noqa: E402
from chainer.functions.loss import ctc  # noqa: E402
from chainer.functions.loss import hinge  # noqa: E402
from chainer.functions.rnn import slstm  # noqa: E402


# ---------------------------------------------------------------------------------------
# Scatter-adds
# ---------------------------------------------------------------------------------------

@on_device(get_item.GetItemGrad, "forward")
def _get_item_grad(self, inputs):
    gy, = inputs
    gx = pymic2.zeros(self._in_shape, dtype=gy.dtype, stream=gy._op_stream)
    pymic2.add_at(gx, self.slices, gy)
    return gx,


@on_device(embed_id.EmbedIDGrad, "forward")
def _embed_id_grad(self, inputs):
    self.retain_inputs((0,))
    x, gy = inputs
    self._gy_shape = gy.shape
    gW = pymic2.zeros(self.w_shape, dtype=gy.dtype, stream=gy._op_stream)
    ids = x.ravel()
    rows = gy.reshape(ids.size, self.w_shape[1])
    if self.ignore_label is not None:  # ignored ids add zeros (even for NaN) to row 0
        ignored = ids == self.ignore_label
        rows = pymic2.where(ignored[:, None], gy.dtype.type(0), rows)
        ids = pymic2.where(ignored, 0, ids)
    pymic2.add_at(gW, ids, rows)
    return gW,


# ---------------------------------------------------------------------------------------
# slstm
# ---------------------------------------------------------------------------------------

def _gates(x):
    """tanh(a), sigmoid(i), sigmoid(f) and the raw o of an slstm input."""
    a, i, f, o = slstm._extract_gates(x)
    return pymic2.tanh(a), slstm._sigmoid(i, pymic2), slstm._sigmoid(f, pymic2), o


@on_device(slstm.SLSTM, "forward")
def _slstm(self, inputs):
    self.retain_inputs((0, 1, 2, 3))
    c_prev1, c_prev2, x1, x2 = inputs
    a1, i1, f1, o1 = _gates(x1)
    a2, i2, f2, o2 = _gates(x2)
    o = slstm._sigmoid(o1 + o2, pymic2)
    c = a1 * i1 + a2 * i2 + f1 * c_prev1 + f2 * c_prev2
    self.retain_outputs((0,))
    return c, o * pymic2.tanh(c)


@on_device(slstm.SLSTMGrad, "forward")
def _slstm_grad(self, inputs):
    c_prev1, c_prev2, x1, x2, c_next, gc, gh = inputs
    gx1 = pymic2.empty_like(x1)
    gx2 = pymic2.empty_like(x2)
    a1, i1, f1, o1 = _gates(x1)
    a2, i2, f2, o2 = _gates(x2)
    o = slstm._sigmoid(o1 + o2, pymic2)
    co = pymic2.tanh(c_next)
    gc_now = pymic2.zeros_like(c_next) if gc is None else gc.copy()
    go = pymic2.zeros_like(c_next)
    if gh is not None:
        gc_now += gh * o * slstm._grad_tanh(co)
        go = gh * co * slstm._grad_sigmoid(o)
    for gx, a, i, f, c_prev in ((gx1, a1, i1, f1, c_prev1), (gx2, a2, i2, f2, c_prev2)):
        ga, gi, gf, g_o = slstm._extract_gates(gx)
        ga[...] = gc_now * i * slstm._grad_tanh(a)
        gi[...] = gc_now * a * slstm._grad_sigmoid(i)
        gf[...] = gc_now * c_prev * slstm._grad_sigmoid(f)
        g_o[...] = go
    return gc_now * f1, gc_now * f2, gx1, gx2


# ---------------------------------------------------------------------------------------
# im2col
# ---------------------------------------------------------------------------------------

def _im2col_geometry(function, h, w, out_h=None, out_w=None):
    return _layers._Geometry(h, w, function.kh, function.kw, function.sy, function.sx,
                             function.ph, function.pw, function.cover_all, function.dy,
                             function.dx, out_h=out_h, out_w=out_w)


@on_device(im2col.Im2Col, "forward")
def _im2col(self, inputs):
    x, = inputs
    n, c, h, w = x.shape
    g = _im2col_geometry(self, h, w)
    col = _layers._im2col_channels_first(x, g)  # (c*kh*kw, n*oh*ow)
    return _layers._images_from_rows(col, n, g),


@on_device(im2col.Im2ColGrad, "forward")
def _im2col_grad(self, inputs):
    gy, = inputs
    _, c, h, w = self.in_shape
    n, _, out_h, out_w = gy.shape
    g = _im2col_geometry(self, h, w, out_h, out_w)
    return _layers._col2im_channels_first(_layers._rows_from_images(gy), n, c, g),


# ---------------------------------------------------------------------------------------
# hinge
# ---------------------------------------------------------------------------------------

def _label_signs(x, t):
    """-1 at each row's label, +1 elsewhere (x's dtype)."""
    classes = pymic2.arange(x.shape[1], dtype=t.dtype, stream=x._op_stream)
    return (1 - 2 * (classes == t[:, None])).astype(x.dtype)


@on_device(hinge.Hinge, "forward_cpu")
def _hinge(self, inputs):
    x, t = inputs
    self.bottom_diff = pymic2.maximum(x.dtype.type(0), 1 + x * _label_signs(x, t))
    loss = self.bottom_diff if self.norm == "L1" else self.bottom_diff ** 2
    if self.reduce == "mean":
        loss = loss.sum() / x.dtype.type(len(x))
    return loss.astype(x.dtype, copy=False),


@on_device(hinge.Hinge, "backward_cpu")
def _hinge_backward(self, inputs, grad_outputs):
    x, t = inputs
    gloss = grad_outputs[0]
    if self.reduce == "mean":
        gloss = gloss / gloss.dtype.type(len(t))
    diff = self.bottom_diff * _label_signs(x, t)
    gx = gloss * pymic2.sign(diff) if self.norm == "L1" else 2 * gloss * diff
    return gx.astype(x.dtype, copy=False), None


@on_device(ctc.ConnectionistTemporalClassification, "forward")
def _ctc(self, inputs):
    where = next(a.device.name for a in inputs if isinstance(a, pymic2.ndarray))
    _layers._refuse("connectionist_temporal_classification",
                    f"{where} arrays (no device implementation)")
