"""partition, argpartition and the quantiles that select (the SORT family's selection) on
the suite's device, against NumPy's contract: each kth element where a sort puts it, the
same elements before and after it as in the sorted array (not NumPy's own permutation),
argpartition's indices a permutation that gives such a partition."""

import numpy
import pytest

import pymic2

from test_sorting import RNG, TABLE_DTYPES, sample, same


def check_partition(got, x, kth, axis):
    """got (host) is x partitioned along axis at kth: the multisets before and after each
    kth position are the sorted array's (so NaN last, -0.0 equal to 0.0). NumPy's stable
    sort: its default sort of float16 (2.4.6, AVX-512) leaves some long rows unsorted."""
    if axis is None:
        x, axis = x.reshape(-1), -1
    assert got.shape == x.shape and got.dtype == x.dtype
    rows = numpy.moveaxis(got, axis, -1)
    want = numpy.sort(numpy.moveaxis(x, axis, -1), axis=-1, kind="stable")
    numpy.testing.assert_array_equal(numpy.sort(rows, axis=-1, kind="stable"), want)
    n = rows.shape[-1]
    for k in numpy.atleast_1d(kth) % max(n, 1) if n else []:
        numpy.testing.assert_array_equal(rows[..., k], want[..., k])
        numpy.testing.assert_array_equal(numpy.sort(rows[..., :k], axis=-1, kind="stable"),
                                         want[..., :k])
        numpy.testing.assert_array_equal(numpy.sort(rows[..., k + 1:], axis=-1, kind="stable"),
                                         want[..., k + 1:])


def check_argpartition(order, x, kth, axis):
    """order (host int64) indexes x into a partition at kth with every index once."""
    flat = x.reshape(-1) if axis is None else x
    axis = -1 if axis is None else axis
    assert order.dtype == numpy.int64 and order.shape == flat.shape
    n = flat.shape[axis] if flat.ndim else 1
    numpy.testing.assert_array_equal(
        numpy.sort(order, axis=axis),
        numpy.broadcast_to(numpy.expand_dims(numpy.arange(n), tuple(
            d for d in range(flat.ndim) if d != axis % flat.ndim)), flat.shape))
    check_partition(numpy.take_along_axis(flat, order, axis), flat, kth, axis)


CASES = [((0,), 0, -1), ((1,), 0, 0), ((37,), 5, -1), ((37,), [0, 3, 36, -1, -20, 3], -1),
         ((5, 0), 2, 0), ((6, 5, 7), 2, 1), ((40, 3), (-1, 0, 19), 0), ((2, 3), 4, None),
         ((4, 33), numpy.array([32, 1], numpy.int32), -1)]


@pytest.mark.parametrize("dtype", TABLE_DTYPES)
@pytest.mark.parametrize("shape,kth,axis", CASES)
def test_partition_and_argpartition_keep_the_contract(dtype, shape, kth, axis):
    x = sample(shape, dtype)
    d = pymic2.asarray(x)
    check_partition(pymic2.partition(d, kth, axis=axis).get(), x, kth, axis)
    check_argpartition(numpy.argpartition(d, kth, axis=axis).get(), x, kth, axis)
    same(d, x)  # both read their input only


