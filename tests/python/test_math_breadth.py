"""NumPy's math ufuncs beyond Table 1 (trigonometric, hyperbolic, exponents and logs,
rounding, floating point, integer and bitwise) against NumPy, for what the op lists of
test_math.py do not reach: special values of every function (NaN, +-inf, -0.0, domain
errors), shift counts beyond the width and negative ones, gcd/lcm/bitwise_count/reciprocal at
the integer limits of every integer dtype, round with decimals, divmod's two outputs, fix,
isposinf/isneginf, the operators, NumPy's dispatch and the errors. Runs on the suite's device
(host:0 or opencl:0); accuracy in ulp is tests/c/test_math.c's."""

import operator

import numpy
import pytest

import pymic2
from conftest import DEVICE_NAME
from test_math import check, compare

FLOATS = [numpy.float32, numpy.float64]
INTEGERS = [numpy.int8, numpy.uint8, numpy.int16, numpy.uint16, numpy.int32, numpy.uint32,
            numpy.int64, numpy.uint64]

UNARY_FLOAT = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh",
               "arccosh", "arctanh", "deg2rad", "rad2deg", "exp2", "log2", "log10", "cbrt",
               "reciprocal", "floor", "ceil", "trunc", "rint", "fabs", "signbit", "spacing"]
BINARY_FLOAT = ["arctan2", "hypot", "logaddexp", "logaddexp2", "nextafter", "fmod", "fmax",
                "fmin", "heaviside", "float_power"]


def specials(dtype):
    """Every class of float: signed zeros and infinities, NaN, subnormals, the largest
    value, each domain's edges (+-1) and values beyond them, an odd multiple of pi/2."""
    info = numpy.finfo(dtype)
    return numpy.array([0.0, -0.0, numpy.inf, -numpy.inf, numpy.nan, 1.0, -1.0, 0.5, -0.5,
                        2.0, -2.5, 1e-3, info.smallest_subnormal, -info.smallest_subnormal,
                        info.max, -info.max, numpy.pi / 2, 100.0, -100.0, 710.0], dtype)


def expect_same(device_result, expected, atol=0):
    """Equal to NumPy's result (NaN where NumPy has NaN, every sign of zero): check() of
    test_math with zero signs compared."""
    check(device_result, numpy.asarray(expected), atol=atol)


