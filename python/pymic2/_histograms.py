"""Histograms (NumPy's bincount, histogram, histogram_bin_edges, histogram2d, histogramdd,
digitize) on the device.

Counting is a scatter-add of ones (or weights) into the bins (the INDEX family's
add_at). A bin position is computed on the device: for evenly spaced bins by NumPy's own
arithmetic (scale, truncate, then correct against the exact edges), for explicit edges by
counting the edges at or below each value (one compare and add per edge: what searchsorted
will do in one op once sorting lands). The host reads only what decides a result's shape or
an error: bincount's largest value, an automatic range's min and max.
"""

import builtins
import operator

import numpy

from . import _core, _creation, _indexing, _math, _reduction
from ._manipulation import ravel, reshape
from ._reduction import device_array

__all__ = ["bincount", "digitize", "histogram", "histogram2d", "histogram_bin_edges",
           "histogramdd"]

_elementwise = _core.elementwise
_INT64 = numpy.dtype(numpy.int64)


def _host(value):
    return value.get() if isinstance(value, _core.ndarray) else numpy.asarray(value)


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
    length = minlength
    if x.size:
        low, high = (int(v) for v in _creation.stack([_reduction.min(x).astype(_INT64),
                                                       _reduction.max(x).astype(_INT64)]).get())
        if low < 0:
            raise ValueError("'list' argument must have no negative elements")
        length = max(high + 1, minlength)
    return _count_positions(x, weights, length, x)


def _count_positions(positions, weights, length, like):
    """counts[p] = how many (or the summed weights of) positions equal p, for p < length."""
    if weights is None:
        counts = _creation.zeros(length, _INT64, stream=like._op_stream)
        values = 1
    else:
        weights = device_array(weights) if isinstance(weights, _core.ndarray) else \
            _creation.asarray(weights, stream=like._op_stream)
        if weights.shape != positions.shape:
            raise ValueError("The weights and list don't have the same length.")
        dtype = numpy.dtype(numpy.complex128 if weights.dtype.kind == "c" else numpy.float64)
        counts = _creation.zeros(length, dtype, stream=like._op_stream)
        values = weights.astype(dtype, copy=False)
    if positions.size:
        _indexing.add_at(counts, positions.astype(_INT64, copy=False), values)
    return counts


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


def _edges(a, bins, value_range):
    """(host bin edges, number of evenly spaced bins or None for explicit edges)."""
    if isinstance(bins, str):
        raise TypeError(f"histogram: the bin estimator {bins!r} is not implemented on the "
                        "device (it needs percentiles): pass a number of bins or the edges")
    if numpy.ndim(bins) == 0:
        count = operator.index(bins)
        if count < 1:
            raise ValueError("`bins` must be positive, when an integer")
        first, last = _range_of(a, value_range)
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


def _positions_even(a, edges, count):
    """NumPy's bin of each value for evenly spaced edges: scaled and truncated, then moved by
    one where the exact edges say so; values outside the edges get position count."""
    first, last = edges[0].item(), edges[-1].item()
    compute = a.astype(edges.dtype, copy=False)
    scaled = _math.multiply(_math.true_divide(_math.subtract(compute, first), last - first),
                            count)
    inside = _math.logical_and(_math.greater_equal(compute, first),
                               _math.less_equal(compute, last))
    positions = _elementwise(_core.OP_WHERE, inside, scaled, 0.0).astype(_INT64)
    positions = _math.minimum(positions, count - 1)
    device_edges = _creation.asarray(edges, stream=a._op_stream)
    below = _math.less(compute, _indexing.take(device_edges, positions))
    positions = _math.subtract(positions, below.astype(_INT64))
    above = _math.logical_and(
        _math.greater_equal(compute, _indexing.take(device_edges, _math.add(positions, 1))),
        _math.not_equal(positions, count - 1))
    positions = _math.add(positions, above.astype(_INT64))
    return _elementwise(_core.OP_WHERE, inside, positions, count)


