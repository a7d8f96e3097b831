"""unique (every output, axis=, equal_nan), the array API's unique_* functions, the set
routines (isin, intersect1d, union1d, setdiff1d, setxor1d), lexsort, sort_complex and the
NaN-ignoring order statistics, against NumPy on the suite's device."""

import numpy
import pytest

import pymic2
from test_sorting import RNG, TABLE_DTYPES, sample, same


def both(x):
    return x, pymic2.asarray(x)


@pytest.mark.parametrize("dtype", TABLE_DTYPES)
@pytest.mark.parametrize("equal_nan", [True, False])
def test_unique_every_dtype_and_output(dtype, equal_nan):
    x, d = both(sample((7, 9), dtype))
    flags = dict(return_index=True, return_inverse=True, return_counts=True,
                 equal_nan=equal_nan)
    for g, w in zip(pymic2.unique(d, **flags), numpy.unique(x, **flags)):
        same(g, w)
    same(pymic2.unique(d, equal_nan=equal_nan), numpy.unique(x, equal_nan=equal_nan))
    same(pymic2.unique(d[::2, ::3]), numpy.unique(x[::2, ::3]))


@pytest.mark.parametrize("shape,axis", [((6, 3), 0), ((4, 5), 1), ((3, 4, 2), -1),
                                        ((0, 3), 0), ((5, 0), 0)])
def test_unique_along_an_axis(shape, axis):
    x = RNG.integers(0, 2, shape).astype(numpy.float32)
    if x.size:
        x[0] = x[-1]  # a repeated slice
    d = pymic2.asarray(x)
    flags = dict(return_index=True, return_inverse=True, return_counts=True, axis=axis)
    for g, w in zip(numpy.unique(d, **flags), numpy.unique(x, **flags)):
        same(g, w)
    with pytest.raises(numpy.exceptions.AxisError):
        pymic2.unique(d, axis=3)


def test_array_api_unique_functions():
    x, d = both(numpy.array([[1.0, numpy.nan, 2.0], [numpy.nan, 1.0, -0.0], [0.0, 3, 2]]))
    for name in ("unique_all", "unique_counts", "unique_inverse"):
        got, want = getattr(numpy, name)(d), getattr(numpy, name)(x)
        assert type(got).__name__ == type(want).__name__ and got._fields == want._fields
        for g, w in zip(got, want):
            same(g, w)
    same(numpy.unique_values(d), numpy.sort(numpy.unique_values(x)))


@pytest.mark.parametrize("dtype", ["int8", "uint32", "float64", "complex64", "bool"])
def test_set_routines(dtype):
    a, da = both(sample((23,), dtype))
    b, db = both(sample((4, 5), dtype))
    for name in ("union1d", "setdiff1d", "setxor1d", "intersect1d"):
        same(getattr(numpy, name)(da, db), getattr(numpy, name)(a, b))
    got = numpy.intersect1d(da, db, return_indices=True)
    for g, w in zip(got, numpy.intersect1d(a, b, return_indices=True)):
        same(g, w)
    ua, ub = numpy.unique(a), numpy.unique(b)
    for g, w in zip(pymic2.intersect1d(pymic2.asarray(ua), pymic2.asarray(ub),
                                       assume_unique=True, return_indices=True),
                    numpy.intersect1d(ua, ub, assume_unique=True, return_indices=True)):
        same(g, w)
    same(pymic2.setdiff1d(pymic2.asarray(ua), pymic2.asarray(ub), assume_unique=True),
         numpy.setdiff1d(ua, ub, assume_unique=True))
    same(pymic2.setxor1d(pymic2.asarray(ua), pymic2.asarray(ub), assume_unique=True),
         numpy.setxor1d(ua, ub, assume_unique=True))
    same(numpy.isin(db, da[::2]), numpy.isin(b, a[::2]))
    same(numpy.union1d(da[:0], db[:0]), numpy.union1d(a[:0], b[:0]))
    same(numpy.setxor1d(da[:0], db[:0]), numpy.setxor1d(a[:0], b[:0]))


def test_set_routines_mix_dtypes_as_numpy():
    a, da = both(numpy.array([3, 1, 2, 3], numpy.int16))
    b, db = both(numpy.array([2.5, 3.0, 7.0]))
    for name in ("union1d", "setdiff1d", "setxor1d", "intersect1d"):
        same(getattr(numpy, name)(da, db), getattr(numpy, name)(a, b))


@pytest.mark.parametrize("axis", [-1, 0])
def test_lexsort(axis):
    k1 = RNG.integers(0, 3, (6, 8))
    k2 = sample((6, 8), "float64")
    k3 = RNG.random((6, 8)) > 0.5
    keys = [pymic2.asarray(k) for k in (k1, k2, k3)]
    same(numpy.lexsort(tuple(keys), axis=axis), numpy.lexsort((k1, k2, k3), axis=axis))
    stacked = numpy.stack([k1, k1 * 2]).astype(numpy.int32)
    same(pymic2.lexsort(pymic2.asarray(stacked), axis=axis),
         numpy.lexsort(stacked, axis=axis))
    same(pymic2.lexsort([keys[0][:, ::2]]), numpy.lexsort([k1[:, ::2]]))


