"""Element-wise math (pymic2's ufuncs and operators) against NumPy: every function, every
dtype pair (NumPy 2 promotion), broadcasting, scalars, out=, views, special values, errors."""

import operator

import numpy
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import pymic2
from conftest import names_both

ALL_DTYPES = [numpy.bool_, numpy.int8, numpy.uint8, numpy.int32, numpy.int64, numpy.float32,
              numpy.float64, numpy.complex128]

UNARY = ["negative", "positive", "absolute", "sign", "exp", "expm1", "log", "log1p", "sqrt",
         "square", "tanh", "logical_not", "invert", "isnan", "isinf", "isfinite", "sin", "cos",
         "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
         "deg2rad", "rad2deg", "radians", "degrees", "exp2", "log2", "log10", "cbrt",
         "reciprocal", "floor", "ceil", "trunc", "rint", "fabs", "signbit", "spacing",
         "bitwise_count"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder",
          "power", "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal",
          "less", "less_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and",
          "bitwise_or", "bitwise_xor", "copysign", "arctan2", "hypot", "logaddexp",
          "logaddexp2", "nextafter", "fmod", "fmax", "fmin", "heaviside", "float_power",
          "left_shift", "right_shift", "gcd", "lcm"]


def sample(shape, dtype, seed, special=True):
    """A NumPy array with values covering signs, zero and (floats) NaN, +-inf and -0.0."""
    rng = numpy.random.default_rng(seed)
    dtype = numpy.dtype(dtype)
    if dtype.kind == "b":
        return numpy.asarray(rng.random(shape) < 0.5)
    if dtype.kind in "iu":
        low = 0 if dtype.kind == "u" else -9
        return numpy.asarray(rng.integers(low, 10, shape), dtype)
    values = numpy.asarray(rng.standard_normal(shape) * 4)
    if dtype.kind == "c":
        return numpy.asarray(values + 1j * rng.standard_normal(shape), dtype)
    flat = values.reshape(-1)
    if special and flat.size >= 8:
        flat[:5] = [numpy.nan, numpy.inf, -numpy.inf, -0.0, 0.0]
    return values.astype(dtype)


def reference(name, *inputs):
    """NumPy's result; raises what NumPy raises."""
    ufunc = getattr(numpy, name)
    keys = tuple(x.dtype if isinstance(x, (numpy.ndarray, numpy.generic)) else
                 (numpy.dtype(bool) if type(x) is bool else type(x)) for x in inputs)
    ufunc.resolve_dtypes(keys + (None,))  # NumPy's TypeError for inputs it has no loop for
    with numpy.errstate(all="ignore"):
        return numpy.asarray(ufunc(*inputs))


def check(device_result, expected, zero_signs=True, atol=0):
    host = device_result.get()
    expected = numpy.asarray(expected)
    assert host.dtype == expected.dtype, (host.dtype, expected.dtype)
    assert host.shape == expected.shape, (host.shape, expected.shape)
    if expected.dtype.kind in "fc":
        rtol = 2e-5 if expected.dtype in (numpy.float32, numpy.complex64) else 1e-12
        numpy.testing.assert_allclose(host, expected, rtol=rtol, atol=atol, equal_nan=True)
        # -0.0 keeps its sign where NumPy gives it (maximum(-0.0, 0.0) may be either)
        if expected.dtype.kind == "f" and zero_signs:
            zero = (expected == 0) & (host == 0)
            assert (numpy.signbit(host[zero]) == numpy.signbit(expected[zero])).all()
    else:
        numpy.testing.assert_array_equal(host, expected)


# float16 computes in float32 on the device; these step in float16's own bits and are refused
STEPS_IN_STORED_PRECISION = ("nextafter", "spacing")


