"""Robustness and compatibility: shapes whose size overflows, the result of a failed gather,
pyMIC 0.7's kernel tuples and float byte counts, NumPy edge cases (empty argmax, == None,
negative integer powers, repr, power and tanh special values) and the dtypes the devices
refuse. Every test runs on the suite's device (host:0 or opencl:0)."""

import ctypes
import math
import os

import numpy
import pytest

import pymic2
from conftest import DEVICE_NAME, ON_HOST

TOO_BIG = "array is too big; `arr.size \\* arr.dtype.itemsize` is larger than the maximum"
CL_KERNELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels_cl",
                          "test_kernels.cl")


# ---------------------------------------------------------------- shapes that overflow


@pytest.mark.parametrize("shape", [(2**32, 2**32), (2**30, 2**30), (2**62, 2), (3, 2**62)])
def test_broadcast_to_a_shape_whose_bytes_overflow_int64_is_refused(shape):
    """It was a view of a wrapped size: broadcast_to(ones(1), (2**32, 2**32)).sum() gave 0."""
    with pytest.raises(ValueError):
        numpy.broadcast_to(numpy.ones(1), shape)
    one = pymic2.asarray(numpy.ones(1))
    with pytest.raises(ValueError, match=TOO_BIG):
        pymic2.broadcast_to(one, shape)


@pytest.mark.parametrize("make", [pymic2.zeros, pymic2.empty, pymic2.ones,
                                  lambda shape: pymic2.full(shape, 2.0)])
@pytest.mark.parametrize("shape", [(2**32, 2**32), (2**40, 2**30), (0, 2**62, 2**62)])
def test_creation_with_a_shape_whose_bytes_overflow_is_refused(make, shape):
    """NumPy counts the bytes of the non-zero dimensions even for an empty array."""
    with pytest.raises(ValueError, match=TOO_BIG):
        numpy.zeros(shape)
    with pytest.raises(ValueError, match=TOO_BIG):
        make(shape)


def test_dimensions_beyond_int64_and_too_many_dimensions_are_refused():
    for shape in ((2**63,), (2, 2**64)):
        with pytest.raises(ValueError, match="Maximum allowed dimension exceeded"):
            numpy.zeros(shape)
        with pytest.raises(ValueError, match="Maximum allowed dimension exceeded"):
            pymic2.zeros(shape)
    with pytest.raises(ValueError, match="maximum supported dimension for an ndarray is 32, "
                                         "found 33"):
        pymic2.zeros((1,) * 33)


def test_reshape_of_an_empty_array_to_a_huge_shape_is_refused():
    with pytest.raises(ValueError, match=TOO_BIG):
        numpy.zeros(0).reshape(0, 2**62, 2**62)
    with pytest.raises(ValueError, match=TOO_BIG):
        pymic2.zeros(0).reshape(0, 2**62, 2**62)


def test_arithmetic_of_two_huge_broadcast_views_is_refused():
    """Each view fits (2**40 bytes of int8); their broadcast result would not."""
    one = pymic2.asarray(numpy.ones(1, numpy.int8))
    rows = pymic2.broadcast_to(one, (2**40, 1))
    columns = pymic2.broadcast_to(one, (1, 2**40))
    assert rows.shape == (2**40, 1) and int(rows[2**40 - 1, 0]) == 1
    with pytest.raises(ValueError, match=TOO_BIG):
        rows + columns
    with pytest.raises(ValueError, match=TOO_BIG):
        pymic2.expand_dims(rows, 0) * pymic2.expand_dims(columns, 0)


def test_a_view_with_strides_beyond_its_buffer_is_refused():
    a = pymic2.zeros(4)
    with pytest.raises(ValueError, match="outside the 32-byte buffer"):
        a._view(0, (2,), (2**62,))
    with pytest.raises(ValueError, match="outside"):
        a._view(0, (3, 3), (2**62, 2**62))  # the span overflows an int64


# ---------------------------------------------------------------- a failed gather


def _dirty_pool(n):
    """Leaves a freed block of n float64 sevens in the pool, where the next array of that
    size lands: a result left uninitialised would read 7."""
    junk = pymic2.full(n, 7.0)
    junk.stream.sync()
    del junk


