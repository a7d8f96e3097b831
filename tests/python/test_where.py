"""where= on ufuncs and reductions, initial= on reductions, keepdims= and tuple axes on
argmax/argmin: against NumPy doing the same on the same data (masks broadcasting, empty
arrays, NaN and inf, non-contiguous views, out= aliasing an input)."""

import warnings

import numpy
import pytest
from conftest import assert_same

import pymic2

DTYPES = ["bool", "int8", "uint8", "int32", "int64", "float16", "float32", "float64",
          "complex128"]


def sample(shape, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    values = rng.integers(-9, 10, size=shape)
    if dtype == "bool":
        return values > 0
    if dtype == "uint8":
        return (values + 9).astype(dtype)
    if dtype in ("float16", "float32", "float64"):
        values = (values / 4).astype(dtype)
        flat = values.reshape(-1)
        if flat.size > 3:
            flat[[1, 3]] = [numpy.nan, numpy.inf]
        return values
    if dtype == "complex128":
        return (values + 1j * rng.integers(-9, 10, size=shape)).astype(dtype)
    return values.astype(dtype)


def mask(shape, seed=1):
    return numpy.random.default_rng(seed).random(shape) < 0.5


def numpy_quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


# ---------------------------------------------------------------- ufuncs

UNARY = ["negative", "absolute", "square", "exp", "logical_not", "sqrt"]
BINARY = ["add", "multiply", "maximum", "subtract", "less", "logical_xor", "divide"]


def numpy_accepts(name, dtype):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(numpy, name)(*[numpy.ones(1, dtype)] * getattr(numpy, name).nin)
        return True
    except TypeError:
        return False


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY + BINARY)
def test_ufunc_where_keeps_out_where_false(name, dtype):
    if not numpy_accepts(name, dtype):
        pytest.skip(f"NumPy has no {name} for {dtype}")
    if dtype == "complex128" and name in ("maximum", "less"):
        pytest.skip("the device does not order complex numbers (pymic2_ops.h)")
    ufunc, reference = getattr(pymic2, name), getattr(numpy, name)
    shape = (4, 6)
    inputs = [sample(shape, dtype, seed) for seed in range(reference.nin)]
    where = mask(shape)
    result_dtype = numpy_quietly(reference, *inputs).dtype
    if result_dtype.name not in DTYPES:
        pytest.skip(f"NumPy's result is {result_dtype}, which the device computes wider")
    out = sample(shape, result_dtype.name, 7)
    expected = numpy_quietly(reference, *inputs, out=out.copy(), where=where)
    device_out = pymic2.asarray(out)
    result = ufunc(*[pymic2.asarray(x) for x in inputs], out=device_out,
                   where=pymic2.asarray(where))
    assert result is device_out
    assert_same(result, expected)


@pytest.mark.parametrize("where_shape, input_shapes, out_shape", [
    ((6,), [(4, 6), (6,)], (4, 6)),          # a row mask
    ((4, 1), [(4, 6), ()], (4, 6)),          # a column mask
    ((), [(3,), (3,)], (3,)),                # a 0-d mask
    ((2, 1, 5), [(3, 1), (5,)], (2, 3, 5)),  # the mask widens the result
    ((0, 5), [(0, 5), (5,)], (0, 5)),        # empty
])
def test_ufunc_where_broadcasting(where_shape, input_shapes, out_shape):
    inputs = [sample(s, "float64", k) for k, s in enumerate(input_shapes)]
    where = mask(where_shape)
    out = sample(out_shape, "float64", 9)
    expected = numpy.add(*inputs, out=out.copy(), where=where)
    result = pymic2.add(*[pymic2.asarray(x) for x in inputs], out=pymic2.asarray(out),
                        where=where)  # a host mask is uploaded
    assert_same(result, expected)
    # without out=: the selected elements are NumPy's, the others 0
    result = pymic2.add(*[pymic2.asarray(x) for x in inputs], where=pymic2.asarray(where))
    assert result.shape == out_shape
    full = numpy.broadcast_to(numpy.add(*inputs), out_shape)
    selected = numpy.broadcast_to(where, out_shape)
    assert_same(result, numpy.where(selected, full, 0.0))


