"""Histograms (NumPy's bincount, histogram, histogram_bin_edges, histogram2d, histogramdd,
digitize) on the device.

Counting is one HISTOGRAM op (pymic2_histogram): each value's bin is found on the device,
for evenly spaced bins by NumPy's own arithmetic (scale, truncate, then correct against the
exact edges), for explicit edges by binary search, and counted (or its weight summed) into
per-piece copies of the bins that are added at the end. The host reads only what decides a
result's shape or an error: bincount's least and largest value (one pass over the values),
an automatic range's min and max.
"""

import builtins
import operator

import numpy

from . import _core, _creation, _math, _reduction
from ._manipulation import ravel, reshape
from ._reduction import device_array

__all__ = ["bincount", "digitize", "histogram", "histogram2d", "histogram_bin_edges",
           "histogramdd"]

_elementwise = _core.elementwise
_INT64 = numpy.dtype(numpy.int64)


def _host(value):
    return value.get() if isinstance(value, _core.ndarray) else numpy.asarray(value)


def _weights_like(weights, like):
    """weights as a device array next to like (uploaded if host data)."""
    return device_array(weights) if isinstance(weights, _core.ndarray) else \
        _creation.asarray(weights, stream=like._op_stream)


def _count(values, rules, nbins, edges=None, weights=None):
    """The HISTOGRAM op: int64 counts (float64 sums of weights; complex weights: both parts)
    of the product of nbins bins, for values (n,) or (n, D); edges: host float edges of the
    'even' and 'edges' axes, one axis after another."""
    if edges is not None and not isinstance(edges, _core.ndarray):
        edges = _creation.asarray(numpy.ascontiguousarray(edges, dtype=numpy.float64),
                                  stream=values._op_stream)
    if weights is not None and weights.dtype.kind == "c":
        parts = [_count(values, rules, nbins, edges, part.astype(numpy.float64))
                 for part in (weights.real, weights.imag)]
        counts = _creation.zeros(parts[0].shape, numpy.complex128, stream=values._op_stream)
        counts.real[...] = parts[0]
        counts.imag[...] = parts[1]
        return counts
    if weights is not None:
        weights = weights.astype(numpy.float64, copy=False)
    return _core.histogram(values, tuple(rules), tuple(nbins), edges, weights)


def bincount(x, weights=None, minlength=0):
    """The number of occurrences (or the summed weights) of each value of a 1-D array of
    non-negative integers."""
    x = device_array(x)
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    if x.ndim != 1:
        raise ValueError("object too deep for desired array" if x.ndim > 1 else
                         "object of too small depth for desired array")
    if not numpy.can_cast(x.dtype, _INT64, casting="safe"):
        raise TypeError(f"Cannot cast array data from {x.dtype!r} to {_INT64!r} according to "
                        "the rule 'safe'")
    if weights is not None:
        weights = _weights_like(weights, x)
        if weights.shape != x.shape:
            raise ValueError("The weights and list don't have the same length.")
        if not numpy.can_cast(weights.dtype, numpy.float64, casting="safe"):
            raise TypeError(f"Cannot cast array data from {weights.dtype!r} to "
                            f"{numpy.dtype(numpy.float64)!r} according to the rule 'safe'")
    length = minlength
    if x.size:
        low, high = (int(v) for v in _core.histogram_range(x).get())  # one pass
        if low < 0:
            raise ValueError("'list' argument must have no negative elements")
        length = max(high + 1, minlength)
    if length == 0:  # NumPy's empty result is int64 even with weights
        return _creation.zeros(0, _INT64, stream=x._op_stream)
    return _count(x, ["integer"], [length], weights=weights)


# ---------------------------------------------------------------- bin edges

