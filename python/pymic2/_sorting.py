"""Sorting, searching and what is built on them (NumPy's sort, argsort, lexsort,
sort_complex, searchsorted, partition, argpartition, median, percentile, quantile) on the
device; _sets builds unique and the set routines on them.

The SORT family of the core sorts rows in place along their last axis (stable, NumPy's
order: NaN last, complex lexicographic, -0.0 equal to 0.0), partitions them at given
positions (a selection: partition, and median and quantile, which read a few order
statistics) and searches sorted 1-d arrays; everything else here is that plus existing ops,
with exact results.
"""

import numpy

from . import _core, _creation, _indexing, _manipulation, _math, _reduction
from ._manipulation import expand_dims, moveaxis, normalize_axis, ravel, reshape
from ._reduction import device_array

__all__ = ["argpartition", "argsort", "lexsort", "median", "partition", "percentile",
           "quantile", "searchsorted", "sort", "sort_complex"]

_INT64 = numpy.dtype(numpy.int64)
#: NumPy's quantile methods (H&F 1996 and its own): the continuous ones' (alpha, beta) of
#: the virtual index n q + alpha + q (1 - alpha - beta) - 1 (None: their own index), and the
#: discontinuous ones, which pick an element (the result keeps a's dtype)
_CONTINUOUS = {"interpolated_inverted_cdf": (0, 1), "hazen": (0.5, 0.5), "weibull": (0, 0),
               "linear": None, "median_unbiased": (1 / 3, 1 / 3),
               "normal_unbiased": (3 / 8, 3 / 8), "averaged_inverted_cdf": None,
               "midpoint": None}
_DISCONTINUOUS = ("inverted_cdf", "closest_observation", "lower", "higher", "nearest")
_METHODS = tuple(_CONTINUOUS) + _DISCONTINUOUS
_KINDS = (None, "quick", "quicksort", "heap", "heapsort", "merge", "mergesort", "stable")


def _check_order(order, kind=None, stable=None):
    """NumPy's checks of sort's order, kind and stable (every kind sorts stably here)."""
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")
    if kind not in _KINDS:
        raise ValueError("sort kind must be one of 'quick', 'heap', or 'stable' "
                         f"(got {kind!r})")
    if kind is not None and stable is not None:
        raise ValueError("`kind` and keyword parameters can't be provided at the same time. "
                         "Use only one of them.")


def _along(a, axis):
    """a (flattened for axis None) and the axis to sort along."""
    a = device_array(a)
    if axis is None:
        return ravel(a), 0
    if a.ndim == 0:
        raise numpy.exceptions.AxisError(axis, 0)
    return a, normalize_axis(axis, a.ndim)


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """A sorted copy of an array (stable whatever `kind` says; NaN last)."""
    _check_order(order, kind, stable)
    a, axis = _along(a, axis)
    work = a.copy()
    _core.sort_rows(moveaxis(work, axis, -1))
    return work


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """The indices that sort an array along axis (a stable sort, so ties keep their order;
    a itself is only read)."""
    _check_order(order, kind, stable)
    a, axis = _along(a, axis)
    order = _core.sort_rows(moveaxis(a, axis, -1), positions=True, keep_values=True)
    return moveaxis(order, -1, axis)


def lexsort(keys, axis=-1):
    """The indices that sort by the last key, ties by the one before, and so on: stable
    argsorts from the first key to the last, each of the order so far."""
    if isinstance(keys, _core.ndarray):
        keys = [keys[i] for i in range(keys.shape[0])] if keys.ndim else [keys]
    keys = [device_array(key) for key in keys]
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if any(key.shape != keys[0].shape for key in keys):
        raise ValueError("all keys need to be the same shape")
    if keys[0].ndim == 0:
        return _creation.zeros((), _INT64, stream=keys[0]._op_stream)
    axis = normalize_axis(axis, keys[0].ndim)
    order = argsort(keys[0], axis=axis)
    for key in keys[1:]:
        step = argsort(_indexing.take_along_axis(key, order, axis), axis=axis)
        order = _indexing.take_along_axis(order, step, axis)
    return order


def sort_complex(a):
    """a sorted along its last axis as complex numbers (int8, uint8, int16 and uint16
    become complex64, other real dtypes complex128, as in NumPy)."""
    result = sort(a)
    if result.dtype.kind == "c":
        return result
    return result.astype(numpy.complex64 if result.dtype.char in "bhBH" else
                         numpy.complex128)