def compare(name, *inputs, device_inputs=None):
    """Runs the ufunc on the device and in NumPy; the same exception type if NumPy raises."""
    if device_inputs is None:
        device_inputs = [pymic2.asarray(x) if isinstance(x, numpy.ndarray) else x
                         for x in inputs]
    try:
        expected = reference(name, *inputs)
    except (TypeError, ValueError, OverflowError) as error:
        with pytest.raises(type(error)):
            getattr(pymic2, name)(*device_inputs).get()
        return
    if name in STEPS_IN_STORED_PRECISION and expected.dtype == numpy.float16:
        with pytest.raises(TypeError, match="float16's own precision"):
            getattr(pymic2, name)(*device_inputs)
        return
    check(getattr(pymic2, name)(*device_inputs), expected,
          zero_signs=name not in ("maximum", "minimum", "fmax", "fmin"),
          atol=cancellation_tolerance(name, inputs, expected))


def cancellation_tolerance(name, inputs, expected):
    """logaddexp(a, b) = max(a, b) + log1p(exp(-|a - b|)) cancels near 0, where NumPy's
    result and ours (each a few ulp of the larger term off) differ relative to the result:
    allow a few ulp of the largest input there (tests/c/test_math.c measures accuracy)."""
    if name not in ("logaddexp", "logaddexp2") or expected.dtype.kind != "f":
        return 0
    magnitudes = [numpy.abs(numpy.asarray(x, dtype=float)) for x in inputs]
    largest = max((m[numpy.isfinite(m)].max(initial=0) for m in magnitudes), default=0)
    return 8 * numpy.finfo(expected.dtype).eps * max(largest, 1.0)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_every_dtype(name, dtype):
    x = sample((5, 7), dtype, 1, special=numpy.dtype(dtype).kind == "f")
    if name in ("log", "log1p", "sqrt") and numpy.dtype(dtype).kind in "iu":
        x = numpy.abs(x)  # NumPy warns and gives NaN for negatives: covered by the floats
    compare(name, x)


@pytest.mark.parametrize("dtype_y", ALL_DTYPES)
@pytest.mark.parametrize("dtype_x", ALL_DTYPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary_every_dtype_pair(name, dtype_x, dtype_y):
    x = sample((3, 1, 4), dtype_x, 2)
    y = sample((5, 4), dtype_y, 3)
    if name == "power":  # small non-negative exponents (integers cannot take negative ones)
        with numpy.errstate(invalid="ignore"):
            x, y = numpy.abs(x), numpy.abs(y) % 4 if numpy.dtype(dtype_y).kind != "b" else y
    kinds = {numpy.dtype(dtype_x).kind, numpy.dtype(dtype_y).kind}
    if "c" in kinds and name in ("maximum", "minimum", "greater", "greater_equal", "less",
                                 "less_equal", "floor_divide", "remainder", "fmax", "fmin"):
        # NumPy orders complex numbers lexicographically; the device refuses
        with pytest.raises(TypeError):
            getattr(pymic2, name)(pymic2.asarray(x), pymic2.asarray(y))
        return
    compare(name, x, y)


SCALARS = [True, 3, -2, 2.5, -0.0, 1.5 - 2j, numpy.float32(1.25), numpy.int8(-3),
           numpy.float64(numpy.nan)]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "maximum",
                                  "equal", "less", "logical_and", "floor_divide", "power"])
