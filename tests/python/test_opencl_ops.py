"""Built-in ops on an OpenCL device (opencl:0) against NumPy: every elementwise op family on
every dtype OpenCL supports (contiguous, strided, broadcast and scalar operands, NaN, inf and
-0.0), reductions over axis sets, matrix products, indexing, random numbers (equal to the
host's for one seed), complex128 (casts, reductions, matmul, indexing; its special values are
test_complex.py's, run on every device) and the OpenCL-specific errors (a device without
fp64)."""

import os
import subprocess
import sys
import warnings

import numpy
import pytest

import pymic2
from test_complex import check_complex, complex_sample

_opencl = [d for d in pymic2.devices if d.backend == "opencl"]
pytestmark = pytest.mark.skipif(
    not _opencl, reason="no OpenCL device in this run (PYMIC2_TEST_DEVICE=opencl:0 enables "
    "them; `make test-python` runs that pass when an OpenCL platform exists)")

REAL_DTYPES = [numpy.bool_, numpy.int8, numpy.uint8, numpy.int32, numpy.int64,
               numpy.float32, numpy.float64]
INT_DTYPES = [numpy.int8, numpy.uint8, numpy.int32, numpy.int64]
FLOAT_DTYPES = [numpy.float32, numpy.float64]


@pytest.fixture(scope="module")
def cl():
    return pymic2.get_device("opencl:0")


def sample(dtype, shape, seed=0):
    """Values that exercise the dtype: both signs, zeros, and NaN/inf/-0.0 for floats."""
    rng = numpy.random.default_rng(seed)
    if dtype == numpy.bool_:
        return rng.random(shape) < 0.5
    if numpy.issubdtype(dtype, numpy.integer):
        info = numpy.iinfo(dtype)
        low, high = max(info.min, -100), min(info.max, 100)
        return rng.integers(low, high + 1, size=shape, dtype=dtype)
    values = (rng.standard_normal(shape) * 4).astype(dtype)
    flat = values.reshape(-1)
    specials = numpy.array([numpy.nan, numpy.inf, -numpy.inf, -0.0, 0.0, 1.0], dtype=dtype)
    flat[:min(flat.size, specials.size)] = specials[:flat.size]
    return values


def check(result, expected, dtype, atol=0):
    result = result.get() if hasattr(result, "get") else result
    assert result.dtype == expected.dtype, (result.dtype, expected.dtype)
    assert result.shape == expected.shape
    if numpy.issubdtype(expected.dtype, numpy.floating):
        # OpenCL's exp/log/tanh are within a few ulp of glibc's (the spec's bounds)
        rtol = 1e-5 if expected.dtype == numpy.float32 else 1e-13
        numpy.testing.assert_allclose(result, expected, rtol=rtol, atol=atol, equal_nan=True)
        same_sign_zero = (expected == 0) & (result == 0)
        assert (numpy.signbit(result) == numpy.signbit(expected))[same_sign_zero].all()
    else:
        numpy.testing.assert_array_equal(result, expected)


BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "maximum",
          "minimum", "power", "equal", "not_equal", "greater", "greater_equal", "less",
          "less_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
          "bitwise_xor", "arctan2", "hypot", "logaddexp", "logaddexp2", "nextafter", "fmod",
          "fmax", "fmin", "heaviside", "left_shift", "right_shift", "gcd", "lcm"]
UNARY = ["negative", "absolute", "sign", "square", "sqrt", "exp", "expm1", "log", "log1p",
         "tanh", "logical_not", "invert", "isnan", "isinf", "isfinite", "sin", "cos", "tan",
         "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
         "deg2rad", "rad2deg", "exp2", "log2", "log10", "cbrt", "reciprocal", "floor", "ceil",
         "trunc", "rint", "fabs", "signbit", "spacing", "bitwise_count"]
# Ops NumPy computes in a float for integer inputs (float16 for 8-bit ones, which the device
# lacks): the float dtypes cover them
FLOAT_ONLY = {"divide", "sqrt", "exp", "expm1", "log", "log1p", "tanh", "arctan2", "hypot",
              "logaddexp", "logaddexp2", "nextafter", "heaviside", "sin", "cos", "tan",
              "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
              "deg2rad", "rad2deg", "exp2", "log2", "log10", "cbrt", "rint", "fabs", "signbit",
              "spacing"}


