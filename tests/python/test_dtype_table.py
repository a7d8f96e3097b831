"""The C dtype table and its type promotion (_core.result_type) against NumPy 2 (NEP 50)."""

import itertools

import numpy
import pytest

import pymic2
from pymic2 import _core, _dtypes

NUMERIC = [numpy.dtype(name) for name in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")]
# Python scalars: bool is strong (NumPy's bool), int, float and complex are weak (NEP 50)
SCALARS = [True, 7, 2.5, 1j]

def expected_code(*operands):
    """The device dtype code of NumPy's result_type (every numeric dtype has one)."""
    return _dtypes.CODES[numpy.result_type(*operands)]


def key(operand):
    """How _core.result_type takes an operand: a device dtype's code, else the numpy.dtype;
    a Python scalar by its type."""
    if isinstance(operand, numpy.dtype):
        return _dtypes.CODES.get(operand, operand)
    return type(operand)


def check(*operands):
    expected = expected_code(*operands)
    if expected is None:
        with pytest.raises(TypeError, match="uint64"):
            _core.result_type(*map(key, operands))
    else:
        assert _core.result_type(*map(key, operands)) == expected, operands


def test_table_lists_every_dtype_once_with_numpy_names():
    assert sorted(_core.dtype_codes.values()) == list(range(len(_core.dtype_codes)))
    for name in _core.dtype_codes:
        assert numpy.dtype(name).name == name


@pytest.mark.parametrize("first", NUMERIC, ids=str)
def test_promotion_of_every_pair_matches_numpy(first):
    for second in NUMERIC + SCALARS:
        check(first, second)
        check(second, first)


def test_promotion_of_python_scalars_matches_numpy():
    for first, second in itertools.product(SCALARS, repeat=2):
        check(first, second)
    for scalar in SCALARS:
        check(scalar)


def test_promotion_of_three_operands_folds_numpy_types_not_device_ones():
    """float16 with int8 is float16, and with int8 and int16 float32: the C fold keeps
    NumPy's types until the end, and follows NumPy's order of promotion rather than the
    operands' (float16, int8 and uint8 are float16, int8 and uint8 alone int16)."""
    for operands in itertools.product(NUMERIC + SCALARS, repeat=3):
        check(*operands)
    assert _dtypes.result_type(numpy.dtype("int8"), numpy.dtype("uint8"),
                               numpy.dtype("float16")) == numpy.float16
    assert _dtypes.result_type(numpy.dtype("int16"), numpy.dtype("uint16"),
                               numpy.dtype("float32")) == numpy.float32
    assert _dtypes.result_type(numpy.dtype("int8"), numpy.dtype("uint8"),
                               numpy.dtype("float32")) == numpy.float32
    assert _dtypes.result_type(numpy.dtype("float16"), numpy.dtype("int8"),
                               numpy.dtype("int16")) == numpy.float32


def test_result_type_refuses_what_is_not_a_number():
    for bad in (numpy.dtype("U3"), numpy.dtype("M8[s]"), "float64", 99):
        with pytest.raises((TypeError, ValueError)):
            _core.result_type(bad)


def test_device_dtype_is_the_dtype_itself():
    for name in ("int16", "uint16", "uint32", "uint64", "float16", "complex64"):  # rows
        assert _dtypes.device_dtype(numpy.dtype(name)) == numpy.dtype(name)
    with pytest.raises(TypeError, match="float128 is not supported"):
        _dtypes.device_dtype(numpy.longdouble)


def test_operators_follow_the_same_promotion():
    int8 = pymic2.asarray(numpy.array([1, -2], numpy.int8))
    uint8 = pymic2.asarray(numpy.array([3, 250], numpy.uint8))
    floats = pymic2.asarray(numpy.array([0.5, 2.0], numpy.float32))
    assert pymic2.result_type(int8, uint8, floats) == numpy.float32
    assert pymic2.concatenate([int8, uint8, floats]).dtype == numpy.float32
    assert (floats + 1.5).dtype == numpy.float32 and (int8 + 1.5).dtype == numpy.float64
    assert pymic2.isclose(int8, 1).dtype == numpy.bool_