def test_binary_with_scalars_both_sides(name, dtype):
    x = sample((2, 3), dtype, 4)
    if name == "power":
        x = numpy.abs(x)
    for scalar in SCALARS:
        if name == "power" and not isinstance(scalar, (complex, float, numpy.floating)):
            scalar = abs(scalar)
        for inputs in ((x, scalar), (scalar, x)):
            if numpy.iscomplexobj(numpy.asarray(scalar)) or x.dtype.kind == "c":
                if name in ("maximum", "less", "floor_divide"):
                    continue
            compare(name, *inputs)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_copysign_sign_bits_like_numpy(dtype):
    """copysign takes b's sign bit whatever b is: -0.0 and NaN's sign bit count, and a's
    magnitude is kept for NaN and infinities; broadcasting and scalars on both sides."""
    specials = numpy.array([0.0, -0.0, 1.5, -1.5, numpy.inf, -numpy.inf, numpy.nan,
                            -numpy.nan], dtype)
    a, b = specials[:, None], specials[None, :]  # every pair, by broadcasting
    result = pymic2.copysign(pymic2.asarray(a), pymic2.asarray(b))
    expected = numpy.copysign(a, b)
    host = result.get()
    assert host.dtype == expected.dtype and host.shape == (8, 8)
    numpy.testing.assert_array_equal(host, expected)  # NaN == NaN here
    numpy.testing.assert_array_equal(numpy.signbit(host), numpy.signbit(expected))
    for x, y in [(pymic2.asarray(a), -0.0), (2.5, pymic2.asarray(b)),
                 (pymic2.asarray(a), numpy.float64(-1))]:
        host_x = x.get() if isinstance(x, pymic2.ndarray) else x
        host_y = y.get() if isinstance(y, pymic2.ndarray) else y
        expected = numpy.copysign(host_x, host_y)
        host = pymic2.copysign(x, y).get()
        assert host.dtype == expected.dtype
        numpy.testing.assert_array_equal(numpy.signbit(host), numpy.signbit(expected))
        numpy.testing.assert_array_equal(host, expected)
    # through NumPy's own ufunc (what Chainer's gradient_check calls)
    out = numpy.copysign(pymic2.asarray(a), pymic2.asarray(b))
    assert isinstance(out, pymic2.ndarray)
    numpy.testing.assert_array_equal(numpy.signbit(out.get()),
                                     numpy.signbit(numpy.copysign(a, b)))


def test_python_int_out_of_range_is_refused_like_numpy():
    a = pymic2.asarray(numpy.arange(3, dtype=numpy.uint8))
    with pytest.raises(OverflowError):
        a + 300
    with pytest.raises(OverflowError):
        a - (-1)
    check(a + 255, numpy.arange(3, dtype=numpy.uint8) + 255)  # fits, then wraps
    # comparisons take any Python int, as NumPy 2's do
    x = numpy.arange(3, dtype=numpy.uint8)
    for value in (-1, 256, 2**70, -(2**70)):
        for name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
            check(getattr(pymic2, name)(a, value), getattr(numpy, name)(x, value))
            check(getattr(pymic2, name)(value, a), getattr(numpy, name)(value, x))
        check(a < value, x < value)
        check(value >= a, value >= x)


def test_zero_dim_and_one_size_and_empty():
    for shape_x, shape_y in [((), ()), ((), (3,)), ((1,), (4, 1)), ((0,), (1,)), ((0, 3), (3,)),
                             ((2, 0), (1, 0))]:
        x, y = sample(shape_x, numpy.float64, 5), sample(shape_y, numpy.int32, 6)
        compare("add", x, y)
        compare("greater", x, y)
        compare("exp", x)


@pytest.mark.parametrize("layout", ["transposed", "reversed", "stepped", "fortran"])
def test_non_contiguous_views(layout):
    host = sample((6, 8), numpy.float64, 7)
    other = sample((6, 8), numpy.int32, 8)
    a, b = pymic2.asarray(host), pymic2.asarray(other)
    view = {"transposed": lambda z: z.T, "reversed": lambda z: z[::-1, ::-1],
            "stepped": lambda z: z[1::2, ::3], "fortran": lambda z: z.T.copy().T}[layout]
    for name in ["add", "subtract", "multiply", "divide", "maximum", "less"]:
        compare(name, view(host), view(other), device_inputs=[view(a), view(b)])
    for name in ["exp", "sqrt", "negative", "absolute"]:
        compare(name, view(host), device_inputs=[view(a)])


OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "==": operator.eq,
    "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "&": operator.and_, "|": operator.or_, "^": operator.xor,
}


@pytest.mark.parametrize("dtype", [numpy.bool_, numpy.int8, numpy.int64, numpy.float32,
                                   numpy.float64])
