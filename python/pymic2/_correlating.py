"""Weighted averages and correlation (NumPy's average, cov, corrcoef) on the device: sums
and one matrix product, with NumPy's dtypes and normalisations."""

import warnings

import numpy

from . import _building, _core, _creation, _dtypes, _linalg, _math, _reduction, _statistics
from ._manipulation import broadcast_to, reshape
from ._reduction import device_array, normalize_axes

__all__ = ["average", "corrcoef", "cov"]


def _result_dtype(*dtypes):
    """NumPy's result dtype of a statistic: float64 for integer and bool inputs."""
    dtype = _dtypes.result_type(*dtypes)
    return numpy.dtype(numpy.float64) if dtype.kind in "biu" else dtype


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """The (weighted) mean along axis; returned=True also gives the sum of the weights. A
    1-D weights array applies along one axis; ZeroDivisionError when weights sum to zero
    (which reads one flag from the device)."""
    a = device_array(a)
    axes = normalize_axes(axis, a.ndim)
    if weights is None:
        result = _statistics.mean(a, axis=axes, keepdims=keepdims)
        count = _reduction.count(a.shape, axes)
        scale = _creation.full(result.shape, count, result.dtype, stream=a._op_stream)
        return (result, scale) if returned else result
    weights = device_array(weights) if isinstance(weights, _core.ndarray) else \
        _creation.asarray(weights, stream=a._op_stream)
    dtype = _result_dtype(a.dtype, weights.dtype)
    if weights.shape != a.shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if weights.ndim != 1:
            raise TypeError("1D weights expected when shapes of a and weights differ.")
        if len(axes) != 1 or weights.shape[0] != a.shape[axes[0]]:
            raise ValueError("Length of weights not compatible with specified axis.")
        shape = [1] * a.ndim
        shape[axes[0]] = weights.shape[0]
        weights = reshape(weights, tuple(shape))
    weights = weights.astype(dtype, copy=False)
    scale = _reduction.sum(broadcast_to(weights, a.shape), axis=axes,
                           keepdims=keepdims)
    if bool(_reduction.any(_math.equal(scale, 0))):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    total = _reduction.sum(_math.multiply(a.astype(dtype, copy=False), weights), axis=axes,
                           keepdims=keepdims)
    result = _math.divide(total, scale)
    return (result, scale) if returned else result


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """The covariance matrix of the variables in m's rows (columns when rowvar is False),
    with y's appended: deviations from the means, one matrix product, divided by
    N - ddof (ddof 1, or 0 with bias)."""
    if fweights is not None or aweights is not None:
        raise TypeError("cov: fweights and aweights are not implemented on the device")
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = device_array(m)
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    if dtype is None:
        dtype = _result_dtype(m.dtype, numpy.dtype(numpy.float64)) if y is None else \
            _result_dtype(m.dtype, device_array(y).dtype, numpy.dtype(numpy.float64))
    X = _creation.atleast_2d(m)
    if not rowvar and X.shape[0] != 1:
        X = X.T
    if y is not None:
        y = _creation.atleast_2d(device_array(y))
        if y.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
        if not rowvar and y.shape[0] != 1:
            y = y.T
        X = _creation.concatenate([X, y], axis=0)
    X = X.astype(dtype)
    if X.shape[0] == 0:
        return _creation.empty((0, 0), dtype, stream=X._op_stream)
    ddof = (0 if bias else 1) if ddof is None else int(ddof)
    observations = X.shape[1]
    factor = observations - ddof
    if factor <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        factor = 0.0
    deviations = _math.subtract(X, _statistics.mean(X, axis=1, keepdims=True))
    conjugated = _math.conjugate(deviations) if deviations.dtype.kind == "c" else deviations
    c = _math.true_divide(_linalg.matmul(deviations, conjugated.T), factor)
    return c.reshape(()) if c.shape == (1, 1) else c


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Pearson correlation coefficients: cov divided by the outer product of the standard
    deviations, clipped to [-1, 1] as NumPy's."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return _math.true_divide(c, c)
    stddev = _math.sqrt(_building.diagonal(c).real)
    c = _math.true_divide(c, reshape(stddev, (-1, 1)))
    c = _math.true_divide(c, reshape(stddev, (1, -1)))
    if c.dtype.kind != "c":
        return _math.clip(c, -1, 1)
    for part in (c.real, c.imag):  # NumPy clips each part of complex coefficients
        _math.clip(part, -1, 1, out=part)
    return c

