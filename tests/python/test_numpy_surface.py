"""Differential tests (NumPy as the oracle) for corners of issue #3's NumPy surface that an
audit found missing or different: reductions' out= and dtype= rules, clip with Python ints
beyond the dtype, 0-d and scalar-boolean indices, take, numpy.add.at, inner/vdot/vecdot,
the array API's pow/cumulative_sum/bitwise_invert, scalar conversions, and the dtype
vocabulary of the module namespace."""

import warnings

import numpy
import pytest

import pymic2
from test_math import check


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args, **kwargs)


# ---------------------------------------------------------------- reductions

@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "var", "all", "any"])
def test_reductions_cast_into_out_unsafely(name):
    """NumPy's reductions write into an out of any dtype (the 'unsafe' rule)."""
    x = numpy.linspace(-3.7, 8.2, 12).reshape(3, 4)
    a = pymic2.asarray(x)
    out = pymic2.empty(4, numpy.int32)
    assert getattr(pymic2, name)(a, axis=0, out=out) is out
    check(out, getattr(numpy, name)(x, axis=0, out=numpy.empty(4, numpy.int32)))


def test_argmax_out_must_hold_integers():
    a = pymic2.asarray(numpy.arange(6.0).reshape(2, 3))
    with pytest.raises(TypeError):
        numpy.argmax(a, axis=0, out=pymic2.empty(3))


@pytest.mark.parametrize("name", ["mean", "var"])
@pytest.mark.parametrize("dtype", [numpy.int8, numpy.int32, numpy.uint8, numpy.bool_,
                                   numpy.float32])
@pytest.mark.parametrize("source", [numpy.int8, numpy.int64, numpy.float64])
def test_mean_var_compute_and_return_in_dtype(name, dtype, source):
    """dtype= is the result's dtype too: an integer one truncates the quotient (NumPy divides
    in place)."""
    x = (numpy.arange(24) * 7 % 23 - 5).reshape(4, 6).astype(source)
    a = pymic2.asarray(x)
    for axis in (None, 0, 1):
        expected = quiet(getattr(numpy, name), x, axis=axis, dtype=dtype)
        check(quiet(getattr(pymic2, name), a, axis=axis, dtype=dtype), expected)


def test_var_of_complex_with_a_real_dtype():
    x = numpy.array([1 + 2j, 3 - 1j, 0.5j, -2 + 0j])
    a = pymic2.asarray(x)
    check(pymic2.var(a), numpy.var(x))
    check(quiet(pymic2.var, a, dtype=numpy.float32), quiet(numpy.var, x, dtype=numpy.float32))


def test_std_refuses_an_integer_dtype():
    a = pymic2.asarray(numpy.arange(6))
    with pytest.raises(TypeError):
        numpy.std(a, dtype=numpy.int32)
    check(pymic2.std(a, dtype=numpy.float32), numpy.std(numpy.arange(6), dtype=numpy.float32))


# ---------------------------------------------------------------- clip

@pytest.mark.parametrize("bounds", [(0, 300), (-5, 300), (-5, 100), (-1, None), (None, 300),
                                    (100, 50), (300, 400), (-10, -5), (None, -1),
                                    (-5.5, 100)])
@pytest.mark.parametrize("dtype", [numpy.uint8, numpy.int8])
def test_clip_with_python_ints_beyond_the_dtype(bounds, dtype):
    """NumPy 2 ignores an int bound beyond the dtype on the side it cannot bound, and
    raises OverflowError for one beyond the other side."""
    x = numpy.array([1, 100, 127], dtype)
    try:
        expected = numpy.clip(x, *bounds)
    except OverflowError:
        with pytest.raises(OverflowError):
            pymic2.clip(pymic2.asarray(x), *bounds)
        return
    check(pymic2.clip(pymic2.asarray(x), *bounds), expected)
    check(numpy.clip(pymic2.asarray(x), *bounds), expected)


# ---------------------------------------------------------------- indexing

@pytest.mark.parametrize("key", [True, False, (True, 1), (Ellipsis, False), (0, True),
                                 (None, True, slice(None, None, -1))])
def test_scalar_booleans_are_zero_dimensional_masks(key):
    x = numpy.arange(12.0).reshape(3, 4)
    a = pymic2.asarray(x)
    check(a[key], x[key])
    a[key] = -1.0
    x[key] = -1.0
    check(a, x)


