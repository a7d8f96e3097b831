"""Creation and movement functions against NumPy: asarray/array, empty/zeros/ones/full and
*_like, arange, linspace, eye, where, to_device, asnumpy."""

import numpy
import pytest
from conftest import DEVICE_NAME, assert_same, names_both

import pymic2

ALL_DTYPES = [numpy.bool_, numpy.int8, numpy.uint8, numpy.int32, numpy.int64, numpy.float32,
              numpy.float64, numpy.complex128]
SHAPES = [(), (0,), (1,), (5,), (2, 0, 3), (3, 1, 4)]


def sample(shape, dtype, seed=0):
    values = numpy.random.default_rng(seed).integers(-50, 50, size=shape)
    if numpy.dtype(dtype).kind == "c":
        return (values + 1j * values[::-1] if values.ndim else values + 0.5j).astype(dtype)
    if numpy.dtype(dtype).kind == "u":
        values = numpy.abs(values)
    return values.astype(dtype)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_filled_constructors(shape, dtype):
    assert_same(pymic2.zeros(shape, dtype), numpy.zeros(shape, dtype))
    assert_same(pymic2.ones(shape, dtype), numpy.ones(shape, dtype))
    assert_same(pymic2.full(shape, 1, dtype), numpy.full(shape, 1, dtype))
    empty = pymic2.empty(shape, dtype)
    assert (empty.shape, empty.dtype) == (shape, numpy.dtype(dtype))
    host = sample(shape, dtype)
    a = pymic2.asarray(host)
    assert_same(a, host)
    assert_same(pymic2.zeros_like(a), numpy.zeros_like(host))
    assert_same(pymic2.ones_like(a), numpy.ones_like(host))
    assert_same(pymic2.full_like(a, 3), numpy.full_like(host, 3))
    assert pymic2.empty_like(a).shape == shape


def test_full_infers_dtype_and_like_functions_keep_layout():
    assert_same(pymic2.full((2, 2), 2.5), numpy.full((2, 2), 2.5))
    assert_same(pymic2.full(3, True), numpy.full(3, True))
    assert_same(pymic2.full(3, 7, numpy.int8), numpy.full(3, 7, numpy.int8))
    transposed = pymic2.zeros((3, 4)).T
    like = pymic2.ones_like(transposed)
    assert like.f_contiguous and not like.c_contiguous
    assert_same(pymic2.zeros_like(transposed, dtype=numpy.int32, shape=(2,)),
                numpy.zeros(2, numpy.int32))


def test_asarray_copies_and_dtypes():
    host = numpy.arange(6, dtype=numpy.int32).reshape(2, 3)
    a = pymic2.asarray(host)
    assert pymic2.asarray(a) is a
    assert pymic2.asarray(a, dtype=numpy.int32) is a
    copied = pymic2.asarray(a, copy=True)
    assert copied is not a and copied.buffer is not a.buffer
    assert_same(pymic2.asarray(a, dtype=numpy.float32), host.astype(numpy.float32))
    with pytest.raises(ValueError, match="copy"):
        pymic2.asarray(a, dtype=numpy.float64, copy=False)
    with pytest.raises(ValueError, match="always copied"):
        pymic2.asarray(host, copy=False)
    assert_same(pymic2.asarray([[1, 2], [3, 4]]), numpy.asarray([[1, 2], [3, 4]]))
    assert_same(pymic2.asarray(2.5), numpy.asarray(2.5))
    assert_same(pymic2.asarray([1, 2], dtype=numpy.uint8), numpy.asarray([1, 2], numpy.uint8))
    fortran = numpy.asfortranarray(host)
    assert pymic2.asarray(fortran).f_contiguous
    assert_same(pymic2.asarray(fortran), fortran)
    # a nested sequence of device arrays stacks them on the device
    assert_same(pymic2.asarray([a, a + 1]), numpy.asarray([host, host + 1]))


def test_array_copies_by_default_and_ndmin():
    a = pymic2.asarray(numpy.arange(3.0))
    b = pymic2.array(a)
    assert b.buffer is not a.buffer
    b[0] = 7
    assert a.get()[0] == 0
    assert pymic2.array(a, copy=False) is a
    assert_same(pymic2.array([1, 2], ndmin=3), numpy.array([1, 2], ndmin=3))


def test_unsupported_dtypes_raise_type_error():
    for dtype in (numpy.longdouble, "U3", object):
        with pytest.raises(TypeError):
            pymic2.zeros(3, dtype)
    with pytest.raises(TypeError, match="float128"):
        pymic2.asarray(numpy.zeros(2, numpy.longdouble))
    assert_same(pymic2.asarray(numpy.zeros(2, numpy.longdouble), dtype=numpy.float32),
                numpy.zeros(2, numpy.float32))


@pytest.mark.parametrize("args, kwargs", [
    ((5,), {}), ((2, 9), {}), ((2, 9, 3), {}), ((9, 2, -2), {}), ((0.5, 3.0, 0.25), {}),
    ((1, 2, 0.1), {}), ((-3, 4), {"dtype": numpy.float32}), ((0, 10, 3), {"dtype": "int8"}),
    ((5, 1), {}), ((0,), {}), ((10,), {"dtype": numpy.uint8}), ((0.5, 4), {"dtype": "int32"}),
    ((1e9, 1e9 + 5),  {}),
])
def test_arange_matches_numpy(args, kwargs):
    assert_same(pymic2.arange(*args, **kwargs), numpy.arange(*args, **kwargs))


