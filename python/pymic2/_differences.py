"""Sums, products and differences beyond the reductions (NumPy's reference manual: diff,
ediff1d, gradient, cross, trapezoid) and the 1-D signal functions convolve, correlate and
interp, on the device.

Each is a few whole-array ops on views (shifted slices); convolve and correlate run one
multiply-add per element of the shorter input (NumPy's direct method; FFT convolution
comes with the FFT family), interp one compare per sample point (searchsorted, with the
sorting family, will make that one op).
"""

import operator
import warnings

import numpy

from . import _core, _creation, _indexing, _math, _reduction
from ._manipulation import along, broadcast_to, moveaxis, normalize_axis, ravel, reshape

__all__ = ["convolve", "correlate", "cross", "diff", "ediff1d", "gradient", "interp",
           "trapezoid"]

_elementwise = _core.elementwise
_CoreArray = _core.ndarray




def diff(a, n=1, axis=-1, prepend=numpy._NoValue, append=numpy._NoValue):
    """n-th differences along axis: one subtract (not_equal for bool) of two views per order."""
    a = _creation.device_operand(a)
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis(axis, a.ndim)
    parts = []
    for value in (prepend, append):
        if value is numpy._NoValue:
            parts.append(None)
            continue
        value = _creation.device_operand(value, a)
        if value.ndim == 0:
            value = broadcast_to(value, a.shape[:axis] + (1,) + a.shape[axis + 1:])
        parts.append(value)
    if parts[0] is not None or parts[1] is not None:
        a = _creation.concatenate([p for p in (parts[0], a, parts[1]) if p is not None], axis)
    for _ in range(n):
        length = a.shape[axis]
        upper = a[along(axis, a.ndim, slice(1, None))]
        lower = a[along(axis, a.ndim, slice(None, max(length - 1, 0)))]
        a = _math.not_equal(upper, lower) if a.dtype == bool else _math.subtract(upper, lower)
    return a


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened ary, with to_begin and to_end around them (cast to ary's
    dtype under NumPy's same_kind rule)."""
    ary = ravel(_creation.device_operand(ary))
    middle = diff(ary) if ary.size else ary[0:0]
    ends = []
    for value, name in ((to_begin, "to_begin"), (to_end, "to_end")):
        if value is not None:
            value = ravel(_creation.device_operand(value, ary))
            if not numpy.can_cast(value.dtype, ary.dtype, casting="same_kind"):
                raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under "
                                "the `same_kind` rule.")
            value = value.astype(ary.dtype)
        ends.append(value)
    parts = [p for p in (ends[0], middle, ends[1]) if p is not None]
    return _creation.concatenate(parts, 0) if len(parts) > 1 else middle


def gradient(f, *varargs, axis=None, edge_order=1):
    """NumPy's gradient: second-order central differences inside, first- or second-order
    one-sided ones at the edges, for unit, scalar or coordinate-array spacings."""
    f = _creation.device_operand(f)
    axes = tuple(range(f.ndim)) if axis is None else \
        tuple(normalize_axis(a, f.ndim) for a in ((axis,) if numpy.ndim(axis) == 0 else axis))
    if len(varargs) == 0:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and numpy.ndim(varargs[0]) == 0:
        spacings = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacings = list(varargs)
    else:
        raise TypeError("invalid number of arguments")
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    if f.dtype.kind in "biu":
        f = f.astype(numpy.float64)
    results = [_gradientalong(f, ax, spacing, edge_order)
               for ax, spacing in zip(axes, spacings)]
    return results[0] if len(results) == 1 else tuple(results)


