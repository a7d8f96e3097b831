"""Sorting, searching and what is built on them (NumPy's sort, argsort, searchsorted,
partition, argpartition, unique, median, percentile, quantile, isin) on the device.

The SORT family of the core sorts rows in place along their last axis (stable, NumPy's
order: NaN last, complex lexicographic, -0.0 equal to 0.0) and searches sorted 1-d arrays;
everything else here is that plus existing ops, with exact results.
"""

import numpy

from . import _core, _creation, _indexing, _math, _reduction
from ._manipulation import moveaxis, normalize_axis, ravel, reshape
from ._reduction import device_array

__all__ = ["argpartition", "argsort", "isin", "median", "partition", "percentile",
           "quantile", "searchsorted", "sort", "unique"]

_INT64 = numpy.dtype(numpy.int64)
_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _check_order(order):
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")


def _sorted_copy(a, axis, positions):
    """A sorted copy of a along axis (None: flattened), and with positions the argsort."""
    a = device_array(a)
    if axis is None:
        work = ravel(a).copy()
        axis = 0
    else:
        if a.ndim == 0:
            raise numpy.exceptions.AxisError(axis, 0)
        axis = normalize_axis(axis, a.ndim)
        work = a.copy()
    order = _core.sort_rows(moveaxis(work, axis, -1), positions=positions)
    return work, (moveaxis(order, -1, axis) if positions else None)


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """A sorted copy of an array (stable whatever `kind` says; NaN last)."""
    _check_order(order)
    return _sorted_copy(a, axis, False)[0]


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """The indices that sort an array along axis (a stable sort, so ties keep their order)."""
    _check_order(order)
    return _sorted_copy(a, axis, True)[1]


def sort_in_place(a, axis=-1, kind=None, order=None, *, stable=None):
    """ndarray.sort: sorts a along axis, in place."""
    _check_order(order)
    if a.ndim == 0:
        raise numpy.exceptions.AxisError(axis, 0)
    _core.sort_rows(moveaxis(a, normalize_axis(axis, a.ndim), -1))


def searchsorted(a, v, side="left", sorter=None):
    """Where to insert v into the sorted 1-d a to keep it sorted."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right' (got {side!r})")
    a = device_array(a)
    if a.ndim != 1:
        raise ValueError("object too deep for desired array" if a.ndim > 1 else
                         "object of too small depth for desired array")
    v = v if isinstance(v, _core.ndarray) else _creation.asarray(v, stream=a._op_stream)
    dtype = numpy.result_type(a.dtype, v.dtype)
    if sorter is not None:
        a = _indexing.take(a, sorter)
    keys = ravel(v.astype(dtype, copy=False))
    found = _core.searchsorted(a.astype(dtype, copy=False), keys, right=side == "right")
    return reshape(found, v.shape)


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """A copy of a with the k-th elements where a sort would put them, the smaller ones
    before and the larger after. For now a full sort, which satisfies that."""
    _check_kth(a, kth, axis)
    return sort(a, axis=axis, order=order)


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """Indices that partition a (see partition; for now those of a stable full sort)."""
    _check_kth(a, kth, axis)
    return argsort(a, axis=axis, order=order)


def _check_kth(a, kth, axis):
    a = device_array(a)
    n = a.size if axis is None else a.shape[normalize_axis(axis, a.ndim)] if a.ndim else 1
    for k in numpy.atleast_1d(numpy.asarray(kth)).tolist():
        if not isinstance(k, int):
            raise TypeError("Partition index must be integer")
        if not -n <= k < n:
            raise ValueError(f"kth(={k}) out of bounds ({n})")


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           *, equal_nan=True):
    """The sorted unique elements of an array (flattened), with NumPy's optional outputs."""
    if axis is not None:
        raise NotImplementedError("unique with axis= is not implemented on pymic2 device "
                                  "arrays yet")
    ar = device_array(ar)
    flat = ravel(ar)
    order = argsort(flat)
    values = _indexing.take(flat, order)
    n = values.size
    if n:
        first = _creation.concatenate([_creation.ones(1, bool, stream=values._op_stream),
                                       _math.not_equal(values[1:], values[:-1])])
        if equal_nan and values.dtype.kind in "fc":  # NaN sorts last: keep only the first
            nan = _math.isnan(values)
            first = _math.logical_and(first, _math.logical_not(
                _math.logical_and(nan, _creation.concatenate(
                    [_creation.zeros(1, bool, stream=values._op_stream), nan[:-1]]))))
    else:
        first = _creation.zeros(0, bool, stream=values._op_stream)
    starts = _indexing.flatnonzero(first)
    result = [_indexing.take(values, starts)]
    if return_index:
        result.append(_indexing.take(order, starts))
    if return_inverse:
        group = _math.subtract(_reduction.cumsum(first.astype(_INT64)), 1)
        inverse = _creation.empty(n, _INT64, stream=values._op_stream)
        _indexing.put(inverse, order, group)
        result.append(reshape(inverse, ar.shape if numpy.lib.NumpyVersion(numpy.__version__)
                              >= "2.1.0" else (n,)))
    if return_counts:
        ends = _creation.concatenate([starts[1:], _creation.asarray(
            [n], dtype=_INT64, stream=values._op_stream)])
        result.append(_math.subtract(ends, starts))
    return result[0] if len(result) == 1 else tuple(result)