def _range_of(a, value_range):
    """(first, last) edges of evenly spaced bins: range, else a's min and max (read from the
    device), widened by 0.5 on each side when equal; NumPy's errors."""
    if value_range is not None:
        first, last = value_range
        if first > last:
            raise ValueError("max must be larger than min in range parameter.")
        if not (numpy.isfinite(first) and numpy.isfinite(last)):
            raise ValueError(f"supplied range of [{first}, {last}] is not finite")
    elif a.size == 0:
        first, last = 0, 1
    else:
        # NumPy scalars of a's dtype: the edges are computed in it, as NumPy's are
        first, last = _creation.stack([_reduction.min(a), _reduction.max(a)]).get()
        if not (numpy.isfinite(first) and numpy.isfinite(last)):
            raise ValueError(f"autodetected range of [{first}, {last}] is not finite")
    if first == last:
        first, last = first - 0.5, last + 0.5
    return first, last


def _edges(a, bins, value_range, typed=True):
    """(host bin edges, number of evenly spaced bins or None for explicit edges). Evenly
    spaced edges are in histogram's dtype (typed), else in histogramdd's (linspace's own)."""
    if isinstance(bins, str):
        raise TypeError(f"histogram: the bin estimator {bins!r} is not implemented on the "
                        "device (it needs percentiles): pass a number of bins or the edges")
    if numpy.ndim(bins) == 0:
        count = operator.index(bins)
        if count < 1:
            raise ValueError("`bins` must be positive, when an integer")
        first, last = _range_of(a, value_range)
        if not typed:
            return numpy.linspace(first, last, count + 1), count
        dtype = numpy.result_type(first, last, a.dtype)
        if dtype.kind in "biu":
            dtype = numpy.dtype(numpy.float64)
        return numpy.linspace(first, last, count + 1, endpoint=True, dtype=dtype), count
    edges = _host(bins)
    if edges.ndim != 1:
        raise ValueError("`bins` must be 1d, when an array")
    if (numpy.diff(edges) < 0).any():
        raise ValueError("`bins` must increase monotonically, when an array")
    return edges, None


def histogram_bin_edges(a, bins=10, range=None, weights=None):  # noqa: A002 - NumPy's name
    a = ravel(device_array(a))
    edges, _ = _edges(a, bins, range)
    return _creation.asarray(edges, stream=a._op_stream)


def _count_at_or_below(values, edges, strictly=False):
    """For each value, how many edges are <= it (< it with strictly), as int64."""
    compare = _core.OP_GREATER if strictly else _core.OP_GREATER_EQUAL
    count = _creation.zeros(values.shape, _INT64, stream=values._op_stream)
    for edge in edges.tolist():
        _elementwise(_core.OP_ADD, count, _elementwise(compare, values, edge).astype(_INT64),
                     out=count)
    return count


def _density(hist, widths_host, like):
    widths = _creation.asarray(widths_host.astype(numpy.float64), stream=like._op_stream)
    total = _reduction.sum(hist)
    return _math.true_divide(_math.true_divide(hist.astype(numpy.float64), widths), total)