def _positions_explicit(a, edges):
    """The bin of each value for explicit increasing edges (the last bin includes its right
    edge, as NumPy's); values outside get position len(edges) - 1."""
    nbins = len(edges) - 1
    positions = _math.subtract(_count_at_or_below(a, edges), 1)
    positions = _elementwise(_core.OP_WHERE, _elementwise(_core.OP_EQUAL, a, edges[-1].item()),
                             nbins - 1, positions)
    inside = _math.logical_and(_math.greater_equal(a, edges[0].item()),
                               _math.less_equal(a, edges[-1].item()))
    return _elementwise(_core.OP_WHERE, inside, positions, nbins)


def _positions(a, edges, count):
    if count is not None:
        return _positions_even(a, edges, count)
    return _positions_explicit(a, edges)


def _density(hist, widths_host, like):
    widths = _creation.asarray(widths_host.astype(numpy.float64), stream=like._op_stream)
    total = _reduction.sum(hist)
    return _math.true_divide(_math.true_divide(hist.astype(numpy.float64), widths), total)


def histogram(a, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """NumPy's histogram: (counts or summed weights per bin, bin edges), both on the device.
    Values outside the edges are not counted; the last bin includes its right edge."""
    a = ravel(device_array(a))
    if a.dtype.kind == "c":
        raise TypeError("histogram of complex numbers is not supported (NumPy's neither)")
    edges, count = _edges(a, bins, range)
    nbins = len(edges) - 1
    if weights is not None:
        weights = ravel(device_array(weights) if isinstance(weights, _core.ndarray) else
                        _creation.asarray(weights, stream=a._op_stream))
        if weights.shape != a.shape:
            raise ValueError("weights should have the same shape as a.")
    hist = _count_positions(_positions(a, edges, count), weights, nbins + 1, a)[:nbins]
    if density:
        hist = _density(hist, numpy.diff(edges), a)
    return hist, _creation.asarray(edges, stream=a._op_stream)


def histogramdd(sample, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """NumPy's histogramdd for an (N, D) sample or a sequence of D coordinate arrays:
    (counts of shape of the bins, list of D edge arrays)."""
    if isinstance(sample, (list, tuple)):
        coordinates = [ravel(device_array(s) if isinstance(s, _core.ndarray) else
                             _creation.asarray(s)) for s in sample]
    else:
        sample = device_array(sample)
        if sample.ndim != 2:
            sample = reshape(sample, (-1, 1)) if sample.ndim < 2 else sample
        coordinates = [sample[:, d] for d in builtins.range(sample.shape[1])]
    ndim = len(coordinates)
    try:
        bins_per_axis = list(bins)  # one entry per axis (a count or edges)
    except TypeError:
        bins_per_axis = [bins] * ndim
    if len(bins_per_axis) != ndim:
        raise ValueError("The dimension of bins must be equal to the dimension of the sample x.")
    ranges = [None] * ndim if range is None else list(range)
    like = coordinates[0]
    linear = _creation.zeros(like.shape, _INT64, stream=like._op_stream)
    outside = _creation.zeros(like.shape, numpy.bool_, stream=like._op_stream)
    all_edges, shape = [], []
    for coordinate, axis_bins, axis_range in zip(coordinates, bins_per_axis, ranges):
        edges, _ = _edges(coordinate, axis_bins, axis_range)
        nbins = len(edges) - 1
        positions = _positions_explicit(coordinate, edges)  # NumPy: searchsorted on each axis
        outside = _math.logical_or(outside, _math.equal(positions, nbins))
        linear = _math.add(_math.multiply(linear, nbins), positions)
        all_edges.append(_creation.asarray(edges, stream=like._op_stream))
        shape.append(nbins)
    size = int(numpy.prod(shape))
    linear = _elementwise(_core.OP_WHERE, outside, size, linear)
    if weights is not None:
        weights = ravel(device_array(weights) if isinstance(weights, _core.ndarray) else
                        _creation.asarray(weights, stream=like._op_stream))
    hist = reshape(_count_positions(linear, weights, size + 1, like)[:size], tuple(shape))
    hist = hist.astype(numpy.float64)  # NumPy's histogramdd counts in float
    if density:
        widths = numpy.ones(shape)
        for axis, edges in enumerate(all_edges):
            step = numpy.diff(edges.get()).reshape([-1 if i == axis else 1
                                                     for i in builtins.range(ndim)])
            widths = widths * step
        hist = _density(hist, widths, like)
    return hist, all_edges


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
