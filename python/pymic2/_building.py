"""Creation routines that compute (NumPy's reference manual: numerical ranges and building
matrices): logspace, geomspace, meshgrid, indices, fromfunction, diag, diagflat, diagonal,
trace, tri, tril, triu, vander, and the layout conversions ascontiguousarray and
asfortranarray.

Diagonals are strided views, masks come from two broadcast aranges compared on the device,
and every value is computed on the device from scalars the host knows.
"""

import cmath
import math
import operator

import numpy

from . import _core, _creation, _dtypes, _indexing, _math, _reduction
from ._manipulation import broadcast_to, moveaxis, normalize_axis, ravel, reshape

__all__ = [
    "ascontiguousarray", "asfortranarray", "diag", "diagflat", "diagonal", "fromfunction",
    "geomspace", "indices", "logspace", "meshgrid", "trace", "tri", "tril", "triu", "vander",
]

_elementwise = _core.elementwise


# ---------------------------------------------------------------- numerical ranges

def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, *,
             device=None, stream=None):
    """base ** linspace(start, stop, num), as NumPy computes it (the power in float64, or
    the promoted dtype of the arguments)."""
    samples = _creation.linspace(start, stop, num, endpoint, axis=axis, device=device,
                                 stream=stream)
    base = _creation._scalar(base, "base")
    compute = _dtypes.normalize(numpy.result_type(samples.dtype, base))
    powers = _math.power(_creation.full((), base, compute, stream=samples._op_stream),
                         samples.astype(compute, copy=False))
    return powers if dtype is None else powers.astype(dtype, copy=False)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0, *, device=None,
              stream=None):
    """Numbers spaced evenly on a log scale from start to stop (NumPy's algorithm: the sign
    or unit direction of start factored out, logspace between the log10s, the exact
    endpoints written back)."""
    start, stop = _creation._scalar(start, "start"), _creation._scalar(stop, "stop")
    if start == 0 or stop == 0:
        raise ValueError("Geometric sequence cannot include zero")
    compute = numpy.result_type(start, stop, float(num),
                                numpy.zeros((), dtype if dtype is not None else None))
    start, stop = compute.type(start), compute.type(stop)
    sign = compute.type(numpy.sign(start) if compute.kind != "c" else start / abs(start))
    start, stop = start / sign, stop / sign
    log = cmath.log10 if compute.kind == "c" else math.log10
    log_start, log_stop = log(complex(start) if compute.kind == "c" else float(start)), \
        log(complex(stop) if compute.kind == "c" else float(stop))
    result = logspace(log_start, log_stop, num, endpoint, 10.0, compute, axis, device=device,
                      stream=stream)
    if num > 0:
        result[0] = start
        if num > 1 and endpoint:
            result[-1] = stop
    result = _math.multiply(result, sign.item())
    return result.astype(compute if dtype is None else dtype, copy=False)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays from 1-D coordinate vectors ('xy': Cartesian, 'ij': matrix
    indexing); broadcast views when copy is False, as NumPy's."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    vectors = [ravel(_creation.device_operand(x)) for x in xi]
    ndim = len(vectors)
    grids = []
    for i, x in enumerate(vectors):
        shape = [1] * ndim
        # 'xy': the first two vectors run along axes 1 and 0 (Cartesian x is the columns)
        shape[1 - i if indexing == "xy" and ndim > 1 and i < 2 else i] = x.size
        grids.append(reshape(x, tuple(shape)))
    if not sparse:
        shape = numpy.broadcast_shapes(*(g.shape for g in grids))
        grids = [broadcast_to(g, shape) for g in grids]
    if copy:
        grids = [g.copy() for g in grids]
    return tuple(grids)


def indices(dimensions, dtype=int, sparse=False, *, device=None, stream=None):
    """The index of each position along each axis of a grid of shape dimensions."""
    dimensions = tuple(operator.index(d) for d in dimensions)
    ndim = len(dimensions)
    grids = []
    for i, n in enumerate(dimensions):
        shape = [1] * ndim
        shape[i] = n
        grids.append(reshape(_creation.arange(n, dtype=dtype, device=device, stream=stream),
                             tuple(shape)))
    if sparse:
        return tuple(grids)
    if not grids:
        return _creation.empty((0,), dtype, device=device, stream=stream)
    return _creation.stack([broadcast_to(g, dimensions) for g in grids])


def fromfunction(function, shape, *, dtype=float, like=None, device=None, stream=None,
                 **kwargs):
    """function called with the index grids (device arrays) of shape."""
    if like is not None and device is None and stream is None:
        stream = like._op_stream
    return function(*indices(shape, dtype=dtype, device=device, stream=stream), **kwargs)


# ---------------------------------------------------------------- building matrices