def histogram(a, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """NumPy's histogram: (counts or summed weights per bin, bin edges), both on the device.
    Values outside the edges are not counted; the last bin includes its right edge."""
    a = device_array(a)
    if weights is not None:
        weights = _weights_like(weights, a)
        if weights.shape != a.shape:
            raise ValueError("weights should have the same shape as a.")
        weights = ravel(weights)
    a = ravel(a)
    if a.dtype.kind == "c":
        raise TypeError("histogram of complex numbers is not supported (NumPy's neither)")
    edges, count = _edges(a, bins, range)
    hist = _count(a, ["even" if count is not None else "edges"], [len(edges) - 1], edges,
                  weights)
    if weights is not None and hist.dtype != weights.dtype:
        hist = hist.astype(weights.dtype)  # NumPy's: summed in float64, then its dtype
    if density:
        hist = _density(hist, numpy.diff(edges), a)
    return hist, _creation.asarray(edges, stream=a._op_stream)


def _sample(sample):
    """histogramdd's sample as one (N, D) device array."""
    if isinstance(sample, (list, tuple)):
        coordinates = [ravel(device_array(s) if isinstance(s, _core.ndarray) else
                             _creation.asarray(s)) for s in sample]
        dtype = numpy.result_type(*(c.dtype for c in coordinates))
        return _creation.stack([c.astype(dtype, copy=False) for c in coordinates], axis=1)
    sample = device_array(sample)
    return reshape(sample, (-1, 1)) if sample.ndim < 2 else sample


def histogramdd(sample, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """NumPy's histogramdd for an (N, D) sample or a sequence of D coordinate arrays:
    (counts of shape of the bins, list of D edge arrays)."""
    sample = _sample(sample)
    if sample.dtype.kind == "c":
        raise TypeError("histogramdd of complex numbers is not supported")
    ndim = sample.shape[1]
    try:
        bins_per_axis = list(bins)  # one entry per axis (a count or edges)
    except TypeError:
        bins_per_axis = [bins] * ndim
    if len(bins_per_axis) != ndim:
        raise ValueError("The dimension of bins must be equal to the dimension of the sample x.")
    ranges = [None] * ndim if range is None else list(range)
    all_edges = [_edges(sample[:, d], axis_bins, axis_range, typed=False)[0]
                 for d, axis_bins, axis_range in zip(builtins.range(ndim), bins_per_axis,
                                                     ranges)]
    shape = tuple(len(edges) - 1 for edges in all_edges)
    if weights is not None:
        weights = ravel(_weights_like(weights, sample))
        if weights.shape != sample.shape[:1]:
            raise ValueError("The weights and list don't have the same length.")
        if weights.dtype.kind == "c":
            raise TypeError(f"Cannot cast array data from {weights.dtype!r} to "
                            f"{numpy.dtype(numpy.float64)!r} according to the rule 'safe'")
    # NumPy searches every axis's edges (searchsorted), whether evenly spaced or not
    hist = _count(sample, ["edges"] * ndim, shape, numpy.concatenate(all_edges), weights)
    hist = reshape(hist.astype(numpy.float64, copy=False), shape)  # NumPy counts in float
    if density:
        widths = numpy.ones(shape)
        for axis, edges in enumerate(all_edges):
            step = numpy.diff(edges).reshape([-1 if i == axis else 1
                                              for i in builtins.range(ndim)])
            widths = widths * step
        hist = _density(hist, widths, sample)
    return hist, [_creation.asarray(edges, stream=sample._op_stream) for edges in all_edges]


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """NumPy's histogram2d: (counts, x edges, y edges)."""
    if not isinstance(bins, (int, numpy.integer)) and len(bins) not in (1, 2):
        bins = [bins, bins]  # one edge array for both axes
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


def digitize(x, bins, right=False):
    """The index of the bin each value falls in (NumPy's digitize): for increasing bins
    bins[i-1] <= x < bins[i] (right: bins[i-1] < x <= bins[i]), for decreasing ones the
    mirror; NaN goes past the last bin as in NumPy."""
    x = device_array(x)
    edges = _host(bins)
    if edges.ndim != 1:
        raise ValueError("bins must be one-dimensional")
    steps = numpy.diff(edges)
    increasing = bool((steps >= 0).all())
    if not increasing and not (steps <= 0).all():
        raise ValueError("bins must be monotonically increasing or decreasing")
    if x.dtype.kind == "c":
        raise TypeError("x may not be complex")
    if increasing:
        result = _count_at_or_below(x, edges, strictly=right)
        nan_position = len(edges)
    else:  # bins[i-1] > x >= bins[i]: i edges above x (at or above it with right)
        result = _math.subtract(len(edges), _count_at_or_below(x, edges, strictly=right))
        nan_position = 0
    if x.dtype.kind in "fc":
        result = _elementwise(_core.OP_WHERE, _math.isnan(x), nan_position, result)
    return result