# Functions whose domain is not every float: the sample mapped (mostly) into it
DOMAINS = {"sqrt": numpy.abs, "log": numpy.abs, "log1p": numpy.abs, "log2": numpy.abs,
           "log10": numpy.abs, "arcsin": lambda x: x / 8, "arccos": lambda x: x / 8,
           "arctanh": lambda x: x / 8, "arccosh": lambda x: numpy.abs(x) + 1}


def numpy_accepts(name, dtype, *args):
    with numpy.errstate(all="ignore"):
        try:
            return getattr(numpy, name)(*args)
        except (TypeError, ValueError):
            return None


@pytest.mark.parametrize("dtype", REAL_DTYPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_match_numpy(cl, name, dtype):
    a, b = sample(dtype, (37, 29), 1), sample(dtype, (37, 29), 2)
    if name == "power" and numpy.issubdtype(dtype, numpy.integer):
        b = numpy.abs(b) % 5  # negative exponents are an error (tested below)
    if name in ("floor_divide", "remainder", "divide", "fmod") and dtype != numpy.bool_:
        b[b == 0] = 3 if numpy.issubdtype(dtype, numpy.integer) else b[b == 0]
    expected = numpy_accepts(name, dtype, a, b)
    if expected is None:
        pytest.skip(f"NumPy has no {name} for {numpy.dtype(dtype).name} inputs of one dtype")
    if name in FLOAT_ONLY and not numpy.issubdtype(dtype, numpy.floating):
        pytest.skip(f"{name} of {numpy.dtype(dtype).name} computes in a float dtype: the "
                    f"float dtypes cover it (test_math.py the casts)")
    da, db = pymic2.asarray(a, device=cl), pymic2.asarray(b, device=cl)
    f = getattr(pymic2, name)
    with numpy.errstate(all="ignore"):
        check(f(da, db), expected, dtype)
        # strided (transposed) and broadcast (a row against every row) operands
        check(f(da.T, db.T), getattr(numpy, name)(a.T, b.T), dtype)
        check(f(da, db[3:4, :]), getattr(numpy, name)(a, b[3:4, :]), dtype)
        check(f(da[1::2, ::3], db[1::2, ::3]), getattr(numpy, name)(a[1::2, ::3], b[1::2, ::3]),
              dtype)


# (shape, view) pairs whose merged layouts reach every elementwise kernel: contiguous on whole
# 256-item work-groups, with a checked tail, the tail alone; strided with 1, 2 and 3 fixed
# dimensions (whole groups unchecked, the rest checked) and 5 (checked throughout)
LAYOUTS = [((512,), numpy.s_[:]), ((700,), numpy.s_[:]), ((1,), numpy.s_[:]),
           ((200,), numpy.s_[:]), ((1024,), numpy.s_[::2]), ((999,), numpy.s_[::3]),
           ((64, 16), numpy.s_[:, ::2]), ((37, 29), numpy.s_[::2, 1::3]),
           ((8, 8, 16), numpy.s_[:, ::2, ::2]), ((9, 7, 5), numpy.s_[::2, :, ::2]),
           ((4, 3, 4, 3, 8), numpy.s_[:, ::2, :, ::2, ::2])]


@pytest.mark.parametrize("shape, view", LAYOUTS, ids=[str(s) for s, _ in LAYOUTS])
def test_every_elementwise_layout_and_scalar_mask(cl, shape, view):
    a, b = sample(numpy.float64, shape, 9)[view], sample(numpy.float64, shape, 10)[view]
    condition = sample(numpy.bool_, shape, 11)[view]
    da, db = pymic2.asarray(a, device=cl), pymic2.asarray(b, device=cl)
    dc = pymic2.asarray(condition, device=cl)
    # views of device arrays keep the strides (asarray of a NumPy view copies it contiguous)
    full_a = pymic2.asarray(sample(numpy.float64, shape, 9), device=cl)
    strided_a = full_a[view]
    with numpy.errstate(all="ignore"):
        check(da - db, a - b, numpy.float64)
        check(strided_a - db, a - b, numpy.float64)
        check(strided_a - 2.5, a - 2.5, numpy.float64)
        check(pymic2.subtract(2.5, strided_a), 2.5 - a, numpy.float64)
        check(pymic2.exp(strided_a), numpy.exp(a), numpy.float64)
        for x, nx in ((strided_a, a), (1.5, 1.5)):
            for y, ny in ((db, b), (-4.0, -4.0)):
                check(pymic2.where(dc, x, y), numpy.where(condition, nx, ny), numpy.float64)
        strided_a += db  # in place through the view: every element once
        check(strided_a, a + b, numpy.float64)
        check(pymic2.sum(full_a[view]), numpy.sum(a + b), numpy.float64)


@pytest.mark.parametrize("dtype", REAL_DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_match_numpy(cl, name, dtype):
    a = sample(dtype, (41, 23), 3)
    if name in DOMAINS and numpy.issubdtype(dtype, numpy.floating):
        # mostly inside the domain: NaN results of other inputs are tested through NaN inputs
        a = DOMAINS[name](a).astype(dtype)
    expected = numpy_accepts(name, dtype, a)
    if expected is None:
        pytest.skip(f"NumPy has no {name} for {numpy.dtype(dtype).name}")
    if name in FLOAT_ONLY and not numpy.issubdtype(dtype, numpy.floating):
        pytest.skip(f"{name} of {numpy.dtype(dtype).name} computes in a float dtype: the "
                    f"float dtypes cover it (test_math.py the casts)")
    da = pymic2.asarray(a, device=cl)
    with numpy.errstate(all="ignore"):
        check(getattr(pymic2, name)(da), expected, dtype)
        check(getattr(pymic2, name)(da.T[::-1]), getattr(numpy, name)(a.T[::-1]), dtype)


@pytest.mark.parametrize("dtype", REAL_DTYPES)
def test_scalar_operands_clip_where_and_casts(cl, dtype):
    a = sample(dtype, (19, 7), 4)
    da = pymic2.asarray(a, device=cl)
    if dtype != numpy.bool_:
        scalar = dtype(3)
        check(da * scalar, a * scalar, dtype)
        check(pymic2.maximum(da, scalar), numpy.maximum(a, scalar), dtype)
        low, high = sample(dtype, (19, 7), 5), sample(dtype, (1, 7), 6)
        check(pymic2.clip(da, pymic2.asarray(low, device=cl), pymic2.asarray(high, device=cl)),
              numpy.minimum(numpy.maximum(a, low), high), dtype)
    condition = sample(numpy.bool_, (19, 7), 7)
    other = sample(dtype, (19, 7), 8)
    check(pymic2.where(pymic2.asarray(condition, device=cl), da,
                       pymic2.asarray(other, device=cl)), numpy.where(condition, a, other),
          dtype)
    for target in REAL_DTYPES:
        with numpy.errstate(all="ignore"):
            expected = a.astype(target)
        if numpy.issubdtype(dtype, numpy.floating) and numpy.issubdtype(target, numpy.integer):
            finite = numpy.isfinite(a) & (numpy.abs(a) < 100)
            check(da.astype(target).get()[finite], expected[finite], target)
        else:
            check(da.astype(target), expected, target)


@pytest.mark.parametrize("dtype", [numpy.int8, numpy.int32, numpy.int64, numpy.float32,
                                   numpy.float64])
def test_arange(cl, dtype):
    check(pymic2.arange(3, 90, 7, dtype=dtype, device=cl), numpy.arange(3, 90, 7, dtype=dtype),
          dtype)


def test_integer_power_with_a_negative_exponent_in_an_array_fails_at_the_next_sync(cl):
    """The kernel finds the negative exponent: the power returns without waiting, and the
    next sync reports the command's failure (NumPy's ValueError, as on the host)."""
    a = pymic2.asarray(numpy.arange(6, dtype=numpy.int64), device=cl)
    b = pymic2.asarray(numpy.array([1, 2, -1, 0, 1, 1]), device=cl)
    result = a ** b
    with pytest.raises(ValueError, match=f"{cl.name}: power: .*negative integer powers"):
        result.get()
    a.stream.sync()  # reported once
    numpy.testing.assert_array_equal((a ** 1).get(), numpy.arange(6))


def test_integer_wrap_around(cl):
    a = numpy.array([120, -128, 127, 5], dtype=numpy.int8)
    da = pymic2.asarray(a, device=cl)
    check(da + da, a + a, numpy.int8)
    check(da * da, a * a, numpy.int8)
    check(-da, -a, numpy.int8)


REDUCTIONS = ["sum", "prod", "max", "min", "all", "any"]
AXES = [None, 0, 1, 2, (0, 2), (1, 2), (0, 1, 2)]


@pytest.mark.parametrize("dtype", REAL_DTYPES)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_match_numpy(cl, name, dtype):
    a = sample(dtype, (6, 33, 17), 9)
    if name == "prod" and numpy.issubdtype(dtype, numpy.floating):
        a = numpy.where(numpy.isfinite(a), 1 + a / 64, a).astype(dtype)
    da = pymic2.asarray(a, device=cl)
    # sums add in another order than NumPy's pairwise one: error bound from the magnitudes
    finite = numpy.where(numpy.isfinite(a), a, 0) if a.dtype.kind == "f" else a
    atol = float(numpy.abs(finite).sum()) * 4 * numpy.finfo(a.dtype).eps if a.dtype.kind == "f" \
        else 0
    for axis in AXES:
        kwargs = {} if name in ("all", "any", "max", "min") else {"dtype": dtype}
        expected = getattr(numpy, name)(a, axis=axis, **kwargs)
        check(getattr(pymic2, name)(da, axis=axis, **kwargs), numpy.asarray(expected), dtype,
              atol)
        check(getattr(pymic2, name)(da, axis=axis, keepdims=True, **kwargs),
              getattr(numpy, name)(a, axis=axis, keepdims=True, **kwargs), dtype, atol)
    # a transposed view: the reduced dimension is not the contiguous one
    check(getattr(pymic2, name)(da.T, axis=0), numpy.asarray(getattr(numpy, name)(a.T, axis=0)),
          dtype, atol)


@pytest.mark.parametrize("dtype", REAL_DTYPES)
def test_arg_reductions_and_count_nonzero(cl, dtype):
    a = sample(dtype, (9, 40, 5), 10)
    a.reshape(-1)[[50, 51, 300]] = a.reshape(-1)[[7, 7, 7]]  # ties: the first wins
    da = pymic2.asarray(a, device=cl)
    for name in ("argmax", "argmin"):
        for axis in (None, 0, 1, 2):
            check(getattr(pymic2, name)(da, axis=axis),
                  numpy.asarray(getattr(numpy, name)(a, axis=axis)), numpy.int64)
    for axis in (None, 1, (0, 2)):
        check(pymic2.count_nonzero(da, axis=axis),
              numpy.asarray(numpy.count_nonzero(a, axis=axis)), numpy.int64)


def test_large_reductions_split_into_chunks(cl):
    a = numpy.random.default_rng(11).random((3, 400_000))
    da = pymic2.asarray(a, device=cl)
    check(pymic2.sum(da), numpy.asarray(a.sum()), numpy.float64)
    check(pymic2.sum(da, axis=1), a.sum(axis=1), numpy.float64)
    a[1, 123_456] = numpy.nan
    da = pymic2.asarray(a, device=cl)
    check(pymic2.max(da, axis=1), a.max(axis=1), numpy.float64)
    check(pymic2.argmax(da), numpy.asarray(a.argmax()), numpy.int64)
    check(pymic2.argmin(da, axis=1), a.argmin(axis=1), numpy.int64)


@pytest.mark.parametrize("length", [1, 3, 511, 512, 513, 100_003])
def test_first_extremum_across_work_items(cl, length):
    # On CPU devices each work-item folds a contiguous segment with four accumulators
    # (elements r, r+1, r+2, r+3 go to different ones): ties and NaNs in several segments and
    # lanes must still give NumPy's first index.
    a = numpy.zeros(length)
    for at in sorted({length - 1, min(length // 2 + 1, length - 1), length // 2,
                      length // 3})[::-1]:
        a[at] = 5.0
        da = pymic2.asarray(a, device=cl)
        check(pymic2.argmax(da), numpy.asarray(a.argmax()), numpy.int64)
        check(pymic2.argmin(-da), numpy.asarray((-a).argmin()), numpy.int64)
    a[length // 2:] = numpy.nan
    a[length - 1] = numpy.nan
    da = pymic2.asarray(a, device=cl)
    check(pymic2.argmax(da), numpy.asarray(a.argmax()), numpy.int64)
    check(pymic2.max(da), numpy.asarray(a.max()), numpy.float64)
    integers = numpy.arange(length, dtype=numpy.int64) * 7 - 3
    check(pymic2.sum(pymic2.asarray(integers, device=cl)), numpy.asarray(integers.sum()),
          numpy.int64)
    flags = numpy.zeros(length, bool)
    flags[length - 1] = True
    check(pymic2.any(pymic2.asarray(flags, device=cl)), numpy.asarray(True), numpy.bool_)
    check(pymic2.all(pymic2.asarray(~flags, device=cl)), numpy.asarray(False), numpy.bool_)


@pytest.mark.parametrize("dtype", [numpy.bool_, numpy.int32, numpy.int64, numpy.float64])
def test_cumulative(cl, dtype):
    a = sample(dtype, (7, 13), 12)
    da = pymic2.asarray(a, device=cl)
    for axis in (0, 1):
        check(pymic2.cumsum(da, axis=axis, dtype=dtype), numpy.cumsum(a, axis=axis, dtype=dtype),
              dtype)
    if dtype != numpy.bool_:
        small = (a % 3 if dtype != numpy.float64 else a)
        check(pymic2.cumprod(pymic2.asarray(small, device=cl), axis=1),
              numpy.cumprod(small, axis=1), dtype)


@pytest.mark.parametrize("dtype", [numpy.bool_, numpy.int8, numpy.int32, numpy.int64,
                                   numpy.float32, numpy.float64])
@pytest.mark.parametrize("shape", [(5, 7, 3), (64, 65, 66), (130, 1, 129)])
def test_matmul_matches_numpy(cl, dtype, shape):
    m, k, n = shape
    a, b = sample(dtype, (m, k), 13), sample(dtype, (k, n), 14)
    if numpy.issubdtype(dtype, numpy.floating):
        a, b = numpy.nan_to_num(a, posinf=2, neginf=-2), numpy.nan_to_num(b, posinf=2, neginf=-2)
    da, db = pymic2.asarray(a, device=cl), pymic2.asarray(b, device=cl)
    expected = a @ b
    result = (da @ db).get()
    if numpy.issubdtype(dtype, numpy.floating):
        tolerance = 1e-4 if dtype == numpy.float32 else 1e-12
        numpy.testing.assert_allclose(result, expected, rtol=tolerance,
                                      atol=tolerance * k * 16)
    else:
        numpy.testing.assert_array_equal(result, expected)
    # transposed operands and a batch
    numpy.testing.assert_allclose((db.T @ da.T).get(), b.T @ a.T, rtol=1e-4, atol=1e-3 * k)
    batch = numpy.stack([a, a[::-1]])
    numpy.testing.assert_allclose((pymic2.asarray(batch, device=cl) @ db).get(), batch @ b,
                                  rtol=1e-4, atol=1e-3 * k)


@pytest.mark.parametrize("dtype", [numpy.bool_, numpy.int32, numpy.float32, numpy.float64])
def test_gather_scatter_add_at(cl, dtype):
    a = sample(dtype, (11, 6), 15)
    index = numpy.array([3, -1, 0, 3, 10])
    da = pymic2.asarray(a, device=cl)
    di = pymic2.asarray(index, device=cl)
    check(da[di], a[index], dtype)
    check(da[:, pymic2.asarray(numpy.array([5, 0]), device=cl)], a[:, [5, 0]], dtype)
    values = sample(dtype, (5, 6), 16)
    expected = a.copy()
    expected[index] = values
    da[di] = pymic2.asarray(values, device=cl)
    check(da, expected, dtype)
    if dtype != numpy.bool_:
        da = pymic2.asarray(a, device=cl)
        expected = a.copy()
        numpy.add.at(expected, index, values)
        pymic2.add_at(da, di, pymic2.asarray(values, device=cl))
        check(da, expected, dtype)


def test_index_out_of_bounds(cl):
    da = pymic2.asarray(numpy.arange(5.0), device=cl)
    with pytest.raises(IndexError, match="index 10 is out of bounds for axis 0 with size 5"):
        da[pymic2.asarray(numpy.array([1, 10, -7]), device=cl)].get()


@pytest.mark.parametrize("kind", ["uniform32", "uniform64", "normal64", "integers"])
def test_random_numbers_equal_the_host_device(cl, kind):
    host = pymic2.get_device("host:0")
    results = []
    for device in (host, cl):
        rng = pymic2.random.Generator(1234, stream=device.get_default_stream())
        if kind == "uniform32":
            x = rng.uniform(-2, 3, size=(33, 7), dtype=numpy.float32)
        elif kind == "uniform64":
            x = rng.uniform(-2, 3, size=(1001,))
        elif kind == "normal64":
            x = rng.normal(1, 2, size=(10, 11))
        else:
            x = rng.integers(-50, 1000, size=(999,), dtype=numpy.int32)
        results.append(x.get())
    if kind == "normal64":  # the device's log/cos/sin may differ from glibc's in the last bit
        numpy.testing.assert_allclose(results[1], results[0], rtol=1e-14, atol=1e-14)
    else:
        numpy.testing.assert_array_equal(results[1], results[0])


def test_complex_casts_where_and_refusals(cl):
    a = complex_sample((19, 7), 6)
    da = pymic2.asarray(a, device=cl)
    for target in REAL_DTYPES:
        with numpy.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", numpy.exceptions.ComplexWarning)
            expected = a.astype(target)
        result = da.astype(target).get()
        if numpy.issubdtype(target, numpy.integer):  # NaN/inf/huge to integers: C's cast
            finite = numpy.isfinite(a.real) & (numpy.abs(a.real) < 100)
            numpy.testing.assert_array_equal(result[finite], expected[finite])
        else:
            check(result, expected, target)
        real = sample(target, (19, 7), 7)
        check_complex(pymic2.asarray(real, device=cl).astype(numpy.complex128),
                      real.astype(numpy.complex128))
    condition = sample(numpy.bool_, (19, 7), 8)
    other = complex_sample((19, 7), 9)
    selected = pymic2.where(pymic2.asarray(condition, device=cl), da,
                            pymic2.asarray(other, device=cl))
    check_complex(selected, numpy.where(condition, a, other))
    for name in ("maximum", "greater", "floor_divide"):
        with pytest.raises(TypeError):
            getattr(pymic2, name)(da, da)
    for name in ("max", "argmax", "argmin"):
        with pytest.raises(TypeError):
            getattr(pymic2, name)(da)


def test_complex_reductions_match_numpy(cl):
    rng = numpy.random.default_rng(10)
    a = rng.standard_normal((6, 33, 17)) + 1j * rng.standard_normal((6, 33, 17))
    da = pymic2.asarray(a, device=cl)
    atol = float(numpy.abs(a).sum()) * 4 * numpy.finfo(float).eps
    for axis in AXES:
        for name in ("sum", "mean"):
            numpy.testing.assert_allclose(getattr(pymic2, name)(da, axis=axis).get(),
                                          getattr(numpy, name)(a, axis=axis), rtol=1e-12,
                                          atol=atol)
        small = 1 + a / 64
        numpy.testing.assert_allclose(pymic2.prod(pymic2.asarray(small, device=cl),
                                                  axis=axis).get(),
                                      numpy.prod(small, axis=axis), rtol=1e-12)
    sparse = numpy.where(rng.random(a.shape) < 0.5, 0, a)
    sparse.reshape(-1)[:4] = [1j, -0.0 + 0j, numpy.nan, 0j]  # an imaginary part counts
    ds = pymic2.asarray(sparse, device=cl)
    for axis in (None, 1, (0, 2)):
        for name in ("all", "any", "count_nonzero"):
            check(getattr(pymic2, name)(ds, axis=axis),
                  numpy.asarray(getattr(numpy, name)(sparse, axis=axis)),
                  numpy.bool_ if name != "count_nonzero" else numpy.int64)
    for axis in (0, 1, 2):
        numpy.testing.assert_allclose(pymic2.cumsum(da, axis=axis).get(),
                                      numpy.cumsum(a, axis=axis), rtol=1e-12, atol=atol)
        numpy.testing.assert_allclose(pymic2.cumprod(pymic2.asarray(1 + a / 64, device=cl),
                                                     axis=axis).get(),
                                      numpy.cumprod(1 + a / 64, axis=axis), rtol=1e-12)
    # a large sum splits into chunks
    big = rng.standard_normal(300_000) + 1j * rng.standard_normal(300_000)
    numpy.testing.assert_allclose(pymic2.sum(pymic2.asarray(big, device=cl)).get(), big.sum(),
                                  rtol=1e-10)


@pytest.mark.parametrize("shape", [(5, 7, 3), (64, 65, 66), (130, 1, 129)])
def test_complex_matmul_matches_numpy(cl, shape):
    m, k, n = shape
    rng = numpy.random.default_rng(13)
    a = rng.standard_normal((m, k)) + 1j * rng.standard_normal((m, k))
    b = rng.standard_normal((k, n)) + 1j * rng.standard_normal((k, n))
    da, db = pymic2.asarray(a, device=cl), pymic2.asarray(b, device=cl)
    numpy.testing.assert_allclose((da @ db).get(), a @ b, rtol=1e-12, atol=1e-12 * k)
    numpy.testing.assert_allclose((db.T @ da.T).get(), b.T @ a.T, rtol=1e-12, atol=1e-12 * k)
    batch = numpy.stack([a, a[::-1].conj()])
    numpy.testing.assert_allclose((pymic2.asarray(batch, device=cl) @ db).get(), batch @ b,
                                  rtol=1e-12, atol=1e-12 * k)
    numpy.testing.assert_allclose(pymic2.dot(da, db).get(), numpy.dot(a, b), rtol=1e-12,
                                  atol=1e-12 * k)


def test_complex_gather_scatter_add_at(cl):
    a = complex_sample((11, 6), 15)
    index = numpy.array([3, -1, 0, 3, 10])
    da, di = pymic2.asarray(a, device=cl), pymic2.asarray(index, device=cl)
    check_complex(da[di], a[index])
    check_complex(da[:, pymic2.asarray(numpy.array([5, 0]), device=cl)], a[:, [5, 0]])
    values = complex_sample((5, 6), 16)[::-1]
    expected = a.copy()
    expected[index] = values
    da[di] = pymic2.asarray(values, device=cl)
    check_complex(da, expected)
    da = pymic2.asarray(a, device=cl)
    expected = a.copy()
    with numpy.errstate(invalid="ignore"):  # inf + -inf
        numpy.add.at(expected, index, values)
    pymic2.add_at(da, di, pymic2.asarray(values, device=cl))
    check_complex(da, expected)


def test_float64_without_cl_khr_fp64_is_an_edtype_error():
    # PYMIC2_OPENCL_NO_FP64=1 makes the OpenCL compute half behave as on a device without
    # cl_khr_fp64; float32 keeps working, and float16, which computes in float32
    code = (
        "import numpy, pymic2\n"
        "cl = pymic2.get_device('opencl:0')\n"
        "x = pymic2.asarray(numpy.ones(4, numpy.float32), device=cl)\n"
        "assert ((x + x).get() == 2).all()\n"
        "h = pymic2.asarray(numpy.arange(6, dtype=numpy.float16).reshape(2, 3), device=cl)\n"
        "assert (h * 2).dtype == numpy.float16 and (h * 2).get().tolist() == [[0, 2, 4], "
        "[6, 8, 10]]\n"
        "assert float(h.sum().get()) == 15 and h.cumsum().get().tolist() == [0, 1, 3, 6, 10, "
        "15]\n"
        "assert (h @ h.T).get().tolist() == [[5, 14], [14, 50]]\n"
        "for dtype in (numpy.float64, numpy.complex128):\n"
        "    y = pymic2.asarray(numpy.ones(4, dtype), device=cl)\n"
        "    try:\n"
        "        (y + y).get()\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__, e)\n")
    env = dict(os.environ, PYMIC2_OPENCL_NO_FP64="1")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert all("has no float64 support (cl_khr_fp64)" in line for line in lines)
    assert "which complex128 needs" in lines[1]
    assert "opencl:0 (" in result.stdout


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_copysign_matches_numpy_sign_bits(cl, dtype):
    """copysign on OpenCL: every pair of signed zeros, infinities, NaNs of both signs and
    ordinary values (broadcast), and b's sign bit copied exactly."""
    specials = numpy.array([0.0, -0.0, 1.5, -1.5, numpy.inf, -numpy.inf, numpy.nan,
                            -numpy.nan], dtype)
    a, b = specials[:, None], specials[None, :]
    result = pymic2.copysign(pymic2.asarray(a, device=cl), pymic2.asarray(b, device=cl)).get()
    expected = numpy.copysign(a, b)
    assert result.dtype == expected.dtype
    numpy.testing.assert_array_equal(result, expected)
    numpy.testing.assert_array_equal(numpy.signbit(result), numpy.signbit(expected))
    with pytest.raises(TypeError):
        pymic2.copysign(pymic2.asarray(a.astype(complex), device=cl), 1.0)