@pytest.mark.parametrize("key", ["1-d", "2-d rows", "2-d pairs"])
def test_gather_with_an_index_out_of_bounds_yields_zeros_after_the_index_error(key):
    host = numpy.arange(1.0, 21.0).reshape(4, 5)
    a = pymic2.asarray(host)
    if key == "1-d":
        a, index, size = pymic2.asarray(host.ravel()), (pymic2.asarray([1, 25, 3]),), 3
    elif key == "2-d rows":
        index, size = (pymic2.asarray([0, 9, 2]),), 15
    else:
        index, size = (pymic2.asarray([0, 1, 2]), pymic2.asarray([4, -6, 0])), 3
    _dirty_pool(size)
    result = a[index if len(index) > 1 else index[0]]
    assert result.size == size
    with pytest.raises(IndexError, match="out of bounds"):
        result.stream.sync()
    numpy.testing.assert_array_equal(result.get(), numpy.zeros(result.shape))
    numpy.testing.assert_array_equal(a.get(), host.ravel() if key == "1-d" else host)


def test_take_with_an_index_out_of_bounds_yields_zeros():
    a, index = pymic2.asarray(numpy.arange(5.0)), pymic2.asarray([0, 1, 7, 2])
    _dirty_pool(4)
    result = pymic2.take(a, index)
    with pytest.raises(IndexError, match="index 7 is out of bounds"):
        result.get()
    numpy.testing.assert_array_equal(result.get(), numpy.zeros(4))


# ---------------------------------------------------------------- pyMIC 0.7 compatibility


@pytest.fixture
def kernel_library(device, kernel_path):
    """A library of the suite's device and one of its kernels' names."""
    if device.backend == "host":
        return device.load_library(kernel_path), "scale"
    return device.load_library(CL_KERNELS), "axpy"


def test_kernel_reads_as_pymics_tuple(device, kernel_library, kernel_path):
    """pyMIC's kernels were (name, function pointer, device, library): its tests read
    kernel[1]; attribute access stays."""
    library, name = kernel_library
    kernel = library.get_kernel(name)
    assert len(kernel) == 4
    found_name, pointer, core_device, core_library = kernel
    assert (found_name, core_device, core_library) == (name, kernel.device, kernel.library)
    assert kernel.name == name and core_device is device._device
    assert list(kernel) == [kernel[0], kernel[1], kernel[2], kernel[3]]
    assert kernel[-4] == name and kernel[:2] == (name, pointer)
    if ON_HOST:  # the same address the dynamic linker gives for the symbol
        expected = ctypes.cast(getattr(ctypes.CDLL(kernel_path), name), ctypes.c_void_p).value
        assert pointer == expected != 0
    else:
        assert pointer is None  # OpenCL code has no address
    again = library._library.find(name)  # another object for the same kernel
    assert again is not kernel and again == kernel and hash(again) == hash(kernel)
    assert kernel == tuple(kernel) and not kernel != tuple(kernel)
    assert kernel != library._library.find("capture")
    with pytest.raises(IndexError):
        kernel[4]


def test_integral_float_byte_counts_and_offsets_are_accepted(stream):
    """pyMIC's data_transfers_offset example (Python 2's nbytes / 2 is a float)."""
    a = numpy.arange(0.0, 32.0)
    b = numpy.empty_like(a)
    nbytes = a.dtype.itemsize * a.size
    first = stream.allocate_device_memory(nbytes / 1)
    second = stream.allocate_device_memory(float(nbytes))
    stream.transfer_host2device(a, first, nbytes / 2, offset_host=0, offset_device=nbytes / 2)
    stream.transfer_host2device(a, first, nbytes / 2, offset_host=nbytes / 2, offset_device=0)
    for i in range(4):
        stream.transfer_device2device(first, second, nbytes / 4, offset_device_src=i * nbytes / 4,
                                      offset_device_dst=(3 - i) * (nbytes / 4))
    for i in range(4):
        stream.transfer_device2host(second, b, nbytes / 4, offset_device=i * (nbytes / 4),
                                    offset_host=numpy.float64((3 - i) * (nbytes / 4)))
    stream.sync()
    # halves swapped into the first buffer, quarters reversed twice on the way back
    numpy.testing.assert_array_equal(b, numpy.concatenate([a[16:], a[:16]]))
    for bad in ({"nbytes": 8.5}, {"offset_host": 0.5}, {"offset_device": -8.0},
                {"nbytes": "8"}, {"nbytes": math.nan}):
        arguments = {"nbytes": 8, **bad}
        with pytest.raises(ValueError, match="must be an integer >= 0"):
            stream.transfer_host2device(a, first, **arguments)
    with pytest.raises(ValueError, match="cannot allocate 16.5 bytes"):
        stream.allocate_device_memory(16.5)


