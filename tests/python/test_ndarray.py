"""The device array core (pymic2.ndarray): attributes, views, transfers, indexing."""

import numpy
import pytest

import pymic2
from conftest import DTYPES, assert_same


@pytest.mark.parametrize("dtype", DTYPES)
def test_attributes_match_numpy(dtype):
    host = numpy.zeros((3, 4, 5), dtype)
    a = pymic2.asarray(host)
    assert a.shape == host.shape and a.strides == host.strides
    assert (a.ndim, a.size, a.itemsize, a.nbytes) == (3, 60, host.itemsize, host.nbytes)
    assert a.dtype == host.dtype and isinstance(a.dtype, numpy.dtype)
    assert a.c_contiguous and not a.f_contiguous
    assert a.flags["C_CONTIGUOUS"] and a.flags.c_contiguous
    assert a.device is pymic2.default_device()
    assert a.stream is pymic2.default_device().get_default_stream()
    assert isinstance(a, pymic2.ndarray) and not isinstance(a, pymic2.OffloadArray)


def test_fortran_order_strides():
    a = pymic2.ndarray((3, 4), numpy.float32, order="F")
    assert a.strides == numpy.empty((3, 4), numpy.float32, order="F").strides
    assert a.f_contiguous and not a.c_contiguous
    assert (a + 1.0).f_contiguous  # order is kept, as numpy's order='K'


def test_zero_dim_and_empty():
    scalar = pymic2.ndarray((), numpy.float64).fill(2.5)
    assert scalar.shape == () and scalar.size == 1
    assert_same(scalar * 2, numpy.float64(5.0).reshape(()))
    empty = pymic2.zeros((0, 3))
    assert_same(empty + 1, numpy.zeros((0, 3)) + 1)


def test_get_set_roundtrip_and_shape_check():
    host = numpy.arange(6, dtype=numpy.int64).reshape(2, 3)
    a = pymic2.empty((2, 3), numpy.int64)
    a.set(host)
    numpy.testing.assert_array_equal(a.get(), host)
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        a.set(host.T)


def test_array_protocol_refuses_implicit_copies():
    a = pymic2.zeros(3)
    with pytest.raises(TypeError, match="get"):
        numpy.array(a)
    with pytest.raises(TypeError):
        numpy.add(numpy.zeros(3), a, out=numpy.zeros(3))


def test_basic_indexing_views():
    host = numpy.arange(60.0).reshape(3, 4, 5)
    a = pymic2.asarray(host)
    for key in [1, (1, 2), (slice(None), 1), (Ellipsis, 2), (slice(None, None, -1),),
                (slice(1, None, 2), None, slice(None, None, -2)), (-1, Ellipsis, -1),
                (slice(5, 1),)]:
        view = a[key]
        assert view.buffer is a.buffer
        assert_same(view, host[key])
    with pytest.raises(IndexError, match="out of bounds"):
        a[3]
    with pytest.raises(IndexError, match="too many"):
        a[0, 0, 0, 0]
    gathered = a[[0, 1]]  # an integer array is a gather (test_indexing.py): a copy
    assert gathered.buffer is not a.buffer
    assert_same(gathered, host[[0, 1]])


def test_strided_setitem_and_views_of_views():
    host = numpy.zeros((4, 6))
    a = pymic2.asarray(host)
    a[1:3, ::2] = 5.0
    a[:, -1] = numpy.arange(4.0)
    a[0][1:3] = a[3][1:3] + 7
    host[1:3, ::2] = 5.0
    host[:, -1] = numpy.arange(4.0)
    host[0][1:3] = host[3][1:3] + 7
    assert_same(a, host)


def test_setitem_casts_like_numpy():
    a = pymic2.zeros(3, numpy.int32)
    a[0] = 2.7
    a[1:] = numpy.array([1.9, -1.9])
    numpy.testing.assert_array_equal(a.get(), numpy.array([2, 1, -1], numpy.int32))


def test_transpose_and_copy():
    host = numpy.arange(6.0).reshape(2, 3)
    a = pymic2.asarray(host)
    assert_same(a.T, host.T)
    assert_same(a.transpose(1, 0).copy(), host.T.copy())
    assert a.T.copy().c_contiguous
    assert_same(a.T.reshape(-1), host.T.reshape(-1))  # non-contiguous reshape copies
    with pytest.raises(ValueError, match="permutation"):
        a.transpose(0, 0)


@pytest.mark.parametrize("source", DTYPES)
@pytest.mark.parametrize("target", DTYPES)
def test_astype(source, target):
    host = numpy.array([0, 1, 2, 5], source)
    # complex -> real keeps the real part (NumPy does too, with a ComplexWarning)
    expected = host.astype(target) if numpy.dtype(target).kind == "c" else \
        host.real.astype(target)
    assert_same(pymic2.asarray(host).astype(target), expected)


def test_view_bounds_are_checked():
    a = pymic2.zeros(4)
    with pytest.raises(ValueError, match="outside"):
        a._view(0, (5,), (8,))
    with pytest.raises(ValueError, match="outside"):
        a._view(8, (2,), (-16,))


def test_module_constructors():
    assert_same(pymic2.ones((2, 2), numpy.int32), numpy.ones((2, 2), numpy.int32))
    assert_same(pymic2.zeros(3), numpy.zeros(3))
    assert pymic2.empty((2,), numpy.complex128).dtype == numpy.complex128
    a = pymic2.asarray([1, 2, 3])
    assert pymic2.asarray(a) is a
    assert_same(a, numpy.array([1, 2, 3]))


def test_arrays_on_another_stream_and_device():
    s = pymic2.devices[1].create_stream()
    a = pymic2.ndarray((3,), numpy.float64, stream=s).fill(1.0)
    assert a.device is pymic2.devices[1] and a.stream is s
    assert_same(a + a, numpy.full(3, 2.0))


def test_negative_dimension():
    with pytest.raises(ValueError, match="negative"):
        pymic2.ndarray((2, -1))


def test_elementwise_entry_point_checks_its_arguments():
    ew, core = pymic2._core.elementwise, pymic2._core
    f64, i32 = pymic2.zeros(3), pymic2.zeros(3, numpy.int32)
    with pytest.raises(ValueError, match="unknown op"):
        ew(10_000, f64)
    with pytest.raises(TypeError, match="add takes 2 inputs, 1 given"):
        ew(core.OP_ADD, f64)
    with pytest.raises(TypeError, match="int32 where float64"):
        ew(core.OP_ADD, f64, i32)
    with pytest.raises(TypeError, match="out has dtype int32"):
        ew(core.OP_ADD, f64, f64, out=i32)
    with pytest.raises(TypeError, match="scalars only"):
        ew(core.OP_COPY, 3.0, dtype=core.dtype_codes["float64"])
    with pytest.raises(TypeError, match="array input or out"):
        ew(core.OP_ADD, 1.0, 2.0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        ew(core.OP_ADD, f64, f64, where=True)
    with pytest.raises(TypeError, match="without promotion"):
        ew(core.OP_ADD, i32, 1.5)
    assert_same(ew(core.OP_ADD, f64, 2), numpy.full(3, 2.0))  # ints read as float64


def test_scalar_conversions():
    a = pymic2.asarray(numpy.array([[2.5]]))
    assert a.item() == 2.5 and float(a) == 2.5 and int(a) == 2 and complex(a) == 2.5
    assert pymic2.asarray([1, 2]).tolist() == [1, 2]
    with pytest.raises(ValueError, match="size 1"):
        pymic2.zeros(2).item()