def sort_in_place(a, axis=-1, kind=None, order=None, *, stable=None):
    """ndarray.sort: sorts a along axis, in place."""
    _check_order(order, kind, stable)
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
        sorter = device_array(sorter)
        if sorter.dtype.kind not in "iu":
            raise TypeError("sorter must only contain integers")
        if sorter.size != a.size:
            raise ValueError("sorter.size must equal a.size")
        a = _indexing.take(a, sorter)
    keys = ravel(v.astype(dtype, copy=False))
    found = _core.searchsorted(a.astype(dtype, copy=False), keys, right=side == "right")
    return reshape(found, v.shape)


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """A copy of a with the k-th elements where a sort would put them, the smaller ones
    before and the larger after (a selection per row; on OpenCL devices a sort)."""
    _check_select(kind, order)
    a, axis = _along(a, axis)
    work = a.copy()
    _select(moveaxis(work, axis, -1), kth)
    return work


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """Indices that partition a along axis (see partition; a itself is only read)."""
    _check_select(kind, order)
    a, axis = _along(a, axis)
    order = _select(moveaxis(a, axis, -1), kth, positions=True)
    return moveaxis(order, -1, axis)


def _check_select(kind, order):
    _check_order(order)
    if kind != "introselect":
        raise ValueError(f"select kind must be 'introselect' (got {kind!r})")


def _positions(kth, n, empty):
    """NumPy's kth (an integer or a 1-d sequence of them, negative ones from the end) as the
    increasing distinct positions in rows of n (a host int64 array), with NumPy's errors;
    unchecked against n for an empty array, as NumPy's."""
    kth = numpy.asarray(kth)
    if kth.dtype == numpy.bool_:
        raise ValueError("Booleans unacceptable as partition index")
    if kth.dtype.kind not in "iu":
        raise TypeError("Partition index must be integer")
    if kth.ndim > 1:
        raise ValueError("object too deep for desired array")
    kth = kth.astype(_INT64).ravel()
    kth = numpy.where(kth < 0, kth + n, kth)
    bad = (kth < 0) | (kth >= n)
    if bad.any() and not empty:
        raise ValueError(f"kth(={kth[bad][0]}) out of bounds ({n})")
    return numpy.unique(kth)


def _select(rows, kth, positions=False):
    """Partitions rows (a device array) along its last axis at kth (see _positions), in
    place, or with positions leaves them and returns the int64 argpartition."""
    kth = _positions(kth, rows.shape[-1], rows.size == 0)
    if rows.size == 0 or kth.size == 0:  # a sort partitions anywhere
        return _core.sort_rows(rows, positions=positions, keep_values=positions)
    kth = _creation.asarray(kth, stream=rows._op_stream)
    return _core.sort_rows(rows, positions=positions, keep_values=positions, kth=kth)


def check_out(out):
    if out is not None:
        raise NotImplementedError("median and quantile with out= are not implemented on "
                                  "pymic2 device arrays")


def check_quantile_args(method, out, weights, interpolation, a, axis):
    """Checks the arguments as NumPy's quantile; returns the weights (None or a device array
    of a's shape, broadcast along axis as NumPy's _weights_are_valid)."""
    check_out(out)
    if interpolation is not None:
        raise NotImplementedError("quantile with interpolation= (deprecated in NumPy 1.22: "
                                  "method=) is not implemented on pymic2 device arrays")
    if method not in _METHODS:
        raise ValueError(f"'{method}' is not a valid method. Use one of: {_METHODS}")
    if a.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    if weights is None:
        return None
    if method != "inverted_cdf":
        raise ValueError(f"Only method 'inverted_cdf' supports weights. Got: {method}.")
    if not isinstance(weights, _core.ndarray):
        weights = _creation.asarray(numpy.asarray(weights), stream=a._op_stream)
    if weights.shape != a.shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        axis = normalize_axis(axis, a.ndim)
        if weights.shape != (a.shape[axis],):
            raise ValueError("Shape of weights must be consistent with shape of a along "
                             "specified axis.")
        weights = _manipulation.broadcast_to(
            reshape(weights, tuple(s if d == axis else 1 for d, s in enumerate(a.shape))),
            a.shape)
    if bool(_reduction.any(_math.less(weights, 0))):
        raise ValueError("Weights must be non-negative.")
    return weights