@pytest.mark.parametrize("symbol", sorted(OPERATORS))
def test_operators_and_reflected_forms(symbol, dtype):
    function = OPERATORS[symbol]
    # NumPy's x ** 2 is square(x) (bool ** 2 gives int8); pymic2 follows numpy.power
    host_function = numpy.power if symbol == "**" else function
    x = numpy.abs(sample((4, 5), dtype, 9)) if symbol == "**" else sample((4, 5), dtype, 9)
    y = (numpy.abs(sample((5,), dtype, 10)) % 3).astype(dtype) if symbol == "**" else \
        sample((5,), dtype, 10)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    for left, right, host_left, host_right in [(a, b, x, y), (a, y, x, y), (x, b, x, y),
                                               (a, 2, x, 2), (3, a, 3, x)]:
        try:
            with numpy.errstate(all="ignore"):
                expected = host_function(host_left, host_right)
        except (TypeError, ValueError) as error:
            with pytest.raises(type(error)):
                function(left, right)
            continue
        expected = numpy.asarray(expected)
        check(function(left, right), expected, zero_signs=symbol not in ("**",))


@pytest.mark.parametrize("dtype", [numpy.bool_, numpy.int32, numpy.float64, numpy.complex128])
def test_unary_operators(dtype):
    x = sample((3, 4), dtype, 11)
    a = pymic2.asarray(x)
    check(abs(a), numpy.abs(x))
    check(a.abs(), numpy.abs(x))
    if dtype is numpy.bool_:
        for function in (operator.neg, operator.pos):
            with pytest.raises(TypeError):
                function(a)
        check(~a, ~x)
        return
    check(-a, -x)
    check(+a, +x)
    if dtype is numpy.int32:
        check(~a, ~x)