def test_arange_errors():
    with pytest.raises(ZeroDivisionError):
        pymic2.arange(0, 5, 0)
    with pytest.raises(TypeError):
        pymic2.arange(3, dtype=numpy.complex128)
    with pytest.raises(TypeError):
        pymic2.arange("3")


@pytest.mark.parametrize("args, kwargs", [
    ((0, 1), {}), ((0, 1, 5), {}), ((-2, 7, 4), {"endpoint": False}), ((3, 3, 4), {}),
    ((1, 2, 1), {}), ((1, 2, 0), {}), ((0, 10, 7), {"dtype": numpy.int64}),
    ((-5, 5, 6), {"dtype": numpy.int32}), ((0, 1, 9), {"dtype": numpy.float32}),
    ((0, 1 + 2j, 5), {}),
])
def test_linspace_matches_numpy(args, kwargs):
    assert_same(pymic2.linspace(*args, **kwargs), numpy.linspace(*args, **kwargs))


def test_linspace_retstep_and_errors():
    samples, step = pymic2.linspace(0, 3, 4, retstep=True)
    expected, expected_step = numpy.linspace(0, 3, 4, retstep=True)
    assert_same(samples, expected)
    assert step == expected_step
    with pytest.raises(ValueError):
        pymic2.linspace(0, 1, -1)


@pytest.mark.parametrize("n, m, k", [(3, None, 0), (3, 5, 1), (4, 2, -1), (3, 3, 5), (0, 2, 0),
                                     (4, 4, -3), (1, 1, 0)])
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.int8, numpy.bool_, numpy.complex128])
def test_eye_and_identity(n, m, k, dtype):
    assert_same(pymic2.eye(n, m, k, dtype), numpy.eye(n, m, k, dtype))
    assert_same(pymic2.eye(n, m, k, dtype, order="F"), numpy.eye(n, m, k, dtype, order="F"))
    assert_same(pymic2.identity(n, dtype), numpy.identity(n, dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_where_promotes_and_broadcasts(dtype):
    host = sample((3, 4), dtype)
    condition = numpy.arange(12).reshape(3, 4) % 3 == 0
    a, c = pymic2.asarray(host), pymic2.asarray(condition)
    assert_same(pymic2.where(c, a, a[::-1]), numpy.where(condition, host, host[::-1]))
    assert_same(pymic2.where(c[:, :1], a, 0), numpy.where(condition[:, :1], host, 0))
    assert_same(pymic2.where(c, 1.5, a.T.T), numpy.where(condition, 1.5, host))
    assert_same(pymic2.where(pymic2.asarray(numpy.arange(12).reshape(3, 4)), a, host[0]),
                numpy.where(numpy.arange(12).reshape(3, 4), host, host[0]))


def test_where_with_scalars_and_errors():
    c = pymic2.asarray([True, False, True])
    assert_same(pymic2.where(c, 1, 2.5), numpy.where([True, False, True], 1, 2.5))
    assert_same(pymic2.where(c, numpy.int8(1), 2), numpy.where([True, False, True],
                                                                numpy.int8(1), 2))
    with pytest.raises(ValueError, match="both or neither"):
        pymic2.where(c, 1)
    other = pymic2.zeros(3, device="host:1")
    with pytest.raises(ValueError, match=names_both("host:1")):
        pymic2.where(c, other, 0)


def test_device_and_stream_arguments():
    a = pymic2.zeros(4, device="host:1")
    assert a.device.name == "host:1"
    assert pymic2.arange(3, device=1).device.name == "host:1"
    assert pymic2.zeros_like(a).device.name == "host:1"
    stream = pymic2.devices[1].create_stream()
    b = pymic2.ones(2, stream=stream)
    assert b.stream == stream
    with pytest.raises(ValueError, match="host:1"):
        pymic2.ones(2, device="host:0", stream=stream)
    stream.sync()


def test_to_device_and_asnumpy():
    host = numpy.arange(12.0).reshape(3, 4)
    a = pymic2.asarray(host)[:, 1::2]
    moved = pymic2.to_device(a, "host:1")
    assert moved.device.name == "host:1"
    assert_same(moved, host[:, 1::2])
    assert a.to_device(DEVICE_NAME) is a
    back = moved.to_device(pymic2.default_device())
    assert back.device.name == DEVICE_NAME
    assert_same(back, host[:, 1::2])
    numpy.testing.assert_array_equal(pymic2.asnumpy(a), host[:, 1::2])
    numpy.testing.assert_array_equal(pymic2.asnumpy([1, 2]), [1, 2])
    assert pymic2.asarray(a, device="host:1").device.name == "host:1"
    with pytest.raises(ValueError, match="host:1"):
        pymic2.asarray(a, device="host:1", copy=False)


def test_where_with_only_a_condition_is_nonzero():
    condition = numpy.array([[0, 3], [4, 0]])
    if pymic2._namespace.lookup("nonzero") is None:
        with pytest.raises(TypeError, match="nonzero"):
            pymic2.where(pymic2.asarray(condition))
        return
    for result, expected in zip(pymic2.where(pymic2.asarray(condition)),
                                numpy.where(condition)):
        assert_same(result, expected)
