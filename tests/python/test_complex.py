"""complex128 against NumPy 2 on the suite's device (PYMIC2_TEST_DEVICE): every elementwise
op over every pair of the special parts 0, -0.0, 1.5, -2, +-inf and NaN (division by +-0
included), branch cuts, overflow and subnormals. The host's C helpers and the OpenCL prelude
(src/ops/op_table.h, src/backends/opencl/ocl_source.c) must both give NumPy's answers."""

import numpy
import pytest

import pymic2


def check_real(result, expected):
    """A real result (abs) or a bool one: NumPy's values, NaN where NumPy has NaN."""
    assert result.dtype == expected.dtype, (result.dtype, expected.dtype)
    if expected.dtype.kind == "f":
        numpy.testing.assert_allclose(result, expected, rtol=1e-13, equal_nan=True)
    else:
        numpy.testing.assert_array_equal(result, expected)


def complex_sample(shape, seed):
    """complex128 values whose first elements pair every part from 0, -0.0, 1.5, -2, +-inf and
    NaN, the rest random."""
    rng = numpy.random.default_rng(seed)
    values = (rng.standard_normal(shape) * 3 + 1j * rng.standard_normal(shape) * 3).reshape(-1)
    parts = numpy.array([0.0, -0.0, 1.5, -2.0, numpy.inf, -numpy.inf, numpy.nan])
    grid = numpy.empty(parts.size ** 2, dtype=numpy.complex128)  # part by part: inf * 1j
    grid.real, grid.imag = numpy.repeat(parts, parts.size), numpy.tile(parts, parts.size)
    values[:min(values.size, grid.size)] = grid[:values.size]
    return values.reshape(shape)


def check_complex(result, expected, rtol=1e-13, signed_zeros=True):
    """Real and imaginary parts separately: NaN where NumPy has NaN, infinities and (unless
    told otherwise) zeros with NumPy's signs, the rest within rtol of the larger part."""
    result = result.get() if hasattr(result, "get") else result
    assert result.dtype == expected.dtype, (result.dtype, expected.dtype)
    assert result.shape == expected.shape
    scale = numpy.maximum(numpy.abs(expected.real), numpy.abs(expected.imag))
    for got, want in ((result.real, expected.real), (result.imag, expected.imag)):
        numpy.testing.assert_array_equal(numpy.isnan(got), numpy.isnan(want))
        numpy.testing.assert_array_equal(numpy.isinf(got), numpy.isinf(want))
        finite = numpy.isfinite(want) & numpy.isfinite(scale)
        error = numpy.abs(got[finite] - want[finite])
        assert (error <= rtol * scale[finite]).all(), (got[finite], want[finite])
        special = numpy.isinf(want) | ((want == 0) if signed_zeros else False)
        assert (numpy.signbit(got) == numpy.signbit(want))[special].all()


COMPLEX_BINARY = ["add", "subtract", "multiply", "divide", "power", "equal", "not_equal",
                  "logical_and", "logical_or", "logical_xor"]
COMPLEX_UNARY = ["negative", "absolute", "sign", "square", "sqrt", "exp", "log", "tanh",
                 "logical_not", "isnan", "isinf", "isfinite"]


@pytest.mark.parametrize("name", COMPLEX_BINARY)
def test_complex_binary_ops_match_numpy(name):
    # every pair of special values (division by +-0 included), then random values
    a = numpy.repeat(complex_sample((49,), 1), 49).reshape(49, 49)
    b = numpy.tile(complex_sample((49,), 2), 49).reshape(49, 49)
    rest_a, rest_b = complex_sample((37, 29), 3)[2:], complex_sample((37, 29), 4)[2:]
    if name == "power":
        # special bases only with small integral exponents (NumPy squares) and random pairs:
        # libm's cpow of infinities differs between C libraries
        exponents = numpy.array([0, 1, 2, 3, -1, -2, 0.5j])
        a, b = a[:, :7], numpy.broadcast_to(exponents, (49, 7)).copy()
    da, db = pymic2.asarray(a), pymic2.asarray(b)
    f = getattr(pymic2, name)
    with numpy.errstate(all="ignore"):
        for (x, y), (dx, dy) in [((a, b), (da, db)),
                                 ((rest_a, rest_b), (pymic2.asarray(rest_a),
                                                     pymic2.asarray(rest_b))),
                                 ((a.T, b.T), (da.T, db.T)), ((a, b[3:4]), (da, db[3:4])),
                                 ((a, 1.5 - 2j), (da, 1.5 - 2j))]:
            expected = getattr(numpy, name)(x, y)
            if name == "power" and x is not rest_a:
                # special bases only where NumPy does not call libm's cpow
                exponent = numpy.broadcast_to(numpy.asarray(y), expected.shape)
                expected = numpy.where(exponent.imag == 0, expected, f(dx, dy).get())
            if expected.dtype == numpy.complex128:
                check_complex(f(dx, dy), expected, rtol=1e-13 if name != "power" else 1e-12)
            else:
                numpy.testing.assert_array_equal(f(dx, dy).get(), expected)


