"""Mathematical functions composed of the elementwise ops (NumPy's reference manual,
"Mathematical functions"): frexp and modf (floating point routines), sinc and i0 (other
special functions), unwrap (trigonometric functions). Each runs as a few device ops;
nothing is computed on the host.
"""

import math

import numpy

from . import _core, _math, _operands, _reduction
from ._differences import diff
from ._indexing import where
from ._manipulation import along, normalize_axis

__all__ = ["frexp", "i0", "modf", "sinc", "unwrap"]

_elementwise = _core.elementwise


def _written(results, outs):
    return tuple(result if target is None else _math.positive(result, out=target)
                 for result, target in zip(results, outs))


def _float_operand(x, reference):
    """x as a device array of the float dtype NumPy's ufunc `reference` computes it in
    (TypeError as NumPy's for dtypes it has no loop for, e.g. complex)."""
    x = _reduction.device_array(x)
    try:
        dtype = reference.resolve_dtypes((x.dtype,) + (None,) * reference.nout)[0]
    except TypeError:
        raise TypeError(f"ufunc '{reference.__name__}' not supported for the input types "
                        f"({x.dtype})") from None
    return x.astype(dtype, copy=False)


def frexp(x, *outs, out=None):
    """NumPy's frexp: (mantissa, exponent) with x = mantissa * 2**exponent, |mantissa| in
    [0.5, 1) carrying x's sign, exponent int32; 0, inf and NaN give (x, 0). The exponent is
    floor(log2|x|) + 1, corrected by one either way where log2 rounded across an integer,
    and the mantissa ldexp(x, -exponent), which is exact."""
    outs = _operands.output_pair("frexp", outs, out)
    x = _float_operand(x, numpy.frexp)
    regular = _math.logical_and(_math.isfinite(x), _math.not_equal(x, 0))
    magnitude = where(regular, _math.absolute(x), 1.0)
    exponent = _math.add(_math.floor(_math.log2(magnitude)), 1.0)
    mantissa = _elementwise(_core.OP_LDEXP, magnitude, _math.negative(exponent))
    for test, step in ((_math.greater_equal(mantissa, 1.0), 1.0),
                       (_math.less(mantissa, 0.5), -1.0)):
        exponent = where(test, _math.add(exponent, step), exponent)
        mantissa = where(test, _math.multiply(mantissa, 2.0 ** -step), mantissa)
    results = (where(regular, _math.copysign(mantissa, x), x),
               where(regular, exponent, 0.0).astype(numpy.int32))
    return _written(results, outs)


def modf(x, *outs, out=None):
    """NumPy's modf: (fractional part, integral part), both with x's sign (-0.0 included);
    inf gives (+-0.0, inf), NaN (NaN, NaN). x - trunc(x) is exact in floating point."""
    outs = _operands.output_pair("modf", outs, out)
    x = _float_operand(x, numpy.modf)
    integral = _math.trunc(x)
    fraction = where(_math.isinf(x), 0.0, _math.subtract(x, integral))
    return _written((_math.copysign(fraction, x), integral), outs)


def sinc(x):
    """NumPy's sinc, sin(pi x) / (pi x) with 1 at 0, by NumPy's own formula (0 replaced by
    1e-20): the same values up to the sine's last bit; integers compute in float64, complex
    works."""
    x = _reduction.device_array(x)
    if x.dtype.kind in "biu":
        x = x.astype(numpy.float64)
    y = _math.multiply(where(_math.equal(x, 0), 1.0e-20, x), math.pi)
    return _math.true_divide(_math.sin(y), y)


# I0(x) = sum (x*x/4)**k / (k!)**2: every term is positive, so the sum is stable; 64
# terms reach below float64's rounding for x <= 30 (the largest term is near k = x/2).
_I0_SERIES = [1.0 / math.factorial(k) ** 2 for k in range(64)]
_I0_SERIES_LIMIT = 30.0
# Above it, I0(x) = e**x / sqrt(2 pi x) * sum a_k / x**k with a_k = ((2k-1)!!)**2 /
# (k! 8**k): asymptotic, and within 1e-17 after 12 terms at x = 30.
_I0_ASYMPTOTIC = [math.prod(range(1, 2 * k, 2)) ** 2 / (math.factorial(k) * 8 ** k)
                  for k in range(12)]


def _polynomial(coefficients, x):
    """sum coefficients[k] * x**k by Horner's rule, on the device."""
    total = _math.add(_math.multiply(x, 0.0), coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):
        total = _math.add(_math.multiply(total, x), coefficient)
    return total


def i0(x):
    """NumPy's i0, the modified Bessel function of the first kind of order 0: its power
    series up to 30, its asymptotic expansion above (each to float64's precision; NumPy
    uses Chebyshev fits, so the last bit may differ). inf past ~713, as NumPy's."""
    x = _reduction.device_array(x)
    if x.dtype.kind == "c":
        raise TypeError("i0 not supported for complex values")
    if x.dtype.kind != "f":
        x = x.astype(numpy.float64)
    x = _math.absolute(x)
    small = _math.less_equal(x, _I0_SERIES_LIMIT)
    near = where(small, x, 0.0)
    series = _polynomial(_I0_SERIES, _math.multiply(_math.multiply(near, near), 0.25))
    far = where(small, _I0_SERIES_LIMIT + 1.0, x)
    expansion = _polynomial(_I0_ASYMPTOTIC, _math.reciprocal(far))
    scale = _math.true_divide(_math.exp(far), _math.sqrt(_math.multiply(far, 2 * math.pi)))
    return where(small, series, _math.multiply(expansion, scale))


def unwrap(p, discont=None, axis=-1, *, period=2 * math.pi):
    """NumPy's unwrap: steps between neighbours along axis larger than discont (default
    period / 2) are replaced by their equivalent modulo period, and the corrections
    accumulate (a cumulative sum on the device)."""
    p = _reduction.device_array(p)
    axis = normalize_axis(axis, p.ndim)
    steps = diff(p, axis=axis)
    discont = period / 2 if discont is None else discont
    dtype = numpy.result_type(steps.dtype, period)
    if dtype.kind in "iu":
        high, rest = divmod(period, 2)
        ambiguous = rest == 0
    else:
        high, ambiguous = period / 2, True
    low = -high
    wrapped = _math.add(_math.remainder(_math.subtract(steps, low), period), low)
    if ambiguous:  # a step of exactly half a period keeps its direction
        wrapped = where(_math.logical_and(_math.equal(wrapped, low), _math.greater(steps, 0)),
                        high, wrapped)
    correction = where(_math.less(_math.absolute(steps), discont), 0,
                       _math.subtract(wrapped, steps))
    result = p.astype(dtype, copy=True)
    tail = along(axis, p.ndim, slice(1, None))
    result[tail] = _math.add(p[tail], _reduction.cumsum(correction, axis=axis))
    return result