def subnormal_ulps(dtype):
    """A few ulp of the subnormal range, where relative tolerances mean nothing (PoCL's
    float32 exp is 1 ulp off there; the OpenCL spec allows it)."""
    return 4 * numpy.finfo(dtype).smallest_subnormal


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", UNARY_FLOAT)
def test_unary_special_values(name, dtype):
    x = specials(dtype)
    with numpy.errstate(all="ignore"):
        expected = getattr(numpy, name)(x)
    expect_same(getattr(pymic2, name)(pymic2.asarray(x)), expected, subnormal_ulps(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", BINARY_FLOAT)
def test_binary_special_values_every_pair(name, dtype):
    x = specials(dtype)
    a, b = x[:, None], x[None, :]  # every pair, by broadcasting
    with numpy.errstate(all="ignore"):
        expected = getattr(numpy, name)(a, b)
    result = getattr(pymic2, name)(pymic2.asarray(a), pymic2.asarray(b))
    if name in ("fmax", "fmin"):  # fmax(-0.0, 0.0): either zero, as for maximum
        check(result, expected, zero_signs=False)
        return
    expect_same(result, expected, subnormal_ulps(dtype))


EXACT_UNARY = ["floor", "ceil", "trunc", "rint", "fabs", "signbit", "spacing", "reciprocal",
               "deg2rad", "rad2deg"]
EXACT_BINARY = ["nextafter", "fmod", "fmax", "fmin", "heaviside"]


@pytest.mark.parametrize("dtype", FLOATS)
def test_correctly_rounded_functions_equal_numpy_bit_for_bit(dtype):
    """The functions NumPy computes exactly (or by one rounding) give NumPy's bits, on
    special values and on random ones of every magnitude (a relative tolerance would not see
    nextafter or spacing being a step off)."""
    rng = numpy.random.default_rng(5)
    magnitudes = 10.0 ** rng.integers(-30, 30, 200)
    values = numpy.concatenate([specials(dtype),
                                (rng.standard_normal(200) * magnitudes).astype(dtype)])
    a = pymic2.asarray(values)
    with numpy.errstate(all="ignore"):
        for name in EXACT_UNARY:
            assert_same_bits(getattr(pymic2, name)(a), getattr(numpy, name)(values), name)
        others = values[::-1].copy()
        for name in EXACT_BINARY:
            assert_same_bits(getattr(pymic2, name)(a, pymic2.asarray(others)),
                             getattr(numpy, name)(values, others), name)


def assert_same_bits(device_result, expected, name):
    """Equal values, NaN where NumPy has NaN and the same sign of every non-NaN value."""
    host = device_result.get()
    assert host.dtype == expected.dtype, name
    numpy.testing.assert_array_equal(host, expected, err_msg=name)
    if expected.dtype.kind == "f" and name not in ("fmax", "fmin"):  # fmax(-0.0, 0.0): either
        numbers = ~numpy.isnan(expected)
        numpy.testing.assert_array_equal(numpy.signbit(host[numbers]),
                                         numpy.signbit(expected[numbers]), err_msg=name)


def test_named_special_values():
    """The rules NumPy documents, spelled out."""
    x = pymic2.asarray(numpy.array([numpy.nan, -0.0, 0.0, -3.0, 3.0]))
    numpy.testing.assert_array_equal(pymic2.heaviside(x, 0.5).get(),
                                     [numpy.nan, 0.5, 0.5, 0.0, 1.0])
    numpy.testing.assert_array_equal(pymic2.signbit(x).get(), [False, True, False, True, False])
    numpy.testing.assert_array_equal(pymic2.signbit(pymic2.asarray([-numpy.nan])).get(), [True])
    numpy.testing.assert_array_equal(pymic2.fmax(x, 1.0).get(), [1.0, 1.0, 1.0, 1.0, 3.0])
    numpy.testing.assert_array_equal(pymic2.fmin(x, numpy.nan).get(), x.get())
    # spacing: towards +inf from +-0.0, away from zero otherwise, NaN for infinities
    s = pymic2.spacing(pymic2.asarray([0.0, -0.0, 1.0, -1.0, numpy.inf])).get()
    assert s[0] == s[1] == 5e-324 and s[2] == -s[3] == 2.0 ** -52 and numpy.isnan(s[4])
    numpy.testing.assert_array_equal(pymic2.nextafter(x, numpy.inf).get()[1:3],
                                     [5e-324, 5e-324])
    with numpy.errstate(all="ignore"):
        for name, values in [("arcsin", [1.5, -1.5]), ("arccosh", [0.5, -1.0]),
                             ("log2", [-1.0]), ("log10", [-1.0])]:
            assert numpy.isnan(getattr(pymic2, name)(pymic2.asarray(values)).get()).all()
    numpy.testing.assert_array_equal(pymic2.arctanh(pymic2.asarray([1.0, -1.0])).get(),
                                     [numpy.inf, -numpy.inf])
    numpy.testing.assert_array_equal(pymic2.logaddexp(pymic2.asarray([numpy.inf, -numpy.inf]),
                                                      numpy.inf).get(), [numpy.inf, numpy.inf])
    numpy.testing.assert_array_equal(
        pymic2.logaddexp(pymic2.asarray([-numpy.inf]), -numpy.inf).get(), [-numpy.inf])


def integer_values(dtype):
    info = numpy.iinfo(dtype)
    values = [info.min, info.min + 1, -7, -1, 0, 1, 2, 3, 12, 100, info.max - 1, info.max]
    return numpy.array([v for v in values if info.min <= v <= info.max], dtype)


@pytest.mark.parametrize("dtype", INTEGERS)
def test_shifts_beyond_the_width_and_negative_counts(dtype):
    """NumPy's shifts: a count of the width or more shifts every bit out (a negative value
    right-shifted gives -1), and so does a negative count; the bits that stay wrap."""
    width = numpy.dtype(dtype).itemsize * 8
    counts = [0, 1, 3, width - 1, width, width + 1, 100, 127, -1, -2]
    values = integer_values(dtype)
    counts = numpy.array([c for c in counts if numpy.iinfo(dtype).min <= c <=
                          numpy.iinfo(dtype).max], dtype)
    a, b = values[:, None], counts[None, :]
    da, db = pymic2.asarray(a), pymic2.asarray(b)
    for name in ("left_shift", "right_shift"):
        expect_same(getattr(pymic2, name)(da, db), getattr(numpy, name)(a, b))


def test_shift_operators_in_place_and_reflected():
    x = numpy.array([[-128, -5, 0, 3, 127]], numpy.int8).repeat(3, axis=0)
    counts = numpy.array([[1], [7], [9]], numpy.int8)
    a, c = pymic2.asarray(x), pymic2.asarray(counts)
    expect_same(a << c, x << counts)
    expect_same(a >> c, x >> counts)
    expect_same(a << 2, x << 2)
    expect_same(3 << c, 3 << counts)
    expect_same(-64 >> c, -64 >> counts)
    expect_same(a[:, ::-2] >> 1, x[:, ::-2] >> 1)  # a strided view
    buffer = a.buffer
    a <<= c
    a >>= 1
    assert a.buffer is buffer
    expect_same(a, (x << counts) >> 1)
    with pytest.raises(OverflowError):  # 300 is no int8, as in NumPy
        a << 300
    with pytest.raises(TypeError):  # NumPy has no float shifts
        pymic2.asarray(numpy.ones(3)) << 1
    with pytest.raises(TypeError):  # int8 with uint64 promotes to float64
        pymic2.left_shift(a, numpy.uint64(3))
    # bool shifts as int8, as NumPy's
    flags = numpy.array([True, False])
    expect_same(pymic2.asarray(flags) << pymic2.asarray(flags), flags << flags)


@pytest.mark.parametrize("dtype", INTEGERS)
def test_integer_functions_at_the_limits(dtype):
    """gcd and lcm of magnitudes wrapped to the dtype (gcd(INT_MIN, 0) is INT_MIN), the bit
    count of |x| as uint8, reciprocal as 1.0 / x converted back, fmod by 0 and -1 as 0,
    fmax/fmin, and the roundings keeping integers."""
    values = integer_values(dtype)
    a, b = values[:, None], values[None, :]
    da, db = pymic2.asarray(a), pymic2.asarray(b)
    with numpy.errstate(all="ignore"):
        for name in ("gcd", "lcm", "fmod", "fmax", "fmin"):
            expect_same(getattr(pymic2, name)(da, db), getattr(numpy, name)(a, b))
        dv = pymic2.asarray(values)
        for name in ("bitwise_count", "reciprocal", "floor", "ceil", "trunc"):
            expect_same(getattr(pymic2, name)(dv), getattr(numpy, name)(values))


def test_rounding_of_bool_and_mixed_integer_promotion():
    flags = numpy.array([True, False, True])
    d = pymic2.asarray(flags)
    for name in ("floor", "ceil", "trunc", "fmax", "fmin"):
        args = (flags,) * getattr(numpy, name).nin
        expect_same(getattr(pymic2, name)(*(d,) * len(args)), getattr(numpy, name)(*args))
    x, y = numpy.array([-12, 18, 7], numpy.int8), numpy.array([8, 12, 255], numpy.uint8)
    for name in ("gcd", "lcm", "left_shift", "fmod"):  # int8 with uint8 is int16
        expect_same(getattr(pymic2, name)(pymic2.asarray(x), pymic2.asarray(y)),
                    getattr(numpy, name)(x, y))
    expect_same(pymic2.bitwise_count(d), numpy.bitwise_count(flags))
    with pytest.raises(TypeError):
        pymic2.gcd(pymic2.asarray(numpy.ones(3)), 2)
    with pytest.raises(TypeError):
        pymic2.bitwise_count(pymic2.asarray(numpy.ones(3)))


DECIMALS = [0, 1, 2, 3, 8, 15, 25, -1, -2, -3, -25]


@pytest.mark.parametrize("dtype", FLOATS)
def test_round_decimals_like_numpy(dtype):
    """NumPy's algorithm (x * 10**d, rint, / 10**d; / then * for d < 0) gives NumPy's
    values bit for bit, half to even at the scaled point (2.5 -> 2, 0.125 at 2 -> 0.12)."""
    x = numpy.concatenate([specials(dtype), numpy.array(
        [1.25, 2.5, -2.5, 0.125, 1234.5678, -1234.5678, 15.0, 25.0, 1e20, 123456789.0],
        dtype)])
    a = pymic2.asarray(x)
    with numpy.errstate(all="ignore"):
        for decimals in DECIMALS:
            expect_same(pymic2.round(a, decimals), numpy.round(x, decimals))
            expect_same(pymic2.around(a, decimals=decimals), numpy.around(x, decimals))
            expect_same(a.round(decimals), x.round(decimals))
            expect_same(numpy.round(a, decimals), numpy.round(x, decimals))  # dispatched
        expect_same(a[::-2].round(1), x[::-2].round(1))  # a strided view


@pytest.mark.parametrize("dtype", [numpy.int8, numpy.uint8, numpy.int64])
def test_round_integers(dtype):
    """Integers: decimals >= 0 copy; negative ones go through float64 and back (so int8's
    127 at -1 is 130, wrapped: -126, as NumPy's)."""
    x = integer_values(dtype)
    a = pymic2.asarray(x)
    for decimals in (0, 2, -1, -2):
        result = pymic2.round(a, decimals)
        with numpy.errstate(invalid="ignore"):  # int64's largest values round beyond it
            expect_same(result, numpy.round(x, decimals))
        assert result.buffer is not a.buffer  # a new array, as NumPy's
    out = pymic2.empty(x.shape, numpy.float64)
    assert pymic2.round(a, 1, out=out) is out
    expect_same(out, numpy.round(x, 1, out=numpy.empty(x.shape)))
    out = pymic2.empty(x.shape, numpy.float64)
    assert pymic2.round(a, -1, out=out) is out
    expect_same(out, numpy.round(x, -1, out=numpy.empty(x.shape)))


def test_round_out_and_errors():
    x = numpy.array([[0.15, 2.675, -3.5], [1e10, -0.0, numpy.nan]])
    a = pymic2.asarray(x)
    out = pymic2.empty((2, 3))
    assert pymic2.round(a, 2, out=out) is out
    expect_same(out, numpy.round(x, 2))
    out32 = pymic2.empty((2, 3), numpy.float32)
    assert a.round(1, out=out32) is out32
    expect_same(out32, numpy.round(x, 1, out=numpy.empty((2, 3), numpy.float32)))
    a.round(1, out=a)  # in place
    expect_same(a, numpy.round(x, 1))
    with pytest.raises(ValueError, match="invalid output shape"):
        pymic2.round(a, 1, out=pymic2.empty(5))
    with pytest.raises(TypeError):
        pymic2.round(a, 1.5)
    expect_same(pymic2.round(pymic2.asarray(numpy.array([1.5 + 2.5j]))),
                numpy.round(numpy.array([1.5 + 2.5j])))  # more: test_complex_math.py
    flags = numpy.array([True, False])
    with pytest.raises(TypeError):  # NumPy: multiply's float64 output cannot be bool
        pymic2.round(pymic2.asarray(flags), 1)
    expect_same(pymic2.round(pymic2.asarray(flags)), numpy.round(flags))  # rint: float16


@pytest.mark.parametrize("dtype", [numpy.int32, numpy.float64])
def test_divmod_two_outputs(dtype):
    x = numpy.array([[-7, 7, 0, 5], [9, -9, 3, -1]], dtype)
    y = numpy.array([2, -3, 4, -2], dtype)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    quotient, rest = numpy.divmod(x, y)
    for result in (pymic2.divmod(a, b), numpy.divmod(a, b), divmod(a, b)):
        expect_same(result[0], quotient)
        expect_same(result[1], rest)
    expect_same(divmod(7, b)[1], divmod(7, y)[1])
    # outputs: keyword tuple, through NumPy, positional, one of them only
    q, r = pymic2.empty_like(a), pymic2.empty_like(a)
    result = pymic2.divmod(a, b, out=(q, r))
    assert result[0] is q and result[1] is r
    expect_same(q, quotient)
    expect_same(r, rest)
    q2, r2 = pymic2.empty_like(a), pymic2.empty_like(a)
    result = numpy.divmod(a, b, out=(q2, r2))
    assert result[0] is q2 and result[1] is r2
    expect_same(r2, rest)
    result = pymic2.divmod(a, b, None, r)
    assert result[1] is r
    expect_same(result[0], quotient)
    # an output that is an input: both results are computed first
    c = pymic2.asarray(x)
    pymic2.divmod(c, b, c, None)
    expect_same(c, quotient)
    # where=: the outputs keep their values where the mask is False
    mask = numpy.array([True, False, True, False])
    q3 = pymic2.asarray(numpy.full(x.shape, 100, dtype))
    r3 = pymic2.asarray(numpy.full(x.shape, 100, dtype))
    pymic2.divmod(a, b, out=(q3, r3), where=mask)
    expect_same(q3, numpy.where(mask, quotient, 100))
    expect_same(r3, numpy.where(mask, rest, 100))
    with pytest.raises(ValueError, match="one entry per ufunc output"):
        pymic2.divmod(a, b, out=(q,))


def test_fix_isposinf_isneginf():
    x = numpy.array([-2.5, -0.5, -0.0, 0.0, 0.5, 2.5, numpy.inf, -numpy.inf, numpy.nan])
    a = pymic2.asarray(x)
    for name in ("fix", "isposinf", "isneginf"):
        expect_same(getattr(pymic2, name)(a), getattr(numpy, name)(x))
        expect_same(getattr(numpy, name)(a), getattr(numpy, name)(x))  # dispatched
        out = pymic2.empty(x.shape, getattr(numpy, name)(x).dtype)
        assert getattr(pymic2, name)(a, out=out) is out
        expect_same(out, getattr(numpy, name)(x))
    for values in (numpy.arange(-3, 3, dtype=numpy.int16), numpy.array([True, False])):
        for name in ("fix", "isposinf", "isneginf"):
            expect_same(getattr(pymic2, name)(pymic2.asarray(values)),
                        getattr(numpy, name)(values))
    z = pymic2.asarray(numpy.array([1j]))
    for name in ("isposinf", "isneginf"):
        with pytest.raises(TypeError, match="complex128 values because it would be ambiguous"):
            getattr(pymic2, name)(z)


def test_float_power_computes_in_float64_or_complex128():
    for x, y in [(numpy.arange(-3, 4, dtype=numpy.int32), 2),
                 (numpy.arange(1, 5, dtype=numpy.float32), numpy.float32(0.5)),
                 (numpy.arange(1, 5, dtype=numpy.int8), -1),
                 (numpy.array([1 + 1j, -2j]), 2.5)]:
        expected = numpy.float_power(x, y)
        result = pymic2.float_power(pymic2.asarray(x), y)
        assert result.dtype == expected.dtype
        check(result, expected)


def test_integer_inputs_of_float_functions_take_numpy_dtypes():
    """sin(int32) is float64 and sin(int8) float16 (computed one size up on the device):
    NumPy's loop choice, as for exp and log."""
    for dtype in (numpy.int8, numpy.uint8, numpy.int16, numpy.int32, numpy.uint64,
                  numpy.bool_):
        x = numpy.arange(4).astype(dtype)
        for name in ("sin", "arctan2", "cbrt", "signbit", "rint", "logaddexp"):
            compare(name, *(x,) * getattr(numpy, name).nin)  # NumPy's float16 as float32


def test_out_where_dtype_and_views():
    x = numpy.linspace(-2, 2, 24).reshape(4, 6)
    a = pymic2.asarray(x)
    out = pymic2.empty((4, 6))
    assert pymic2.sin(a, out=out) is out
    expect_same(out, numpy.sin(x))
    mask = numpy.arange(6) % 2 == 0
    out = pymic2.asarray(numpy.full((4, 6), 7.0))
    pymic2.arctan2(a, 0.5, out=out, where=mask)
    expect_same(out, numpy.where(mask, numpy.arctan2(x, 0.5), 7.0))
    expect_same(pymic2.cos(a, dtype=numpy.float32), numpy.cos(x, dtype=numpy.float32))
    expect_same(pymic2.hypot(a.T, a[::-1].T), numpy.hypot(x.T, x[::-1].T))
    with numpy.errstate(invalid="ignore"):
        expect_same(pymic2.log2(a[1::2, ::3]), numpy.log2(x[1::2, ::3]))
    expect_same(pymic2.exp2(a[:, :1]), numpy.exp2(x[:, :1]))
    expect_same(pymic2.deg2rad(a), numpy.deg2rad(x))
    expect_same(numpy.sin(a, out=out), numpy.sin(x))  # NumPy's ufunc, out= a device array
    with pytest.raises(TypeError, match="same_kind"):
        pymic2.sin(a, out=pymic2.empty((4, 6), numpy.int64))
    a_in_place = pymic2.asarray(x)
    numpy.tanh(a_in_place, out=a_in_place)
    pymic2.arcsinh(a_in_place, out=a_in_place)
    expect_same(a_in_place, numpy.arcsinh(numpy.tanh(x)))


def test_numpy_dispatch_and_names():
    x = numpy.array([0.25, 0.5, -0.75])
    a = pymic2.asarray(x)
    for name in ("sin", "arccos", "radians", "degrees", "exp2", "cbrt", "rint", "fabs",
                 "spacing", "signbit"):
        result = getattr(numpy, name)(a)
        assert isinstance(result, pymic2.ndarray)
        expect_same(result, getattr(numpy, name)(x))
    for name in ("arctan2", "hypot", "logaddexp2", "nextafter", "heaviside", "float_power"):
        with numpy.errstate(invalid="ignore"):
            expect_same(getattr(numpy, name)(a, a[::-1]), getattr(numpy, name)(x, x[::-1]))
    i = pymic2.asarray(numpy.array([12, 18, -7]))
    expect_same(numpy.gcd(i, 8), numpy.gcd(numpy.array([12, 18, -7]), 8))
    expect_same(numpy.left_shift(i, 2), numpy.array([12, 18, -7]) << 2)
    # NumPy 2's and the array API's other names are the same functions
    for alias, name in [("asin", "arcsin"), ("acos", "arccos"), ("atan", "arctan"),
                        ("atan2", "arctan2"), ("asinh", "arcsinh"), ("acosh", "arccosh"),
                        ("atanh", "arctanh"), ("bitwise_left_shift", "left_shift"),
                        ("bitwise_right_shift", "right_shift"), ("around", "round")]:
        assert getattr(pymic2, alias) is getattr(pymic2, name)
        assert getattr(pymic2.numpy, alias) is getattr(pymic2, name)
    expect_same(pymic2.radians(a), numpy.radians(x))
    expect_same(pymic2.degrees(a), numpy.degrees(x))
    with pytest.raises(TypeError, match=r"numpy\.isnat"):  # datetimes only: named
        numpy.isnat(a)


def test_complex_inputs_numpy_refuses_are_refused():
    z = pymic2.asarray(numpy.array([1 + 2j, -0.5j]))
    for name in ("sin", "arccosh", "log10", "exp2", "rint"):  # run (test_complex_math.py)
        expect_same(getattr(pymic2, name)(z), getattr(numpy, name)(z.get()))
    for name, args in [("arctan2", (z, z)), ("cbrt", (z,)), ("fabs", (z,)),
                       ("fmax", (z, z)), ("logaddexp", (z, z)), ("floor", (z,))]:
        with pytest.raises(TypeError):  # NumPy has no complex loop either (or we refuse)
            getattr(pymic2, name)(*args)
    # reciprocal of complex numbers runs: NumPy's 1 / 0 = nan + nanj
    w = numpy.array([0j, 2 - 2j, 1e300 + 1e300j, -4.0 + 0j])
    with numpy.errstate(all="ignore"):
        expected = numpy.reciprocal(w)
    result = pymic2.reciprocal(pymic2.asarray(w)).get()
    numpy.testing.assert_allclose(result, expected, rtol=1e-15, equal_nan=True)


@pytest.mark.parametrize("symbol, function", [("<<", operator.lshift), (">>", operator.rshift)])
def test_shift_operators_on_every_integer_dtype(symbol, function):
    for dtype in INTEGERS:
        x = integer_values(dtype)
        a = pymic2.asarray(x)
        expect_same(function(a, 3), function(x, 3))
        expect_same(function(a, pymic2.asarray(x[::-1] % 9)), function(x, x[::-1] % 9))


REDUCEAT_INDICES = [[0, 4, 1, 5], [], [0], list(range(0, 40, 3)), [0, 1, 2, 39],
                    [5, 3, 3, 30, 0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "minimum", "logical_or"])
@pytest.mark.parametrize("indices", REDUCEAT_INDICES)
def test_reduceat_matches_numpy(name, indices):
    """Segments of every shape: descending pairs (a single element), empty indices, one
    long segment beside many short ones (cut into pieces first), NaN kept by maximum."""
    x = numpy.random.default_rng(len(indices)).uniform(0.5, 1.5, 40)
    integers = (x * 10).astype(numpy.int8)
    x[7] = numpy.nan
    for values in (x, integers):
        check(getattr(numpy, name).reduceat(pymic2.asarray(values), indices),
              getattr(numpy, name).reduceat(values, indices))


def test_reduceat_along_an_axis_of_a_view_with_dtype_and_out():
    x = numpy.arange(60, dtype=numpy.int16).reshape(3, 20)
    a = pymic2.asarray(x)[:, ::2]
    check(pymic2.add.reduceat(a, [0, 4, 2], axis=1), numpy.add.reduceat(x[:, ::2], [0, 4, 2],
                                                                         axis=1))
    check(pymic2.add.reduceat(a, numpy.array([1, 2]), axis=-1, dtype=numpy.float32),
          numpy.add.reduceat(x[:, ::2], [1, 2], axis=-1, dtype=numpy.float32))
    out = pymic2.zeros((2, 10), dtype=numpy.int64)
    assert numpy.add.reduceat(a, [0, 2], axis=0, out=out) is out
    check(out, numpy.add.reduceat(x[:, ::2], [0, 2], axis=0))
    check(pymic2.add.reduceat(a, pymic2.asarray([0, 1]), axis=0),
          numpy.add.reduceat(x[:, ::2], [0, 1], axis=0))


def test_reduceat_errors_as_numpy():
    """Called as pymic2's ufunc methods: NumPy 2.4's reduce/accumulate/reduceat keep their
    arguments alive when __array_ufunc__ raises (numpy/numpy#31677), which would hold a
    pool block past this test."""
    a = pymic2.arange(8.0)
    for indices in ([8], [-1]):
        with pytest.raises(IndexError, match=rf"index {indices[0]} out-of-bounds in "
                                             r"add.reduceat \[0, 8\)"):
            pymic2.add.reduceat(a, indices)
    with pytest.raises(ValueError, match="one-dimensional"):
        pymic2.add.reduceat(a, [[0]])
    with pytest.raises(TypeError, match="subtract.reduceat"):
        pymic2.subtract.reduceat(a, [0])
    check(pymic2.add.reduceat(a, [0.5, 3]), numpy.add.reduceat(numpy.arange(8.0), [0.5, 3]))


@pytest.mark.parametrize("name", ["add", "multiply", "subtract", "greater", "maximum",
                                  "arctan2", "logical_xor"])
def test_outer_matches_numpy(name):
    x = numpy.linspace(-2, 2, 6).reshape(2, 3)
    y = numpy.array([0.5, -1.0, 3.0, 0.0])
    check(getattr(numpy, name).outer(pymic2.asarray(x), pymic2.asarray(y)),
          getattr(numpy, name).outer(x, y))
    check(getattr(pymic2, name).outer(x, pymic2.asarray(y)[::2]),
          getattr(numpy, name).outer(x, y[::2]))
    check(getattr(pymic2, name).outer(pymic2.asarray(x), 2.0),
          getattr(numpy, name).outer(x, 2.0))


def test_outer_with_out_and_unary_refused():
    out = pymic2.empty((3, 2))
    assert numpy.add.outer(pymic2.arange(3.0), pymic2.arange(2.0), out=out) is out
    check(out, numpy.add.outer(numpy.arange(3.0), numpy.arange(2.0)))
    with pytest.raises(ValueError, match="binary"):
        pymic2.exp.outer(pymic2.arange(3.0), pymic2.arange(2.0))
