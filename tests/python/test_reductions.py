"""Reductions (sum, prod, max, min, all, any, count_nonzero, argmax, argmin, cumsum,
cumprod, mean, var, std) against NumPy: axes, keepdims, dtype=, out=, views, NaN, errors."""

import math

import numpy
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import pymic2
from test_math import ALL_DTYPES, check, sample

AXES = [None, 0, 1, -1, 2, (0, 2), (-1, 0), (0, 1, 2), ()]
def numpy_sum_dtype(dtype):
    """NumPy's accumulation dtype: int64 for bool and signed integers, uint64 for unsigned."""
    kind = numpy.dtype(dtype).kind
    return numpy.uint64 if kind == "u" else numpy.int64 if kind in "bi" else dtype


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", ["sum", "prod"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_prod_axes_keepdims(name, dtype, keepdims):
    x = sample((3, 4, 5), dtype, 1, special=False)
    if name == "prod" and numpy.dtype(dtype).kind in "fc":
        x = (x / 4).astype(dtype)  # keep products of 60 factors in range
    a = pymic2.asarray(x)
    for axis in AXES:
        expected = getattr(numpy, name)(x, axis=axis, keepdims=keepdims,
                                        dtype=numpy_sum_dtype(dtype))
        check(getattr(pymic2, name)(a, axis=axis, keepdims=keepdims), expected)
        check(getattr(a, name)(axis=axis, keepdims=keepdims), expected)


@pytest.mark.parametrize("dtype", [numpy.int8, numpy.int32, numpy.float32, numpy.float64,
                                   numpy.complex128])
def test_sum_dtype_argument(dtype):
    x = sample((6, 7), dtype, 2, special=False)
    a = pymic2.asarray(x)
    for target in (numpy.int8, numpy.int64, numpy.float32, numpy.float64, numpy.complex128):
        if numpy.dtype(dtype).kind == "c" and numpy.dtype(target).kind != "c":
            continue  # NumPy casts away the imaginary part with a warning
        check(a.sum(axis=1, dtype=target), x.sum(axis=1, dtype=target))
    check(pymic2.sum(pymic2.asarray(numpy.full(300, 100, numpy.int8))),
          numpy.full(300, 100, numpy.int8).sum())  # no int8 wrap-around: int64