@pytest.mark.parametrize("symbol", ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^"])
def test_in_place_operators_stay_in_place(symbol):
    function = OPERATORS[symbol]
    dtype = numpy.int32 if symbol in ("&", "|", "^") else numpy.float64
    x = numpy.abs(sample((3, 4), dtype, 12, special=False)) + 1
    y = numpy.abs(sample((4,), dtype, 13, special=False)) % 3 + 1
    a = pymic2.asarray(x)
    buffer = a.buffer
    statement = {"+": "a += y", "-": "a -= y", "*": "a *= y", "/": "a /= y", "//": "a //= y",
                 "%": "a %= y", "**": "a **= y", "&": "a &= y", "|": "a |= y", "^": "a ^= y"}
    namespace = {"a": a, "y": pymic2.asarray(y)}
    exec(statement[symbol], namespace)
    assert namespace["a"] is a and a.buffer is buffer
    check(a, function(x, y).astype(dtype))


def test_in_place_casting_follows_same_kind():
    a = pymic2.asarray(numpy.arange(4, dtype=numpy.int32))
    with pytest.raises(TypeError, match="same_kind"):
        a /= 2  # int32 / int gives float64, which int32 cannot hold under same_kind
    f = pymic2.zeros(4, numpy.float32)
    f += numpy.arange(4.0)
    check(f, numpy.arange(4, dtype=numpy.float32))


def test_out_argument_dtypes_and_aliasing():
    x = sample((4, 5), numpy.float64, 14)
    y = sample((5,), numpy.float64, 15)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    out = pymic2.empty((4, 5))
    assert pymic2.add(a, b, out=out) is out
    check(out, x + y)
    assert pymic2.multiply(a, b, out=(out,)) is out
    check(out, x * y)
    out32 = pymic2.empty((4, 5), numpy.float32)
    pymic2.subtract(a, b, out=out32)  # float64 -> float32 is same_kind
    check(out32, (x - y).astype(numpy.float32))
    with pytest.raises(TypeError, match="same_kind"):
        pymic2.add(a, b, out=pymic2.empty((4, 5), numpy.int64))
    pymic2.add(a, b, out=pymic2.empty((4, 5), numpy.int64), casting="unsafe")
    flags = pymic2.empty((4, 5), numpy.bool_)
    assert pymic2.less(a, b, out=flags) is flags
    check(flags, x < y)
    # the output is an input: in place
    pymic2.multiply(a, a, out=a)
    check(a, x * x)
    # partial overlap goes through a temporary, as in NumPy
    host = numpy.arange(10.0)
    c = pymic2.asarray(host)
    pymic2.add(c[1:], c[:-1], out=c[1:])
    host[1:] = host[1:] + host[:-1]
    check(c, host)
    d = pymic2.asarray(numpy.arange(10.0))
    d[::-1] += d  # the output reversed against the input
    check(d, numpy.arange(10.0)[::-1] + numpy.arange(10.0))
    with pytest.raises(ValueError):
        pymic2.add(a, b, out=pymic2.empty((3, 5)))


def test_direct_path_with_out_and_in_place():
    """Operands that need no cast go straight to C with out= and in place too (as operators
    without out= did): the same results, refusals and out-of-range comparisons as the
    general path."""
    x = numpy.arange(6, dtype=numpy.uint8)
    a = pymic2.asarray(x)
    flags = pymic2.empty(6, numpy.bool_)
    for value in (3, 256, -1):
        assert pymic2.less(a, value, out=flags) is flags
        check(flags, numpy.less(x, value))
    with pytest.raises(OverflowError):
        a += 300
    check(a, x)
    a += 250
    check(a, x + numpy.uint8(250))
    values = numpy.linspace(-1, 1, 6)
    f = pymic2.asarray(values)
    out = pymic2.empty(6)
    assert pymic2.negative(f, out=out) is out
    check(out, -values)
    assert pymic2.exp(f, out=(out,)) is out
    check(out, numpy.exp(values))
    with pytest.raises(TypeError, match="same_kind"):
        pymic2.negative(f, out=pymic2.empty(6, numpy.int64))
    out32 = pymic2.empty(6, numpy.float32)
    assert pymic2.multiply(f, 2.0, out=out32) is out32  # a cast into out: general path
    check(out32, (values * 2).astype(numpy.float32))


def test_dtype_argument():
    x = numpy.arange(6, dtype=numpy.int32)
    a = pymic2.asarray(x)
    check(pymic2.add(a, a, dtype=numpy.float32), numpy.add(x, x, dtype=numpy.float32))
    check(pymic2.divide(a, 4, dtype=numpy.float32), numpy.divide(x, 4, dtype=numpy.float32))
    with pytest.raises(TypeError):
        pymic2.add(pymic2.asarray(numpy.arange(3.0)), 1, dtype=numpy.int32)  # not same_kind


def test_clip():
    x = sample((4, 6), numpy.float64, 16)
    a = pymic2.asarray(x)
    check(pymic2.clip(a, -1, 2.5), numpy.clip(x, -1, 2.5))
    check(a.clip(0.5), numpy.clip(x, 0.5, None))
    check(a.clip(max=0.5), numpy.clip(x, None, 0.5))
    low, high = sample((6,), numpy.float64, 17, special=False) - 1, numpy.full(6, 1.5)
    check(pymic2.clip(a, pymic2.asarray(low), high), numpy.clip(x, low, high))
    i = numpy.arange(-5, 5, dtype=numpy.int8)
    check(pymic2.clip(pymic2.asarray(i), -2, 3), numpy.clip(i, -2, 3))
    check(pymic2.clip(pymic2.asarray(i), -2.5, 3), numpy.clip(i, -2.5, 3))
    out = pymic2.empty((4, 6))
    assert pymic2.clip(a, 0, 1, out=out) is out
    check(out, numpy.clip(x, 0, 1))


def test_divmod_and_ufunc_methods():
    x, y = sample((3, 4), numpy.float64, 18), sample((4,), numpy.float64, 19)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    with numpy.errstate(all="ignore"):
        quotient, rest = numpy.divmod(x, y)
    for result in (divmod(a, b), pymic2.divmod(a, b)):
        check(result[0], quotient)
        check(result[1], rest)
    check(pymic2.add.reduce(a), numpy.add.reduce(x))
    check(pymic2.maximum.reduce(a, axis=1), numpy.maximum.reduce(x, axis=1))
    check(pymic2.multiply.accumulate(a, axis=1), numpy.multiply.accumulate(x, axis=1))
    assert pymic2.add.nin == 2 and pymic2.exp.nin == 1 and "add" in repr(pymic2.add)
    with pytest.raises(TypeError, match="reduce"):
        pymic2.subtract.reduce(a)


def test_errors():
    a = pymic2.zeros((3, 4))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(5,\)"):
        pymic2.add(a, pymic2.zeros(5))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(2, 4\)"):
        a * pymic2.zeros((2, 4))
    other = pymic2.ndarray((3, 4), stream=pymic2.devices[1].create_stream()).fill(1)
    with pytest.raises(ValueError, match=names_both("host:1")):
        a + other
    with pytest.raises(TypeError):
        a + numpy.zeros(3, numpy.longdouble)  # the device has no float128
    with pytest.raises(TypeError):
        pymic2.bitwise_and(a, a)  # floats have no bitwise ops
    with pytest.raises(TypeError):
        a + "text"
    with pytest.raises(TypeError, match="device"):
        pymic2.add(1, 2)
    with pytest.raises(TypeError, match="2 positional"):
        pymic2.add(a)
    with pytest.raises(ValueError, match="negative integer powers"):
        pymic2.power(pymic2.asarray(numpy.arange(3)), -1)


def test_results_stay_on_the_device_and_keep_the_array_type():
    stream = pymic2.devices[1].create_stream()
    a = pymic2.ndarray((3,), numpy.float64, stream=stream).fill(2.0)
    result = pymic2.exp(a) + 1
    assert result.device is pymic2.devices[1] and isinstance(result, pymic2.ndarray)
    offload = pymic2.devices[0].get_default_stream().bind(numpy.arange(3.0))
    assert type(offload * 2) is pymic2.OffloadArray
    assert type(pymic2.sqrt(offload)) is pymic2.OffloadArray


@st.composite
def broadcast_pair(draw):
    dtypes = st.sampled_from(ALL_DTYPES)
    dtype_x, dtype_y = draw(dtypes), draw(dtypes)
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4))
    x = sample(shapes.input_shapes[0], dtype_x, draw(st.integers(0, 2**16)))
    y = sample(shapes.input_shapes[1], dtype_y, draw(st.integers(0, 2**16)))
    return x, y


