"""DLPack: numpy.from_dlpack(device_array) is a zero-copy view of host-device memory (kDLCPU);
pymic2.from_dlpack(numpy_array) copies into device memory (a separate space)."""

import gc
import weakref

import numpy
import pytest
from conftest import assert_same

import pymic2

ALL_DTYPES = [numpy.bool_, numpy.int8, numpy.uint8, numpy.int32, numpy.int64, numpy.float32,
              numpy.float64, numpy.complex128]


def device_pair(shape, dtype):
    host = (numpy.arange(int(numpy.prod(shape))) % 7).reshape(shape).astype(dtype)
    return pymic2.asarray(host), host


def test_dlpack_device_is_cpu():
    a, _ = device_pair((2,), numpy.float64)
    assert a.__dlpack_device__() == (1, 0)
    assert pymic2.zeros(1, device="host:1").__dlpack_device__() == (1, 0)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("view", ["contiguous", "transposed", "strided", "reversed", "empty",
                                  "scalar", "broadcast"])
def test_numpy_reads_device_memory_without_a_copy(dtype, view):
    base, host = device_pair((4, 6), dtype)
    make = {
        "contiguous": lambda x: x,
        "transposed": lambda x: x.T,
        "strided": lambda x: x[1::2, ::3],
        "reversed": lambda x: x[::-1, ::-2],
        "empty": lambda x: x[2:2],
        "scalar": lambda x: x[1, 2],
        "broadcast": lambda x: x[1:2],
    }[view]
    a, expected = make(base), make(host)
    if view == "broadcast":
        a, expected = pymic2.broadcast_to(a, (3, 6)), numpy.broadcast_to(expected, (3, 6))
    result = numpy.from_dlpack(a)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    numpy.testing.assert_array_equal(result, expected)
    if a.size:
        address = result.__array_interface__["data"][0]
        assert address == a.data_ptr  # the device memory itself


def test_writes_through_the_numpy_view_reach_the_device_array():
    a, host = device_pair((3, 4), numpy.float64)
    view = numpy.from_dlpack(a[:, 1:3])
    view[...] = -1.0
    host[:, 1:3] = -1.0
    assert_same(a, host)


def test_the_capsule_keeps_the_array_alive(device):
    a = pymic2.asarray(numpy.arange(1000.0))
    alive = weakref.ref(a)
    view = numpy.from_dlpack(a)
    del a
    gc.collect()
    assert alive() is not None  # held by the exported tensor
    device.memory_pool.free_all_blocks()
    numpy.testing.assert_array_equal(view, numpy.arange(1000.0))
    del view
    gc.collect()
    assert alive() is None  # the deleter released it


def test_exports_leave_no_device_memory_behind(pool_unchanged):
    a = pymic2.asarray(numpy.arange(4096.0))
    views = [numpy.from_dlpack(a), numpy.from_dlpack(a.T, copy=True), a.__dlpack__()]
    assert views[0].sum() == numpy.arange(4096.0).sum()
    del a, views


def test_unconsumed_capsules_release_the_array():
    a = pymic2.zeros(10)
    alive = weakref.ref(a)
    for versioned in (None, (1, 0)):
        capsule = a.__dlpack__(max_version=versioned)
        del capsule
    del a
    gc.collect()
    assert alive() is None


def test_protocol_arguments():
    # pending work on the stream is complete when the consumer reads (stream=None syncs)
    big = pymic2.arange(2_000_000, dtype=numpy.float64)
    numpy.testing.assert_array_equal(numpy.from_dlpack(big.astype(numpy.int64)),
                                     numpy.arange(2_000_000))
    a = pymic2.asarray(numpy.arange(5.0))
    copied = numpy.from_dlpack(a, copy=True)
    copied[0] = 99
    assert a.get()[0] == 0
    assert numpy.from_dlpack(a, copy=False).__array_interface__["data"][0] == a.data_ptr
    assert numpy.from_dlpack(a, device="cpu").shape == (5,)
    with pytest.raises(ValueError, match="stream"):
        a.__dlpack__(stream=1)
    with pytest.raises(BufferError):
        a.__dlpack__(dl_device=(2, 0))
    assert type(a.__dlpack__()).__name__ == "PyCapsule"
    assert type(a.__dlpack__(stream=-1, max_version=(1, 0))).__name__ == "PyCapsule"


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_from_dlpack_copies_host_data_into_device_memory(dtype):
    host = (numpy.arange(12) % 5).astype(dtype).reshape(3, 4)[:, ::2]
    a = pymic2.from_dlpack(host)
    assert isinstance(a, pymic2.ndarray)
    assert_same(a, host)
    host[...] = 0  # a copy: the device array does not change
    assert a.get().any()
    assert a.data_ptr != host.__array_interface__["data"][0]
    with pytest.raises(ValueError, match="copied"):
        pymic2.from_dlpack(host, copy=False)
    assert pymic2.from_dlpack(host, device="host:1").device.name == "host:1"


def test_from_dlpack_of_device_arrays_and_round_trips():
    a = pymic2.asarray(numpy.arange(6, dtype=numpy.int32).reshape(2, 3))
    assert pymic2.from_dlpack(a) is a
    assert pymic2.from_dlpack(a, copy=True).buffer is not a.buffer
    moved = pymic2.from_dlpack(a, device="host:1")
    assert moved.device.name == "host:1"
    assert_same(moved, a.get())
    round_trip = pymic2.from_dlpack(numpy.from_dlpack(a.T))
    assert_same(round_trip, a.get().T)
    with pytest.raises(TypeError, match="__dlpack__"):
        pymic2.from_dlpack([1, 2, 3])