def test_zero_dimensional_index_arrays():
    x = numpy.arange(12.0).reshape(3, 4)
    a = pymic2.asarray(x)
    for key in [numpy.asarray(5), (numpy.asarray(1), numpy.asarray(2)),
                (numpy.asarray(1), [2, 3]), (slice(None), numpy.asarray(-1))]:
        flat = isinstance(key, numpy.ndarray)
        check((a.reshape(-1) if flat else a)[key], (x.reshape(-1) if flat else x)[key])
    a[numpy.asarray(2), numpy.asarray(0)] = 100.0
    x[2, 0] = 100.0
    check(a, x)


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
def test_take(mode):
    x = numpy.arange(24.0).reshape(4, 6)
    a = pymic2.asarray(x)
    inside = [[0, 3], [-1, 2]]
    outside = [7, -9, 2] if mode != "raise" else [1, 0, 3]
    for indices, axis in [(inside, 0), (inside, 1), (outside, 1), (outside, None), (5, None),
                          (numpy.array([], numpy.int64), 0)]:
        expected = numpy.take(x, indices, axis=axis, mode=mode)
        check(numpy.take(a, indices, axis=axis, mode=mode), expected)
        check(a.take(pymic2.asarray(numpy.asarray(indices, numpy.int64)), axis=axis,
                     mode=mode), expected)
    out = pymic2.empty((4, 2))
    assert pymic2.numpy.take(a, [5, 0], axis=1, out=out) is out
    check(out, numpy.take(x, [5, 0], axis=1))
    with pytest.raises(IndexError, match="out of bounds"):
        numpy.take(a, [6], axis=1)


def test_numpy_add_at_runs_on_the_device():
    x = numpy.zeros((4, 3))
    a = pymic2.asarray(x)
    numpy.add.at(a, [1, 1, 3], 2.0)
    numpy.add.at(x, [1, 1, 3], 2.0)
    numpy.add.at(a, (pymic2.asarray(numpy.array([0, 0])), 2), pymic2.asarray([1.0, 5.0]))
    numpy.add.at(x, (numpy.array([0, 0]), 2), [1.0, 5.0])
    check(a, x)
    with pytest.raises(TypeError, match="numpy.subtract.at"):
        numpy.subtract.at(a, [0], 1.0)


def test_item_takes_negative_flat_indices():
    x = numpy.arange(6).reshape(2, 3)
    a = pymic2.asarray(x)
    assert [a.item(i) for i in (-1, -6, 4)] == [x.item(i) for i in (-1, -6, 4)]
    for bad in (6, -7):
        with pytest.raises(IndexError):
            x.item(bad)
        with pytest.raises(IndexError, match="out of bounds"):
            a.item(bad)


def test_scalar_conversions_refuse_several_elements_like_numpy():
    for convert in (float, int, complex):
        with pytest.raises(TypeError):
            convert(numpy.arange(2.0))
        with pytest.raises(TypeError, match="converted to Python scalars"):
            convert(pymic2.arange(2.0))
    assert float(pymic2.asarray([[2.5]])) == 2.5  # size 1 still converts


def test_full_takes_the_device_of_an_array_fill_value():
    fill = pymic2.asarray([1, 2, 3])
    result = pymic2.full((2, 3), fill)
    assert result.device == fill.device
    check(result, numpy.full((2, 3), [1, 2, 3]))


# ---------------------------------------------------------------- products

@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.int32, numpy.int8])
def test_inner_vdot_vecdot(dtype):
    x = (numpy.arange(12) % 5 - 2).reshape(3, 4).astype(dtype)
    y = (numpy.arange(8) % 3 - 1).reshape(2, 4).astype(dtype)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    check(numpy.inner(a, b), numpy.inner(x, y))
    check(numpy.inner(a, 2), numpy.inner(x, 2))
    check(numpy.vdot(a, a), numpy.vdot(x, x))
    check(numpy.vecdot(a, a[0]), numpy.vecdot(x, x[0]))
    check(numpy.vecdot(a, a, axis=0), numpy.vecdot(x, x, axis=0))
    check(pymic2.numpy.vecdot(a[:, None], b), numpy.vecdot(x[:, None], y))
    with pytest.raises(ValueError):
        numpy.vdot(a, b)
    with pytest.raises(ValueError):
        pymic2.numpy.vecdot(a, b.T)


def test_vdot_and_vecdot_conjugate_complex_first_operands():
    x = numpy.array([[1j, 2 - 3j], [0.5, -1 + 1j]])
    y = numpy.array([[2 + 1j, 1j], [3, 1 - 2j]])
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    check(numpy.vdot(a, b), numpy.vdot(x, y))
    check(numpy.vecdot(a, b), numpy.vecdot(x, y))
    check(pymic2.vdot(b, a), numpy.vdot(y, x))


# ---------------------------------------------------------------- the namespace

