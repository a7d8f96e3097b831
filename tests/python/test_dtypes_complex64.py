"""complex64 against NumPy, on the suite's device: element-wise ops over every pair of special
parts (NaN, +-inf, -0.0, division by +-0), float32's range (overflow, subnormals), promotion
with all 14 NumPy numeric dtypes and Python scalars, casts both ways, reductions and their
accumulation, matmul, indexing, where, views, DLPack and the pyMIC API; on OpenCL also a
device without cl_khr_fp64. Each (op, dtype) appears in few tests, so the opencl:0 pass
builds few programs.

Precision: the host computes complex64 math in double and rounds each result (at least as
exact as NumPy, which computes in float: the two may differ by NumPy's own error, a few
float32 ulp); OpenCL computes in float. Tolerances are relative to the larger part of each
result, in float32 terms, and say which of the two they cover.
"""

import numpy
import pytest
from conftest import DEVICE_NAME, ON_HOST, assert_same, run_python
from test_complex import check_complex, complex_sample

import pymic2
from pymic2 import _dtypes

C64 = numpy.dtype(numpy.complex64)
NUMERIC = [numpy.dtype(name) for name in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")]
DEVICE_DTYPES = [dt for dt in NUMERIC if dt in _dtypes.CODES]
# NumPy's float error (a few ulp; libm's cpowf more) plus ours: on the host the rounding of a
# double result (half an ulp), on OpenCL our float helpers (within 4 ulp where NumPy's are)
RTOL = 1e-6
RTOL_POWER = 1e-5


def sample(shape, seed):
    """complex64 values pairing every part from 0, -0.0, 1.5, -2, +-inf and NaN first."""
    return complex_sample(shape, seed).astype(C64)


def finite(shape, seed):
    """Random complex64 values of magnitude about 1."""
    rng = numpy.random.default_rng(seed)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(C64)


def check(result, expected, rtol=RTOL, signed_zeros=True):
    """A complex64 result part by part (test_complex.check_complex), a real or bool one
    whole; NaN and infinities where NumPy has them."""
    expected = numpy.asarray(expected)
    if expected.dtype.kind == "c":
        check_complex(result, expected, rtol=rtol, signed_zeros=signed_zeros)
        return
    got = result.get()
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if expected.dtype.kind == "f":
        numpy.testing.assert_allclose(got, expected, rtol=rtol, equal_nan=True)
    else:
        numpy.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------- element-wise ops

BINARY = ["add", "subtract", "multiply", "divide", "power", "equal", "not_equal",
          "logical_and", "logical_xor"]
UNARY = ["negative", "absolute", "sign", "square", "sqrt", "exp", "log", "tanh",
         "logical_not", "isnan", "isinf", "isfinite"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_over_special_values_match_numpy(name):
    a = numpy.repeat(sample((49,), 1), 49).reshape(49, 49)
    b = numpy.tile(sample((49,), 2), 49).reshape(49, 49)
    if name == "power":  # special bases with exponents NumPy squares (libm's cpowf varies)
        a, b = a[:, :7], numpy.broadcast_to(numpy.array([0, 1, 2, 3, -1, -2, 4], C64),
                                            (49, 7)).copy()
    rest_a, rest_b = sample((37, 29), 3)[2:], sample((37, 29), 4)[2:]  # finite: random
    da, db = pymic2.asarray(a), pymic2.asarray(b)
    rtol = RTOL_POWER if name == "power" else RTOL
    f, g = getattr(pymic2, name), getattr(numpy, name)
    with numpy.errstate(all="ignore"):
        for (x, y), (dx, dy) in [((a, b), (da, db)),
                                 ((rest_a, rest_b), (pymic2.asarray(rest_a),
                                                     pymic2.asarray(rest_b))),
                                 ((a.T, b.T), (da.T, db.T)),          # strided views
                                 ((a[::-2], b[3:4]), (da[::-2], db[3:4])),  # reversed, row
                                 ((a, 1.5 - 2j), (da, 1.5 - 2j))]:    # a weak scalar
            expected = g(x, y)
            if name == "power" and x is not rest_a:
                # special bases only where NumPy does not call libm's cpowf (as test_complex)
                exponent = numpy.broadcast_to(numpy.asarray(y), expected.shape)
                expected = numpy.where(exponent.imag == 0, expected, f(dx, dy).get())
            check(f(dx, dy), expected, rtol)


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_over_special_values_match_numpy(name):
    a = sample((41, 23), 5)
    da = pymic2.asarray(a)
    # C99 Annex G leaves some signs of zero and of infinite imaginary parts open
    signed = name not in ("exp", "tanh")
    with numpy.errstate(all="ignore"):
        for x, dx in ((a, da), (a.T[::-1], da.T[::-1])):
            check(getattr(pymic2, name)(dx), getattr(numpy, name)(x), signed_zeros=signed)


def test_float32_range_overflow_and_subnormals():
    """Branch cuts, signed zeros, overflow and subnormals of float32 (not float64's)."""
    parts = [0.0, -0.0, 1e-40, -3e-44, 0.5, -1.0, 2.0, 1e37, -3e38, 89.0, -104.0, 30.0]
    x = numpy.array([complex(r, i) for r in parts for i in parts], C64)
    dx = pymic2.asarray(x)
    with numpy.errstate(all="ignore"):
        check(pymic2.sqrt(dx), numpy.sqrt(x))
        check(pymic2.log(dx), numpy.log(x))
        check(pymic2.absolute(dx), numpy.absolute(x))
        near_one = numpy.array([1 + 1e-5j, 0.6 + 0.8j, 1 - 1e-4 + 1e-6j, 1.5 + 0j], C64)
        check(pymic2.log(pymic2.asarray(near_one)), numpy.log(near_one))
        moderate = x[(numpy.abs(x.real) < 80) & (numpy.abs(x.imag) < 1e6)]
        check(pymic2.exp(pymic2.asarray(moderate)), numpy.exp(moderate), signed_zeros=False)
        check(pymic2.tanh(pymic2.asarray(moderate)), numpy.tanh(moderate), signed_zeros=False)
        # exp(x) overflows float32 where exp(x) * cos(y) does not: both give the finite value
        edge = numpy.array([88.5 + 1j, 89 + 3j, -87 + 2j], C64)
        check(pymic2.exp(pymic2.asarray(edge)), numpy.exp(edge))


def test_results_round_to_float32():
    """Products and quotients that need float32's rounding, not float64's values."""
    x = numpy.array([1 + 1e-7j, 3.3 + 1.1j, 1e20 + 1e20j, 1e-20 - 3e-21j], C64)
    y = numpy.array([1 - 1e-7j, 0.7 - 2.9j, 1e-20 + 0j, 7 + 1e30j], C64)
    dx, dy = pymic2.asarray(x), pymic2.asarray(y)
    with numpy.errstate(over="ignore"):  # 1e20 / 1e-20 is inf in float32
        expected = (x * y, x / y, x + y)
    for got, want in zip((dx * dy, dx / dy, dx + dy), expected):
        check(got, want)
        # what the device stored is a complex64: NumPy's value in float32 steps
        assert got.get().dtype == C64


def test_python_and_numpy_scalars_promote_as_numpy():
    x = numpy.append(sample((5,), 6)[3:], finite(3, 6))  # (0, -2), (0, inf), finite
    a = pymic2.asarray(x)
    for scalar in (2, 2.5, 1.5 - 2j, True, numpy.float32(3), numpy.int16(-2)):
        with numpy.errstate(invalid="ignore"):  # inf * 0
            expected = x * scalar
        check(a * scalar, expected)            # weak Python scalars and narrow NumPy ones
        check(scalar - a, scalar - x)
    for scalar in (numpy.float64(0.5), numpy.complex128(1j), numpy.int64(3)):
        assert (a + scalar).dtype == numpy.complex128 == (x + scalar).dtype
        check(a + scalar, x + scalar)
    floats = numpy.array([0.5, -0.0, numpy.inf], numpy.float32)
    with numpy.errstate(invalid="ignore"):  # inf * 0
        check(pymic2.asarray(floats) * 1j, floats * 1j)   # float32 with a complex: complex64
    check(pymic2.asarray(floats) + (2 - 1j), floats + (2 - 1j))


def test_ops_numpy_refuses_for_complex_are_clear_type_errors():
    a = pymic2.asarray(sample((4,), 7))
    pattern = f"{DEVICE_NAME}: .* complex64"
    for attempt in (lambda: pymic2.maximum(a, a), lambda: a < a, lambda: pymic2.clip(a, 0, 1),
                    lambda: a.max(), lambda: pymic2.argmax(a)):
        with pytest.raises(TypeError, match=pattern):
            attempt()
    for attempt in (lambda: a // a, lambda: a % a, lambda: a & a,  # NumPy's own refusals
                    lambda: pymic2.fabs(a)):
        with pytest.raises(TypeError):
            attempt()
    with pytest.raises(TypeError):
        pymic2.arange(3, dtype=C64)  # as complex128: arange fills real numbers
    with pytest.raises(TypeError):  # NumPy's Generator draws no complex numbers either
        pymic2.random.default_rng(0).random(3, dtype=C64)


# ---------------------------------------------------------------- promotion and casts


def test_promotion_with_every_numpy_dtype_and_scalar_is_numpy_s():
    for other in NUMERIC + [True, 7, 2.5, 1j]:  # Python's int, float and complex are weak
        expected = numpy.result_type(C64, other)
        assert _dtypes.result_type(C64, other) == expected, other
        assert _dtypes.result_type(other, C64) == expected, other
    d = numpy.dtype
    assert _dtypes.result_type(d("float16"), d("complex64")) == C64
    assert _dtypes.result_type(d("int16"), d("complex64")) == C64
    assert _dtypes.result_type(d("int32"), d("complex64")) == numpy.complex128
    assert _dtypes.result_type(d("float32"), 1j) == C64
    assert _dtypes.device_dtype(C64) == C64


@pytest.mark.parametrize("other", DEVICE_DTYPES, ids=str)
def test_add_with_every_device_dtype_promotes_and_computes_as_numpy(other):
    x = sample((3, 4), 8)[1:]
    y = numpy.arange(-4, 4).reshape(2, 4).astype(other) if other.kind != "u" else \
        numpy.arange(8).reshape(2, 4).astype(other)
    with numpy.errstate(all="ignore"):
        expected = x + y
    check(pymic2.asarray(x) + pymic2.asarray(y), expected)
    check(pymic2.asarray(y) + x, expected)  # a host operand of complex64


# values every cast must carry: special parts, float32's extremes, a float32 tie
SPECIAL = numpy.array([0, -0.0, 1.5 - 2.5j, -7 + 0.25j, 3e38 + 1e-45j, numpy.inf - 1j,
                       complex(numpy.nan, -numpy.inf), 16777217 + 2j], numpy.complex128)


def integers(dtype):
    """Integers of dtype with its extremes and values float32 must round: 2**24 + 1, and one
    that int64 -> float32 rounds up but int64 -> float64 -> float32 down (NumPy: directly)."""
    info = numpy.iinfo(dtype)
    top = 2**(info.bits - 1) if dtype.kind == "u" else 2**(info.bits - 2)
    values = [0, 1, info.max, info.min, 2**24 + 1, top + 2**(info.bits - 26) + 1]
    return numpy.array([v for v in values if info.min <= v <= info.max], dtype)


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize("target", DEVICE_DTYPES, ids=str)
def test_casts_from_complex64_to_every_dtype(target):
    x = SPECIAL.astype(C64)
    if target.kind in "iu":  # NumPy's results for NaN, inf and out of range vary by platform
        real = x.real
        x = x[numpy.isfinite(real) & (real >= max(numpy.iinfo(target).min, -2**31)) &
              (real <= min(numpy.iinfo(target).max, 2**31))]
    with numpy.errstate(all="ignore"):
        expected = x.astype(target)
    a = pymic2.asarray(x)
    got = a.astype(target).get()
    assert got.dtype == target
    numpy.testing.assert_array_equal(got, expected)  # exact: at most one rounding
    if target.kind in "fc":
        assert (numpy.signbit(got.real) == numpy.signbit(expected.real)).all()
    assert_same(a[::-2].astype(target), expected[::-2])  # a strided view


@pytest.mark.parametrize("source", DEVICE_DTYPES, ids=str)
def test_casts_from_every_dtype_to_complex64(source):
    if source.kind == "b":
        x = numpy.array([True, False, True])
    elif source.kind in "iu":
        x = integers(source)
    elif source.kind == "c":
        x = SPECIAL.astype(source)
    else:  # float64 also: beyond float32 (inf), below its subnormals (0), a tie (even)
        extra = [1e300, -1e-300, 16777217.0] if source == numpy.float64 else []
        x = numpy.append(SPECIAL.real, extra).astype(source)
    with numpy.errstate(all="ignore"):
        expected = x.astype(C64)
    got = pymic2.asarray(x).astype(C64).get()
    assert got.dtype == C64
    numpy.testing.assert_array_equal(got, expected)
    assert (numpy.signbit(got.real) == numpy.signbit(expected.real)).all()
    assert (numpy.signbit(got.imag) == numpy.signbit(expected.imag)).all()


def test_asarray_creation_and_concatenate():
    x = sample((6,), 9)
    assert_same(pymic2.asarray(x), x)
    assert_same(pymic2.asarray([1, 2.5, 1j], dtype=C64), numpy.asarray([1, 2.5, 1j], C64))
    assert_same(pymic2.asarray(numpy.arange(3.0), dtype="complex64"),
                numpy.arange(3.0).astype(C64))
    assert_same(pymic2.zeros((2, 3), dtype=C64), numpy.zeros((2, 3), C64))
    assert_same(pymic2.ones(2, C64), numpy.ones(2, C64))
    assert_same(pymic2.full(3, 1 - 2j, dtype=C64), numpy.full(3, 1 - 2j, C64))
    assert pymic2.empty(4, C64).dtype == C64
    assert_same(pymic2.zeros_like(pymic2.asarray(x)), numpy.zeros_like(x))
    floats = numpy.array([0.5, -1.5], numpy.float32)
    assert_same(pymic2.concatenate([pymic2.asarray(x), pymic2.asarray(floats)]),
                numpy.concatenate([x, floats]))  # complex64: float32 fits
    assert_same(pymic2.concatenate([pymic2.asarray(floats)] * 2, dtype=C64),
                numpy.concatenate([floats] * 2, dtype=C64))
    assert pymic2.numpy.complex64 is numpy.complex64
    assert "complex64" in pymic2.numpy.__array_namespace_info__().dtypes(
        kind="complex floating")


# ---------------------------------------------------------------- reductions


def test_reductions_and_their_dtypes():
    x = finite((4, 7), 10) / 2  # small enough for prod
    a = pymic2.asarray(x)
    for name in ("sum", "prod", "mean", "cumsum", "cumprod"):
        for axis in (None, 0, 1):
            expected = getattr(numpy, name)(x, axis=axis)
            check(getattr(pymic2, name)(a, axis=axis), expected, rtol=1e-5)
            assert expected.dtype == C64
    for name in ("all", "any", "count_nonzero"):
        y = x.copy()
        y[1, 2], y[0, :] = complex(0, -0.0), 0  # zeros of both signs; NaN counts as nonzero
        y[2, 3] = complex(numpy.nan, 0)
        for axis in (None, 1):
            assert_same(getattr(pymic2, name)(pymic2.asarray(y), axis=axis),
                        numpy.asarray(getattr(numpy, name)(y, axis=axis)))
    check(pymic2.var(a), numpy.var(x), rtol=1e-5)         # float32, as NumPy
    check(pymic2.std(a, axis=0), numpy.std(x, axis=0), rtol=1e-5)
    floats = numpy.arange(5, dtype=numpy.float32)
    assert_same(pymic2.asarray(floats).sum(dtype=C64), floats.sum(dtype=C64))
    assert_same(a.sum(dtype=numpy.complex128), x.sum(dtype=numpy.complex128))
    assert_same(a[::2, ::-3].sum(axis=0), x[::2, ::-3].sum(axis=0))  # a strided view


@pytest.mark.parametrize("axis", [None, 0])
def test_sums_are_at_least_as_exact_as_numpy_s(axis):
    """NumPy adds complex64 pairwise in float32; the host does too (in lanes), OpenCL
    accumulates in complex128 where the device has fp64: never further from the exact sum
    than NumPy's, within a few float32 ulp of it."""
    rng = numpy.random.default_rng(11)
    x = (rng.random((4096, 64)) + 1j * rng.random((4096, 64))).astype(C64)
    exact = x.astype(numpy.complex128).sum(axis=axis)
    numpy_error = numpy.abs(x.sum(axis=axis) - exact).max()
    ours = pymic2.asarray(x).sum(axis=axis).get()
    assert ours.dtype == C64
    assert numpy.abs(ours - exact).max() <= max(numpy_error * 1.5, 4 * numpy.spacing(
        numpy.float32(numpy.abs(exact).max()))), (numpy.abs(ours - exact).max(), numpy_error)


# ---------------------------------------------------------------- matmul, indexing, where


def test_matmul_of_complex64():
    """cgemm on the host, the float2 kernel on OpenCL: tiles, edges, views and batches.
    Sums of 40 products in float32, in another order than NumPy's: within 1e-5 of the
    result's scale."""
    rng = numpy.random.default_rng(12)

    def make(*shape):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(C64)

    a, b = make(19, 40), make(40, 27)
    cases = [(a, b), (a[:, ::-1], b[::-1]), (b.T, a.T), (make(3, 9, 40), b),
             (a, b.real.copy())]  # float32: promotes to complex64
    for x, y in cases:
        expected = x @ y
        got = (pymic2.asarray(x) @ pymic2.asarray(y)).get()
        assert got.dtype == expected.dtype == C64
        numpy.testing.assert_allclose(got, expected, rtol=0, atol=1e-5 * numpy.abs(
            expected).max())
    check(pymic2.dot(pymic2.asarray(a[0]), pymic2.asarray(b[:, 0])), numpy.dot(a[0], b[:, 0]),
          rtol=1e-5)


def test_indexing_gather_scatter_add_at_and_where():
    x = sample((8, 5), 13)
    a = pymic2.asarray(x)
    rows = numpy.array([3, 0, 7, 3])
    assert_same(a[rows], x[rows])
    assert_same(a[pymic2.asarray(rows), 1:4], x[rows, 1:4])
    mask = x.real > 0
    assert_same(a[pymic2.asarray(mask)], x[mask])
    values = sample((4, 5), 14)[::-1]
    a[pymic2.asarray(rows)] = pymic2.asarray(values)
    x[rows] = values
    assert_same(a, x)
    a[:, 2] = 1.5 - 1j  # a weak Python complex
    x[:, 2] = 1.5 - 1j
    assert_same(a, x)
    sums = (numpy.arange(40).reshape(8, 5) * (0.5 - 0.25j)).astype(C64)
    total = pymic2.asarray(sums)
    pymic2.add_at(total, pymic2.asarray(rows), pymic2.asarray(values))  # 3 twice
    with numpy.errstate(invalid="ignore"):  # inf + -inf
        numpy.add.at(sums, rows, values)
    check(total, sums)
    condition = numpy.arange(40).reshape(8, 5) % 3 == 0
    assert_same(pymic2.where(pymic2.asarray(condition), a, pymic2.asarray(x[::-1])),
                numpy.where(condition, x, x[::-1]))
    assert_same(pymic2.where(pymic2.asarray(condition), a, 0.5),  # complex64 with a float
                numpy.where(condition, x, numpy.complex64(0.5)))


# ---------------------------------------------------------------- DLPack and the pyMIC API


def test_dlpack_import_and_bind(stream):
    x = finite((3, 4), 16)
    assert_same(pymic2.from_dlpack(x), x)
    assert_same(pymic2.from_dlpack(x.T), x.T)
    bound = stream.bind(x.copy())
    assert bound.dtype == C64
    assert_same(bound * 2, x * 2)
    bound.array[:] = 0
    bound.update_host()
    stream.sync()
    numpy.testing.assert_array_equal(bound.array, x)
    assert_same(stream.zeros((2, 2), C64), numpy.zeros((2, 2), C64))
    assert_same(stream.bcast(1 - 2j, (3,), C64), numpy.full(3, 1 - 2j, C64))


def test_dlpack_export_round_trip():
    x = sample((3, 4), 17)
    a = pymic2.asarray(x)
    assert a.__dlpack__().__class__.__name__ == "PyCapsule"
    shared = numpy.from_dlpack(a)
    assert shared.dtype == C64
    numpy.testing.assert_array_equal(shared, x)
    numpy.testing.assert_array_equal(numpy.from_dlpack(a[:, ::-2]), x[:, ::-2])
    assert_same(pymic2.from_dlpack(shared), x)


# ---------------------------------------------------------------- OpenCL without fp64


@pytest.mark.skipif(ON_HOST, reason="an OpenCL device without cl_khr_fp64 (the host has fp64)")
def test_complex64_runs_on_an_opencl_device_without_fp64():
    """PYMIC2_OPENCL_NO_FP64=1: complex64 computes in float (no double in its kernels),
    sums accumulate in complex64; complex128 and float64 results are refused by name."""
    out = run_python("""
        import numpy, pymic2
        cl = pymic2.get_device("opencl:0")
        x = (numpy.arange(12).reshape(3, 4) - 5 + 2j).astype(numpy.complex64)
        a = pymic2.asarray(x, device=cl)
        for got, want in ((a * a / (a + 1j), x * x / (x + 1j)), (pymic2.exp(a), numpy.exp(x)),
                          (pymic2.sqrt(a), numpy.sqrt(x)), (a.sum(axis=0), x.sum(axis=0)),
                          (a.prod(), x.prod()), (a @ a.T, x @ x.T),
                          (abs(a), abs(x)), (a.astype(numpy.int16), x.astype(numpy.int16)),
                          (pymic2.asarray(x.real, device=cl) * 1j, x.real * 1j)):
            got = got.get()
            assert got.dtype == want.dtype, (got.dtype, want.dtype)
            numpy.testing.assert_allclose(got, want, rtol=1e-5)
        try:
            a.astype(numpy.complex128).get()
        except TypeError as error:
            print(error)
        """, PYMIC2_OPENCL_NO_FP64="1", PYMIC2_DEVICE="opencl:0")
    assert "opencl:0" in out and "no float64 support" in out and "complex128" in out, out
