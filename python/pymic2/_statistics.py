"""Statistics composed on the device from reductions and ufuncs: mean, var, std (NumPy's
dtypes and steps), the array API's cumulative_sum and cumulative_prod, allclose and
array_equal, and the ndarray's reduction methods (_ReductionMethods).

Results are device arrays (0-d for a full reduction): nothing here waits for the device.
"""

import builtins
import warnings

import numpy

from . import _core, _creation, _dtypes, _math, _operands, _reduction
from ._reduction import all, device_array, masked_reduce, normalize_axes  # noqa: A004

__all__ = ["allclose", "array_equal", "array_equiv", "cumulative_prod", "cumulative_sum", "mean", "ptp", "std",
           "var"]

_CoreArray = _core.ndarray
_elementwise = _core.elementwise
_BOOL = _dtypes.CODES[numpy.dtype(bool)]


def _array_api_cumulative(accumulate, identity, name):
    def cumulative(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        x = device_array(x)
        if axis is None:
            if x.ndim > 1:
                raise ValueError(f"{name}: axis must be given for arrays of more than one "
                                 f"dimension (this one has shape {x.shape})")
            axis = 0
        if x.ndim == 0:
            raise ValueError(f"{name}: the array must have at least one dimension")
        axis = normalize_axes(axis, x.ndim, single=True)[0]
        result = accumulate(x, axis=axis, dtype=dtype, out=None if include_initial else out)
        if not include_initial:
            return result
        shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
        initial = _CoreArray.__new__(type(result), shape, result._dtype_code, "C",
                                     result._op_stream)
        _elementwise(_core.OP_COPY, identity, out=initial)
        return _creation.concatenate([initial, result], axis=axis, out=out)

    cumulative.__name__ = cumulative.__qualname__ = name
    cumulative.__doc__ = (f"The array API's {name}(x, /, *, axis=None, dtype=None, "
                          "include_initial=False): axis may be omitted for 1-D x; "
                          "include_initial prepends the identity along axis.")
    return cumulative


cumulative_sum = _array_api_cumulative(_reduction.cumsum, 0, "cumulative_sum")
cumulative_prod = _array_api_cumulative(_reduction.cumprod, 1, "cumulative_prod")


def mean_dtype(a, dtype):
    if dtype is not None:
        return _dtypes.normalize(dtype, a._device)
    return numpy.dtype(numpy.float64) if a.dtype.kind in "biu" else a.dtype


def ptp(a, axis=None, out=None, keepdims=False):
    """Range of values (maximum - minimum) along an axis; integers wrap as NumPy's do."""
    a = device_array(a)
    return _math.subtract(_reduction.max(a, axis=axis, keepdims=keepdims),
                          _reduction.min(a, axis=axis, keepdims=keepdims), out=out)
def _float16_mean(a, dtype):
    """Whether NumPy's mean of a sums and divides in float32 and rounds the quotient to
    float16 (its _mean does so for float16 input without dtype=)."""
    return dtype is None and a.dtype == numpy.float16


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """NumPy's mean: sum / n in float64 for integer input, float32 for float16 input (the
    quotient rounded to float16), else in the input's dtype."""
    if where is not True:
        return masked_mean(a, axis, dtype, out, keepdims, where)
    a = device_array(a)
    axes = normalize_axes(axis, a.ndim)
    dt = mean_dtype(a, dtype)
    n = _reduction.count(a.shape, axes)
    if n == 0:
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
    if _float16_mean(a, dtype):
        total = _reduction.run(_core.REDUCE_SUM, _reduction.cast(a, numpy.dtype(numpy.float32)),
                               axes, keepdims, out, "mean")
        if out is None:
            return _reduction.cast(_math.divide(total, n), dt)
        return _divide_into(total, n, total.dtype, total, "mean")  # as NumPy: in out
    total = _reduction.run(_core.REDUCE_SUM, _reduction.cast(a, dt), axes, keepdims, None, "mean")
    return _divide_into(total, n, dt, out, "mean")


def _divide_into(total, count, dt, out, name):
    """total / count in the computation dtype dt, as NumPy's mean and var divide in place
    (an integer or bool dtype= truncates the quotient), into out with NumPy's unsafe cast."""
    quotient = _math.divide(total, count)
    if quotient.dtype != dt:
        quotient = _reduction.cast(quotient, dt)
    return _operands.into_out(name, quotient, out, "unsafe")


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """NumPy's var: sum(|x - mean|**2) / (n - ddof); float64 for integer input, the real
    dtype for complex input, the dtype= given otherwise (an integer one truncates)."""
    a = device_array(a)
    if correction is not None:
        ddof = correction
    axes = normalize_axes(axis, a.ndim)
    dt = mean_dtype(a, dtype)
    n = _reduction.count(a.shape, axes)
    divisor = builtins.max(n - ddof, 0)
    if divisor == 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
    # NumPy's steps and dtypes: the mean in dt, deviations of the input from it, their
    # squares summed in dtype= (or their own dtype), divided in that dtype
    deviation = _math.subtract(a, mean(a, axis=axes, dtype=dt, keepdims=True))
    if deviation.dtype.kind == "c":
        deviation = _math.absolute(deviation)
    squares = _math.multiply(deviation, deviation)
    sum_dtype = squares.dtype if dtype is None else _dtypes.normalize(dtype, a._device)
    total = _reduction.run(_core.REDUCE_SUM, _reduction.cast(squares, sum_dtype), axes,
                            keepdims, None, "var")
    return _divide_into(total, divisor, sum_dtype, out, "var")


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """NumPy's std: sqrt(var). NumPy takes the root in place, in the dtype= given, so an
    integer or bool dtype= is refused there (TypeError), as here."""
    if dtype is not None and numpy.dtype(dtype).kind not in "fc":
        raise TypeError(f"std: Cannot cast ufunc 'sqrt' output to {numpy.dtype(dtype)!r} with "
                        f"casting rule 'same_kind' (dtype= must be a floating dtype)")
    return _math.sqrt(var(a, axis, dtype, None, ddof, keepdims, correction=correction), out=out)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """all(isclose(a, b)) as a 0-d bool device array (CuPy's choice: no synchronisation;
    bool() of it reads the answer, as `if allclose(a, b):` does)."""
    return all(_math.isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    """NumPy's array_equal as a 0-d bool device array: same shape and equal elements (NaN
    equal to NaN with equal_nan)."""
    like = a1 if isinstance(a1, _CoreArray) else a2
    x, y = device_array(a1), device_array(a2)
    if x.shape != y.shape:
        result = _CoreArray.__new__(type(like), (), _dtypes.CODES[numpy.dtype(bool)], "C",
                                    like._op_stream)
        return _elementwise(_core.OP_COPY, False, out=result)
    same = _math.equal(x, y)
    if equal_nan and x.dtype.kind in "fc" and y.dtype.kind in "fc":
        same = _math.logical_or(same, _math.logical_and(_math.isnan(x), _math.isnan(y)))
    return all(same)
def masked_mean(a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    """NumPy's mean with where=: the sum of the selected elements over their count, both
    reduced on the device (a slice with nothing selected gives NaN, without NumPy's warning,
    which would need the counts on the host)."""
    a = device_array(a)
    float16 = _float16_mean(a, dtype)
    dt = numpy.dtype(numpy.float32) if float16 else mean_dtype(a, dtype)
    mask = _operands.where_mask(where, a)
    total = masked_reduce(_reduction.sum, a, axis, dt, None, keepdims, where=mask)
    selected = mask
    if mask.shape != a.shape:  # broadcast to a's shape, to count per slice
        selected = _CoreArray.__new__(type(a), a.shape, _BOOL, "C", a._op_stream)
        _elementwise(_core.OP_COPY, mask, out=selected)
    count = _reduction.count_nonzero(selected, axis=axis, keepdims=keepdims)
    if float16 and out is not None:  # as NumPy: the float32 sum goes into out, divided there
        total = _operands.into_out("mean", total, out, "unsafe")
    quotient = _math.divide(total, _elementwise(_core.OP_COPY, count, dtype=total._dtype_code),
                            out=out)
    # NumPy's float16 mean: divided in float32, rounded to float16
    return _reduction.cast(quotient, a.dtype) if float16 and out is None else quotient


def array_equiv(a1, a2):
    """Whether a1 and a2 broadcast to one shape with equal elements (a 0-d bool device
    array; False when the shapes do not broadcast)."""
    like = a1 if isinstance(a1, _CoreArray) else a2
    x, y = device_array(a1), device_array(a2)
    try:
        numpy.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        result = _CoreArray.__new__(type(like), (), _BOOL, "C", like._op_stream)
        return _elementwise(_core.OP_COPY, False, out=result)
    return all(_math.equal(x, y))


class _ReductionMethods:
    """The reduction and statistics methods of pymic2.ndarray."""

    __slots__ = ()

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
            where=True):
        return masked_reduce(_reduction.sum, self, axis, dtype, out, keepdims, initial, where)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
             where=True):
        return masked_reduce(_reduction.prod, self, axis, dtype, out, keepdims, initial,
                             where)

    def max(self, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
        return masked_reduce(_reduction.max, self, axis, None, out, keepdims, initial, where)

    def min(self, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
        return masked_reduce(_reduction.min, self, axis, None, out, keepdims, initial, where)

    def all(self, axis=None, out=None, keepdims=False, *, where=True):
        return masked_reduce(_reduction.all, self, axis, None, out, keepdims, where=where)

    def any(self, axis=None, out=None, keepdims=False, *, where=True):
        return masked_reduce(_reduction.any, self, axis, None, out, keepdims, where=where)

    def argmax(self, axis=None, out=None, *, keepdims=False):
        return _reduction.argmax(self, axis, out, keepdims=keepdims)

    def argmin(self, axis=None, out=None, *, keepdims=False):
        return _reduction.argmin(self, axis, out, keepdims=keepdims)

    def cumsum(self, axis=None, dtype=None, out=None):
        return _reduction.cumsum(self, axis, dtype, out)

    def cumprod(self, axis=None, dtype=None, out=None):
        return _reduction.cumprod(self, axis, dtype, out)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
        if where is not True:
            return masked_mean(self, axis, dtype, out, keepdims, where)
        return mean(self, axis, dtype, out, keepdims)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return var(self, axis, dtype, out, ddof, keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return std(self, axis, dtype, out, ddof, keepdims)