def host_quantiles(q, scale=1):
    """q (host data or a device array) divided by scale as a host float array in [0, 1],
    and the dtype it promotes with (NumPy's: float16, the weakest, for a Python number or
    integers, not for a NumPy scalar such as numpy.float64(50.0); percentile's division
    makes integers float64)."""
    weak = isinstance(q, (int, float)) and not isinstance(q, numpy.generic)
    q = numpy.asarray(q.get() if isinstance(q, _core.ndarray) else q)
    if scale != 1:
        q = numpy.true_divide(q, scale)
    promotes = q.dtype if q.dtype.kind == "f" and not weak else numpy.dtype(numpy.float16)
    if not (q.size == 0 or (numpy.all(q >= 0) and numpy.all(q <= 1))):
        raise ValueError("Quantiles must be in the range [0, 1]" if scale == 1 else
                         "Percentiles must be in the range [0, 100]")
    return q, promotes


def sorted_rows(a, axis):
    """a sorted along axis (None: flattened), that axis moved last (NaN last in each row)."""
    if axis is None:
        return sort(ravel(a))
    axis = normalize_axis(axis, a.ndim)
    return moveaxis(sort(a, axis=axis), axis, -1)


#: a quantile selects at most this many positions per row, else it sorts
_SELECTED = 64


def selected_rows(a, axis, kth):
    """A copy of a along axis (None: flattened), that axis moved last, partitioned at the
    positions kth (host ints, negative from the end; None: sorted) and at the last one for
    floats and complex numbers (a NaN sorts there: a row's NaN is found at its end)."""
    if kth is None or len(kth) > _SELECTED:
        return sorted_rows(a, axis)
    work = reshape(a.copy(), (a.size,)) if axis is None else moveaxis(
        a.copy(), normalize_axis(axis, a.ndim), -1)
    kth = numpy.asarray(list(kth) + ([-1] if work.dtype.kind in "fc" else []), _INT64)
    if work.shape[-1] and kth.size:
        _select(work, kth)
    return work


def _row_pick(work, index):
    """work[..., index[...]]: one element of each row (index: int64, work.shape[:-1])."""
    return reshape(_indexing.take_along_axis(work, expand_dims(index, -1), -1), index.shape)


def _interpolate(below, above, weight, dtype):
    """NumPy's _lerp: below + (above - below) * weight, from the other end for weight >=
    0.5, in dtype."""
    below, above = below.astype(dtype), above.astype(dtype)
    rest = _math.subtract(1, weight).astype(dtype)  # in float64, as NumPy's 1 - t
    diff = _math.subtract(above, below)
    lerp = _math.add(below, _math.multiply(diff, weight.astype(dtype)))
    other = _math.subtract(above, _math.multiply(diff, rest))
    return _indexing.where(_math.greater_equal(weight, 0.5), other, lerp)


def _virtual_index(count, quantile, method, xp=_math):
    """NumPy's virtual index of a quantile (a float) in rows of count[...] elements, in its
    order of operations (xp: numpy for host counts and quantiles)."""
    if method in ("linear", "midpoint", "lower", "higher", "nearest"):
        return xp.multiply(xp.subtract(count, 1), quantile)  # (n - 1) * q
    index = xp.multiply(count, quantile)
    if method in _CONTINUOUS and _CONTINUOUS[method] is not None:
        alpha, beta = _CONTINUOUS[method]
        index = xp.add(index, alpha + quantile * (1 - alpha - beta))
    index = xp.subtract(index, 1)  # n q - 1: the inverted cdfs
    return xp.subtract(index, 0.5) if method == "closest_observation" else index


def _quantile_positions(q, n, method):
    """The positions of rows of n that quantile_rows may read for the quantiles q (host):
    around each virtual index, one more each side than it reads, as the device's rounding
    may differ from the host's."""
    if n == 0:
        return None
    low = numpy.floor(_virtual_index(n, q.astype(numpy.float64).ravel(), method, numpy))
    near = low.astype(_INT64)[:, None] + numpy.arange(-1, 3)
    return numpy.unique(numpy.clip(near, 0, n - 1)).tolist()


def _discontinuous_index(position, method):
    """The element a discontinuous method picks at virtual index position (float)."""
    low = _math.floor(position)
    if method == "inverted_cdf":  # the next element unless position is one
        return _indexing.where(_math.equal(position, low), low, _math.add(low, 1))
    if method == "closest_observation":  # the nearest even order statistic (1-based) at ties
        odd = _math.equal(_math.remainder(low, 2), 1)
        return _indexing.where(_math.logical_and(_math.equal(position, low), odd), low,
                               _math.add(low, 1))
    return {"lower": low, "higher": _math.ceil(position), "nearest": _math.rint(position)}[method]