def test_array_api_names_of_the_functions():
    xp = pymic2.arange(3).__array_namespace__()
    x = numpy.arange(12).reshape(3, 4) - 5
    a = pymic2.asarray(x)
    check(xp.pow(a, 2), numpy.pow(x, 2))
    check(xp.bitwise_invert(a), numpy.bitwise_invert(x))
    for name in ("cumulative_sum", "cumulative_prod"):
        for axis in (0, 1, -1):
            for include_initial in (False, True):
                expected = getattr(numpy, name)(x, axis=axis, include_initial=include_initial)
                check(getattr(xp, name)(a, axis=axis, include_initial=include_initial),
                      expected)
                check(getattr(numpy, name)(a, axis=axis, include_initial=include_initial),
                      expected)
        check(getattr(xp, name)(a[0], dtype=xp.float32),
              getattr(numpy, name)(x[0], dtype=numpy.float32))
        with pytest.raises(ValueError):
            getattr(xp, name)(a)  # axis is required for 2-D
    out = pymic2.empty((3, 5), numpy.int64)
    assert xp.cumulative_sum(a, axis=1, include_initial=True, out=out) is out
    check(out, numpy.cumulative_sum(x, axis=1, include_initial=True))


def test_module_dtype_vocabulary_like_numpy_and_cupy():
    xp = pymic2.numpy
    assert xp.float32(0.5) == numpy.float32(0.5) and type(xp.int8(3)) is numpy.int8
    a = pymic2.zeros(2, dtype=xp.float32)
    assert a.dtype == xp.float32 and pymic2.issubdtype(a.dtype, pymic2.floating)
    assert not pymic2.issubdtype(a.dtype, pymic2.integer) and pymic2.dtype("int8") == xp.int8
    assert pymic2.get_array_module(a) is pymic2
    assert pymic2.get_array_module(numpy.zeros(2), 1.0) is numpy
    assert numpy.result_type(a, 1.0) == numpy.float32
    assert numpy.result_type(a, pymic2.zeros(1, numpy.int32)) == numpy.float64
    assert numpy.can_cast(a, numpy.float64) and not numpy.can_cast(a, numpy.int8)
    assert pymic2.can_cast(numpy.int8, numpy.int32, casting="safe")


@pytest.mark.parametrize("shape, axis", [((10 ** 6,), None), ((4, 300_000), 1)])
def test_long_float32_sums_stay_within_a_few_ulp_of_numpy(shape, axis):
    """A million float32 additions along a contiguous axis: NumPy's pairwise sums err by an
    ulp or so; sequential float32 accumulators (the OpenCL segments had them) drift by tens
    of ulp. (Along axis 0 NumPy itself adds sequentially in float32.)"""
    x = numpy.full(shape, 0.1, numpy.float32)
    expected = numpy.sum(x, axis=axis)
    for result in (pymic2.sum(pymic2.asarray(x), axis=axis),
                   pymic2.mean(pymic2.asarray(x), axis=axis) * shape[-1]):
        assert result.dtype == numpy.float32
        error = numpy.abs(result.get() - expected)
        assert (error <= 4 * numpy.spacing(expected)).all(), (result.get(), expected)


def test_mixed_small_integers_promote_as_the_element_wise_ops_compute():
    """int8 with uint8 is int16 in NumPy, a device dtype: result_type, concatenate, where and
    clip agree with the operators."""
    x, y = numpy.array([-3, 100], numpy.int8), numpy.array([200, 7], numpy.uint8)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    assert (a + b).dtype == numpy.int16
    assert pymic2.numpy.result_type(pymic2.numpy.int8, pymic2.numpy.uint8) == numpy.int16
    assert numpy.result_type(a, b) == numpy.int16
    check(pymic2.concatenate([a, b]), numpy.concatenate([x, y]))
    check(pymic2.where(pymic2.asarray([True, False]), a, b), numpy.where([True, False], x, y))
    check(pymic2.clip(a, b, 150), numpy.clip(x, y, 150))


def test_expand_dims_takes_the_array_api_default_axis():
    a = pymic2.asarray(numpy.arange(3))
    assert pymic2.numpy.expand_dims(a).shape == (1, 3)
    check(pymic2.numpy.expand_dims(a, axis=-1), numpy.expand_dims(numpy.arange(3), -1))


# ---------------------------------------------------------------- functions the dispatch
# table named without an implementation (they raised TypeError)