def _gradientalong(f, axis, spacing, edge_order):
    n = f.shape[axis]
    if n < edge_order + 1:
        raise ValueError("Shape of array too small to calculate a numerical gradient, at "
                         "least (edge_order + 1) elements are required.")
    part = lambda index: f[along(axis, f.ndim, index)]  # noqa: E731
    out = _creation.empty(f.shape, f.dtype, stream=f._op_stream)
    target = lambda index: out[along(axis, f.ndim, index)]  # noqa: E731
    if numpy.ndim(spacing) == 0:
        h = float(spacing)
        target(slice(1, -1))[...] = _math.true_divide(
            _math.subtract(part(slice(2, None)), part(slice(None, -2))), 2 * h)
        if edge_order == 1:
            target(0)[...] = _math.true_divide(_math.subtract(part(1), part(0)), h)
            target(-1)[...] = _math.true_divide(_math.subtract(part(-1), part(-2)), h)
        else:
            target(0)[...] = _math.true_divide(_combine(part(0), -1.5, part(1), 2.0,
                                                        part(2), -0.5), h)
            target(-1)[...] = _math.true_divide(_combine(part(-3), 0.5, part(-2), -2.0,
                                                         part(-1), 1.5), h)
        return out
    x = numpy.asarray(spacing.get() if isinstance(spacing, _CoreArray) else spacing,
                      dtype=numpy.float64)
    if x.ndim != 1 or x.size != n:
        raise ValueError("when 1d, distances must match the length of the corresponding "
                         "dimension")
    dx = numpy.diff(x)
    shape = [1] * f.ndim
    shape[axis] = n - 2
    h1, h2 = dx[:-1], dx[1:]  # NumPy's non-uniform second-order weights
    weights = [-h2 / (h1 * (h1 + h2)), (h2 - h1) / (h1 * h2), h1 / (h2 * (h1 + h2))]
    device = [reshape(_creation.device_operand(w, f), tuple(shape)) for w in weights]
    inner = _math.add(_math.add(_math.multiply(part(slice(None, -2)), device[0]),
                                _math.multiply(part(slice(1, -1)), device[1])),
                      _math.multiply(part(slice(2, None)), device[2]))
    target(slice(1, -1))[...] = inner
    if edge_order == 1:
        target(0)[...] = _math.true_divide(_math.subtract(part(1), part(0)), dx[0])
        target(-1)[...] = _math.true_divide(_math.subtract(part(-1), part(-2)), dx[-1])
    else:
        a, b = dx[0], dx[1]
        target(0)[...] = _combine(part(0), -(2 * a + b) / (a * (a + b)), part(1),
                                  (a + b) / (a * b), part(2), -a / (b * (a + b)))
        a, b = dx[-2], dx[-1]
        target(-1)[...] = _combine(part(-3), b / (a * (a + b)), part(-2), -(a + b) / (a * b),
                                   part(-1), (a + 2 * b) / (b * (a + b)))
    return out


