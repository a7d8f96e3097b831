"""frexp, modf, ldexp, sinc, i0, unwrap and frombuffer against NumPy (special values,
-0.0, subnormals, every float dtype, both outputs and out=)."""

import numpy
import pytest

import pymic2
from conftest import assert_same

SPECIAL = numpy.array([0.0, -0.0, 1.0, -1.5, 3.75, 1e-310, -1e300, numpy.inf, -numpy.inf,
                       numpy.nan, 2.0 ** -1074, 0.49999999999999994, 1 - 2 ** -53,
                       2.0 ** 1023 * 1.999, 7.0, -1e-5])
FLOATS = [numpy.float16, numpy.float32, numpy.float64]


def _exactly(device_result, expected):
    """Bit for bit, signs of zero and NaN positions included."""
    host = device_result.get()
    assert host.dtype == expected.dtype and host.shape == expected.shape
    assert numpy.array_equal(host, expected, equal_nan=True)
    assert numpy.array_equal(numpy.signbit(host), numpy.signbit(expected))


@pytest.mark.parametrize("dtype", FLOATS)
def test_frexp_and_modf_exact(dtype):
    with numpy.errstate(all="ignore"):
        x = SPECIAL.astype(dtype)
    a = pymic2.asarray(x)
    for device_parts, parts in ((pymic2.frexp(a), numpy.frexp(x)),
                                (numpy.modf(a), numpy.modf(x))):
        for device_part, part in zip(device_parts, parts):
            _exactly(device_part, part)


def test_frexp_modf_integers_views_and_out():
    x = numpy.arange(-6, 18, dtype=numpy.int16).reshape(4, 6)
    a = pymic2.asarray(x)[:, ::-2]
    for device_part, part in zip(numpy.frexp(a), numpy.frexp(x[:, ::-2])):
        _exactly(device_part, part)
    fraction, whole = pymic2.empty((4, 3)), pymic2.empty((4, 3))
    result = numpy.modf(a, out=(fraction, whole))
    assert result[0] is fraction and result[1] is whole
    _exactly(whole, numpy.modf(x[:, ::-2])[1].astype(numpy.float64))
    with pytest.raises(TypeError, match="frexp"):
        pymic2.frexp(pymic2.asarray([1j]))
    with pytest.raises(ValueError, match="one entry per ufunc output"):
        pymic2.modf(a, out=(fraction,))


@pytest.mark.parametrize("dtype", FLOATS)
def test_ldexp_exact_across_the_exponent_range(dtype):
    with numpy.errstate(all="ignore"):
        x = SPECIAL.astype(dtype)
        exponents = numpy.arange(x.size, dtype=numpy.int32) * 150 - 1100
        expected = numpy.ldexp(x, exponents)
    _exactly(numpy.ldexp(pymic2.asarray(x), pymic2.asarray(exponents)), expected)
    with numpy.errstate(all="ignore"):
        _exactly(pymic2.ldexp(pymic2.asarray(x), 3), numpy.ldexp(x, 3))
    with pytest.raises(TypeError):
        pymic2.ldexp(pymic2.asarray(x), 2.5)


def test_sinc_i0_unwrap_match_numpy():
    x = numpy.linspace(-5, 5, 101)
    assert_same(numpy.sinc(pymic2.asarray(x)), numpy.sinc(x))
    assert_same(pymic2.sinc(pymic2.asarray(numpy.arange(-3, 4))), numpy.sinc(numpy.arange(-3, 4)))
    z = x + 0.5j
    if pymic2.default_device().supports_fp64:
        assert_same(pymic2.sinc(pymic2.asarray(z)), numpy.sinc(z))
    with numpy.errstate(over="ignore"):
        y = numpy.concatenate([numpy.linspace(-40, 760, 801), [0.0, 30.0, 30.5, numpy.nan]])
        expected = numpy.i0(y)
    assert_same(pymic2.i0(pymic2.asarray(y)), expected)  # float64 within 1e-12
    assert_same(numpy.i0(pymic2.asarray(numpy.arange(5))), numpy.i0(numpy.arange(5)))
    with pytest.raises(TypeError, match="complex"):
        pymic2.i0(pymic2.asarray([1j]))
    p = numpy.cumsum(numpy.random.default_rng(0).uniform(-4, 4, (3, 50)), axis=1)
    assert_same(numpy.unwrap(pymic2.asarray(p)), numpy.unwrap(p))
    assert_same(pymic2.unwrap(pymic2.asarray(p), axis=0, discont=4.0),
                numpy.unwrap(p, axis=0, discont=4.0))
    q = numpy.array([0, 5, 11, 4, 17, 2])
    assert_same(pymic2.unwrap(pymic2.asarray(q), period=6), numpy.unwrap(q, period=6))
    assert_same(pymic2.unwrap(pymic2.asarray(q), period=5), numpy.unwrap(q, period=5))


def test_frombuffer():
    data = numpy.arange(6, dtype=numpy.int32).tobytes()
    assert_same(pymic2.frombuffer(data, dtype=numpy.int32, count=3, offset=4),
                numpy.frombuffer(data, dtype=numpy.int32, count=3, offset=4))
    with pytest.raises(ValueError):
        pymic2.frombuffer(b"abc", dtype=numpy.int32)


def test_matvec_and_vecmat_as_numpy():
    rng = numpy.random.default_rng(3)
    m = rng.normal(size=(2, 3, 4)) + 1j * rng.normal(size=(2, 3, 4))
    v, w = rng.normal(size=(4,)), rng.normal(size=(2, 1, 3)) - 2j
    assert_same(numpy.matvec(pymic2.asarray(m), pymic2.asarray(v)), numpy.matvec(m, v))
    assert_same(numpy.vecmat(pymic2.asarray(w), pymic2.asarray(m)), numpy.vecmat(w, m))
    f = numpy.arange(12.0).reshape(3, 4)
    assert_same(pymic2.matvec(pymic2.asarray(f)[:, ::2], pymic2.asarray([1.0, -1.0])),
                numpy.matvec(f[:, ::2], numpy.array([1.0, -1.0])))
    with pytest.raises(ValueError, match="mismatch in its core dimension"):
        pymic2.matvec(pymic2.asarray(f), pymic2.asarray(numpy.ones(3)))
    with pytest.raises(ValueError, match="too few dimensions"):
        pymic2.vecmat(pymic2.asarray(numpy.ones(3)), pymic2.asarray(numpy.ones(3)))
