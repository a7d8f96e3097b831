"""Sorting and searching (the SORT family) and what _sorting builds on them, against NumPy,
on the suite's device: every dtype of the table, NaN/-0.0/inf order, stability, axes,
non-contiguous views, searchsorted's sides and sorter, unique, isin, quantiles, errors."""

import numpy
import pytest

import pymic2
from pymic2 import _core

#: Every dtype of the core's table (so a new row is tested without naming it here).
TABLE_DTYPES = sorted(_core.dtype_codes, key=lambda name: _core.dtype_codes[name])
RNG = numpy.random.default_rng(15)


def sample(shape, dtype, rng=RNG):
    """Values with duplicates, and NaN, -0.0, +-inf for inexact dtypes."""
    dtype = numpy.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) > 0.5
    raw = rng.integers(-6, 7, shape)
    if dtype.kind == "u":
        raw = numpy.abs(raw)
    x = raw.astype(dtype)
    if dtype.kind in "fc":
        x = x / 2
        special = numpy.array([numpy.nan, -0.0, 0.0, numpy.inf, -numpy.inf], dtype=dtype)
        flat = x.reshape(-1)
        for i in range(min(flat.size // 3, 10)):
            flat[rng.integers(flat.size)] = special[i % special.size]
        if dtype.kind == "c":
            imag = rng.integers(-2, 3, shape).astype(dtype.type(0).real.dtype)
            imag.reshape(-1)[:min(imag.size // 4, 3)] = numpy.nan
            x = x + 1j * imag
    return x.astype(dtype)


def same(got, want):
    got = got.get() if isinstance(got, _core.ndarray) else got
    assert got.dtype == want.dtype and got.shape == want.shape
    numpy.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", TABLE_DTYPES)
@pytest.mark.parametrize("shape,axis", [((0,), -1), ((1,), 0), ((37,), -1), ((5, 0), 0),
                                        ((4, 33), -1), ((6, 5, 7), 1), ((3, 40), 0),
                                        ((2, 3), None)])
def test_sort_and_argsort_match_numpy(dtype, shape, axis):
    x = sample(shape, dtype)
    d = pymic2.asarray(x)
    same(pymic2.sort(d, axis=axis), numpy.sort(x, axis=axis, kind="stable"))
    same(numpy.argsort(d, axis=axis), numpy.argsort(x, axis=axis, kind="stable"))


@pytest.mark.parametrize("dtype", ["float64", "int64", "complex64", "uint16"])
def test_long_row_is_stable(dtype):
    """A row long enough for the team's parallel sort, many duplicates (stability)."""
    x = sample((200_003,), dtype)
    d = pymic2.asarray(x)
    same(pymic2.argsort(d), numpy.argsort(x, kind="stable"))
    same(pymic2.sort(d), numpy.sort(x, kind="stable"))


@pytest.mark.parametrize("dtype", ["float64", "int64", "float32", "complex128"])
def test_long_row_of_spread_values(dtype):
    """Keys that vary in every digit: the host's MSD split into many buckets and its
    recursion, OpenCL's radix sort over every digit; duplicates for stability."""
    x = RNG.integers(-2**62, 2**62, 150_001).astype(dtype)
    if x.dtype.kind in "fc":
        x = RNG.standard_normal(x.size).astype(dtype) * 1e3
        x[1::2] = x[::2][:x[1::2].size]  # duplicates
        x[::997] = numpy.nan
    if x.dtype.kind == "c":
        x.imag = RNG.integers(-3, 3, x.size)
    d = pymic2.asarray(x)
    same(pymic2.argsort(d), numpy.argsort(x, kind="stable"))
    same(pymic2.sort(d), numpy.sort(x, kind="stable"))
    same(pymic2.unique(d), numpy.unique(x))


def test_negative_zero_keeps_its_place_and_bits():
    x = numpy.array([0.0, -0.0, 1.0, -0.0, 0.0, numpy.nan, -1.0])
    got = pymic2.sort(pymic2.asarray(x)).get()
    want = numpy.sort(x, kind="stable")
    numpy.testing.assert_array_equal(numpy.signbit(got), numpy.signbit(want))
    same(pymic2.argsort(pymic2.asarray(x)), numpy.argsort(x, kind="stable"))


def test_non_contiguous_views_and_in_place_method():
    x = sample((8, 30), "float32")
    d = pymic2.asarray(x)
    view = d[::2, ::3]
    same(pymic2.sort(view, axis=0), numpy.sort(x[::2, ::3], axis=0, kind="stable"))
    same(pymic2.argsort(view.T), numpy.argsort(x[::2, ::3].T, kind="stable"))
    view.sort(axis=0)  # in place, through the view
    expected = x.copy()
    expected[::2, ::3].sort(axis=0, kind="stable")
    same(d, expected)


@pytest.mark.parametrize("dtype", ["int8", "uint64", "float32", "float64", "complex128"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_sides_and_sorter(dtype, side):
    a = sample((41,), dtype)
    v = sample((3, 7), dtype)
    order = numpy.argsort(a, kind="stable")
    da = pymic2.asarray(a)
    same(numpy.searchsorted(pymic2.asarray(numpy.sort(a)), pymic2.asarray(v), side=side),
         numpy.searchsorted(numpy.sort(a), v, side=side))
    same(pymic2.searchsorted(da, pymic2.asarray(v), side=side,
                             sorter=pymic2.asarray(order)),
         numpy.searchsorted(a, v, side=side, sorter=order))
    same(pymic2.searchsorted(pymic2.asarray(numpy.sort(a)), v.reshape(-1)[0], side=side),
         numpy.asarray(numpy.searchsorted(numpy.sort(a), v.reshape(-1)[0], side=side)))


def test_errors_as_numpy():
    d = pymic2.asarray(numpy.arange(6.0).reshape(2, 3))
    with pytest.raises(numpy.exceptions.AxisError):
        pymic2.sort(d, axis=2)
    with pytest.raises(numpy.exceptions.AxisError):
        pymic2.sort(pymic2.asarray(numpy.float64(1.0)))
    with pytest.raises(ValueError):
        pymic2.sort(d, order="x")
    with pytest.raises(ValueError):
        pymic2.searchsorted(d[0], 1.0, side="middle")
    with pytest.raises(ValueError):
        pymic2.searchsorted(d, 1.0)
    with pytest.raises(ValueError):
        pymic2.partition(d, 3)
    with pytest.raises(ValueError):
        pymic2.quantile(d, 1.5)
    with pytest.raises(ValueError):
        pymic2.percentile(d, -1)


@pytest.mark.parametrize("dtype", ["int16", "float64", "complex64", "bool"])
def test_unique_with_every_output(dtype):
    x = sample((5, 9), dtype)
    got = numpy.unique(pymic2.asarray(x), return_index=True, return_inverse=True,
                       return_counts=True)
    want = numpy.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        same(g, w)
    same(pymic2.unique(pymic2.asarray(x[:0])), numpy.unique(x[:0]))


def test_partition_isin():
    x = sample((6, 11), "float64")
    d = pymic2.asarray(x)
    p = numpy.partition(d, 4, axis=1).get()
    numpy.testing.assert_array_equal(p[:, 4], numpy.partition(x, 4, axis=1)[:, 4])
    ap = numpy.argpartition(d, [1, 3]).get()
    numpy.testing.assert_array_equal(numpy.take_along_axis(x, ap, -1)[:, [1, 3]],
                                     numpy.partition(x, [1, 3])[:, [1, 3]])
    tests = numpy.array([0.5, -0.0, numpy.nan, 3.0])
    for invert in (False, True):
        same(numpy.isin(d, pymic2.asarray(tests), invert=invert),
             numpy.isin(x, tests, invert=invert))


#: NumPy's 13 quantile methods
METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
           "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
           "normal_unbiased", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", ["int32", "float64", "float32"])
def test_quantiles_match_numpy(method, dtype):
    x = RNG.integers(-50, 50, (7, 10)).astype(dtype)
    d = pymic2.asarray(x)
    for axis in (None, 0, 1):
        # q at the ends, on the elements of n = 7, 10 and 70 (the ties of the discontinuous
        # methods) and between them
        for q in (0.3, [0.0, 0.05, 0.1, 0.25, 0.5, 1 / 3, 0.7, 0.95, 1.0]):
            got = numpy.quantile(d, q, axis=axis, method=method).get()
            want = numpy.quantile(x, q, axis=axis, method=method)
            assert got.dtype == want.dtype and got.shape == want.shape
            numpy.testing.assert_allclose(got, want, rtol=1e-6 if dtype == "float32" else 1e-12)
    numpy.testing.assert_allclose(
        numpy.percentile(d, [10, 90], axis=1, method=method, keepdims=True).get(),
        numpy.percentile(x, [10, 90], axis=1, method=method, keepdims=True), rtol=1e-12)


def test_quantile_method_errors_and_nan_rows():
    x = RNG.standard_normal((3, 8))
    x[1, 2] = numpy.nan
    d = pymic2.asarray(x)
    inf = numpy.array([[1.0, numpy.inf, numpy.inf], [numpy.inf, numpy.inf, numpy.inf]])
    with numpy.errstate(invalid="ignore"):  # NumPy's lerp between two infinities is NaN
        same(pymic2.quantile(pymic2.asarray(inf), [0.0, 0.5, 0.9], axis=1),
             numpy.quantile(inf, [0.0, 0.5, 0.9], axis=1))
    for method in ("hazen", "inverted_cdf", "closest_observation"):
        same(numpy.quantile(d, [0.2, 0.9], axis=1, method=method),
             numpy.quantile(x, [0.2, 0.9], axis=1, method=method))
    with pytest.raises(ValueError, match="not a valid method"):
        pymic2.quantile(d, 0.5, method="cubic")
    with pytest.raises(ValueError, match="Only method 'inverted_cdf' supports weights"):
        pymic2.quantile(d, 0.5, axis=1, weights=numpy.ones(8), method="linear")
    with pytest.raises(TypeError, match="Axis must be specified"):
        pymic2.quantile(d, 0.5, weights=numpy.ones(8), method="inverted_cdf")
    with pytest.raises(ValueError, match="consistent with shape"):
        pymic2.quantile(d, 0.5, axis=1, weights=numpy.ones(3), method="inverted_cdf")
    with pytest.raises(ValueError, match="non-negative"):
        pymic2.quantile(d, 0.5, axis=1, weights=-numpy.ones(8), method="inverted_cdf")
    with pytest.raises(ValueError, match="were all zero"):
        pymic2.quantile(d, 0.5, axis=1, weights=numpy.zeros(8), method="inverted_cdf")


@pytest.mark.parametrize("dtype", ["int64", "float64", "float32"])
def test_weighted_quantiles_match_numpy(dtype):
    x = RNG.integers(-20, 20, (5, 12)).astype(dtype)
    w = RNG.integers(0, 4, (5, 12)).astype(float)
    w[:4, 0] = 0  # leading zero weights: q = 0 picks the first element that weighs
    w[4, 0] = 1
    d, dw = pymic2.asarray(x), pymic2.asarray(w)
    q = [0.0, 0.1, 0.25, 0.5, 0.8, 1.0]
    for axis, weights in ((None, w), (1, w), (0, w), (1, w[0]), (0, w[:, 0] + 1)):
        got = pymic2.quantile(d, q, axis=axis, method="inverted_cdf",
                              weights=pymic2.asarray(weights) if axis == 1 else weights)
        want = numpy.quantile(x, q, axis=axis, method="inverted_cdf", weights=weights)
        same(got, want)
    same(pymic2.percentile(d, 40, axis=1, method="inverted_cdf", weights=w, keepdims=True),
         numpy.percentile(x, 40, axis=1, method="inverted_cdf", weights=w, keepdims=True))
    if dtype != "int64":
        y = x.copy()
        y[2, 3] = y[4, :4] = numpy.nan
        same(pymic2.nanquantile(pymic2.asarray(y), q, axis=1, method="inverted_cdf",
                                weights=w),
             numpy.nanquantile(y, q, axis=1, method="inverted_cdf", weights=w))
        same(pymic2.quantile(pymic2.asarray(y), q, axis=1, method="inverted_cdf", weights=w),
             numpy.quantile(y, q, axis=1, method="inverted_cdf", weights=w))


def test_median_with_nan():
    x = RNG.standard_normal((4, 9))
    x[1, 3] = numpy.nan
    same(numpy.median(pymic2.asarray(x), axis=1), numpy.median(x, axis=1))
    numpy.testing.assert_allclose(numpy.median(pymic2.asarray(x[[0, 2]])).get(),
                                  numpy.median(x[[0, 2]]), rtol=1e-15)


def test_argsort_only_reads_its_input():
    x = sample((5, 31), "float64")
    d = pymic2.asarray(x)
    same(pymic2.argsort(d, axis=0), numpy.argsort(x, axis=0, kind="stable"))
    same(d, x)  # not sorted in place
    row = pymic2.broadcast_to(d[:1], (3, 31))  # stride 0: readable, not writable
    same(pymic2.argsort(row), numpy.argsort(numpy.broadcast_to(x[:1], (3, 31)), kind="stable"))


def test_read_only_array_is_refused():
    d = pymic2.asarray(numpy.arange(4.0))
    view = pymic2.broadcast_to(d[:1], (4,))
    with pytest.raises(ValueError):
        view.sort()