@pytest.mark.parametrize("dtype", ALL_DTYPES[:-1])  # complex numbers are not ordered
@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
def test_extrema_and_their_indices(name, dtype):
    x = sample((4, 5, 6), dtype, 3, special=False)
    a = pymic2.asarray(x)
    for axis in [None, 0, 1, -1, 2] + ([(0, 2)] if name in ("max", "min") else []):
        for keepdims in (False, True):
            check(getattr(pymic2, name)(a, axis=axis, keepdims=keepdims),
                  getattr(numpy, name)(x, axis=axis, keepdims=keepdims))
    check(getattr(a, name)(), getattr(x, name)())


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_nan_propagates_and_is_found_first(dtype):
    x = sample((5, 6), dtype, 4, special=False)
    x[1, 2] = x[3, 4] = numpy.nan
    x[2, 2] = numpy.inf
    a = pymic2.asarray(x)
    for name in ("max", "min", "argmax", "argmin", "sum"):
        for axis in (None, 0, 1):
            check(getattr(pymic2, name)(a, axis=axis), getattr(numpy, name)(x, axis=axis))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_all_any_count_nonzero(dtype):
    x = sample((3, 4, 5), dtype, 5)
    if numpy.dtype(dtype).kind in "iu":
        x = (x // 3).astype(dtype)  # plenty of zeros
    x.reshape(-1)[:4] = 0
    a = pymic2.asarray(x)
    for axis in AXES:
        for keepdims in (False, True):
            for name in ("all", "any"):
                check(getattr(pymic2, name)(a, axis=axis, keepdims=keepdims),
                      getattr(numpy, name)(x, axis=axis, keepdims=keepdims))
            check(pymic2.count_nonzero(a, axis=axis, keepdims=keepdims),
                  numpy.asarray(numpy.count_nonzero(x, axis=axis, keepdims=keepdims),
                                numpy.int64))
    nan = pymic2.asarray(numpy.array([numpy.nan, 0.0]))
    check(nan.all(), numpy.array([numpy.nan, 0.0]).all())  # NaN counts as true
    check(nan.any(), numpy.array([numpy.nan, 0.0]).any())


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_cumulative(name, dtype):
    x = sample((3, 4, 5), dtype, 6, special=False)
    if name == "cumprod" and numpy.dtype(dtype).kind in "fc":
        x = (x / 3).astype(dtype)
    a = pymic2.asarray(x)
    for axis in (None, 0, 1, 2, -1):
        check(getattr(pymic2, name)(a, axis=axis),
              getattr(numpy, name)(x, axis=axis, dtype=numpy_sum_dtype(dtype)))
    check(getattr(a, name)(axis=1, dtype=numpy.float64),
          getattr(numpy, name)(x, axis=1, dtype=numpy.float64) if numpy.dtype(dtype).kind != "c"
          else getattr(numpy, name)(x.real, axis=1))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_mean_var_std(dtype):
    x = sample((4, 5, 6), dtype, 7, special=False)
    a = pymic2.asarray(x)
    for axis in [None, 0, -1, (0, 2)]:
        for keepdims in (False, True):
            check(pymic2.mean(a, axis=axis, keepdims=keepdims),
                  numpy.asarray(numpy.mean(x, axis=axis, keepdims=keepdims)))
            for ddof in (0, 1):
                check(pymic2.var(a, axis=axis, keepdims=keepdims, ddof=ddof),
                      numpy.asarray(numpy.var(x, axis=axis, keepdims=keepdims, ddof=ddof)))
                check(a.std(axis=axis, keepdims=keepdims, ddof=ddof),
                      numpy.asarray(numpy.std(x, axis=axis, keepdims=keepdims, ddof=ddof)))
    if numpy.dtype(dtype).kind != "c":
        check(a.mean(axis=1, dtype=numpy.float32),
              numpy.mean(x, axis=1, dtype=numpy.float32))


def _fsum_error(got, values, axis):
    """|got - exact| per output, the exact sums from math.fsum over float64 copies."""
    exact = numpy.apply_along_axis(lambda v: math.fsum(v.astype(numpy.float64)), axis, values) \
        if axis is not None else numpy.float64(math.fsum(values.ravel().astype(numpy.float64)))
    return numpy.abs(numpy.asarray(got, dtype=numpy.float64) - exact), numpy.abs(exact)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_float_sums_keep_numpys_accuracy(dtype, axis):
    """Sums carry an error of NumPy's class (pairwise along contiguous runs, so about
    log2(n) rounding errors, not n): within 4x NumPy's own error against the exact sum, or a
    few units in the last place of it. A plain running sum of 2**20 float32 values near 1 is
    off by hundreds of those units and fails."""
    values = (numpy.random.default_rng(17).random((1024, 1024)) + 0.5).astype(dtype)
    a = pymic2.asarray(values)
    ours, scale = _fsum_error(a.sum(axis=axis).get(), values, axis)
    numpys, _ = _fsum_error(values.sum(axis=axis), values, axis)
    eps = numpy.finfo(dtype).eps
    assert numpy.all(ours <= numpy.maximum(4 * numpys, 8 * eps * scale))
    if axis is None:
        mean_error, _ = _fsum_error(a.mean().get() * values.size, values, None)
        assert mean_error <= max(4 * numpys, 8 * eps * scale)


# Around the host folds' widths: 64 elements (in order below), one lane each (64 float32,
# 32 float64), a block (1024 float32, 512 float64), pairs of blocks and odd tails.
FOLD_LENGTHS = [1, 63, 64, 65, 127, 128, 129, 511, 512, 513, 1023, 1024, 1025, 2047, 2048,
                3 * 1024 + 77, 5 * 512 + 31]


@pytest.mark.parametrize("dtype", [numpy.float16, numpy.float32, numpy.float64,
                                   numpy.complex64])
def test_sum_lengths_around_the_fold_widths(dtype):
    """Full and row sums of every length around the folds' lane and block sizes, contiguous
    and strided, against NumPy (whose order differs, so within a few ulps of the total)."""
    rng = numpy.random.default_rng(61)
    for n in FOLD_LENGTHS:
        values = (rng.random((3, 2 * n)) + 0.25).astype(dtype)
        a = pymic2.asarray(values)
        for x, y in ((values[:, :n], a[:, :n]), (values[:, ::2], a[:, ::2])):
            scale = float(numpy.finfo(dtype).eps) * 8 * numpy.abs(x).sum()
            numpy.testing.assert_allclose(y.sum().get(), x.sum(), rtol=0, atol=scale)
            numpy.testing.assert_allclose(y.sum(axis=1).get(), x.sum(axis=1), rtol=0,
                                          atol=scale)
            numpy.testing.assert_allclose(y.mean(axis=1).get(), x.mean(axis=1), rtol=0,
                                          atol=scale / n)
            assert y.sum().dtype == x.sum().dtype


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_sum_keeps_small_addends_a_running_sum_loses(dtype):
    """One large value and many that are each below half its last place: a running sum
    drops every one (1 + n * tiny stays 1, 768 units in the last place off), pairwise sums
    keep them as NumPy's do (the same bound as test_float_sums_keep_numpys_accuracy)."""
    eps = numpy.finfo(dtype).eps
    n = 3 * 4096 + 5
    values = numpy.full(n, eps / 4, dtype)
    values[0] = 1
    exact = 1 + (n - 1) * float(eps) / 4
    running = numpy.cumsum(values)[-1]  # NumPy's accumulate runs in order
    assert running == 1  # the case is one a running sum gets wrong
    for x, y in ((values, pymic2.asarray(values)),
                 (values.reshape(1, -1), pymic2.asarray(values.reshape(1, -1)))):
        ours = float(y.sum(axis=-1).get().ravel()[0])
        assert abs(ours - exact) <= max(4 * abs(float(x.sum()) - exact), 8 * eps), ours
    mean = float(pymic2.asarray(values).mean().get())
    assert abs(mean - exact / n) <= max(4 * abs(float(values.mean()) - exact / n), 8 * eps / n)


@pytest.mark.parametrize("dtype", [numpy.bool_, numpy.int8, numpy.int32, numpy.uint64,
                                   numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_extrema_lengths_ties_and_nans(name, dtype):
    """argmax/argmin along rows of every length around the host's lanes and blocks (and
    the halves a full reduction is split into): the first of tied extrema (at the start, in
    the middle, in the tail), the first NaN, -0.0 against 0.0; contiguous and strided,
    axis 1 and None."""
    rng = numpy.random.default_rng(67)
    kind = numpy.dtype(dtype).kind
    for n in FOLD_LENGTHS + [4095, 4096, 4097, 9001]:
        if kind == "b":
            x = rng.random((4, 2 * n)) < 0.5
        elif kind in "iu":
            x = rng.integers(0, 100, (4, 2 * n)).astype(dtype)
        else:
            x = (rng.standard_normal((4, 2 * n)) * 3).astype(dtype)
        extreme = x.max() if name == "argmax" else x.min()
        x[1, n - 1] = x[1, n // 2] = extreme  # two ties: the earlier one wins
        x[2, 0] = x[2, n - 1] = extreme
        if kind == "f":
            x[3, n // 3] = x[3, n - 1] = numpy.nan  # the first NaN wins
            x[0, :n] = 0.0
            x[0, n // 2] = -0.0
        a = pymic2.asarray(x)
        for view, host in ((a[:, :n], x[:, :n]), (a[:, ::2], x[:, ::2])):
            check(getattr(view, name)(axis=1), getattr(host, name)(axis=1))
            check(getattr(view, name)(), getattr(host, name)())
            check(getattr(view[1:3], name)(), getattr(host[1:3], name)())


def test_non_contiguous_views():
    x = sample((6, 8, 4), numpy.float64, 8, special=False)
    a = pymic2.asarray(x)
    views = [lambda z: z.transpose(2, 0, 1), lambda z: z[::-1, :, ::-2],
             lambda z: z[1::2, ::3], lambda z: z.T.copy().T]
    for view in views:
        for axis in (None, 0, 1, (0, 2)):
            check(view(a).sum(axis=axis), view(x).sum(axis=axis))
            check(view(a).max(axis=axis), view(x).max(axis=axis))
            check(view(a).var(axis=axis), view(x).var(axis=axis))
        check(view(a).argmin(axis=1), view(x).argmin(axis=1))
        check(view(a).argmax(), view(x).argmax())
        check(view(a).cumsum(axis=2), view(x).cumsum(axis=2))


def test_zero_dim_one_size_and_empty():
    scalar = numpy.array(2.5)
    a = pymic2.asarray(scalar)
    for name in ("sum", "prod", "max", "min", "all", "any", "argmax", "mean", "var"):
        check(getattr(pymic2, name)(a), numpy.asarray(getattr(numpy, name)(scalar)))
    check(pymic2.cumsum(a), numpy.cumsum(scalar))
    empty = numpy.zeros((0, 3))
    e = pymic2.asarray(empty)
    check(e.sum(), empty.sum())
    check(e.sum(axis=0), empty.sum(axis=0))
    check(e.prod(axis=0), empty.prod(axis=0))
    check(e.max(axis=1), empty.max(axis=1))  # nothing to reduce into: fine
    check(e.all(), empty.all())
    check(e.any(axis=0), empty.any(axis=0))
    check(e.cumsum(axis=0), empty.cumsum(axis=0))
    with pytest.raises(ValueError, match="identity"):
        e.max(axis=0)
    with pytest.raises(ValueError, match="empty sequence"):
        e.argmax()
    with pytest.warns(RuntimeWarning):
        check(e.mean(axis=0), numpy.full(3, numpy.nan))
    one = numpy.ones((1, 1, 3), numpy.int32)
    check(pymic2.asarray(one).sum(axis=(0, 1)), one.sum(axis=(0, 1)))


def test_out_argument():
    x = sample((4, 5), numpy.float64, 9, special=False)
    a = pymic2.asarray(x)
    out = pymic2.empty(5)
    assert pymic2.sum(a, axis=0, out=out) is out
    check(out, x.sum(axis=0))
    out32 = pymic2.empty(4, numpy.float32)
    assert a.max(axis=1, out=out32) is out32  # float64 -> float32: same_kind
    check(out32, x.max(axis=1).astype(numpy.float32))
    indices = pymic2.empty(5, numpy.int64)
    assert pymic2.argmax(a, axis=0, out=indices) is indices
    check(indices, x.argmax(axis=0))
    flags = pymic2.empty((4, 1), numpy.bool_)
    assert a.any(axis=1, keepdims=True, out=flags) is flags
    check(flags, x.any(axis=1, keepdims=True))
    mean_out = pymic2.empty(())
    assert a.mean(out=mean_out) is mean_out
    check(mean_out, numpy.asarray(x.mean()))
    cumulative = pymic2.empty((4, 5))
    assert a.cumsum(axis=1, out=cumulative) is cumulative
    check(cumulative, x.cumsum(axis=1))
    # NumPy's reductions cast into out with the 'unsafe' rule (float64 sums into int64)
    integers = pymic2.empty(5, numpy.int64)
    assert a.sum(axis=0, out=integers) is integers
    check(integers, x.sum(axis=0, out=numpy.empty(5, numpy.int64)))
    with pytest.raises(TypeError, match="int64"):  # argmax's out must hold integers
        a.argmax(axis=0, out=pymic2.empty(5))
    with pytest.raises(ValueError, match="shape"):
        a.sum(axis=0, out=pymic2.empty(4))
    # an out that aliases the input: computed in a temporary, then copied
    host = numpy.arange(12.0).reshape(3, 4)
    b = pymic2.asarray(host)
    pymic2.cumsum(b, axis=1, out=b)
    check(b, numpy.arange(12.0).reshape(3, 4).cumsum(axis=1))
    c = pymic2.asarray(numpy.arange(12.0).reshape(3, 4))
    pymic2.sum(c, axis=0, out=c[0])
    check(c[0], numpy.arange(12.0).reshape(3, 4).sum(axis=0))


def test_errors():
    a = pymic2.zeros((3, 4))
    for axis in (2, -3, (0, 5)):
        with pytest.raises(numpy.exceptions.AxisError):
            a.sum(axis=axis)
    with pytest.raises(numpy.exceptions.AxisError):
        a.argmax(axis=2)
    with pytest.raises(numpy.exceptions.AxisError):
        a.cumsum(axis=-3)
    with pytest.raises(ValueError, match="duplicate"):
        a.sum(axis=(0, -2))
    with pytest.raises(TypeError):
        a.argmax(axis=(0, 1))
    with pytest.raises(TypeError):
        pymic2.asarray(numpy.ones(3, numpy.complex128)).max()


def test_results_are_device_arrays_without_waiting():
    stream = pymic2.devices[1].create_stream()
    a = pymic2.ndarray((1000,), numpy.float64, stream=stream).fill(1.0)
    total = a.sum()
    assert isinstance(total, pymic2.ndarray) and total.shape == () and total.stream is stream
    assert float(total) == 1000.0


@settings(max_examples=80, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([numpy.int32, numpy.float64, numpy.bool_]),
       name=st.sampled_from(["sum", "max", "any", "mean", "prod"]), keepdims=st.booleans())
def test_hypothesis_random_axes(data, dtype, name, keepdims):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), unique_by=lambda i:
                              i % len(shape), max_size=len(shape)))
    x = sample(shape, dtype, data.draw(st.integers(0, 1000)), special=False)
    expected = getattr(numpy, name)(x, axis=tuple(axes), keepdims=keepdims,
                                    **({"dtype": numpy_sum_dtype(dtype)}
                                       if name in ("sum", "prod") else {}))
    check(getattr(pymic2, name)(pymic2.asarray(x), axis=tuple(axes), keepdims=keepdims),
          numpy.asarray(expected))
