"""NaN-ignoring reductions, averages, correlation and histograms against NumPy: values,
dtypes, axes, keepdims, all-NaN slices, empty inputs, non-contiguous inputs, the errors
NumPy raises; through pymic2 and through NumPy's functions (__array_function__)."""

import warnings

import numpy
import pytest
from conftest import assert_same
from hypothesis import given, settings
from hypothesis import strategies as st

import pymic2


def with_nans(shape, dtype=numpy.float64, strided=False, seed=0):
    rng = numpy.random.default_rng(seed)
    host = rng.standard_normal((shape[0] * (2 if strided else 1),) + shape[1:]).astype(dtype)
    host.reshape(-1)[::5] = numpy.nan
    if strided:
        host = host[::2]
    device = pymic2.asarray(numpy.ascontiguousarray(host))
    return (device if not strided else pymic2.asarray(host)), host


def quiet(function, *args, **kwargs):
    """NumPy's result without its RuntimeWarnings (All-NaN slice, Mean of empty slice)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args, **kwargs)


NAN_REDUCTIONS = ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd"]


@pytest.mark.parametrize("name", NAN_REDUCTIONS)
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_nan_reductions(name, dtype):
    d, h = with_nans((4, 5), dtype)
    ours, theirs = getattr(pymic2, name), getattr(numpy, name)
    for axis in (None, 0, 1, -1, (0, 1)):
        for keepdims in (False, True):
            assert_same(ours(d, axis=axis, keepdims=keepdims),
                        quiet(theirs, h, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("name", NAN_REDUCTIONS + ["nancumsum", "nancumprod"])
def test_nan_functions_of_integers_are_the_plain_ones(name):
    h = numpy.arange(12, dtype=numpy.int32).reshape(3, 4) - 5
    d = pymic2.asarray(h)
    assert_same(getattr(pymic2, name)(d, axis=1), getattr(numpy, name)(h, axis=1))


def test_all_nan_slices():
    h = numpy.array([[numpy.nan, numpy.nan], [1.0, numpy.nan]])
    d = pymic2.asarray(h)
    for name in ("nanmax", "nanmin", "nanmean", "nanvar", "nansum", "nanprod"):
        assert_same(getattr(pymic2, name)(d, axis=1), quiet(getattr(numpy, name), h, axis=1))
    assert_same(pymic2.nanvar(d, axis=1, ddof=1), quiet(numpy.nanvar, h, axis=1, ddof=1))
    with pytest.raises(ValueError, match="All-NaN slice"):
        pymic2.nanargmax(d, axis=1)
    assert_same(pymic2.nanargmax(d), numpy.nanargmax(h))
    assert_same(pymic2.nanargmin(d[1]), numpy.nanargmin(h[1]))
    assert_same(pymic2.nanmax(d, initial=5.0), numpy.nanmax(h, initial=5.0))


def test_nan_cumulative_and_arg():
    d, h = with_nans((3, 6), strided=True)
    for axis in (None, 0, 1):
        assert_same(pymic2.nancumsum(d, axis), numpy.nancumsum(h, axis))
        assert_same(pymic2.nancumprod(d, axis), numpy.nancumprod(h, axis))
    assert_same(pymic2.nanargmax(d, axis=1), numpy.nanargmax(h, axis=1))
    assert_same(pymic2.nanargmin(d, axis=0, keepdims=True),
                numpy.nanargmin(h, axis=0, keepdims=True))


def test_average():
    rng = numpy.random.default_rng(1)
    h = rng.standard_normal((3, 4))
    w = rng.random((3, 4))
    d, dw = pymic2.asarray(h), pymic2.asarray(w)
    assert_same(pymic2.average(d), numpy.average(h))
    assert_same(pymic2.average(d, axis=0, weights=dw), numpy.average(h, axis=0, weights=w))
    assert_same(pymic2.average(d, axis=1, weights=[1, 2, 3, 4]),
                numpy.average(h, axis=1, weights=[1, 2, 3, 4]))
    avg, scale = pymic2.average(d, axis=1, weights=dw, returned=True, keepdims=True)
    expected = numpy.average(h, axis=1, weights=w, returned=True, keepdims=True)
    assert_same(avg, expected[0])
    assert_same(scale, expected[1])
    i = pymic2.asarray(numpy.arange(6, dtype=numpy.int8))
    assert_same(pymic2.average(i, weights=numpy.arange(6)), numpy.average(numpy.arange(6, dtype=numpy.int8), weights=numpy.arange(6)))
    with pytest.raises(ZeroDivisionError, match="sum to zero"):
        pymic2.average(d, axis=0, weights=[0, 0, 0])
    with pytest.raises(TypeError, match="Axis must be specified"):
        pymic2.average(d, weights=[1, 2, 3])
    with pytest.raises(ValueError, match="Length of weights"):
        pymic2.average(d, axis=0, weights=[1, 2])


def test_cov_corrcoef():
    rng = numpy.random.default_rng(2)
    h = rng.standard_normal((3, 7))
    y = rng.standard_normal(7)
    d = pymic2.asarray(h)
    for kw in [{}, {"bias": True}, {"ddof": 2}, {"rowvar": False}]:
        assert_same(pymic2.cov(d, **kw), numpy.cov(h, **kw))
    assert_same(pymic2.cov(d, pymic2.asarray(y)), numpy.cov(h, y))
    assert_same(pymic2.cov(d[0]), numpy.cov(h[0]))
    assert_same(pymic2.cov(pymic2.asarray([1, 2, 4], dtype=numpy.int32)), numpy.cov([1, 2, 4]))
    assert_same(pymic2.cov(d, dtype=numpy.float32), numpy.cov(h, dtype=numpy.float32))
    assert_same(pymic2.corrcoef(d), numpy.corrcoef(h))
    assert_same(pymic2.corrcoef(d, rowvar=False), numpy.corrcoef(h, rowvar=False))
    assert_same(pymic2.corrcoef(d[0], pymic2.asarray(y)), numpy.corrcoef(h[0], y))
    with pytest.raises(TypeError, match="aweights"):
        pymic2.cov(d, aweights=numpy.ones(7))


def test_bincount():
    h = numpy.array([0, 3, 3, 1, 7, 3], numpy.int32)
    d = pymic2.asarray(h)
    assert_same(pymic2.bincount(d), numpy.bincount(h))
    assert_same(pymic2.bincount(d, minlength=12), numpy.bincount(h, minlength=12))
    w = numpy.linspace(0, 1, 6)
    assert_same(pymic2.bincount(d, weights=pymic2.asarray(w)), numpy.bincount(h, weights=w))
    assert_same(pymic2.bincount(d[::2]), numpy.bincount(h[::2]))
    assert_same(pymic2.bincount(pymic2.asarray(numpy.array([], numpy.int64)), minlength=3),
                numpy.bincount(numpy.array([], numpy.int64), minlength=3))
    assert_same(pymic2.bincount(pymic2.asarray(numpy.array([True, False, True]))),
                numpy.bincount(numpy.array([True, False, True])))
    with pytest.raises(ValueError, match="negative"):
        pymic2.bincount(pymic2.asarray([1, -1]))
    with pytest.raises(TypeError, match="safe"):
        pymic2.bincount(pymic2.asarray([1.0, 2.0]))
    with pytest.raises(ValueError, match="too deep"):
        pymic2.bincount(pymic2.asarray([[1, 2]]))
    with pytest.raises(ValueError, match="minlength"):
        pymic2.bincount(d, minlength=-1)


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.int16, numpy.uint8])
def test_histogram_even_bins(dtype):
    rng = numpy.random.default_rng(3)
    h = (rng.standard_normal(500) * 20).astype(dtype)
    d = pymic2.asarray(h)
    for bins, value_range in [(10, None), (7, (-10, 30)), (1, None), (33, (0, 1))]:
        counts, edges = pymic2.histogram(d, bins, value_range)
        expected_counts, expected_edges = numpy.histogram(h, bins, value_range)
        assert_same(counts, expected_counts)
        assert_same(edges, expected_edges)
    counts, _ = pymic2.histogram(d, 5, density=True)
    assert_same(counts, numpy.histogram(h, 5, density=True)[0])
    w = rng.random(500)
    assert_same(pymic2.histogram(d, 6, weights=pymic2.asarray(w))[0],
                numpy.histogram(h, 6, weights=w)[0])


def test_histogram_edges_and_errors():
    h = numpy.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.0, 3.5, -1.0, numpy.inf])
    d = pymic2.asarray(h)
    edges = [0.0, 1.0, 1.5, 2.0]
    assert_same(pymic2.histogram(d, edges)[0], numpy.histogram(h, edges)[0])
    assert_same(pymic2.histogram(d, pymic2.asarray(edges), density=True)[0],
                numpy.histogram(h, edges, density=True)[0])
    assert_same(pymic2.histogram_bin_edges(d, 4, (0, 2)), numpy.histogram_bin_edges(h, 4, (0, 2)))
    assert_same(pymic2.histogram(pymic2.asarray([2.0, 2.0]), 3)[0],
                numpy.histogram([2.0, 2.0], 3)[0])
    assert_same(pymic2.histogram(pymic2.zeros(0), 3)[0], numpy.histogram(numpy.zeros(0), 3)[0])
    with pytest.raises(ValueError, match="not finite"):
        pymic2.histogram(d)
    with pytest.raises(ValueError, match="max must be larger"):
        pymic2.histogram(d, 3, (2, 1))
    with pytest.raises(ValueError, match="monotonically"):
        pymic2.histogram(d, [0, 2, 1])
    with pytest.raises(TypeError, match="'auto'"):
        pymic2.histogram(d, "auto", (0, 1))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-100, 100, allow_nan=False, width=32), min_size=1, max_size=40),
       st.integers(1, 12))
def test_histogram_hypothesis(values, bins):
    h = numpy.array(values, numpy.float32)
    counts, edges = pymic2.histogram(pymic2.asarray(h), bins)
    expected_counts, expected_edges = numpy.histogram(h, bins)
    assert_same(counts, expected_counts)
    assert_same(edges, expected_edges)


def test_histogram2d_and_dd():
    rng = numpy.random.default_rng(4)
    x, y = rng.random(200), rng.random(200) * 3
    dx, dy = pymic2.asarray(x), pymic2.asarray(y)
    for bins in (4, (3, 5), [[0, 0.5, 1], [0, 1, 2, 3]]):
        ours = pymic2.histogram2d(dx, dy, bins)
        theirs = numpy.histogram2d(x, y, bins)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    assert_same(pymic2.histogram2d(dx, dy, 3, density=True)[0],
                numpy.histogram2d(x, y, 3, density=True)[0])
    sample = numpy.stack([x, y, x + y], axis=1)
    hist, edges = pymic2.histogramdd(pymic2.asarray(sample), (2, 3, 4))
    expected, expected_edges = numpy.histogramdd(sample, (2, 3, 4))
    assert_same(hist, expected)
    for a, b in zip(edges, expected_edges):
        assert_same(a, b)


def test_digitize():
    h = numpy.array([-1.0, 0.0, 0.5, 1.0, 2.5, 10.0, numpy.nan])
    d = pymic2.asarray(h)
    for bins in ([0.0, 1.0, 2.5], [2.5, 1.0, 0.0], [1.0, 1.0, 3.0]):
        for right in (False, True):
            assert_same(pymic2.digitize(d, bins, right), numpy.digitize(h, bins, right))
    i = numpy.array([1, 5, 9], numpy.int32)
    assert_same(pymic2.digitize(pymic2.asarray(i), [2, 6]), numpy.digitize(i, [2, 6]))
    with pytest.raises(ValueError, match="monotonically"):
        pymic2.digitize(d, [0.0, 2.0, 1.0])


def test_numpy_functions_dispatch_to_the_device():
    d, h = with_nans((3, 4))
    i = numpy.array([1, 1, 2], numpy.int64)
    for result, expected in [(numpy.nansum(d, 0), numpy.nansum(h, 0)),
                             (numpy.nanmean(d), numpy.nanmean(h)),
                             (numpy.bincount(pymic2.asarray(i)), numpy.bincount(i)),
                             (numpy.average(pymic2.asarray(h[0])), numpy.average(h[0]))]:
        assert isinstance(result, pymic2.ndarray)
        assert_same(result, expected)
    counts, edges = numpy.histogram(pymic2.asarray(numpy.arange(10.0)), 3)
    assert isinstance(counts, pymic2.ndarray)
    assert_same(counts, numpy.histogram(numpy.arange(10.0), 3)[0])


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.complex128,
                                   numpy.int16])
def test_nan_to_num(dtype):
    values = [numpy.nan, numpy.inf, -numpy.inf, 1.5, -0.0]
    h = numpy.array(values + [complex(numpy.nan, numpy.inf)] if dtype == numpy.complex128
                    else values if numpy.dtype(dtype).kind == "f" else [1, 2, 3], dtype)
    d = pymic2.asarray(h)
    assert_same(pymic2.nan_to_num(d), numpy.nan_to_num(h))
    assert_same(pymic2.nan_to_num(d, nan=-1.0, posinf=9.0, neginf=-9.0),
                numpy.nan_to_num(h, nan=-1.0, posinf=9.0, neginf=-9.0))
    in_place = pymic2.asarray(h)
    assert pymic2.nan_to_num(in_place, copy=False) is in_place
    assert_same(in_place, numpy.nan_to_num(h))
    assert_same(d, h)  # copy=True left the input alone