@settings(max_examples=120, deadline=None)
@given(pair=broadcast_pair(), name=st.sampled_from(["add", "subtract", "multiply", "divide",
                                                      "maximum", "minimum", "not_equal",
                                                      "logical_xor", "floor_divide"]),
       reverse=st.booleans())
def test_hypothesis_broadcasting_promotion_and_views(pair, name, reverse):
    x, y = pair
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    if reverse:
        x, y = x[(slice(None, None, -1),) * x.ndim], y[(slice(None, None, -1),) * y.ndim]
        a, b = a[(slice(None, None, -1),) * a.ndim], b[(slice(None, None, -1),) * b.ndim]
    if "c" in (x.dtype.kind + y.dtype.kind) and name in ("maximum", "minimum",
                                                        "floor_divide"):
        return
    compare(name, x, y, device_inputs=[a, b])


# Outputs of 16 MiB and more are written with non-temporal stores through a small buffer on
# host devices (host_ops.c); these sizes take that path there, and the same checks hold on
# any device.
LARGE_ROWS, LARGE_COLUMNS = 2049, 1031  # > 16 MiB of float64, rows not a multiple of 8


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "greater", "exp", "log",
                                  "sqrt", "logical_not"])
def test_large_outputs(name):
    ufunc = getattr(numpy, name)
    rng = numpy.random.default_rng(7)
    x = rng.random((LARGE_ROWS, LARGE_COLUMNS)) + 0.5
    x.reshape(-1)[:4] = [numpy.nan, numpy.inf, 0.0, -1.0]
    row = rng.random(LARGE_COLUMNS)  # broadcast along the rows
    inputs = (x, row)[:ufunc.nin]
    with numpy.errstate(all="ignore"):
        expected = ufunc(*inputs)
        actual = ufunc(*[pymic2.asarray(v) for v in inputs]).get()
    assert actual.dtype == expected.dtype
    numpy.testing.assert_allclose(actual, expected, rtol=1e-15, atol=0)


