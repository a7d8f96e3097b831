"""float16 against NumPy, on the suite's device: stored as 2 bytes, computed in float32 as
NumPy does (inputs converted exactly, the op in float32, the result rounded once to nearest
even). Element-wise ops, NaN/inf/-0.0, overflow to inf, subnormals, casts both ways (ties
and the single rounding of float64 -> float16), promotion with all 14 dtypes and Python
scalars, reductions (float32 accumulation, cumsum rounding each step), matmul, indexing,
where, clip, creation, non-contiguous views, DLPack and the pyMIC API. Arrays are small and
each (op, dtype) appears once, so the opencl:0 pass builds few programs."""

import warnings

import numpy
import pytest
from conftest import DEVICE_NAME, assert_same

import pymic2
from pymic2 import _core, _dtypes

F16 = numpy.dtype(numpy.float16)
ALL = [numpy.dtype(name) for name in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")]
ON_DEVICE = [dt for dt in ALL if dt in _dtypes.CODES]
SPECIALS = [numpy.nan, numpy.inf, -numpy.inf, -0.0, 0.0, 65504.0, -65504.0,
            2.0**-24, -2.0**-24, 2.0**-14, 3 * 2.0**-15]  # subnormals and the least normal
# the relative spacing of float16 values: one rounding apart
ULP = 2.0**-10


def sample(n=24, seed=0, special=True):
    values = numpy.random.default_rng(seed).standard_normal(n) * 6
    if special:
        values[:len(SPECIALS)] = SPECIALS
    return values.astype(F16)


def assert_bits(device_result, expected):
    """Equal dtype, shape and bits (-0.0 is not 0.0; any NaN matches any NaN)."""
    got = device_result.get()
    expected = numpy.asarray(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape, (got, expected)
    nan = numpy.isnan(expected)
    numpy.testing.assert_array_equal(numpy.isnan(got), nan)
    numpy.testing.assert_array_equal(got.view(numpy.uint16)[~nan],
                                     expected.view(numpy.uint16)[~nan])


def quiet(function, *args, **kwargs):
    """NumPy's result without its warnings (overflow, casts of complex to real)."""
    with numpy.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", numpy.exceptions.ComplexWarning)
        return function(*args, **kwargs)


# ---------------------------------------------------------------- element-wise ops

def test_values_survive_the_round_trip_bit_for_bit():
    x = numpy.array(SPECIALS + [1.0 / 3, -1e-7], F16)
    a = pymic2.asarray(x)
    assert a.dtype == F16 and a.itemsize == 2 and a.nbytes == 2 * x.size
    assert_bits(a, x)
    assert_bits(a.copy(), x)


# ops whose float32 result NumPy and the device both round once: the same bits
EXACT_BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum",
                "floor_divide", "remainder", "copysign", "power"]


@pytest.mark.parametrize("name", EXACT_BINARY)
def test_binary_ops_round_once_as_numpy(name):
    x, y = sample(seed=1), sample(seed=2)[::-1].copy()
    if name == "power":
        x = numpy.abs(x)
    assert_bits(getattr(pymic2, name)(pymic2.asarray(x), pymic2.asarray(y)),
                quiet(getattr(numpy, name), x, y))


@pytest.mark.parametrize("name", ["equal", "less", "greater_equal", "logical_and"])
def test_comparisons_and_logic(name):
    x, y = sample(seed=3), sample(seed=3)
    y[::3] = 1.5
    assert_same(getattr(pymic2, name)(pymic2.asarray(x), pymic2.asarray(y)),
                quiet(getattr(numpy, name), x, y))


@pytest.mark.parametrize("name", ["negative", "absolute", "sign", "sqrt", "square", "isnan",
                                  "isinf", "isfinite", "logical_not"])
def test_unary_ops_round_once_as_numpy(name):
    x = sample(seed=4)
    expected = quiet(getattr(numpy, name), x)
    result = getattr(pymic2, name)(pymic2.asarray(x))
    if expected.dtype == F16:
        assert_bits(result, expected)
    else:
        assert_same(result, expected)


@pytest.mark.parametrize("name", ["exp", "expm1", "log", "log1p", "tanh"])
def test_transcendental_ops_within_one_rounding(name):
    """NumPy's float32 exp differs from libm's (and PoCL's) in the last float32 bit now and
    then, which can move the float16 result by one rounding: a tolerance of one ulp."""
    x = sample(seed=5)
    expected = quiet(getattr(numpy, name), x)
    got = getattr(pymic2, name)(pymic2.asarray(x)).get()
    assert got.dtype == F16
    numpy.testing.assert_allclose(got, expected, rtol=ULP, atol=2.0**-24)


def test_python_scalars_are_rounded_to_float16_first():
    """NEP 50: 0.1 is weak, so it becomes float16(0.1) before the add (as in NumPy)."""
    x = sample(seed=6, special=False)
    a = pymic2.asarray(x)
    for scalar in (0.1, 3, -7.25, True, 1e5, 1e-6):
        assert_bits(a + scalar, quiet(numpy.add, x, scalar))
        assert_bits(scalar * a, quiet(numpy.multiply, scalar, x))
    assert_bits(a + numpy.float16(0.1), x + numpy.float16(0.1))


def test_broadcast_scalars_and_blocks_of_every_length():
    """The host's contiguous loops convert blocks of elements: lengths around the block and
    vector sizes, a broadcast operand, a scalar on either side."""
    for n in (1, 7, 15, 16, 17, 255, 256, 257, 1000):
        x, y = sample(n, n, special=n > 16), sample(n, n + 1, special=False)
        a, b = pymic2.asarray(x), pymic2.asarray(y)
        assert_bits(a * b, quiet(numpy.multiply, x, y))
        assert_bits(a - y[:1], quiet(numpy.subtract, x, y[:1]))  # a stride-0 operand
        assert_bits(2.5 / b, quiet(numpy.divide, 2.5, y))
        assert_same(a < b, x < y)
    row, column = sample(8, 7, special=False), sample(3, 8, special=False).reshape(3, 1)
    assert_bits(pymic2.asarray(row) + pymic2.asarray(column), row + column)


def test_overflow_gives_inf_and_underflow_zero():
    top = numpy.array([65504, -65504, 65504, 60000], F16)
    a = pymic2.asarray(top)
    assert_bits(a + numpy.float16(16), quiet(numpy.add, top, numpy.float16(16)))  # the tie: inf
    assert_bits(a + numpy.float16(8), quiet(numpy.add, top, numpy.float16(8)))   # stays 65504
    assert_bits(a * 2, quiet(numpy.multiply, top, 2))
    assert_bits(a + 70000.0, quiet(numpy.add, top, 70000.0))  # the scalar itself is inf
    tiny = numpy.array([2.0**-24, 3 * 2.0**-24, 2.0**-14, -2.0**-24], F16)
    b = pymic2.asarray(tiny)
    assert_bits(b * numpy.float16(0.5), tiny * numpy.float16(0.5))  # ties to even: 0, 2**-23
    assert_bits(b / 3, tiny / numpy.float16(3))                      # subnormal results
    assert_bits(b - b, tiny - tiny)
    assert_bits(-b * 0, -tiny * numpy.float16(0))                    # -0.0


def test_nan_inf_and_signed_zeros():
    x = numpy.array([numpy.nan, numpy.inf, -numpy.inf, -0.0, 0.0, 1.0], F16)
    a = pymic2.asarray(x)
    assert_bits(pymic2.maximum(a, -0.0), numpy.maximum(x, numpy.float16(-0.0)))
    assert_bits(pymic2.minimum(a, 0.0), numpy.minimum(x, numpy.float16(0.0)))
    assert_bits(pymic2.sign(a), numpy.sign(x))
    assert_bits(-a, -x)
    assert_bits(a * 0, quiet(numpy.multiply, x, 0))
    assert_bits(pymic2.copysign(1.0, a), numpy.copysign(numpy.float16(1), x))


def test_non_contiguous_views():
    x = sample(60, 7, special=False).reshape(6, 10)
    a = pymic2.asarray(x)
    assert_bits(a[::2, 1::3] * a[1::2, :0:-3], x[::2, 1::3] * x[1::2, :0:-3])
    assert_bits(pymic2.sqrt(pymic2.absolute(a.T)), numpy.sqrt(numpy.abs(x.T)))
    assert_bits(a[:, ::-1] + 1, x[:, ::-1] + numpy.float16(1))
    out = pymic2.zeros((6, 10), F16)
    pymic2.multiply(a, 3, out=out[:, :])
    assert_bits(out, x * numpy.float16(3))


# ---------------------------------------------------------------- casts

# float64 values just above, at and below float16 ties: float64 -> float16 rounds once
# (through float32 first, 1 + 2**-11 + 2**-40 would become the tie 1 + 2**-11 and round
# down to 1)
TIES = [1 + 2.0**-11, 1 + 3 * 2.0**-11, 1 + 2.0**-11 + 2.0**-40, 1 + 2.0**-11 - 2.0**-40,
        2049.0, 2051.0, 65519.99, 65520.0, -65520.0, 2.0**-25, 2.0**-25 + 2.0**-50,
        3 * 2.0**-25, 1e-9, 0.1, -0.0, numpy.nan, numpy.inf]


@pytest.mark.parametrize("source", ["float64", "float32", "complex128"])
def test_casts_to_float16_round_once_to_nearest_even(source):
    values = numpy.array(TIES).astype(source)
    if source == "complex128":
        values = values + 2j  # the real part counts (NumPy warns, as the cast drops it)
    assert_bits(pymic2.asarray(values).astype(F16), quiet(values.astype, F16))


@pytest.mark.parametrize("source", ["bool", "int8", "uint8", "int16", "uint16", "int32",
                                    "uint32", "int64", "uint64"])
def test_integer_casts_to_float16(source):
    info = numpy.iinfo(source) if source != "bool" else None
    values = [0, 1, 1] if info is None else [info.min, info.max, 0, 1, 2049, 2051, 65519,
                                              65520, 100000, 2**40 + 1]
    host = numpy.array(values).astype(source) if info is None else \
        numpy.array([v for v in values if info.min <= v <= info.max], source)
    assert_bits(pymic2.asarray(host).astype(F16), quiet(host.astype, F16))


@pytest.mark.parametrize("target", [dt for dt in ON_DEVICE if dt != F16], ids=str)
def test_casts_from_float16(target):
    """float16 -> float -> the target, as NumPy; NaN and inf only to the floats and bool
    (to integers they are NumPy's undefined casts)."""
    x = numpy.array([1.5, -2.75, 65504, -65504, 0.0, -0.0, 2.0**-24, 300.5, -1.0], F16)
    if target.kind in "fcb":
        x = numpy.concatenate([x, numpy.array([numpy.nan, numpy.inf, -numpy.inf], F16)])
    if target.kind == "u":
        x = numpy.abs(x)
    if target.kind in "iu":
        x = x[numpy.abs(x.astype(numpy.float64)) <= numpy.iinfo(target).max]
    expected = quiet(x.astype, target)
    result = pymic2.asarray(x).astype(target)
    if target.kind in "fc":
        assert result.dtype == target
        numpy.testing.assert_array_equal(result.get(), expected)  # exact (NaN equals NaN)
        assert (numpy.signbit(result.get().real) == numpy.signbit(expected.real)).all()
    else:
        assert_same(result, expected)


# ---------------------------------------------------------------- promotion

@pytest.mark.parametrize("other", ALL + [True, 3, 2.5, 1j], ids=str)
def test_promotion_with_every_dtype_and_python_scalars(other):
    """float16 with int8 or uint8 stays float16, with int16 gives float32, with a Python
    float or int stays float16 (NEP 50); complex64 is computed as the device holds it."""
    expected = numpy.result_type(F16, other)
    assert _dtypes.result_type(F16, other) == _dtypes.device_dtype(expected)
    assert _dtypes.result_type(other, F16) == _dtypes.device_dtype(expected)
    if expected in _dtypes.CODES:
        assert _dtypes.result_type(F16, other) == expected


def test_promotion_rules_named_in_the_issue():
    d = numpy.dtype
    assert _dtypes.result_type(F16, d("int8")) == F16
    assert _dtypes.result_type(F16, d("uint8")) == F16
    assert _dtypes.result_type(F16, d("int16")) == numpy.float32
    assert _dtypes.result_type(F16, d("uint16")) == numpy.float32
    assert _dtypes.result_type(F16, 2.5) == F16 and _dtypes.result_type(F16, 7) == F16
    assert _dtypes.result_type(F16, d("float32")) == numpy.float32
    assert _dtypes.result_type(d("int8"), d("uint8"), F16) == F16  # NumPy's order, not a fold


PAIRS = ["bool", "int8", "uint8", "int16", "uint64", "float32", "float64", "complex128"]


@pytest.mark.parametrize("other", PAIRS)
def test_add_promotes_and_computes_as_numpy(other):
    x = sample(8, 9, special=False)
    y = (numpy.arange(8) - 3).astype(other) if other != "uint64" else \
        numpy.arange(8, dtype=other)
    expected = quiet(numpy.add, x, y)
    result = pymic2.asarray(x) + pymic2.asarray(y)
    if expected.dtype == F16:
        assert_bits(result, expected)
    else:
        assert_same(result, expected)
    assert_same(pymic2.asarray(x) + y, expected)  # a host operand of the other dtype
    assert_same(pymic2.asarray(y) + x, quiet(numpy.add, y, x))


def test_results_numpy_gives_in_float16_are_float16():
    int8 = numpy.array([1, -2, 3], numpy.int8)
    a = pymic2.asarray(int8)
    assert_bits(pymic2.exp(a), numpy.exp(int8))  # NumPy computes exp of int8 in float16
    assert_bits(pymic2.sqrt(pymic2.asarray(int8.astype(numpy.uint8))),
                numpy.sqrt(int8.astype(numpy.uint8)))
    assert_bits(a + numpy.float16(0.5), int8 + numpy.float16(0.5))


# ---------------------------------------------------------------- reductions

def test_sums_accumulate_in_float32_and_round_once():
    """NumPy's float16 sum adds in float32: 5000 ones give 5000, where adding in float16
    stops at 2048."""
    ones = numpy.ones(5000, F16)
    a = pymic2.asarray(ones)
    assert_bits(a.sum(), ones.sum())
    assert float(a.sum().get()) == 5000
    assert_bits(pymic2.asarray(ones.reshape(50, 100)).sum(axis=1),
                ones.reshape(50, 100).sum(axis=1))
    assert_bits(a.prod(), ones.prod())
    assert a.sum().dtype == F16 and a.sum(dtype=numpy.float32).dtype == numpy.float32


def test_cumsum_rounds_each_step_as_numpy():
    """NumPy's accumulate rounds every partial sum to float16: 3000 ones stop at 2048."""
    ones = numpy.ones(3000, F16)
    assert_bits(pymic2.asarray(ones).cumsum(), numpy.cumsum(ones))
    x = sample(60, 10, special=False).reshape(6, 10)
    a = pymic2.asarray(x)
    for axis in (0, 1):
        assert_bits(a.cumsum(axis=axis), numpy.cumsum(x, axis=axis))
        assert_bits(pymic2.cumprod(a / 4, axis=axis), numpy.cumprod(x / numpy.float16(4),
                                                                     axis=axis))


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_reductions_match_numpy(axis):
    """Values rounded once from float32: where NumPy rounds partial sums to float16 too
    (axis=0), or its float32 order differs, the results stay within a few float16
    ulps (tolerance); max, min, argmax, the truth reductions exactly."""
    x = sample(60, 11, special=False).reshape(6, 10)
    a = pymic2.asarray(x)
    for name in ("sum", "mean", "prod"):
        expected = quiet(getattr(numpy, name), x / numpy.float16(4), axis=axis)
        got = getattr(pymic2, name)(a / 4, axis=axis)
        assert got.dtype == expected.dtype == F16
        numpy.testing.assert_allclose(got.get(), expected, rtol=4 * ULP, atol=2.0**-14)
    for name in ("max", "min", "all", "any", "count_nonzero"):
        assert_same(getattr(pymic2, name)(a, axis=axis), getattr(numpy, name)(x, axis=axis))
    if not isinstance(axis, tuple):
        assert_same(pymic2.argmax(a, axis=axis), numpy.argmax(x, axis=axis))
        assert_same(pymic2.argmin(a, axis=axis), numpy.argmin(x, axis=axis))


def test_reductions_with_nan_inf_and_signed_zeros():
    x = numpy.array([1.0, -0.0, numpy.inf, 2.0, numpy.nan, -numpy.inf, 0.0], F16)
    a = pymic2.asarray(x)
    for name in ("max", "min", "sum", "argmax", "argmin"):
        assert_same(getattr(pymic2, name)(a), quiet(getattr(numpy, name), x))
    assert_bits(pymic2.asarray(x[:0]).sum(), x[:0].sum())  # +0.0
    assert_bits(pymic2.asarray(x[:4]).max(), x[:4].max())


def test_mean_sums_in_float32_and_rounds_to_float16():
    """NumPy's mean of float16: the sum in float32 (so 3000 values of 30 do not overflow
    float16 on the way), the quotient rounded to float16; with dtype= in that dtype."""
    x = numpy.full(3000, 30, F16)
    a = pymic2.asarray(x)
    assert_bits(a.mean(), x.mean())
    assert_bits(pymic2.mean(a, where=pymic2.asarray(numpy.arange(3000) % 2 == 0)),
                numpy.mean(x, where=numpy.arange(3000) % 2 == 0))
    assert_same(a.mean(dtype=numpy.float32), x.mean(dtype=numpy.float32))
    y = sample(40, 12, special=False)
    numpy.testing.assert_allclose(pymic2.var(pymic2.asarray(y)).get(), numpy.var(y),
                                  rtol=4 * ULP)
    assert pymic2.std(pymic2.asarray(y)).dtype == F16


# ---------------------------------------------------------------- matmul

def test_matmul_rounds_float32_products_once():
    """Integer-valued operands: the float32 sums are exact, so every order gives NumPy's
    float16 result (rounded once); a transposed view and a batch go the same way."""
    rng = numpy.random.default_rng(13)
    x = rng.integers(-8, 9, (2, 9, 300)).astype(F16)
    y = rng.integers(-8, 9, (2, 300, 7)).astype(F16)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    assert_bits(a @ b, x @ y)
    assert_bits(a[0] @ pymic2.asarray(y[1].T.copy()).T, x[0] @ y[1])
    assert_bits(pymic2.dot(a[1, :, :5], b[1, :5]), numpy.dot(x[1, :, :5], y[1, :5]))


def test_matmul_of_fractions_within_one_rounding():
    """Other float32 summation orders than NumPy's sequential one: one float16 rounding."""
    x, y = sample(40 * 33, 14, special=False).reshape(40, 33), \
        sample(33 * 20, 15, special=False).reshape(33, 20)
    expected = (x.astype(numpy.float64) @ y.astype(numpy.float64)).astype(F16)
    got = (pymic2.asarray(x) @ pymic2.asarray(y)).get()
    assert got.dtype == F16
    numpy.testing.assert_allclose(got, expected, rtol=ULP, atol=2.0**-14)


# ---------------------------------------------------------------- indexing, where, creation

def test_gather_scatter_and_scatter_add():
    x = sample(12, 16)
    a = pymic2.asarray(x)
    index = numpy.array([3, 0, 11, 3, 5])
    assert_bits(a[pymic2.asarray(index)], x[index])
    assert_bits(pymic2.take(a, pymic2.asarray(index)), x.take(index))
    a[numpy.array([1, 2])] = 0.1  # a Python float rounded to float16
    x[[1, 2]] = 0.1
    assert_bits(a, x)
    values = sample(5, 17, special=False)
    a[pymic2.asarray(index)] = pymic2.asarray(values)
    x[index] = values
    assert_bits(a, x)
    y = numpy.zeros(4, F16)
    b = pymic2.asarray(y)
    repeated = numpy.array([0, 1, 0, 0, 3, 0])
    adds = numpy.array([0.1, 1, 0.2, 1000, 5, 0.3], F16)
    pymic2.add_at(b, pymic2.asarray(repeated), pymic2.asarray(adds))
    numpy.add.at(y, repeated, adds)  # every add rounds to float16, in order
    assert_bits(b, y)


def test_where_clip_and_creation():
    x, y = sample(seed=18), sample(seed=19)
    condition = numpy.arange(x.size) % 3 == 0
    assert_bits(pymic2.where(pymic2.asarray(condition), pymic2.asarray(x), pymic2.asarray(y)),
                numpy.where(condition, x, y))
    assert_bits(pymic2.clip(pymic2.asarray(x), -1.5, 2.25),
                numpy.clip(x, numpy.float16(-1.5), numpy.float16(2.25)))
    assert_bits(pymic2.concatenate([pymic2.asarray(x), pymic2.asarray(y)]),
                numpy.concatenate([x, y]))
    assert_bits(pymic2.zeros(3, dtype=F16), numpy.zeros(3, F16))
    assert_bits(pymic2.full(3, 0.1, dtype=F16), numpy.full(3, 0.1, F16))
    assert_bits(pymic2.arange(0.1, 2, 0.3, dtype=F16), numpy.arange(0.1, 2, 0.3, dtype=F16))
    assert_bits(pymic2.arange(2040, 2060, dtype=F16), numpy.arange(2040, 2060, dtype=F16))
    assert_bits(pymic2.linspace(0, 1, 7, dtype=F16), numpy.linspace(0, 1, 7, dtype=F16))
    assert_bits(pymic2.asarray([1, 2.1], dtype=F16), numpy.asarray([1, 2.1], F16))
    assert_bits(pymic2.eye(3, dtype=F16), numpy.eye(3, dtype=F16))


def test_every_path_accepts_float16(stream):
    """The paths that refused float16 (test_reliability_compat's list) take it now."""
    floats = numpy.arange(3.0)
    host = floats.astype(F16)
    device_floats = pymic2.asarray(floats)
    results = {
        "asarray": pymic2.asarray(host),
        "asarray(dtype=)": pymic2.asarray([0, 1, 2], dtype=F16),
        "astype": device_floats.astype(F16),
        "zeros": pymic2.zeros(3, dtype=F16) + pymic2.arange(3, dtype=F16),
        "full": pymic2.full(3, 1, dtype=F16) * pymic2.asarray(host),
        "ndarray": pymic2.ndarray((3,), F16).fill(0) + host,
        "sum(dtype=)": device_floats.reshape(3, 1).sum(axis=1, dtype=F16),
        "cumsum(dtype=)": (device_floats * 0).cumsum(dtype=F16) + host,
        "ufunc dtype=": pymic2.add(device_floats, 0, dtype=F16),
        "host operand": pymic2.zeros(3, dtype=F16) + host,
        "bind": stream.bind(host),
        "concatenate(dtype=)": pymic2.concatenate([device_floats[:1], device_floats[1:]],
                                                  dtype=F16),
    }
    for what, result in results.items():
        assert result.dtype == F16, what
        assert_bits(result, host)
    assert device_floats.mean(dtype=F16).dtype == F16
    assert pymic2.empty(3, F16).dtype == F16


# ---------------------------------------------------------------- DLPack, pyMIC, refusals

def test_dlpack_import_and_export():
    x = sample(seed=20)
    a = pymic2.from_dlpack(x)
    assert_bits(a, x)
    if pymic2.default_device().backend != "host":
        with pytest.raises(BufferError):
            numpy.from_dlpack(a)  # OpenCL memory is not the CPU's: no export (the host's is)
        return
    back = numpy.from_dlpack(a)
    assert back.dtype == F16
    numpy.testing.assert_array_equal(back.view(numpy.uint16), x.view(numpy.uint16))


def test_pymic_api_binds_and_updates_float16(stream):
    host = sample(seed=21)
    offload = stream.bind(host)
    assert offload.dtype == F16
    doubled = offload * 2
    doubled.update_host()
    stream.sync()
    expected = quiet(numpy.multiply, host, numpy.float16(2))
    assert doubled.array.dtype == F16
    numpy.testing.assert_array_equal(doubled.array, expected)  # NaN equals NaN
    assert_bits(doubled, expected)
    assert_bits(stream.zeros((2, 3), F16), numpy.zeros((2, 3), F16))


def test_random_refuses_float16_as_numpy():
    """NumPy's Generator makes float32 and float64 only (TypeError 'Unsupported dtype')."""
    rng = pymic2.random.default_rng(0)
    for draw in (lambda: rng.random(3, dtype=F16), lambda: rng.standard_normal(3, dtype=F16),
                 lambda: rng.uniform(0, 1, 3, dtype=F16), lambda: rng.normal(size=3, dtype=F16)):
        with pytest.raises(TypeError, match=f"{DEVICE_NAME}.*float16.*float32 or float64"):
            draw()
    with pytest.raises(TypeError):
        numpy.random.default_rng(0).random(3, dtype=F16)  # the oracle agrees


def test_training_ops_refuse_float16():
    a = pymic2.asarray(numpy.ones((2, 3), F16))
    with pytest.raises(TypeError, match="bias_relu is a float32/float64 training op"):
        _core.elementwise(_core.OP_BIAS_RELU, a, a[0])
    with pytest.raises(TypeError, match="relu_grad is a float32/float64 training op"):
        _core.elementwise(_core.OP_RELU_GRAD, a, a)
    labels = pymic2.asarray(numpy.array([0, 2], numpy.int32))
    with pytest.raises(TypeError, match=f"{DEVICE_NAME}.*x is float16; it must be float32"):
        _core.softmax_cross_entropy(a, labels)


def test_every_pair_of_casts_to_and_from_float16_exists():
    """A conversion loop (host) or kernel (OpenCL) for every device dtype both ways."""
    for dtype in ON_DEVICE:
        values = numpy.array([0, 1], dtype)
        assert_same(pymic2.asarray(values).astype(F16).astype(dtype), values)
        assert_same(pymic2.asarray(quiet(values.astype, F16)).astype(dtype), values)



def test_steps_in_float16_precision_are_refused_not_computed_in_float32():
    """nextafter and spacing of float16 must step in float16's bits; the device computes
    float16 in float32, so it refuses them with a TypeError instead of a float32 step."""
    h = pymic2.asarray(numpy.array([1.0, 0.0], numpy.float16))
    with pytest.raises(TypeError, match="spacing of float16"):
        pymic2.spacing(h)
    with pytest.raises(TypeError, match="nextafter of float16"):
        pymic2.nextafter(h, h)
    as32 = pymic2.spacing(h.astype(numpy.float32))  # the suggested way
    numpy.testing.assert_array_equal(as32.get(), numpy.spacing(numpy.array([1, 0], numpy.float32)))