def test_lexsort_errors():
    with pytest.raises(TypeError):
        pymic2.lexsort([])
    with pytest.raises(ValueError):
        pymic2.lexsort([pymic2.zeros(3), pymic2.zeros(4)])


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int64", "float32", "bool",
                                   "complex128"])
def test_sort_complex(dtype):
    x, d = both(sample((3, 7), dtype))
    same(numpy.sort_complex(d), numpy.sort_complex(x))


def test_complex_nan_order():
    """NumPy's complex order: R + Rj, R + nanj, nan + Rj, nan + nanj."""
    nan = numpy.nan
    x = numpy.array([complex(1, nan), 2 + 0j, complex(nan, 1), complex(0.5, nan),
                     complex(nan, nan), 3 + 1j, complex(nan, 0.5), -1j, complex(0.5, -1)] * 3)
    for dtype in ("complex64", "complex128"):
        y, d = both(x.astype(dtype))
        same(pymic2.argsort(d), numpy.argsort(y, kind="stable"))
        same(pymic2.searchsorted(pymic2.sort(d), d), numpy.searchsorted(numpy.sort(y), y))


def test_sort_kind_and_stable():
    x, d = both(sample((40,), "int16"))
    for kind in ("quicksort", "mergesort", "heapsort", "stable"):
        same(pymic2.argsort(d, kind=kind), numpy.argsort(x, kind="stable"))
    same(pymic2.sort(d, stable=True), numpy.sort(x, stable=True))
    with pytest.raises(ValueError):
        pymic2.sort(d, kind="bogus")
    with pytest.raises(ValueError):
        pymic2.argsort(d, kind="stable", stable=True)


def test_searchsorted_sorter_errors():
    d = pymic2.asarray(numpy.arange(5.0))
    with pytest.raises(ValueError):
        pymic2.searchsorted(d, 1.0, sorter=pymic2.asarray(numpy.arange(4)))
    with pytest.raises(TypeError):
        pymic2.searchsorted(d, 1.0, sorter=pymic2.asarray(numpy.arange(5.0)))


@pytest.mark.parametrize("kth", [0, 3, -1, [1, 4], (0, 2, 6)])
def test_partition_and_argpartition(kth):
    x, d = both(sample((7, 7), "float64"))
    want = numpy.partition(x, kth, axis=1)
    got = numpy.partition(d, kth, axis=1).get()
    k = numpy.atleast_1d(kth) % 7
    numpy.testing.assert_array_equal(got[:, k], want[:, k])
    for row in got:  # nothing before the k-th element is above it, nothing after below
        for j in k:
            assert not numpy.any(row[:j] > row[j]) and not numpy.any(row[j + 1:] < row[j])
    order = numpy.argpartition(d, kth, axis=0).get()
    numpy.testing.assert_array_equal(numpy.take_along_axis(x, order, 0)[k],
                                     numpy.partition(x, kth, axis=0)[k])
    flat = pymic2.partition(d, kth, axis=None).get()
    k = numpy.atleast_1d(kth) % 49
    numpy.testing.assert_array_equal(flat[k], numpy.partition(x, kth, axis=None)[k])
    with pytest.raises(ValueError):
        pymic2.argpartition(d, 7)
    with pytest.raises(TypeError):
        pymic2.partition(d, 1.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's all-NaN slice warnings
@pytest.mark.parametrize("method", ["inverted_cdf", "averaged_inverted_cdf",
                                    "closest_observation", "interpolated_inverted_cdf",
                                    "hazen", "weibull", "linear", "median_unbiased",
                                    "normal_unbiased", "lower", "higher", "midpoint",
                                    "nearest"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int16"])
def test_nanquantile_and_nanpercentile(method, dtype):
    x = RNG.integers(-20, 20, (5, 8)).astype(dtype)
    if x.dtype.kind == "f":
        x[1, [0, 3, 5]] = numpy.nan
        x[3] = numpy.nan  # all NaN: NaN
    d = pymic2.asarray(x)
    for axis in (None, 0, 1):
        for q in (0.4, [0.0, 0.2, 0.5, 0.625, 1.0]):
            got = numpy.nanquantile(d, q, axis=axis, method=method).get()
            want = numpy.nanquantile(x, q, axis=axis, method=method)
            assert got.dtype == want.dtype and got.shape == want.shape
            numpy.testing.assert_allclose(got, want, rtol=1e-6)
    got = numpy.nanpercentile(d, [25, 75], axis=1, method=method, keepdims=True).get()
    want = numpy.nanpercentile(x, [25, 75], axis=1, method=method, keepdims=True)
    assert got.shape == want.shape
    numpy.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float64", "float16", "int32"])
def test_median_and_nanmedian(dtype):
    x = RNG.standard_normal((4, 6)) * 50
    x = x.astype(dtype)
    if x.dtype.kind == "f":
        x[1, 2] = numpy.nan
        x[2] = numpy.nan
    d = pymic2.asarray(x)
    for axis in (None, 0, 1, -1):
        same(numpy.median(d, axis=axis), numpy.median(x, axis=axis))
        same(numpy.nanmedian(d, axis=axis), numpy.nanmedian(x, axis=axis))
    same(numpy.nanmedian(d, axis=1, keepdims=True), numpy.nanmedian(x, axis=1, keepdims=True))
    same(numpy.median(d[:, :0], axis=1), numpy.median(x[:, :0], axis=1))
