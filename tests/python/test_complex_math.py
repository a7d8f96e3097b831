"""Complex math against NumPy (issue 14): the complex versions of the trigonometric,
hyperbolic, exponent and log functions and rint on a grid of special values (signed zeros,
subnormal-range and huge parts, +-inf, NaN, the branch cuts and points +-1, +-i), for
complex64 and complex128; real, imag, conj, angle, the .real/.imag views, isreal, iscomplex,
real_if_close, round with decimals; cov, corrcoef, correlate, vdot of complex input. Runs on
the suite's device (host:0 or opencl:0)."""

import numpy
import pytest

import pymic2
from test_math import check

COMPLEX = [numpy.complex64, numpy.complex128]
FUNCTIONS = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh",
             "arccosh", "arctanh", "exp2", "log2", "log10", "expm1", "log1p", "rint",
             "conjugate"]


def grid(dtype):
    """Every pair of parts from signed zeros, tiny (near the smallest normal), ordinary values
    on and off the branch points +-1, large and huge (a quarter of the largest) ones, +-inf
    and NaN: the special values of C99 Annex G, which NumPy follows, and the branch cuts
    (a zero part on either side)."""
    info = numpy.finfo(numpy.dtype(dtype).char.lower())
    parts = [0.0, -0.0, 4 * info.tiny, -4 * info.tiny, 1e-5, 0.5, -0.5, 1.0, -1.0, 1.5, -3.0,
             30.0, 1e10, -1e10, info.max / 4, -info.max / 4, numpy.inf, -numpy.inf, numpy.nan]
    re, im = numpy.meshgrid(numpy.array(parts, info.dtype), numpy.array(parts, info.dtype))
    z = numpy.empty(re.shape, dtype)
    z.real, z.imag = re, im  # not re + 1j * im: inf * 1j would make NaN parts
    return z


def assert_complex_close(result, expected, rtol, absolute=False):
    """Part by part: NaN where NumPy has NaN, the same infinities, zeros of the same sign
    where NumPy's other part is a number (Annex G leaves a zero's sign next to a NaN open),
    the rest within rtol of the larger part (a part much smaller than the other carries the
    rounding of both: sin's imaginary part near a zero of cos x), or of 1 if `absolute`."""
    assert result.dtype == expected.dtype and result.shape == expected.shape
    scale = numpy.maximum(abs(expected.real), abs(expected.imag))
    if absolute:
        scale = numpy.maximum(scale, 1)
    for part in ("real", "imag"):
        got, want = getattr(result, part), getattr(expected, part)
        other = getattr(expected, "imag" if part == "real" else "real")
        where = numpy.argwhere(~((numpy.isnan(got) & numpy.isnan(want)) | (got == want)))
        bad = [(i, got[i], want[i]) for i in map(tuple, where)
               if not (numpy.isfinite(got[i]) and numpy.isfinite(want[i]) and
                       abs(got[i] - want[i]) <= rtol * scale[i])]
        assert not bad, f"{part} parts differ at (index, ours, NumPy's): {bad[:8]}"
        zero = (want == 0) & (got == 0) & ~numpy.isnan(other)
        differ = zero & (numpy.signbit(got) != numpy.signbit(want))
        assert not differ.any(), f"{part} zero signs differ at {numpy.argwhere(differ)}"


# NumPy's log1p of a complex number is log |1 + z| + i arg(1 + z), whose real part near 0
# carries |1 + z|'s rounding: an absolute error of an ulp of 1, which glibc's hypot (NumPy's,
# the host's) and OpenCL's (ours) make differently; compare it absolutely
ABSOLUTE = {"log1p"}
# relative to the larger part: complex64 within 64 ulp (NumPy's own float functions and
# ours - computed in double on the host, in float by OpenCL's built-ins on a device - are
# each a few ulp off, and a formula of several of them adds up), complex128 within 32 ulp
TOLERANCE = {numpy.complex64: 64 * numpy.finfo(numpy.float32).eps,
             numpy.complex128: 32 * numpy.finfo(numpy.float64).eps}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_complex_functions_on_special_values(name):
    for dtype in COMPLEX:
        z = grid(dtype)
        with numpy.errstate(all="ignore"):
            expected = getattr(numpy, name)(z)
        result = getattr(pymic2, name)(pymic2.asarray(z)).get()
        assert_complex_close(result, expected, TOLERANCE[dtype], name in ABSOLUTE)