@pytest.mark.parametrize("name", COMPLEX_UNARY)
def test_complex_unary_ops_match_numpy(name):
    a = complex_sample((41, 23), 5)
    da = pymic2.asarray(a)
    with numpy.errstate(all="ignore"):
        expected = getattr(numpy, name)(a)
        # C99 Annex G leaves some signs of zero and of infinite imaginary parts open
        signed = name not in ("exp", "tanh")
        for x, dx in ((a, da), (a.T[::-1], da.T[::-1])):
            expected = getattr(numpy, name)(x)
            if expected.dtype == numpy.complex128:
                check_complex(getattr(pymic2, name)(dx), expected, signed_zeros=signed)
            else:
                check_real(getattr(pymic2, name)(dx).get(), expected)


def test_complex_special_values_of_sqrt_exp_log_tanh():
    """Branch cuts, signed zeros, overflow and subnormals against NumPy."""
    parts = [0.0, -0.0, 1e-310, -3e-320, 0.5, -1.0, 2.0, 1e300, -1e308, 710.0, -745.0, 30.0]
    x = numpy.array([complex(r, i) for r in parts for i in parts])
    dx = pymic2.asarray(x)
    with numpy.errstate(all="ignore"):
        check_complex(pymic2.sqrt(dx), numpy.sqrt(x))
        check_complex(pymic2.log(dx), numpy.log(x))
        near_one = numpy.array([1 + 1e-10j, 0.6 + 0.8j, 1 - 1e-9 + 1e-12j, 1.5 + 0j])
        check_complex(pymic2.log(pymic2.asarray(near_one)), numpy.log(near_one),
                      rtol=1e-12)
        huge = numpy.array([complex(-1.5e308, -1.5e308), complex(1.7e308, 1e308)])
        check_complex(pymic2.log(pymic2.asarray(huge)), numpy.log(huge))  # |a| overflows
        moderate = x[(numpy.abs(x.real) < 700) & (numpy.abs(x.imag) < 1e6)]
        check_complex(pymic2.exp(pymic2.asarray(moderate)), numpy.exp(moderate),
                      signed_zeros=False)
        check_complex(pymic2.tanh(pymic2.asarray(moderate)), numpy.tanh(moderate),
                      signed_zeros=False)


@pytest.mark.parametrize("name, x, y, expected", [
    # NumPy 2's sign of an infinite value is its unit (NaN when both parts are infinite)
    ("sign", complex(numpy.inf, numpy.nan), None, 1 + 0j),
    ("sign", complex(-numpy.inf, 2), None, -1 + 0j),
    ("sign", complex(numpy.nan, -numpy.inf), None, -1j),
    ("sign", complex(numpy.inf, numpy.inf), None, complex(numpy.nan, numpy.nan)),
    ("sign", complex(-0.0, 0.0), None, 0j),
    # 0 ** negative is NaN in both parts, not an infinity
    ("power", 0j, -1 + 0j, complex(numpy.nan, numpy.nan)),
    ("power", complex(-0.0, 0.0), -2 + 0j, complex(numpy.nan, numpy.nan)),
    ("power", 0j, 0.5 + 1j, 0j),
    ("power", complex(numpy.nan, numpy.nan), 0j, 1 + 0j),
    # x ** 1 is x: no 1 * x turning an infinite part into NaN
    ("power", complex(0, numpy.inf), 1 + 0j, complex(0, numpy.inf)),
    ("power", complex(numpy.inf, 1.5), 2 + 0j, complex(numpy.inf, numpy.inf)),
    # dividing by -0.0 gives the infinity of dividing by +0.0, as NumPy's Smith division
    ("divide", 1.5 + 0j, complex(-0.0, 0.0), complex(numpy.inf, numpy.nan)),
    ("divide", -2 + 1.5j, complex(-0.0, -0.0), complex(-numpy.inf, numpy.inf)),
    ("divide", 1.5 + 0j, complex(numpy.inf, numpy.inf), complex(numpy.nan, numpy.nan)),
])
def test_complex_edge_cases_where_c_and_numpy_differ(name, x, y, expected):
    """The cases found while porting to OpenCL: C99 Annex G's answers differ from NumPy's."""
    args = [numpy.array([x] * 3)] + ([] if y is None else [numpy.array([y] * 3)])
    with numpy.errstate(all="ignore"):
        want = getattr(numpy, name)(*args)
    numpy.testing.assert_array_equal(want, expected)  # the oracle says what we expect
    check_complex(getattr(pymic2, name)(*[pymic2.asarray(a) for a in args]), want)