def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """element's shape of booleans: whether each element is in test_elements."""
    element = device_array(element)
    tests = sort(ravel(device_array(test_elements)))
    dtype = numpy.result_type(element.dtype, tests.dtype)
    tests = tests.astype(dtype, copy=False)
    keys = ravel(element.astype(dtype, copy=False))
    if tests.size == 0:
        found = _creation.zeros(keys.shape, bool, stream=keys._op_stream)
    else:
        where = _core.searchsorted(tests, keys)
        clipped = _math.minimum(where, tests.size - 1)
        found = _math.equal(_indexing.take(tests, clipped), keys)
    found = reshape(found, element.shape)
    return _math.logical_not(found) if invert else found


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    """The q-th quantiles (q in [0, 1]) along axis, by NumPy's `method`s linear, lower,
    higher, nearest and midpoint."""
    if out is not None or weights is not None or interpolation is not None:
        raise NotImplementedError("quantile with out=, weights= or interpolation= is not "
                                  "implemented on pymic2 device arrays")
    if method not in _METHODS:
        raise ValueError(f"'{method}' is not a valid method. Use one of: {_METHODS}")
    q = numpy.asarray(q.get() if isinstance(q, _core.ndarray) else q)
    if not (q.size == 0 or (numpy.all(q >= 0) and numpy.all(q <= 1))):
        raise ValueError("Quantiles must be in the range [0, 1]")
    a = device_array(a)
    if a.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    ndim = a.ndim
    if axis is None:
        work, axis = sort(ravel(a)), 0
    else:
        axis = normalize_axis(axis, a.ndim)
        work = moveaxis(sort(a, axis=axis), axis, 0)
    n = work.shape[0]
    if n == 0:
        raise IndexError("cannot do a non-empty take from an empty axes.")
    result_dtype = numpy.result_type(a.dtype, numpy.float64 if a.dtype.kind in "biu"
                                     else a.dtype, q.dtype if q.dtype.kind == "f" else "f2")
    if method in ("lower", "higher", "nearest"):
        result_dtype = a.dtype
    position = q * (n - 1)
    low = numpy.floor(position).astype(numpy.int64)
    high = numpy.minimum(low + 1, n - 1)
    frac = position - low
    if method == "lower":
        pick = _indexing.take(work, low.ravel(), axis=0)
    elif method == "higher":
        pick = _indexing.take(work, numpy.ceil(position).astype(numpy.int64).ravel(), axis=0)
    elif method == "nearest":
        pick = _indexing.take(work, numpy.around(position).astype(numpy.int64).ravel(), axis=0)
    else:
        below = _indexing.take(work, low.ravel(), axis=0).astype(result_dtype)
        above = _indexing.take(work, high.ravel(), axis=0).astype(result_dtype)
        if method == "midpoint":
            weight = numpy.where(frac.ravel() > 0, 0.5, 0.0)
        else:
            weight = frac.ravel()
        weight = reshape(_creation.asarray(weight.astype(result_dtype), stream=work._op_stream),
                         (-1,) + (1,) * (work.ndim - 1))
        # NumPy's _lerp: a + (b - a) * t, from the other end when t >= 0.5
        diff = _math.subtract(above, below)
        lerp = _math.add(below, _math.multiply(diff, weight))
        other = _math.subtract(above, _math.multiply(diff, _math.subtract(1, weight)))
        pick = _indexing.where(_math.greater_equal(weight, 0.5), other, lerp)
        pick = _indexing.where(_math.equal(above, below), below, pick)
    # a NaN in the data sorts last: its slice's result is NaN
    if work.dtype.kind == "f":
        last = _indexing.take(work, [n - 1], axis=0)
        pick = _indexing.where(_math.isnan(last), last.astype(pick.dtype), pick)
    pick = reshape(pick, q.shape + work.shape[1:])
    if keepdims:
        shape = list(a.shape) if ndim else []
        if axis is None or ndim == 0:
            shape = [1] * ndim
        else:
            shape[axis] = 1
        pick = reshape(pick, q.shape + tuple(shape))
    return pick.astype(result_dtype, copy=False)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    """The q-th percentiles (q in [0, 100]) along axis (see quantile)."""
    q = numpy.true_divide(numpy.asarray(q.get() if isinstance(q, _core.ndarray) else q), 100)
    if not (q.size == 0 or (numpy.all(q >= 0) and numpy.all(q <= 1))):
        raise ValueError("Percentiles must be in the range [0, 100]")
    return quantile(a, q, axis, out, overwrite_input, method, keepdims, weights=weights,
                    interpolation=interpolation)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median along axis (NaN where a slice holds NaN)."""
    return quantile(a, 0.5, axis, out, overwrite_input, "linear", keepdims)


class _SortingMethods:
    """The sorting methods of pymic2.ndarray."""

    __slots__ = ()

    def sort(self, axis=-1, kind=None, order=None, *, stable=None):
        sort_in_place(self, axis, kind, order, stable=stable)

    def argsort(self, axis=-1, kind=None, order=None, *, stable=None):
        return argsort(self, axis, kind, order, stable=stable)

    def searchsorted(self, v, side="left", sorter=None):
        return searchsorted(self, v, side, sorter)

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        _check_kth(self, kth, axis)
        sort_in_place(self, axis, order=order)

    def argpartition(self, kth, axis=-1, kind="introselect", order=None):
        return argpartition(self, kth, axis, kind, order)