@pytest.mark.parametrize("dtype", COMPLEX)
def test_complex_functions_on_ordinary_values(dtype):
    """A dense sample around the unit circle and across the cuts, where cancellation would
    show (the inverse functions' real parts near +-1 and +-i)."""
    rng = numpy.random.default_rng(5)
    z = (rng.standard_normal(64) * 2 + 1j * rng.standard_normal(64) * 2).astype(dtype)
    z[:8] = numpy.array([1 + 1e-7j, -1 - 1e-7j, 1e-7 + 1j, 1e-7 - 1j, 0.999 + 0j, 1.001 + 0j,
                         1e-3 + 0.5j, -2e-3 + 2j], dtype)
    a = pymic2.asarray(z)
    for name in FUNCTIONS:
        with numpy.errstate(all="ignore"):
            expected = getattr(numpy, name)(z)
        assert_complex_close(getattr(pymic2, name)(a).get(), expected, TOLERANCE[dtype],
                             name in ABSOLUTE)


def test_float_power_and_power_of_complex():
    z = numpy.array([2 - 1j, 0j, -1 + 0j, 1e-3 + 4j], numpy.complex128)
    a = pymic2.asarray(z)
    with numpy.errstate(all="ignore"):
        for exponent in (0.5, 2, -3, 1j):
            assert_complex_close(pymic2.power(a, exponent).get(), numpy.power(z, exponent),
                                 1e-13)
        assert_complex_close(pymic2.float_power(a.astype(numpy.complex64), 2).get(),
                             numpy.float_power(z.astype(numpy.complex64), 2), 1e-13)


# ---------------------------------------------------------------- parts and views

@pytest.mark.parametrize("dtype", COMPLEX)
def test_real_imag_conj_angle(dtype):
    z = numpy.array([[1 + 2j, -3.5 - 0.0j, complex(numpy.inf, -1)], [0j, -0.0 + 1j, 2 - 2j]],
                    dtype)
    a = pymic2.asarray(z)
    for name in ("real", "imag", "conj", "conjugate", "angle", "isreal", "iscomplex"):
        check(getattr(pymic2, name)(a), getattr(numpy, name)(z))
        check(getattr(numpy, name)(a), getattr(numpy, name)(z))  # __array_function__/ufunc
    check(pymic2.angle(a, deg=True), numpy.angle(z, deg=True))
    check(a.conj(), z.conj())
    check(a.conjugate(), z.conjugate())
    check(a.real, z.real)
    check(a.imag, z.imag)
    check(a[:, ::2].T.imag, z[:, ::2].T.imag)  # a non-contiguous view's part


@pytest.mark.parametrize("dtype", [numpy.bool_, numpy.int8, numpy.uint64, numpy.float32,
                                   numpy.float64])
def test_parts_of_real_dtypes(dtype):
    x = numpy.array([[0, 1, 1], [1, 0, 1]], dtype)
    a = pymic2.asarray(x)
    for name in ("real", "imag", "conj", "isreal", "iscomplex"):
        check(getattr(pymic2, name)(a), getattr(numpy, name)(x))
    check(pymic2.angle(a.astype(numpy.float64) - 0.5), numpy.angle(x.astype(numpy.float64) - 0.5))
    assert a.imag.flags.writeable is False  # NumPy's zeros of a real array: read-only
    with pytest.raises(TypeError, match="imaginary part"):
        a.imag = 1
    a.real = 1  # the array itself
    numpy.testing.assert_array_equal(a.get(), numpy.ones_like(x))