def _gamma(position, low, method):
    """The weight of the element above position (NumPy's fixed gamma)."""
    frac = _math.subtract(position, low)
    if method == "midpoint":
        return _indexing.where(_math.greater(frac, 0), 0.5, 0.0)
    if method == "averaged_inverted_cdf":
        return _indexing.where(_math.equal(frac, 0), 0.5, 1.0)
    return frac


def _one_quantile(work, quantile, count, method, dtype):
    """The quantile (a float) of each row of work (sorted, its first count[...] elements
    are the data) by method."""
    last = _math.maximum(_math.subtract(count, 1), 0)
    position = _virtual_index(count, quantile, method)
    if method in _DISCONTINUOUS:
        index = _discontinuous_index(position, method)
        index = _math.minimum(_math.maximum(index.astype(_INT64), 0), last)
        return _row_pick(work, index).astype(dtype)
    low = _math.floor(position)
    below_index, above_index = (_math.minimum(_math.maximum(index, 0), last) for index in
                                (low.astype(_INT64), _math.add(low, 1).astype(_INT64)))
    # before the first element both are the first (clipped above), at or beyond the last
    # both are the last (NumPy's index -1)
    beyond = _math.greater_equal(position, last)
    below_index = _indexing.where(beyond, last, below_index)
    above_index = _indexing.where(beyond, last, above_index)
    return _interpolate(_row_pick(work, below_index), _row_pick(work, above_index),
                        _gamma(position, low, method), dtype)


def weighted_quantile_rows(a, weights, q, axis, dtype, nan_rows):
    """method='inverted_cdf' with weights (device, a's shape): for each q the first element
    (in sorted order along axis) whose share of the cumulative weight reaches q, as NumPy's
    weighted quantile. nan_rows: NaN elements weigh nothing (nanquantile)."""
    if axis is None:
        a, weights, axis = ravel(a), ravel(weights), 0
    axis = normalize_axis(axis, a.ndim)
    order = argsort(a, axis=axis)
    work = moveaxis(_indexing.take_along_axis(a, order, axis), axis, -1)
    weights = moveaxis(_indexing.take_along_axis(weights, order, axis), axis, -1)
    n = work.shape[-1]
    if n == 0:
        raise IndexError("cannot do a non-empty take from an empty axes.")
    if nan_rows:
        weights = _indexing.where(_math.isnan(work), 0, weights)
    cdf = _reduction.cumsum(weights, axis=-1, dtype=numpy.float64)
    cdf = _math.true_divide(cdf, cdf[..., n - 1:])
    unusable = _math.isnan(cdf[..., n - 1])
    if nan_rows:  # a slice of NaNs only is NaN (_nan_where_empty), not an error
        unusable = _math.logical_and(unusable, _reduction.any(_math.not_equal(weights, 0), axis=-1))
    if bool(_reduction.any(unusable)):
        raise ValueError("Weights included NaN, inf or were all zero.")
    if q.dtype.kind == "f":
        cdf = cdf.astype(q.dtype)  # NumPy's cast: 0.4 in float32 is found where it is
    cdf = _indexing.where(_math.equal(cdf, 0), -1, cdf).astype(cdf.dtype)  # zero weights first
    last = n - 1
    picks = []
    for quantile in q.ravel().tolist():
        below = _reduction.sum(_math.less(cdf, cdf.dtype.type(quantile)), axis=-1,
                               dtype=numpy.int64)  # searchsorted's side="left"
        index = _math.minimum(below, last)
        picks.append(expand_dims(_row_pick(work, index).astype(dtype), 0))
    rows = work.shape[:-1]
    if not picks:
        return work, _creation.empty(q.shape + rows, dtype, stream=work._op_stream)
    return work, reshape(_creation.concatenate(picks), q.shape + rows)


def quantile_rows(work, q, count, method, dtype):
    """The q-quantiles (host float array) of the sorted rows of work, count[...] data
    elements each (a device int64 array of work.shape[:-1]): q.shape + work.shape[:-1]."""
    if work.shape[-1] == 0:
        raise IndexError("cannot do a non-empty take from an empty axes.")
    picks = [expand_dims(_one_quantile(work, quantile, count, method, dtype), 0)
             for quantile in q.ravel().tolist()]
    rows = work.shape[:-1]
    if not picks:
        return _creation.empty(q.shape + rows, dtype, stream=work._op_stream)
    return reshape(_creation.concatenate(picks), q.shape + rows)