def _combine(x, a, y, b, z, c):
    """a * x + b * y + c * z on the device (scalars a, b, c)."""
    return _math.add(_math.add(_math.multiply(x, a), _math.multiply(y, b)),
                     _math.multiply(z, c))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (or 2-vectors: their z component), broadcast over the
    other axes, as NumPy's cross."""
    a, b = _creation.device_operand(a), _creation.device_operand(b)
    b = _creation.device_operand(b, a)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(a, normalize_axis(axisa, a.ndim), -1)
    b = moveaxis(b, normalize_axis(axisb, b.ndim), -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or "
                         "3)")
    if a.shape[-1] == 2 or b.shape[-1] == 2:
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=2)
    comp = lambda v, i: v[..., i] if i < v.shape[-1] else None  # noqa: E731

    def term(u, i, v, j):
        x, y = comp(u, i), comp(v, j)
        return None if x is None or y is None else _math.multiply(x, y)

    def difference(p, q):
        if p is None and q is None:
            return None
        if q is None:
            return p
        return _math.negative(q) if p is None else _math.subtract(p, q)

    z = difference(term(a, 0, b, 1), term(a, 1, b, 0))
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return z
    x = difference(term(a, 1, b, 2), term(a, 2, b, 1))
    y = difference(term(a, 2, b, 0), term(a, 0, b, 2))
    shape = numpy.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    dtype = z.dtype
    parts = [broadcast_to(_math.multiply(c, 1) if c is not None else
                          _creation.zeros((), dtype, stream=a._op_stream), shape)
             for c in (x, y, z)]
    result = _creation.stack(parts, axis=-1)
    return moveaxis(result, -1, normalize_axis(axisc, result.ndim))


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y by the trapezoidal rule along axis (sample points x or spacing
    dx)."""
    y = _creation.device_operand(y)
    axis = normalize_axis(axis, y.ndim)
    upper, lower = y[along(axis, y.ndim, slice(1, None))], y[along(axis, y.ndim,
                                                                     slice(None, -1))]
    heights = _math.add(upper, lower)
    if x is None:
        widths = dx
    else:
        x = _creation.device_operand(x, y)
        if x.ndim == 1:
            widths = _math.subtract(x[1:], x[:-1])
            shape = [1] * y.ndim
            shape[axis] = widths.shape[0]
            widths = reshape(widths, tuple(shape))
        else:
            ax = normalize_axis(axis, x.ndim)
            widths = _math.subtract(x[along(ax, x.ndim, slice(1, None))],
                                    x[along(ax, x.ndim, slice(None, -1))])
    return _math.true_divide(_reduction.sum(_math.multiply(heights, widths), axis=axis), 2.0)


def convolve(a, v, mode="full"):
    """The discrete linear convolution of two 1-D arrays (modes full, same, valid): one
    multiply-add of a shifted view per element of the shorter input."""
    a, v = ravel(_creation.device_operand(a)), ravel(_creation.device_operand(v))
    v = _creation.device_operand(v, a)
    if a.size == 0:
        raise ValueError("a cannot be empty")
    if v.size == 0:
        raise ValueError("v cannot be empty")
    if v.size > a.size:
        a, v = v, a
    n, m = a.size, v.size
    dtype = numpy.result_type(a.dtype, v.dtype)
    full = _creation.zeros(n + m - 1, dtype, stream=a._op_stream)
    for j in range(m):  # full[j:j + n] += a * v[j]
        window = full[j:j + n]
        _math.add(window, _math.multiply(a, v[j]), out=window)
    if mode == "full":
        return full
    if mode == "same":
        start = (m - 1) // 2
        return full[start:start + n]
    if mode == "valid":
        return full[m - 1:n]
    raise ValueError(f"mode must be one of 'full', 'same', 'valid', not {mode!r}")


def correlate(a, v, mode="valid"):
    """The cross-correlation of two 1-D arrays: convolve(a, conj(v)[::-1]) (NumPy's
    correlate conjugates v)."""
    a, v = ravel(_creation.device_operand(a)), ravel(_creation.device_operand(v))
    if a.size < v.size:  # NumPy swaps, conjugates and reverses the result
        swapped = correlate(v, a, mode)
        return (_math.conjugate(swapped) if swapped.dtype.kind == "c" else swapped)[::-1]
    return convolve(a, (_math.conjugate(v) if v.dtype.kind == "c" else v)[::-1], mode)


def _interpolate(xf, below, xp, fp, n):
    """fp blended between the sample points around each xf (below: the number of points at
    or below it); fp itself at a point."""
    low = _math.clip(_math.subtract(below, 1), 0, n - 2)
    high = _math.add(low, 1)
    x0, x1 = _indexing.take(xp, low), _indexing.take(xp, high)
    f0, f1 = _indexing.take(fp, low), _indexing.take(fp, high)
    slope = _math.true_divide(_math.subtract(f1, f0), _math.subtract(x1, x0))
    result = _math.add(f0, _math.multiply(slope, _math.subtract(xf, x0)))
    return _elementwise(_core.OP_WHERE, _math.equal(xf, x1), f1, result)


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of (xp, fp) at x (NumPy's interp; xp increasing):
    the interval of each x by counting the xp at or below it, then one blend."""
    x = _creation.device_operand(x)
    if period is not None:
        raise TypeError("interp: period= is not implemented on the device")
    xp_host = numpy.asarray(xp.get() if isinstance(xp, _CoreArray) else xp, dtype=numpy.float64)
    fp = _creation.device_operand(fp, x)
    if xp_host.ndim != 1 or fp.ndim != 1:
        raise ValueError("Data points must be 1-D sequences")
    if xp_host.size != fp.shape[0]:
        raise ValueError("fp and xp are not of the same length.")
    if xp_host.size == 0:
        raise ValueError("array of sample points is empty")
    dtype = numpy.complex128 if fp.dtype.kind == "c" else numpy.float64
    fp = fp.astype(dtype, copy=False)
    xf = x.astype(numpy.float64, copy=False)
    n = xp_host.size
    if n == 1:  # NumPy: fp[0] unless x is below or above the point (NaN included)
        result = _creation.full(x.shape, fp[0], dtype, stream=x._op_stream)
    else:
        below = _creation.zeros(x.shape, numpy.int64, stream=x._op_stream)
        for point in xp_host.tolist():  # the number of xp <= x
            _math.add(below, _math.greater_equal(xf, point).astype(numpy.int64), out=below)
        result = _interpolate(xf, below, _creation.device_operand(xp_host, x), fp, n)
    left_value = fp[0] if left is None else left
    right_value = fp[n - 1] if right is None else right
    result = _indexing.where(_math.less(xf, float(xp_host[0])), left_value, result)
    result = _indexing.where(_math.greater(xf, float(xp_host[-1])), right_value, result)
    return result.astype(dtype, copy=False)