def test_ufunc_where_details():
    host = numpy.arange(12.0).reshape(3, 4)
    device = pymic2.asarray(host)
    # out aliases the input (in place), a strided view, a scalar mask
    expected = host.copy()
    numpy.multiply(expected, 2, out=expected, where=expected > 4)
    pymic2.multiply(device, 2, out=device, where=device > 4)
    assert_same(device, expected)
    view, host_view = device[:, ::2], expected[:, ::2]
    numpy.negative(host_view, out=host_view, where=[True, False])
    pymic2.negative(view, out=view, where=[True, False])
    assert_same(device, expected)
    before = expected.copy()
    pymic2.add(device, 1, out=device, where=False)
    assert_same(device, before)
    pymic2.add(device, 1, out=device, where=numpy.True_)
    assert_same(device, before + 1)
    # out of another dtype: cast like NumPy, with its casting check
    out = numpy.zeros(4, numpy.int64)
    ints = pymic2.zeros(4, numpy.int64)
    numpy.add(out, 3, out=out, where=[True, False, True, False])
    pymic2.add(ints, 3, out=ints, where=[True, False, True, False])
    assert_same(ints, out)
    with pytest.raises(TypeError, match="Cannot cast ufunc 'add' output"):
        pymic2.add(ints, 0.5, out=ints, where=[True] * 4)
    # NumPy's calls dispatch here, with the mask on the device
    x = pymic2.asarray(host)
    result = numpy.add(x, x, out=pymic2.zeros((3, 4)), where=x > 5)
    assert isinstance(result, pymic2.ndarray)
    assert_same(result, numpy.add(host, host, out=numpy.zeros((3, 4)), where=host > 5))


def test_ufunc_where_errors():
    x = pymic2.arange(3.0)
    with pytest.raises(TypeError, match="Cannot cast array data from dtype\\('int64'\\) to "
                       "dtype\\('bool'\\)"):
        pymic2.add(x, 1, where=numpy.array([1, 0, 1]))
    with pytest.raises(TypeError, match="float64"):
        pymic2.add(x, 1, where=pymic2.asarray(numpy.ones(3)))
    with pytest.raises(ValueError, match="\\(4,\\)"):
        pymic2.add(x, 1, out=pymic2.zeros(3), where=numpy.ones(4, bool))


# ---------------------------------------------------------------- reductions

REDUCTIONS = ["sum", "prod", "max", "min", "all", "any", "mean"]
IDENTITY_FREE = ("max", "min")


def reduction_dtypes(name):
    if name in IDENTITY_FREE:
        return [d for d in DTYPES if d != "complex128"]
    return DTYPES


@pytest.mark.parametrize("name, dtype", [(n, d) for n in REDUCTIONS
                                         for d in reduction_dtypes(n)])
@pytest.mark.parametrize("axis, where_shape", [
    (None, (3, 4, 5)), (1, (3, 4, 5)), ((0, 2), (4, 5)), (-1, (5,)), (0, (3, 1, 1)),
])
def test_reduction_where(name, dtype, axis, where_shape):
    host = sample((3, 4, 5), dtype)
    where = mask(where_shape)
    extra = {"initial": 2} if name in IDENTITY_FREE else {}
    expected = numpy_quietly(getattr(numpy, name), host, axis=axis, where=where, **extra)
    device = pymic2.asarray(host)
    result = getattr(pymic2, name)(device, axis=axis, where=pymic2.asarray(where), **extra)
    assert isinstance(result, pymic2.ndarray)
    check_reduction(result, expected, name)
    # the method, numpy's function (dispatched), keepdims
    method = getattr(device, name)(axis=axis, where=where, keepdims=True, **extra)
    check_reduction(method, numpy_quietly(getattr(numpy, name), host, axis=axis, where=where,
                                          keepdims=True, **extra), name)
    dispatched = getattr(numpy, name)(device, axis=axis, where=where, **extra)
    check_reduction(dispatched, expected, name)


def check_reduction(result, expected, name):
    expected = numpy.asarray(expected)
    got = result.get()
    assert got.shape == expected.shape
    if name in ("mean", "prod") and expected.dtype == numpy.float16:
        # NumPy rounds float16 partial results to float16 along some axes; the device
        # accumulates in float32 and rounds once: a few float16 ulps apart
        assert got.dtype == expected.dtype
        numpy.testing.assert_allclose(got, expected, rtol=4e-3)
    elif name in ("mean", "prod") and expected.dtype.kind in "fc":
        assert got.dtype == expected.dtype
        numpy.testing.assert_allclose(got, expected, rtol=1e-6 if got.dtype in (
            numpy.float32,) else 1e-12)
    else:
        assert_same(result, expected)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "float32", "float64"])
@pytest.mark.parametrize("initial", [3, -2, 1.5])
def test_reduction_initial(name, dtype, initial):
    host = sample((4, 5), dtype)
    device = pymic2.asarray(host)
    for axis in (None, 0, (0, 1), -1):
        try:
            expected = numpy_quietly(getattr(numpy, name), host, axis=axis, initial=initial)
        except OverflowError:  # -2 as uint8: NumPy refuses, and so must we
            with pytest.raises(OverflowError, match="-2 out of bounds"):
                getattr(pymic2, name)(device, axis=axis, initial=initial)
            continue
        result = getattr(pymic2, name)(device, axis=axis, initial=initial)
        check_reduction(result, expected, name)


