"""diff, ediff1d (see test_rearranging), gradient, cross, trapezoid, convolve, correlate and
interp against NumPy: values, dtypes, axes, spacings, modes, edge values, errors."""

import numpy
import pytest
from conftest import assert_same

import pymic2


def pair(shape, dtype=numpy.float64, seed=0):
    rng = numpy.random.default_rng(seed)
    host = (rng.standard_normal(shape) * 4).astype(dtype) if numpy.dtype(dtype).kind == "f" \
        else rng.integers(-9, 9, shape).astype(dtype)
    return pymic2.asarray(host), host


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.int32])
def test_gradient(dtype):
    d, h = pair((5, 6), dtype)
    for args, kw in [((), {}), ((2.0,), {}), ((0.5, 3.0), {}), ((), {"axis": 1}),
                     ((), {"edge_order": 2}), ((1.5,), {"axis": -2, "edge_order": 2})]:
        ours, theirs = pymic2.gradient(d, *args, **kw), numpy.gradient(h, *args, **kw)
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, (tuple, list)) else (theirs,)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)


def test_gradient_coordinates_and_errors():
    d, h = pair((6,))
    x = numpy.array([0.0, 0.5, 1.5, 1.75, 3.0, 4.5])
    for edge_order in (1, 2):
        assert_same(pymic2.gradient(d, x, edge_order=edge_order),
                    numpy.gradient(h, x, edge_order=edge_order))
    assert_same(pymic2.gradient(d, pymic2.asarray(x)), numpy.gradient(h, x))
    with pytest.raises(ValueError, match="too small"):
        pymic2.gradient(d[:2], edge_order=2)
    with pytest.raises(ValueError, match="edge_order"):
        pymic2.gradient(d, edge_order=3)


def test_cross():
    a, ha = pair((4, 3))
    b, hb = pair((4, 3), seed=1)
    assert_same(pymic2.cross(a, b), numpy.cross(ha, hb))
    assert_same(pymic2.cross(a[0], b), numpy.cross(ha[0], hb))
    c, hc = pair((4, 2), seed=2)
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
        expected = numpy.cross(ha, hc)
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
        assert_same(pymic2.cross(a, c), expected)
    t, ht = pair((3, 5), numpy.int32, seed=3)
    assert_same(pymic2.cross(t, t[::-1], axis=0), numpy.cross(ht, ht[::-1], axis=0))
    with pytest.raises(ValueError, match="incompatible dimensions"):
        pymic2.cross(a[:, :1], b)


def test_trapezoid():
    d, h = pair((4, 7))
    x = numpy.cumsum(numpy.linspace(0.1, 1.0, 7))
    assert_same(pymic2.trapezoid(d), numpy.trapezoid(h))
    assert_same(pymic2.trapezoid(d, dx=0.5, axis=0), numpy.trapezoid(h, dx=0.5, axis=0))
    assert_same(pymic2.trapezoid(d, pymic2.asarray(x)), numpy.trapezoid(h, x))
    assert_same(pymic2.trapezoid(d, pymic2.asarray(numpy.tile(x, (4, 1)))),
                numpy.trapezoid(h, numpy.tile(x, (4, 1))))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_and_correlate(mode):
    a, ha = pair((9,))
    v, hv = pair((4,), seed=1)
    i, hi = pair((5,), numpy.int64, seed=2)
    assert_same(pymic2.convolve(a, v, mode), numpy.convolve(ha, hv, mode))
    assert_same(pymic2.convolve(v, a, mode), numpy.convolve(hv, ha, mode))
    assert_same(pymic2.convolve(i, i, mode), numpy.convolve(hi, hi, mode))
    assert_same(pymic2.correlate(a, v, mode), numpy.correlate(ha, hv, mode))
    assert_same(pymic2.correlate(v, a, mode), numpy.correlate(hv, ha, mode))


def test_convolve_errors():
    a, _ = pair((3,))
    with pytest.raises(ValueError, match="empty"):
        pymic2.convolve(a, a[:0])
    with pytest.raises(ValueError, match="mode"):
        pymic2.convolve(a, a, "middle")


def test_interp():
    xp = numpy.array([0.0, 1.0, 2.5, 4.0])
    fp = numpy.array([1.0, -2.0, 3.0, 0.5])
    x = numpy.array([-1.0, 0.0, 0.3, 1.0, 2.0, 2.5, 3.9, 4.0, 7.0, numpy.nan])
    d = pymic2.asarray(x)
    assert_same(pymic2.interp(d, xp, fp), numpy.interp(x, xp, fp))
    assert_same(pymic2.interp(d, pymic2.asarray(xp), pymic2.asarray(fp), left=-9, right=9),
                numpy.interp(x, xp, fp, left=-9, right=9))
    assert_same(pymic2.interp(d, xp, fp + 1j * fp), numpy.interp(x, xp, fp + 1j * fp))
    assert_same(pymic2.interp(d, [2.0], [5.0]), numpy.interp(x, [2.0], [5.0]))
    assert_same(pymic2.interp(pymic2.asarray([1, 3], dtype=numpy.int32), xp, fp),
                numpy.interp([1, 3], xp, fp))
    with pytest.raises(ValueError, match="same length"):
        pymic2.interp(d, xp, fp[:2])
    with pytest.raises(ValueError, match="empty"):
        pymic2.interp(d, [], [])


def test_numpy_functions_dispatch_to_the_device():
    d, h = pair((6,))
    for result, expected in [(numpy.gradient(d), numpy.gradient(h)),
                             (numpy.convolve(d, d[:2]), numpy.convolve(h, h[:2])),
                             (numpy.trapezoid(d), numpy.trapezoid(h)),
                             (numpy.interp(d, [0.0, 1.0], [0.0, 2.0]),
                              numpy.interp(h, [0.0, 1.0], [0.0, 2.0]))]:
        assert isinstance(result, pymic2.ndarray)
        assert_same(result, expected)