def quantile_dtype(a, promotes, method):
    """NumPy's result dtype of a quantile of a by method (promotes: see host_quantiles)."""
    if method in _DISCONTINUOUS:
        return a.dtype
    return numpy.result_type(a.dtype, numpy.float64 if a.dtype.kind in "biu" else a.dtype,
                             promotes)


def keep_dims(result, a, axis, leading, keepdims):
    """result (leading + the reduced shape) with the reduced axis kept as 1 if keepdims."""
    if not keepdims:
        return result
    shape = [1] * a.ndim if axis is None else list(a.shape)
    if axis is not None:
        shape[normalize_axis(axis, a.ndim)] = 1
    return reshape(result, leading + tuple(shape))


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    """The q-th quantiles (q in [0, 1]) along axis, by any of NumPy's 13 `method`s (weights
    with method='inverted_cdf'); NaN for a row holding NaN."""
    return quantile_of(a, *host_quantiles(q), axis, out, method, keepdims, weights,
                       interpolation)


def quantile_of(a, q, promotes, axis, out, method, keepdims, weights, interpolation):
    """quantile of the host quantiles q (see host_quantiles)."""
    a = device_array(a)
    weights = check_quantile_args(method, out, weights, interpolation, a, axis)
    dtype = quantile_dtype(a, promotes, method)
    if weights is not None:
        work, pick = weighted_quantile_rows(a, weights, q, axis, dtype, False)
    else:
        n = a.size if axis is None else a.shape[normalize_axis(axis, a.ndim)]
        work = selected_rows(a, axis, _quantile_positions(q, n, method))
        count = _creation.full(work.shape[:-1], work.shape[-1], _INT64,
                               stream=work._op_stream)
        pick = quantile_rows(work, q, count, method, dtype)
    n = work.shape[-1]
    if work.dtype.kind == "f":  # a NaN sorts last: its row's result is NaN
        last = reshape(work[..., n - 1:], work.shape[:-1])
        pick = _indexing.where(_math.isnan(last), last.astype(dtype), pick)
    return keep_dims(pick, a, axis, q.shape, keepdims).astype(dtype, copy=False)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    """The q-th percentiles (q in [0, 100]) along axis (see quantile)."""
    return quantile_of(a, *host_quantiles(q, 100), axis, out, method, keepdims, weights,
                       interpolation)


def median_rows(work, count, dtype):
    """The medians of the sorted rows of work with count[...] data elements each: the mean
    of the two middle ones as NumPy's mean computes it (float16 in float32); NaN for empty
    rows."""
    if work.shape[-1] == 0:
        return _creation.full(work.shape[:-1], numpy.nan, dtype, stream=work._op_stream)
    low = _math.maximum(_math.floor_divide(_math.subtract(count, 1), 2), 0)
    high = _math.maximum(_math.floor_divide(count, 2), 0)
    compute = numpy.float32 if dtype == numpy.float16 else dtype
    below = _row_pick(work, low).astype(compute)
    above = _row_pick(work, high).astype(compute)
    mean = _math.true_divide(_math.add(below, above), 2)
    return _indexing.where(_math.equal(low, high), below, mean).astype(dtype)


def median_dtype(a):
    return numpy.result_type(a.dtype, numpy.float64) if a.dtype.kind in "biu" else a.dtype


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median along axis (NaN where a slice holds NaN)."""
    a = device_array(a)
    check_out(out)
    n = a.size if axis is None else a.shape[normalize_axis(axis, a.ndim)]
    work = selected_rows(a, axis, [(n - 1) // 2, n // 2] if n else None)
    count = _creation.full(work.shape[:-1], n, _INT64, stream=work._op_stream)
    result = median_rows(work, count, median_dtype(a))
    if work.dtype.kind in "fc" and n:
        last = reshape(work[..., n - 1:], work.shape[:-1])
        result = _indexing.where(_math.isnan(last), last.astype(result.dtype), result)
    return keep_dims(result, a, axis, (), keepdims)


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
        _check_select(kind, order)
        if self.ndim == 0:
            raise numpy.exceptions.AxisError(axis, 0)
        _select(moveaxis(self, normalize_axis(axis, self.ndim), -1), kth)

    def argpartition(self, kth, axis=-1, kind="introselect", order=None):
        return argpartition(self, kth, axis, kind, order)