def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal of the planes of axis1 and axis2 as a read-only view, on the last axis
    (NumPy's diagonal)."""
    a = _creation.device_operand(a)
    if a.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    offset = operator.index(offset)
    i, j = normalize_axis(axis1, a.ndim), normalize_axis(axis2, a.ndim)
    if i == j:
        raise ValueError("axis1 and axis2 cannot be the same")
    rows, columns = a.shape[i], a.shape[j]
    length = max(0, min(rows + min(offset, 0), columns - max(offset, 0)))
    start = a.offset
    if length:
        start += max(offset, 0) * a.strides[j] + max(-offset, 0) * a.strides[i]
    keep = [k for k in range(a.ndim) if k not in (i, j)]
    view = a._view(start, tuple(a.shape[k] for k in keep) + (length,),
                   tuple(a.strides[k] for k in keep) + (a.strides[i] + a.strides[j],))
    view._readonly = True
    return view


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return _reduction.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype, out=out)


def diag(v, k=0):
    """The k-th diagonal of a 2-D array (a read-only view), or a 2-D array with a 1-D v on
    its k-th diagonal."""
    v = _creation.device_operand(v)
    k = operator.index(k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    n = v.shape[0] + abs(k)
    out = _creation.zeros((n, n), v.dtype, stream=v._op_stream)
    if v.size:
        target = out._view(out.offset + max(k, 0) * out.strides[1] + max(-k, 0) * out.strides[0],
                           v.shape, (out.strides[0] + out.strides[1],))
        _elementwise(_core.OP_COPY, v, out=target)
    return out


def diagflat(v, k=0):
    return diag(ravel(_creation.device_operand(v)), k)


def _lower_mask(rows, columns, k, stream):
    """rows x columns bool array, true where column - row <= k (on and below diagonal k)."""
    row = reshape(_creation.arange(rows, dtype="int64", stream=stream), (rows, 1))
    column = reshape(_creation.arange(columns, dtype="int64", stream=stream), (1, columns))
    return _math.less_equal(_math.subtract(column, row), k)


def tri(N, M=None, k=0, dtype=float, *, like=None, device=None, stream=None):
    """Ones at and below the k-th diagonal, zeros above."""
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    core_stream = _creation.stream_for(device, stream, like)
    return _lower_mask(N, M, operator.index(k), core_stream).astype(dtype)


def _triangle(m, k, lower):
    m = _creation.device_operand(m)
    if m.ndim == 0:
        raise ValueError("tril/triu: the input must have at least one dimension")
    rows, columns = m.shape[-2:] if m.ndim >= 2 else (m.shape[0], m.shape[0])
    k = operator.index(k)
    mask = _lower_mask(rows, columns, k if lower else k - 1, m._op_stream)
    if not lower:
        mask = _math.logical_not(mask)
    zero = _creation.zeros((), m.dtype, stream=m._op_stream)
    return _indexing.where(mask, m, zero)


def tril(m, k=0):
    """m with the elements above the k-th diagonal zeroed (the last two axes)."""
    return _triangle(m, k, True)


def triu(m, k=0):
    """m with the elements below the k-th diagonal zeroed (the last two axes)."""
    return _triangle(m, k, False)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D x: its columns are powers of x, built as NumPy does by
    a cumulative product along each row (the same rounding as NumPy's)."""
    x = _creation.device_operand(x)
    if x.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    N = x.shape[0] if N is None else operator.index(N)
    if N < 0:
        raise ValueError("negative dimensions are not allowed")
    dtype = _dtypes.result_type(x.dtype, numpy.dtype(numpy.int64))
    out = _creation.empty((x.shape[0], N), dtype, stream=x._op_stream)
    if out.size == 0:
        return out
    columns = out[:, ::-1] if not increasing else out
    columns[:, 0] = 1
    if N > 1:
        columns[:, 1:] = reshape(x, (x.shape[0], 1))
        columns[...] = _reduction.cumprod(columns, axis=1)
    return out


# ---------------------------------------------------------------- layouts

def ascontiguousarray(a, dtype=None, *, like=None):
    """a as a C-contiguous array of at least one dimension (a itself when it already is)."""
    a = _creation.array(a, dtype, copy=None, ndmin=1)
    return a if a.c_contiguous else a.copy(order="C")


def asfortranarray(a, dtype=None, *, like=None):
    """a as a Fortran-contiguous array of at least one dimension."""
    a = _creation.array(a, dtype, copy=None, ndmin=1)
    return a if a.f_contiguous else a.copy(order="F")


class _BuildingMethods:
    """ndarray methods of this module's functions."""

    __slots__ = ()

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return diagonal(self, offset, axis1, axis2)

    def trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None):
        return trace(self, offset, axis1, axis2, dtype, out)
