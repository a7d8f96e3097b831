"""OffloadArray: pyMIC's array API, checked against NumPy."""

import numpy
import pytest

import pymic2
from conftest import DTYPES, assert_same

SHAPES = [(0,), (1,), (7,), (3, 4), (2, 0), (1, 1)]


def sample(shape, dtype, seed=0, low=-5, high=5):
    """Values of every dtype that are exact in float32 (so sums compare exactly)."""
    rng = numpy.random.default_rng(seed)
    values = rng.integers(low, high, size=shape)
    if numpy.dtype(dtype).kind == "c":
        values = values + 1j * rng.integers(low, high, size=shape)
    return values.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_bind_update_roundtrip(stream, dtype, shape):
    host = sample(shape, dtype)
    a = stream.bind(host)
    assert a.array is host
    assert (a.shape, a.size, a.ndim, a.dtype) == (host.shape, host.size, host.ndim, host.dtype)
    assert a.device is stream.device and a.stream is stream
    stream.sync()  # bind's upload is asynchronous
    host[...] = 0
    a.update_host()
    stream.sync()
    numpy.testing.assert_array_equal(host, sample(shape, dtype))
    assert a.update_host() is a


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_host_memory_reusable_once_bind_returns(stream, busy):
    # like CUDA's pageable copies: the upload has read the host array when bind returns
    if busy:
        work = stream.bind(numpy.ones(1 << 22))
        for _ in range(4):
            work += 1.0  # queued ahead of the upload
    host = numpy.arange(1.0, 100001.0)
    expect = host.copy()
    bound = stream.bind(host)
    host[...] = 0
    bound.update_host()
    stream.sync()
    numpy.testing.assert_array_equal(host, expect)


def test_bind_fortran_order(stream):
    host = numpy.asfortranarray(numpy.arange(6.0).reshape(2, 3))
    a = stream.bind(host)
    assert a.order == "F" and a.f_contiguous
    numpy.testing.assert_array_equal(a.get(), host)


def test_bind_refuses_non_contiguous_and_non_arrays(stream):
    with pytest.raises(ValueError, match="non-contiguous"):
        stream.bind(numpy.arange(10.0)[::2])
    with pytest.raises(ValueError, match="list"):
        stream.bind([1.0, 2.0])


def test_bind_without_update_then_update_device(stream):
    host = numpy.arange(4.0)
    a = stream.bind(host, update_device=False)
    a.fill(0)
    a.update_device()
    numpy.testing.assert_array_equal(a.get(), host)


@pytest.mark.parametrize("dtype", DTYPES)
def test_constructors(stream, dtype):
    shape = (3, 2)
    assert_same(stream.zeros(shape, dtype), numpy.zeros(shape, dtype))
    assert_same(stream.ones(shape, dtype), numpy.ones(shape, dtype))
    assert_same(stream.bcast(7, shape, dtype), numpy.full(shape, 7, dtype))
    template = numpy.empty((4,), dtype)
    assert_same(stream.zeros_like(template), numpy.zeros_like(template))
    assert_same(stream.ones_like(template), numpy.ones_like(template))
    assert_same(stream.bcast_like(3, template), numpy.full_like(template, 3))
    empty = stream.empty(shape, dtype)
    assert empty.shape == shape and empty.dtype == dtype
    assert stream.empty_like(template).shape == (4,)


def test_constructors_fill_host_mirror(stream):
    a = stream.ones((2, 2))
    stream.sync()
    numpy.testing.assert_array_equal(a.array, numpy.ones((2, 2)))
    b = stream.zeros((2, 2), update_host=False)
    assert b.shape == (2, 2)


def test_like_constructors_take_device_arrays(stream):
    a = stream.ones((2, 5), numpy.int32)
    assert_same(stream.zeros_like(a), numpy.zeros((2, 5), numpy.int32))


def test_bcast_complex_value(stream):
    assert_same(stream.bcast(1 + 2j, (3,), numpy.complex128), numpy.full(3, 1 + 2j))


def test_unsupported_dtype(stream):
    with pytest.raises(TypeError, match="float128"):
        stream.zeros((2,), numpy.longdouble)
    with pytest.raises(TypeError, match="not supported"):
        stream.bind(numpy.zeros(3, numpy.longdouble))