def test_isclose_allclose_array_equal():
    x = numpy.array([[1.0, numpy.nan, numpy.inf, -numpy.inf, 0.0],
                     [1e-9, 2.0, numpy.inf, numpy.nan, 1e10]])
    y = numpy.array([[1.0 + 1e-6, numpy.nan, numpy.inf, numpy.inf, 1e-9],
                     [0.0, 2.00001, -numpy.inf, 1.0, 1.00001e10]])
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    for equal_nan in (False, True):
        check(numpy.isclose(a, b, equal_nan=equal_nan), numpy.isclose(x, y, equal_nan=equal_nan))
        check(numpy.allclose(a, a, equal_nan=equal_nan),
              numpy.allclose(x, x, equal_nan=equal_nan))
        check(numpy.array_equal(a, a, equal_nan=equal_nan),
              numpy.array_equal(x, x, equal_nan=equal_nan))
    check(numpy.isclose(a, 1.0, rtol=0.1), numpy.isclose(x, 1.0, rtol=0.1))
    check(numpy.isclose(pymic2.asarray([1, 2, 3]), pymic2.asarray([1, 3, 3])),
          numpy.isclose([1, 2, 3], [1, 3, 3]))
    check(numpy.allclose(a, b), numpy.allclose(x, y))
    check(numpy.array_equal(a, a[0]), numpy.array_equal(x, x[0]))
    assert not numpy.allclose(a, a)  # bool() of the 0-d device result reads it


def test_argwhere_and_take_along_axis():
    x = numpy.arange(24.0).reshape(2, 3, 4) % 5 - 1
    a = pymic2.asarray(x)
    check(numpy.argwhere(a), numpy.argwhere(x))
    for scalar in (3.0, 0.0):
        check(numpy.argwhere(pymic2.asarray(scalar)), numpy.argwhere(numpy.asarray(scalar)))
    for axis in (0, 1, -1):
        order = numpy.argsort(x, axis=axis)
        check(numpy.take_along_axis(a, pymic2.asarray(order), axis=axis),
              numpy.take_along_axis(x, order, axis=axis))
    best = pymic2.argmax(a, axis=1, keepdims=True)  # the ML idiom: values at the argmax
    check(numpy.take_along_axis(a, best, axis=1),
          numpy.take_along_axis(x, numpy.argmax(x, axis=1, keepdims=True), axis=1))
    check(numpy.take_along_axis(a, numpy.array([3, 0]), axis=None),
          numpy.take_along_axis(x, numpy.array([3, 0]), axis=None))


def test_linalg_norm_two_norm_and_frobenius():
    x = numpy.arange(24.0).reshape(2, 3, 4) - 7
    a = pymic2.asarray(x)
    for options in ({}, {"axis": 1}, {"axis": (0, 2)}, {"axis": -1, "keepdims": True}):
        check(numpy.linalg.norm(a, **options), numpy.linalg.norm(x, **options))
    check(numpy.linalg.norm(a[0], "fro"), numpy.linalg.norm(x[0], "fro"))
    check(numpy.linalg.norm(pymic2.asarray([3, 4])), numpy.linalg.norm(numpy.array([3, 4])))
    check(numpy.linalg.norm(pymic2.asarray([3j, 4])), numpy.linalg.norm(numpy.array([3j, 4])))
    check(numpy.linalg.norm(a[0], 1), numpy.linalg.norm(x[0], 1))
    with pytest.raises(ValueError):
        numpy.linalg.norm(a, "fro", axis=1)


@pytest.mark.parametrize("device_indices", [False, True])
def test_put_and_compress(device_indices):
    x = numpy.arange(24.0).reshape(4, 6)
    for indices, values, mode in [([0, 5, -1], 7.0, "raise"), ([1, 2, 3, 4], [9.0, 8.0], "raise"),
                                  ([30, -30], [1.0, 2.0], "wrap"), ([30, -30], [1.0, 2.0], "clip"),
                                  ([[0, 23]], 1, "raise")]:
        for layout in (lambda v: v, lambda v: v[:, ::-1].T):  # contiguous, and a strided view
            expected = layout(x.copy())
            numpy.put(expected, indices, values, mode=mode)
            device = layout(pymic2.asarray(x))
            numpy.put(device, pymic2.asarray(indices) if device_indices else indices, values,
                      mode=mode)
            check(device, expected)
    device = pymic2.asarray(x)
    with pytest.raises(IndexError, match="out of bounds"):
        numpy.put(device, pymic2.asarray([24]) if device_indices else [24], 1.0)
        device.get()  # device indices are checked on the device: the sync reports it
    condition = [True, False, True, False, False, True, True]
    for axis in (None, 0, 1):
        cut = condition[:x.shape[axis]] if axis is not None else condition
        check(numpy.compress(pymic2.asarray(cut) if device_indices else cut,
                             pymic2.asarray(x), axis=axis), numpy.compress(cut, x, axis=axis))