def test_kernel_names_with_a_nul_are_refused(kernel_library):
    library, name = kernel_library
    with pytest.raises(ValueError, match="contains a NUL"):
        library.get_kernel(name + "\0suffix")  # C would have found `name`
    with pytest.raises(ValueError, match="contains a NUL"):
        getattr(library, "\0" + name)


# ---------------------------------------------------------------- NumPy edge cases


@pytest.mark.parametrize("function", ["argmax", "argmin"])
def test_arg_reductions_over_a_zero_length_axis_raise_even_when_the_result_is_empty(function):
    host = numpy.zeros((0, 3, 0))
    a = pymic2.asarray(host)
    for axis in (-1, 0, None):
        with pytest.raises(ValueError, match=f"attempt to get {function} of an empty"):
            getattr(numpy, function)(host, axis=axis)
        with pytest.raises(ValueError, match=f"attempt to get {function} of an empty"):
            getattr(pymic2, function)(a, axis=axis)
        with pytest.raises(ValueError, match=f"attempt to get {function} of an empty"):
            getattr(a, function)(axis=axis, keepdims=True)
    result = getattr(a, function)(axis=1)  # a non-empty axis: an empty result, as NumPy's
    assert result.shape == (0, 0) and result.dtype == numpy.int64


def test_comparison_with_none_is_element_wise():
    host = numpy.arange(6.0).reshape(2, 3)
    a = pymic2.asarray(host)
    for result, expected in ((a == None, host == None), (a != None, host != None),  # noqa: E711
                             (None == a, None == host), (None != a, None != host)):  # noqa: E711
        assert isinstance(result, pymic2.ndarray) and result.device == a.device
        assert result.dtype == expected.dtype and result.shape == expected.shape
        numpy.testing.assert_array_equal(result.get(), expected)


def test_integer_array_to_a_negative_integer_array_power_raises_value_error_at_sync():
    base = pymic2.asarray(numpy.array([2, 3, 4], numpy.int64))
    result = base ** pymic2.asarray(numpy.array([1, -1, 2], numpy.int64))
    with pytest.raises(ValueError, match="Integers to negative integer powers are not "
                                         "allowed."):
        numpy.arange(3) ** numpy.array([1, -1, 2])
    with pytest.raises(ValueError, match=f"{DEVICE_NAME}: power: Integers to negative "
                                         "integer powers are not allowed."):
        result.stream.sync()
    base.stream.sync()  # reported once
    with pytest.raises(ValueError, match="Integers to negative integer powers"):
        base ** -1  # a scalar exponent is checked at the call


def test_repr_is_numpys_with_the_device_and_str_is_numpys():
    for host in (numpy.array([1.0, 2.0]), numpy.array([1, 2], numpy.int32),
                 numpy.arange(6.0).reshape(2, 3), numpy.zeros((2, 0)), numpy.array(3.5),
                 numpy.array([True, False])):
        a = pymic2.asarray(host)
        assert repr(a) == repr(host)[:-1] + f", device='{DEVICE_NAME}')"
        assert str(a) == str(host)
        if host.size == 0:
            continue  # NumPy's repr of an empty array adds shape=, which array() lacks
        again = eval(repr(a), {"array": pymic2.array, "int32": numpy.int32,  # noqa: S307
                               "float64": numpy.float64})
        assert again.device == a.device and again.dtype == host.dtype
        numpy.testing.assert_array_equal(again.get(), host)
    assert repr(pymic2.asarray(numpy.array([1.0, 2.0]))) == \
        f"array([1., 2.], device='{DEVICE_NAME}')"


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_power_one_half_of_minus_infinity_and_minus_zero(dtype):
    """C's pow and the array API: (-inf) ** 0.5 is +inf and (-0.0) ** 0.5 is +0.0, what NumPy
    gives for an array exponent. (NumPy 2.4's fast path for a scalar exponent 0.5 calls sqrt
    and gives nan and -0.0 instead, numpy/numpy#21213; the device keeps pow's values.)"""
    host = numpy.array([-numpy.inf, -0.0, numpy.inf, 0.0, 4.0], dtype)
    expected = numpy.power(host, numpy.full(5, 0.5, dtype))  # NumPy's pow loop
    numpy.testing.assert_array_equal(expected, [numpy.inf, 0.0, numpy.inf, 0.0, 2.0])
    x = pymic2.asarray(host)
    for result in (pymic2.power(x, 0.5), x ** 0.5, pymic2.power(x, dtype(0.5)),
                   pymic2.power(x, pymic2.full(5, 0.5, dtype=dtype))):
        got = result.get()
        assert got.dtype == dtype
        numpy.testing.assert_array_equal(got, expected)
        assert not numpy.signbit(got[1])