@pytest.mark.parametrize("dtype", COMPLEX)
def test_real_and_imag_are_writable_views(dtype):
    z = numpy.arange(12).reshape(3, 4).astype(dtype) * (1 - 1j)
    a = pymic2.asarray(z)
    real, imag = a.real, a.imag
    assert real.dtype == z.real.dtype and real.strides == z.real.strides
    assert imag.strides == z.imag.strides
    real[1] = 7  # writes into a
    a.imag[:, 0] = -2
    a[2].imag = pymic2.asarray(numpy.arange(4, dtype=z.real.dtype))
    z.real[1] = 7
    z.imag[:, 0] = -2
    z[2].imag = numpy.arange(4)
    check(a, z)
    check(imag, z.imag)  # the earlier view sees the writes
    frozen = pymic2.asarray(z)
    frozen.flags.writeable = False
    assert frozen.real.flags.writeable is False and frozen.imag.flags.writeable is False


def test_real_if_close():
    z = numpy.array([2.5 + 1e-15j, -1 + 0j])
    result = pymic2.real_if_close(pymic2.asarray(z))
    check(result, numpy.real_if_close(z))
    far = numpy.array([2.5 + 1e-10j, -1 + 0j])
    check(pymic2.real_if_close(pymic2.asarray(far)), numpy.real_if_close(far))
    check(pymic2.real_if_close(pymic2.asarray(far), tol=1e-9), numpy.real_if_close(far, 1e-9))
    x = numpy.array([1.0, 2.0], numpy.float32)
    check(pymic2.real_if_close(pymic2.asarray(x)), numpy.real_if_close(x))


@pytest.mark.parametrize("dtype", COMPLEX)
def test_round_of_complex_rounds_each_part(dtype):
    z = numpy.array([1.25 + 2.35j, -0.5 - 1.5j, complex(numpy.inf, 0.06), 125.5 - 349.5j],
                    dtype)
    a = pymic2.asarray(z)
    for decimals in (0, 1, -1, -2):
        check(pymic2.round(a, decimals), numpy.round(z, decimals))
    check(a.round(1), z.round(1))
    out = pymic2.empty(z.shape, dtype)
    pymic2.round(a, 1, out=out)
    check(out, numpy.round(z, 1))


# ---------------------------------------------------------------- statistics and signals

def test_cov_corrcoef_correlate_of_complex_input():
    rng = numpy.random.default_rng(9)
    x = rng.standard_normal((3, 6)) + 1j * rng.standard_normal((3, 6))
    y = rng.standard_normal(6) - 0.5j * rng.standard_normal(6)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    tolerance = {"rtol": 1e-12, "atol": 1e-14}
    for result, expected in [(pymic2.cov(a), numpy.cov(x)),
                             (pymic2.cov(a, b, rowvar=True), numpy.cov(x, y)),
                             (pymic2.cov(a.T, rowvar=False, bias=True),
                              numpy.cov(x.T, rowvar=False, bias=True)),
                             (numpy.cov(a.astype(numpy.complex64)),
                              numpy.cov(x.astype(numpy.complex64))),
                             (pymic2.corrcoef(a), numpy.corrcoef(x)),
                             (numpy.corrcoef(a, b), numpy.corrcoef(x, y))]:
        host = result.get()
        assert host.dtype == expected.dtype
        numpy.testing.assert_allclose(host, expected, rtol=2e-6 if host.dtype ==
                                      numpy.complex64 else 1e-12, atol=1e-6)
    v = x[0, :4]
    for mode in ("valid", "same", "full"):
        for first, second in [(y, v), (v, y), (y.real, v), (v, y.real), (y, y)]:
            expected = numpy.correlate(first, second, mode)
            result = pymic2.correlate(pymic2.asarray(first), pymic2.asarray(second), mode)
            assert result.dtype == expected.dtype
            numpy.testing.assert_allclose(result.get(), expected, **tolerance)
