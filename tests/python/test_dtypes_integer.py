"""The integer dtypes int16, uint16, uint32 and uint64 against NumPy, on the suite's device:
element-wise ops, overflow wrap-around, promotion with every other dtype, reductions and
their accumulation dtypes, matmul, indexing, where, concatenate, casts, random integers,
DLPack and the pyMIC API. Arrays are small and each (op, dtype) appears once, so the
opencl:0 pass builds few programs."""

import itertools

import numpy
import pytest
from conftest import assert_same

import pymic2
from pymic2 import _dtypes

NEW = [numpy.dtype(name) for name in ("int16", "uint16", "uint32", "uint64")]
ALL = [numpy.dtype(name) for name in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex128")]
names = [dt.name for dt in NEW]


def sample(dtype, seed=0, n=12):
    """Values covering zero, small ones of both signs and the dtype's extremes."""
    dtype = numpy.dtype(dtype)
    if dtype.kind == "b":
        return numpy.arange(n) % 3 == 0
    if dtype.kind in "fc":
        return (numpy.arange(n) - n // 2).astype(dtype) * 1.5
    info = numpy.iinfo(dtype)
    rng = numpy.random.default_rng(seed)
    values = rng.integers(max(info.min, -9), 10, n).astype(dtype)
    values[:3] = [info.min, info.max, 0]
    return values


# one op per distinct integer expression of op_table.h (each (op, dtype) is an OpenCL build)
BINARY = ["add", "multiply", "floor_divide", "remainder", "power", "maximum", "less",
          "bitwise_xor"]
UNARY = ["negative", "absolute", "sign", "invert"]


@pytest.mark.parametrize("dtype", NEW, ids=names)
@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_match_numpy(name, dtype):
    x, y = sample(dtype, 1), sample(dtype, 2)
    if name == "power":  # NumPy refuses negative integer exponents
        y = numpy.abs(y % 5).astype(dtype)
    with numpy.errstate(all="ignore"):
        expected = getattr(numpy, name)(x, y)
    assert_same(getattr(pymic2, name)(pymic2.asarray(x), pymic2.asarray(y)), expected)


@pytest.mark.parametrize("dtype", NEW, ids=names)
@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_match_numpy(name, dtype):
    x = sample(dtype, 3)
    with numpy.errstate(all="ignore"):
        expected = getattr(numpy, name)(x)
    assert_same(getattr(pymic2, name)(pymic2.asarray(x)), expected)


@pytest.mark.parametrize("dtype", [dt for dt in NEW if dt.kind == "u"],
                         ids=[n for n in names if n.startswith("u")])
def test_unsigned_overflow_wraps_as_numpy(dtype):
    top = numpy.iinfo(dtype).max
    x = numpy.array([top, top - 1, 0, 1], dtype)
    y = numpy.array([1, 3, 1, 2], dtype)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    assert_same(a + b, x + y)                       # past the top: from 0 again
    assert_same(b - a, y - x)                       # below 0: from the top
    assert_same(a * b, x * y)
    assert_same(-a, -x)
    assert_same(a + 1, x + 1)                       # a weak Python int keeps the dtype
    assert_same(a.sum(), x.sum())                   # uint64 sums wrap too
    with pytest.raises(OverflowError):              # as NumPy: -1 does not fit
        a + (-1)


def test_uint64_takes_python_ints_past_int64():
    x = numpy.array([0, 2**63, 2**64 - 2], numpy.uint64)
    a = pymic2.asarray(x)
    assert_same(a + (2**63 + 1), x + (2**63 + 1))
    assert_same(a // 2**63, x // 2**63)             # unsigned division of the upper half
    assert_same(a % (2**63 + 3), x % (2**63 + 3))
    assert_same(pymic2.full(2, 2**64 - 1, numpy.uint64), numpy.full(2, 2**64 - 1, numpy.uint64))
    with pytest.raises(OverflowError):
        a + 2**64


def test_promotion_of_every_pair_is_numpy_s():
    """The result dtype of each new dtype with every dtype (all supported: no widening)."""
    for first, second in itertools.product(NEW, ALL):
        expected = numpy.result_type(first, second)
        assert _dtypes.result_type(first, second) == expected, (first, second)
        assert _dtypes.result_type(second, first) == expected, (second, first)
    d = numpy.dtype
    assert _dtypes.result_type(d("uint64"), d("int64")) == numpy.float64
    assert _dtypes.result_type(d("int16"), d("uint16")) == numpy.int32
    assert _dtypes.result_type(d("uint32"), d("int32")) == numpy.int64


# values through add for a few pairs per dtype (every pair's dtype: the test above)
PAIRS = [(a, b) for a in NEW for b in ("bool", "int8", "uint16", "int64", "uint64", "float32")]


@pytest.mark.parametrize("first, second", PAIRS, ids=[f"{a.name}-{b}" for a, b in PAIRS])
def test_add_promotes_and_computes_as_numpy(first, second):
    x, y = sample(first, 4, 6), sample(second, 5, 6)
    with numpy.errstate(all="ignore"):
        expected = x + y
    assert_same(pymic2.asarray(x) + pymic2.asarray(y), expected)
    assert_same(pymic2.asarray(x) + y, expected)  # a host operand of the other dtype


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_reductions_and_their_dtypes(dtype):
    x = sample(dtype, 6).reshape(3, 4)
    x[:, 1] = 1  # keep prod small enough to compare exactly
    a = pymic2.asarray(x)
    for name in ("sum", "prod", "max", "min", "argmax", "cumsum"):
        expected = getattr(numpy, name)(x, axis=1)
        assert_same(getattr(pymic2, name)(a, axis=1), expected)
    assert a.sum().dtype == x.sum().dtype  # int64 for signed, uint64 for unsigned
    assert_same(a.sum(dtype=dtype), x.sum(dtype=dtype))
    assert_same(pymic2.asarray(numpy.arange(6.0)).sum(dtype=dtype),
                numpy.arange(6.0).sum(dtype=dtype))


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_matmul_of_integers(dtype):
    x, y = sample(dtype, 7, 12).reshape(3, 4), sample(dtype, 8, 12).reshape(4, 3)
    with numpy.errstate(all="ignore"):
        expected = x @ y
    assert_same(pymic2.asarray(x) @ pymic2.asarray(y), expected)


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_indexing_with_and_of_the_new_dtypes(dtype):
    values = numpy.arange(10.0)
    index = numpy.array([3, 0, 9, 3], dtype)
    a = pymic2.asarray(values)
    assert_same(a[pymic2.asarray(index)], values[index])       # a device index array
    assert_same(a[index], values[index])                       # a host one
    assert_same(pymic2.take(a, pymic2.asarray(index)), values.take(index))
    x = sample(dtype, 9)
    b = pymic2.asarray(x)
    assert_same(b[numpy.array([1, 0, 5])], x[[1, 0, 5]])       # arrays of the dtype
    assert_same(b[2:8:3], x[2:8:3])
    b[numpy.array([0, 4])] = x[1]
    x[[0, 4]] = x[1]
    assert_same(b, x)


def test_uint64_indices_past_int64_are_out_of_bounds():
    """NumPy raises IndexError; converting them to int64 would wrap to -1, the last one."""
    a = pymic2.asarray(numpy.arange(4.0))
    huge = numpy.array([2**64 - 1], numpy.uint64)
    with pytest.raises(IndexError):
        a[huge]
    with pytest.raises(IndexError):
        a[pymic2.asarray(huge)].get()


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_where_concatenate_and_creation(dtype):
    x, y = sample(dtype, 10), sample(dtype, 11)
    condition = numpy.arange(x.size) % 2 == 0
    assert_same(pymic2.where(pymic2.asarray(condition), pymic2.asarray(x), pymic2.asarray(y)),
                numpy.where(condition, x, y))
    assert_same(pymic2.concatenate([pymic2.asarray(x), pymic2.asarray(y)]),
                numpy.concatenate([x, y]))
    assert_same(pymic2.zeros(3, dtype=dtype), numpy.zeros(3, dtype))
    assert_same(pymic2.full(3, 7, dtype=dtype), numpy.full(3, 7, dtype))
    assert_same(pymic2.arange(5, dtype=dtype), numpy.arange(5, dtype=dtype))
    assert_same(pymic2.asarray([1, 2], dtype=dtype), numpy.asarray([1, 2], dtype))


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_astype_both_ways(dtype):
    x = sample(dtype, 12)
    a = pymic2.asarray(x)
    for target in (numpy.float64, numpy.int8, numpy.bool_):
        assert_same(a.astype(target), x.astype(target))
    floats = numpy.array([0.0, 1.9, 255.5, 32767.0, 65535.0, 4e9, 1.5e19], numpy.float64)
    floats = floats[floats <= numpy.iinfo(dtype).max]  # NumPy's out-of-range casts vary
    assert_same(pymic2.asarray(floats).astype(dtype), floats.astype(dtype))
    int64s = numpy.array([-1, 70000, 2**40 + 5], numpy.int64)
    assert_same(pymic2.asarray(int64s).astype(dtype), int64s.astype(dtype))  # wraps


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_random_integers(dtype):
    high = min(numpy.iinfo(dtype).max, 2**62)
    low = 5 if dtype.kind == "u" else -3
    values = pymic2.random.default_rng(3).integers(low, high, size=200, dtype=dtype).get()
    assert values.dtype == dtype
    assert values.min() >= low and values.max() < high
    assert len(numpy.unique(values)) > 150  # the whole range is drawn, not a corner


def test_random_uint64_past_int64_is_a_clear_error():
    with pytest.raises(ValueError, match="2\\*\\*63"):
        pymic2.random.default_rng(0).integers(0, 2**64, size=3, dtype=numpy.uint64)
    with pytest.raises(ValueError):  # the int16 range, as NumPy
        pymic2.random.default_rng(0).integers(0, 2**20, size=3, dtype=numpy.int16)


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_dlpack_import_and_bind(dtype, stream):
    x = sample(dtype, 13)
    assert_same(pymic2.from_dlpack(x), x)
    bound = stream.bind(x.copy())
    bound.array[:] = 0
    bound.update_host()
    stream.sync()
    numpy.testing.assert_array_equal(bound.array, x)


@pytest.mark.parametrize("dtype", NEW, ids=names)
def test_dlpack_export_round_trip(dtype):
    x = sample(dtype, 14)
    shared = numpy.from_dlpack(pymic2.asarray(x))
    assert shared.dtype == dtype
    numpy.testing.assert_array_equal(shared, x)
    assert_same(pymic2.from_dlpack(shared), x)