def test_reduction_initial_and_where_on_empty_and_special_values():
    empty = numpy.zeros((0, 3))
    for name in ("max", "min"):
        expected = getattr(numpy, name)(empty, axis=0, initial=-7.0)
        assert_same(getattr(pymic2, name)(pymic2.asarray(empty), axis=0, initial=-7.0),
                    expected)
    assert_same(pymic2.sum(pymic2.asarray(empty), initial=4.0), numpy.sum(empty, initial=4.0))
    assert_same(pymic2.prod(pymic2.asarray(empty), axis=1, initial=4.0),
                numpy.prod(empty, axis=1, initial=4.0))
    host = numpy.array([[1.0, numpy.nan, -numpy.inf], [numpy.inf, 2.0, -0.0]])
    where = numpy.array([[True, False, True], [False, True, True]])
    for name in ("max", "min", "sum", "prod"):
        expected = getattr(numpy, name)(host, axis=1, where=where, initial=0.5)
        assert_same(getattr(pymic2, name)(pymic2.asarray(host), axis=1, where=where,
                                          initial=0.5), expected)
    # a slice with nothing selected: the identity (sum 0), NaN for mean
    nothing = numpy.zeros(3, bool)
    assert_same(pymic2.sum(pymic2.asarray(host), axis=1, where=nothing),
                numpy.sum(host, axis=1, where=nothing))
    assert_same(pymic2.mean(pymic2.asarray(host), axis=1, where=nothing),
                numpy_quietly(numpy.mean, host, axis=1, where=nothing))


def test_reduction_where_with_out_and_ufunc_reduce():
    host = sample((4, 6), "int32")
    where = mask((4, 6))
    device = pymic2.asarray(host)
    out = pymic2.zeros(4, numpy.int64)
    result = pymic2.sum(device, axis=1, where=where, initial=10, out=out)
    assert result is out
    assert_same(out, numpy.sum(host, axis=1, where=where, initial=10))
    out = pymic2.zeros(6, numpy.float64)  # same_kind cast into out
    pymic2.max(device, axis=0, where=where, initial=-100, out=out)
    assert_same(out, numpy.max(host, axis=0, where=where, initial=-100).astype(numpy.float64))
    for name in ("add", "multiply", "maximum", "minimum", "logical_and", "logical_or"):
        reference = getattr(numpy, name)
        for kwargs in ({"initial": 1}, {"initial": 1, "where": where}, {"axis": 1}):
            expected = reference.reduce(host, **kwargs)
            assert_same(reference.reduce(device, **kwargs), expected)
            assert_same(getattr(pymic2, name).reduce(device, **kwargs), expected)


def test_reduction_where_errors():
    device = pymic2.asarray(numpy.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match="reduction operation 'maximum' does not have an "
                       "identity, so to use a where mask one has to specify 'initial'"):
        pymic2.max(device, where=numpy.ones(3, bool))
    with pytest.raises(ValueError, match="mask of shape \\(4, 2, 3\\) does not broadcast"):
        pymic2.sum(device, where=numpy.ones((4, 2, 3), bool))
    with pytest.raises(TypeError, match="to dtype\\('bool'\\)"):
        pymic2.sum(device, where=numpy.ones(3))
    with pytest.raises(ValueError, match="cannot convert float NaN to integer"):
        pymic2.max(pymic2.arange(3), initial=numpy.nan)
    with pytest.raises(TypeError, match="where"):
        pymic2.var(device, where=numpy.ones(3, bool))  # not supported: said so, no fallback


# ---------------------------------------------------------------- argmax / argmin

@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2])
def test_arg_keepdims(name, axis):
    host = sample((3, 4, 5), "float64")
    host[1, 2, 3] = numpy.nan
    device = pymic2.asarray(host)
    for keepdims in (False, True):
        expected = getattr(numpy, name)(host, axis=axis, keepdims=keepdims)
        assert_same(getattr(pymic2, name)(device, axis=axis, keepdims=keepdims), expected)
        assert_same(getattr(device, name)(axis=axis, keepdims=keepdims), expected)
        assert_same(getattr(numpy, name)(device, axis=axis, keepdims=keepdims), expected)
    strided = host[:, ::2]
    assert_same(getattr(pymic2, name)(device[:, ::2], axis=axis, keepdims=True),
                getattr(numpy, name)(strided, axis=axis, keepdims=True))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_rejects_a_tuple_of_axes_like_numpy(name):
    host = numpy.zeros((2, 3))
    with pytest.raises(TypeError) as expected:
        getattr(numpy, name)(host, axis=(0, 1))
    with pytest.raises(TypeError, match=str(expected.value)):
        getattr(pymic2, name)(pymic2.asarray(host), axis=(0, 1))