@pytest.mark.parametrize("dtype", ["float64", "int64", "complex128", "uint8", "float16"])
@pytest.mark.parametrize("layout", ["random", "sorted", "reversed", "equal", "organ"])
def test_long_rows_and_bad_pivot_inputs(dtype, layout):
    """Rows long enough for ninther pivots and many partitions; inputs that defeat simple
    pivots (sorted, reversed, all equal, organ pipe) and many duplicates (uint8)."""
    n = 20_011
    x = sample((n,), dtype)
    if layout in ("sorted", "reversed", "organ"):
        x = numpy.sort(x)
        if layout == "reversed":
            x = x[::-1].copy()
        elif layout == "organ":
            x = numpy.concatenate([x[::2], x[1::2][::-1]])
    elif layout == "equal":
        x = numpy.full(n, x[0])
    kth = [0, 17, n // 2, n // 2 + 1, n - 5, -1]
    d = pymic2.asarray(x)
    check_partition(pymic2.partition(d, kth).get(), x, kth, -1)
    check_argpartition(pymic2.argpartition(d, kth).get(), x, kth, -1)


def test_many_stacked_rows_and_views():
    """Rows split over the team; non-contiguous rows and indices; the in-place method
    writes through a view."""
    x = sample((301, 130), "float64")
    d = pymic2.asarray(x)
    for axis, kth in ((-1, [3, 32, 64]), (0, 150)):
        view, host = d[:, ::2], x[:, ::2]
        check_partition(pymic2.partition(view, kth, axis=axis).get(), host, kth, axis)
        check_argpartition(pymic2.argpartition(view, kth, axis=axis).get(), host, kth, axis)
    y = x.copy()
    e = pymic2.asarray(y)
    e[::3, 1::2].partition(7, axis=1)
    check_partition(e[::3, 1::2].get(), y[::3, 1::2], 7, 1)
    same(e[1::3], y[1::3])  # rows outside the view are untouched
    numpy.testing.assert_array_equal(e[::3, ::2].get(), y[::3, ::2])


def test_negative_zero_and_nan_keep_their_bits():
    x = numpy.array([0.0, numpy.nan, -0.0, 1.0, -0.0, numpy.nan, -1.0] * 5)
    got = pymic2.partition(pymic2.asarray(x), [3, -2]).get()
    check_partition(got, x, [3, -2], -1)
    assert numpy.signbit(got[got == 0]).sum() == numpy.signbit(x[x == 0]).sum()
    assert numpy.isnan(got[-10:]).sum() == 10  # NaN last, as NumPy


def test_partition_errors_as_numpy():
    x = numpy.arange(12.0).reshape(3, 4)
    d = pymic2.asarray(x)
    for kth, error in ((4, ValueError), (-5, ValueError), ([0, 4], ValueError),
                       (True, ValueError), (1.0, TypeError), ([], TypeError)):
        for function in (numpy.partition, numpy.argpartition):
            with pytest.raises(error) as want:
                function(x, kth)
            with pytest.raises(error) as got:
                function(d, kth)
            assert str(got.value) == str(want.value)
    with pytest.raises(ValueError, match="introselect"):
        pymic2.partition(d, 1, kind="quick")
    with pytest.raises(ValueError):
        pymic2.argpartition(d, 1, order="x")
    with pytest.raises(numpy.exceptions.AxisError):
        pymic2.partition(d, 1, axis=2)
    with pytest.raises(ValueError):
        d.partition(3, axis=0)
    # an empty array takes any kth, as NumPy's
    check_partition(pymic2.partition(pymic2.asarray(x[:0]), 9).get(), x[:0], [], -1)


@pytest.mark.parametrize("dtype", ["float64", "int16", "float16", "complex64"])
def test_median_and_quantiles_from_the_selection(dtype):
    """Odd and even rows, a NaN row, few quantiles (selected) and many (sorted)."""
    x = sample((7, 101), dtype) if dtype != "float64" else RNG.standard_normal((7, 101))
    if dtype == "float64":
        x[2, 50] = numpy.nan
    d = pymic2.asarray(x)
    for axis in (None, 0, 1):
        same(numpy.median(d, axis=axis), numpy.median(x, axis=axis))
        same(numpy.median(d[:, 1:], axis=axis), numpy.median(x[:, 1:], axis=axis))
    if dtype == "complex64":
        return
    # float16 samples hold infinities, which NumPy's lerp turns into NaN (as ours)
    with numpy.errstate(invalid="ignore"):
        _quantiles_match(x, d)


def _quantiles_match(x, d):
    for q in (0.5, [0.0, 0.3, 1.0], numpy.linspace(0, 1, 40)):
        for method in ("linear", "lower", "nearest", "closest_observation", "hazen"):
            same(pymic2.quantile(d, q, axis=1, method=method),
                 numpy.quantile(x, q, axis=1, method=method))
        same(pymic2.percentile(d, numpy.asarray(q) * 100, axis=0),
             numpy.percentile(x, numpy.asarray(q) * 100, axis=0))