# Ops reading 32 MiB and more prefetch their contiguous inputs ahead on host devices
# (prefetch.h): elementwise ops in passes along each row, sums with their own fold.
@pytest.mark.parametrize("name", ["add", "greater", "equal", "maximum"])
def test_inputs_read_from_memory(name):
    ufunc = getattr(numpy, name)
    rng = numpy.random.default_rng(9)
    x = rng.random((LARGE_ROWS, LARGE_COLUMNS))
    y = rng.random((LARGE_ROWS, LARGE_COLUMNS))
    y[::3] = x[::3]  # equal rows for the comparisons
    y.reshape(-1)[:3] = [numpy.nan, numpy.inf, -0.0]
    dx, dy = pymic2.asarray(x), pymic2.asarray(y)
    numpy.testing.assert_array_equal(ufunc(dx, dy).get(), ufunc(x, y))
    # every other column: a 16-byte step still reads every line
    wide_x = rng.random((LARGE_ROWS, 2 * LARGE_COLUMNS))
    numpy.testing.assert_array_equal(ufunc(pymic2.asarray(wide_x)[:, ::2], dy).get(),
                                     ufunc(wide_x[:, ::2], y))


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_reductions_read_from_memory(axis):
    rng = numpy.random.default_rng(10)
    x = rng.standard_normal((2 * LARGE_ROWS, LARGE_COLUMNS))  # 33.8 MiB
    dx = pymic2.asarray(x)
    numpy.testing.assert_allclose(pymic2.sum(dx, axis=axis).get(), numpy.sum(x, axis=axis),
                                  rtol=1e-10, atol=1e-9)
    numpy.testing.assert_array_equal(pymic2.max(dx, axis=axis).get(), numpy.max(x, axis=axis))
    ints = dx.astype(numpy.int64)
    numpy.testing.assert_array_equal(pymic2.sum(ints, axis=axis).get(),
                                     numpy.sum(x.astype(numpy.int64), axis=axis))


def test_large_outputs_in_views_in_place_and_arange():
    rng = numpy.random.default_rng(8)
    x = rng.standard_normal(LARGE_ROWS * LARGE_COLUMNS + 3)
    y = rng.standard_normal(LARGE_ROWS * LARGE_COLUMNS + 3)
    dx, dy = pymic2.asarray(x), pymic2.asarray(y)
    # an output starting 8 bytes into its buffer: not 64-byte aligned
    numpy.subtract(dx[:-1], dy[1:], out=dx[1:])
    expected = x.copy()
    expected[1:] = x[:-1] - y[1:]
    numpy.testing.assert_array_equal(dx.get(), expected)
    # in place, the output aliasing an input
    dy *= 3.0
    numpy.testing.assert_array_equal(dy.get(), y * 3.0)
    # strided input, contiguous output
    numpy.testing.assert_array_equal(numpy.negative(dy[::2]).get(), -(y * 3.0)[::2])
    count = 2 * LARGE_ROWS * LARGE_COLUMNS + 5
    for dtype in (numpy.float64, numpy.int32, numpy.uint8):
        numpy.testing.assert_array_equal(pymic2.arange(count, dtype=dtype).get(),
                                         numpy.arange(count, dtype=dtype))