def test_float32_tanh_of_large_values_is_exactly_one():
    """PoCL's float tanh stayed 1 ulp below 1 even for infinity."""
    host = numpy.array([numpy.inf, -numpy.inf, 10.0, -20.0, 88.0, 9.0, 0.5, numpy.nan],
                       numpy.float32)
    got = pymic2.tanh(pymic2.asarray(host)).get()
    expected = numpy.tanh(host)
    numpy.testing.assert_array_equal(got[:5], [1.0, -1.0, 1.0, -1.0, 1.0])
    numpy.testing.assert_array_equal(got[:5], expected[:5])
    numpy.testing.assert_allclose(got[5:7], expected[5:7], rtol=2e-7)
    assert numpy.isnan(got[7])


# ---------------------------------------------------------------- dtypes the device lacks


REFUSED = ["float128"]  # every NumPy numeric dtype but long double has a row


@pytest.mark.parametrize("name", REFUSED)
def test_dtypes_the_device_lacks_are_refused_on_every_path(name, stream):
    """A TypeError naming the dtype and the device, never a silent widening (sum(dtype=) and
    host complex64 operands were widened, the rest refused)."""
    dtype = numpy.dtype(name)
    pattern = f"{name} is not supported on {DEVICE_NAME}"
    floats = pymic2.asarray(numpy.arange(3.0))
    host = numpy.arange(3).astype(dtype)
    attempts = {
        "asarray": lambda: pymic2.asarray(host),
        "asarray(dtype=)": lambda: pymic2.asarray([1, 2], dtype=dtype),
        "astype": lambda: floats.astype(dtype),
        "zeros": lambda: pymic2.zeros(3, dtype=dtype),
        "empty": lambda: pymic2.empty(3, dtype),
        "full": lambda: pymic2.full(3, 1, dtype=dtype),
        "arange": lambda: pymic2.arange(3, dtype=dtype),
        "ndarray": lambda: pymic2.ndarray((3,), dtype),
        "sum(dtype=)": lambda: floats.sum(dtype=dtype),
        "mean(dtype=)": lambda: floats.mean(dtype=dtype),
        "cumsum(dtype=)": lambda: floats.cumsum(dtype=dtype),
        "ufunc dtype=": lambda: pymic2.add(floats, floats, dtype=dtype),
        "host operand": lambda: floats + host,
        "bind": lambda: stream.bind(host),
        "concatenate(dtype=)": lambda: pymic2.concatenate([floats, floats], dtype=dtype),
    }
    for what, attempt in attempts.items():
        with pytest.raises(TypeError, match=pattern):
            attempt()
            pytest.fail(f"{what} accepted {name}")


def test_results_numpy_gives_in_float16_and_complex64_have_those_dtypes():
    int8 = pymic2.asarray(numpy.array([1, -2, 3], numpy.int8))
    uint8 = pymic2.asarray(numpy.array([1, 2, 250], numpy.uint8))
    assert pymic2.exp(int8).dtype == numpy.float16           # NumPy's, a device dtype now
    assert (int8 + numpy.float16(7)).dtype == numpy.float16  # a NumPy scalar: NumPy's float16
    floats = pymic2.asarray(numpy.ones(2, numpy.float32))
    assert (floats * 1j).dtype == numpy.complex64            # NumPy's own, a device dtype now
    assert (int8 + uint8).dtype == numpy.int16               # NumPy's own, a device dtype now
    numpy.testing.assert_array_equal((int8 + uint8).get(), [2, 0, 253])