@pytest.mark.parametrize("dtype", DTYPES)
def test_fill_zero_one_fillfrom(stream, dtype):
    a = pymic2.OffloadArray((5,), dtype, stream=stream)
    assert a.fill(3) is a
    assert_same(a, numpy.full(5, 3, dtype))
    assert_same(a.zero(), numpy.zeros(5, dtype))
    assert_same(a.one(), numpy.ones(5, dtype))
    source = sample((5,), dtype, seed=3)
    assert_same(a.fillfrom(source), source)
    with pytest.raises(ValueError, match=r"\(4,\)"):
        a.fillfrom(numpy.zeros(4, dtype))


OPS = [
    ("add", lambda x, y: x + y),
    ("sub", lambda x, y: x - y),
    ("mul", lambda x, y: x * y),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,op", OPS)
@pytest.mark.parametrize("shape", [(0,), (1,), (4, 3)])
def test_binary_ops_with_every_operand_kind(stream, dtype, name, op, shape):
    x, y = sample(shape, dtype, 1), sample(shape, dtype, 2)
    a, b = stream.bind(x.copy()), stream.bind(y.copy())
    assert_same(op(a, b), op(x, y))          # OffloadArray, OffloadArray
    assert_same(op(a, y), op(x, y))          # OffloadArray, numpy.ndarray
    assert_same(op(x, b), op(x, y))          # numpy.ndarray, OffloadArray (reflected)
    for scalar in (2, 2.5, 1 - 2j, True, numpy.float32(1.5)):
        expected_dtype = numpy.result_type(x, scalar)
        expected = op(x, scalar).astype(expected_dtype)
        assert_same(op(a, scalar), expected)
        assert_same(op(scalar, a), op(scalar, x).astype(expected_dtype))
    assert type(op(a, b)) is pymic2.OffloadArray


@pytest.mark.parametrize("dtype", DTYPES)
def test_power(stream, dtype):
    x = sample((6,), dtype, 4, low=0, high=4)
    y = sample((6,), dtype, 5, low=0, high=3)
    a, b = stream.bind(x), stream.bind(y)
    assert_same(a ** b, x ** y)
    assert_same(a ** 2, x ** 2)
    assert_same(a ** 0.5, x ** 0.5)
    assert_same(2 ** a, 2 ** x)


def test_integer_to_negative_power(stream):
    a = stream.bind(numpy.arange(3))
    with pytest.raises(ValueError, match="negative integer powers"):
        a ** -1


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,op", OPS + [("pow", lambda x, y: x ** y)])
def test_in_place_ops(stream, dtype, name, op):
    x = sample((3, 3), dtype, 6, low=0, high=3)
    y = sample((3, 3), dtype, 7, low=0, high=3)
    a = stream.bind(x.copy())
    before = a.buffer
    if name == "add":
        a += stream.bind(y)
    elif name == "sub":
        a -= y
    elif name == "mul":
        a *= 2
    else:
        a **= 2
    assert a.buffer is before  # really in place
    other = {"add": y, "sub": y, "mul": 2, "pow": 2}[name]
    assert_same(a, op(x, other).astype(dtype))


def test_in_place_refuses_unsafe_cast(stream):
    a = stream.bind(numpy.arange(3, dtype=numpy.int32))
    with pytest.raises(TypeError, match="same_kind"):
        a += 1.5
    f = stream.bind(numpy.zeros(3, numpy.float32))
    f += numpy.arange(3, dtype=numpy.float64)  # same kind: allowed, as in NumPy
    assert_same(f, numpy.arange(3, dtype=numpy.float32))


def test_broadcasting_against_scalars_and_rows(stream):
    x = numpy.arange(12.0).reshape(3, 4)
    row = numpy.arange(4.0)
    a = stream.bind(x)
    assert_same(a + row, x + row)
    assert_same(a * stream.bind(row), x * row)
    assert_same(a - 1, x - 1)


def test_wrong_shapes_are_refused(stream):
    a = stream.bind(numpy.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"\(3, 4\) \(5,\)"):
        a + numpy.zeros(5)
    with pytest.raises(ValueError, match=r"\(3, 4\)"):
        a + stream.bind(numpy.zeros((2, 4)))
    with pytest.raises(ValueError):
        a += numpy.zeros((2, 3, 4))  # the result does not fit the output


def test_wrong_dtypes_are_refused(stream):
    a = stream.bind(numpy.zeros(3))
    with pytest.raises(TypeError):
        a + numpy.array(["x", "y", "z"])
    with pytest.raises(TypeError):
        a + "text"
    with pytest.raises(TypeError, match="float128"):
        a + numpy.zeros(3, numpy.longdouble)


def test_mixed_dtypes_promote_like_numpy(stream):
    i32 = numpy.arange(4, dtype=numpy.int32)
    f32 = numpy.arange(4, dtype=numpy.float32)
    a, b = stream.bind(i32), stream.bind(f32)
    assert_same(a + b, i32 + f32)            # float64
    assert_same(b + 1.5, f32 + 1.5)          # float32: the Python float is weak
    assert_same(a + 3, i32 + 3)              # int32
    assert_same(a * numpy.int64(3), i32 * numpy.int64(3))


def test_python_int_out_of_bounds(stream):
    a = stream.bind(numpy.zeros(2, numpy.int32))
    with pytest.raises(OverflowError, match="int32"):
        a + 2**40


@pytest.mark.parametrize("dtype", DTYPES)
def test_abs_and_negative(stream, dtype):
    x = sample((2, 3), dtype, 8)
    a = stream.bind(x)
    assert_same(abs(a), numpy.abs(x))
    assert_same(a.abs(), numpy.abs(x))
    assert_same(-a, -x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_reverse(stream, dtype):
    x = sample((9,), dtype, 9)
    assert_same(stream.bind(x).reverse(), x[::-1])
    y = sample((3, 4), dtype, 10)
    assert_same(stream.bind(y).reverse(), y[::-1, ::-1])
    assert stream.bind(numpy.zeros(0, dtype)).reverse().size == 0


def test_reshape_and_ravel_share_memory(stream):
    x = numpy.arange(12.0)
    a = stream.bind(x)
    r = a.reshape(3, 4)
    assert r.buffer is a.buffer and type(r) is pymic2.OffloadArray
    assert_same(r, x.reshape(3, 4))
    assert_same(a.reshape((2, -1)), x.reshape(2, -1))
    assert_same(r.ravel(), x)
    r.fill(1.0)  # a view: writes through
    assert_same(a, numpy.ones(12))
    with pytest.raises(ValueError, match="size 12"):
        a.reshape(5, 3)


def test_reshape_keeps_the_host_mirror_shared(stream):
    host = numpy.arange(6.0)
    a = stream.bind(host)
    r = a.reshape(2, 3)
    assert numpy.shares_memory(r.array, host)


def test_slice_assignment(stream):
    x = numpy.arange(10.0)
    a = stream.bind(x.copy())
    a[1:3] = numpy.array([-1.0, -2.0])
    a[5:] = 0
    a[::3] = stream.bind(numpy.full(4, 9.0))
    x[1:3] = [-1.0, -2.0]
    x[5:] = 0
    x[::3] = 9.0
    assert_same(a, x)
    with pytest.raises(ValueError):
        a[0:2] = numpy.zeros(3)


def test_len_and_repr(stream):
    a = stream.bind(numpy.arange(6.0).reshape(3, 2))
    assert len(a) == 3
    assert repr(a) == "OffloadArray" + repr(numpy.arange(6.0).reshape(3, 2))[5:]
    assert str(a) == str(numpy.arange(6.0).reshape(3, 2))
    with pytest.raises(TypeError, match="unsized"):
        len(a[0, 0])


def test_no_silent_host_conversion(stream):
    a = stream.bind(numpy.arange(3.0))
    with pytest.raises(TypeError, match=r"\.get\(\)"):
        numpy.asarray(a)


def test_deallocated_buffer_in_array_ops(stream):
    a = stream.bind(numpy.arange(3.0))
    a.buffer.free()
    with pytest.raises(pymic2.OffloadError, match="deallocated buffer"):
        a + 1.0
    with pytest.raises(pymic2.OffloadError, match="deallocated buffer"):
        a.update_host()


def test_ops_across_devices_are_refused(stream):
    a = stream.bind(numpy.arange(3.0))
    b = pymic2.devices[1].get_default_stream().bind(numpy.arange(3.0))
    with pytest.raises((ValueError, pymic2.OffloadError), match="host:1|host:0"):
        a + b


def test_stream_copy_does_not_alias(stream):
    host = numpy.arange(4.0)
    a = stream.copy(host)
    assert a.array is not host
    stream.sync()
    host[:] = -1
    a.update_host()
    stream.sync()
    numpy.testing.assert_array_equal(a.array, numpy.arange(4.0))


def test_asynchronous_error_reported_by_sync(device):
    s = device.create_stream()
    base = s.bind(numpy.arange(3))
    result = base ** s.bind(numpy.array([1, -1, 2]))  # fails on the device, not at launch
    with pytest.raises(ValueError, match="negative integer powers"):
        s.sync()
    s.sync()  # reported once
    del result


def test_bool_negative_is_refused(stream):
    with pytest.raises(TypeError, match="bool"):
        -stream.bind(numpy.array([True, False]))
