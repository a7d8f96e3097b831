"""Reductions on device arrays with NumPy's names and arguments: sum, prod, max, min, all,
any, count_nonzero, argmax, argmin, cumsum, cumprod (C reductions, pymic2_ops.h), and mean,
var, std composed from them.

Results are device arrays (0-d for a full reduction): nothing here waits for the device.
NumPy's accumulation dtypes are followed (sum of bool or a small signed integer is int64),
except that uint8 sums in int64 where NumPy uses uint64, which the device lacks.
"""

import builtins
import math
import operator
import warnings

import numpy

from . import _core, _dtypes, _math

_CoreArray = _core.ndarray
_elementwise = _core.elementwise
_INT64 = numpy.dtype(numpy.int64)
_CUMULATIVE = (_core.REDUCE_CUMSUM, _core.REDUCE_CUMPROD)


def _device_array(a):
    """a as a device array (host data is uploaded to the default device)."""
    if isinstance(a, _CoreArray):
        return a
    from . import asarray

    return asarray(numpy.asarray(a))


def _normalize_axes(axis, ndim, single=False):
    """The reduced dimensions as a sorted tuple; AxisError as NumPy words it."""
    if axis is None:
        return tuple(range(ndim))
    if single or not isinstance(axis, (tuple, list)):
        axes = (operator.index(axis),)
    else:
        axes = tuple(operator.index(a) for a in axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise numpy.exceptions.AxisError(a, ndim)
        normalized.append(a % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError("duplicate value in 'axis'")
    return tuple(sorted(normalized))


def _mask(axes):
    return builtins.sum(1 << a for a in axes)


def _result_shape(shape, axes, keepdims):
    return tuple(1 if d in axes else n for d, n in enumerate(shape)
                 if keepdims or d not in axes)


def _run(reduction, a, axes, keepdims, out, name):
    """Launches a reduction of a (already in its computation dtype) into out or a new
    array, casting into an out of another dtype like NumPy's reductions ('unsafe'; argmax
    and argmin take only an integer out, as NumPy's)."""
    out = _math._single_out(out)
    if out is None:
        return _core.reduce(reduction, a, _mask(axes), keepdims)
    expected = a.shape if reduction in _CUMULATIVE else _result_shape(a.shape, axes, keepdims)
    if out.shape != expected:
        raise ValueError(f"{name}: out has shape {out.shape}, the result has shape {expected}")
    result = _core.reduce(reduction, a, _mask(axes), keepdims,
                          out if out.dtype == _REDUCE_DTYPE[reduction](a.dtype) else None)
    if result is out:
        return out
    if reduction in (_core.REDUCE_ARGMAX, _core.REDUCE_ARGMIN) and out.dtype.kind not in "iu":
        raise TypeError(f"Cannot cast array data from {out.dtype!r} to dtype('int64') "
                        f"according to the rule 'safe'")
    return _math._write_out(name, result, out, "unsafe")


_REDUCE_DTYPE = {
    **{r: (lambda dt: dt) for r in (_core.REDUCE_SUM, _core.REDUCE_PROD, _core.REDUCE_MAX,
                                    _core.REDUCE_MIN, _core.REDUCE_CUMSUM,
                                    _core.REDUCE_CUMPROD)},
    **{r: (lambda dt: numpy.dtype(bool)) for r in (_core.REDUCE_ALL, _core.REDUCE_ANY)},
    **{r: (lambda dt: _INT64) for r in (_core.REDUCE_COUNT_NONZERO, _core.REDUCE_ARGMAX,
                                        _core.REDUCE_ARGMIN)},
}


def _accumulation_dtype(a, dtype):
    """NumPy's dtype for sum/prod/cumsum: dtype= if given, else bool and the integers
    accumulate in int64 (uint8 too: the device has no uint64)."""
    if dtype is not None:
        return _dtypes.normalize(dtype, a._device)
    return _INT64 if a.dtype.kind in "biu" else a.dtype


def _cast(a, dt):
    return a if a.dtype == dt else _elementwise(_core.OP_COPY, a, dtype=_dtypes.CODES[dt])


def _accumulating(reduction, name):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
               where=True):
        if initial is not numpy._NoValue or where is not True:  # composed in _math
            return _math.masked_reduce(reduce, a, axis, dtype, out, keepdims, initial, where)
        a = _device_array(a)
        axes = _normalize_axes(axis, a.ndim)
        return _run(reduction, _cast(a, _accumulation_dtype(a, dtype)), axes, keepdims, out,
                    name)

    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = f"NumPy's {name}(a, axis=None, dtype=None, out=None, keepdims=False)."
    return reduce


sum = _accumulating(_core.REDUCE_SUM, "sum")  # noqa: A001 - NumPy's names
prod = _accumulating(_core.REDUCE_PROD, "prod")


def _plain(reduction, name):
    def reduce(a, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
        if initial is not numpy._NoValue or where is not True:  # composed in _math
            return _math.masked_reduce(reduce, a, axis, None, out, keepdims, initial, where)
        a = _device_array(a)
        return _run(reduction, a, _normalize_axes(axis, a.ndim), keepdims, out, name)

    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = f"NumPy's {name}(a, axis=None, out=None, keepdims=False)."
    return reduce


max = _plain(_core.REDUCE_MAX, "max")  # noqa: A001
min = _plain(_core.REDUCE_MIN, "min")  # noqa: A001
amax, amin = max, min
all = _plain(_core.REDUCE_ALL, "all")  # noqa: A001
any = _plain(_core.REDUCE_ANY, "any")  # noqa: A001


def count_nonzero(a, axis=None, *, keepdims=False):
    a = _device_array(a)
    return _run(_core.REDUCE_COUNT_NONZERO, a, _normalize_axes(axis, a.ndim), keepdims, None,
                "count_nonzero")


def _arg(reduction, name):
    def reduce(a, axis=None, out=None, *, keepdims=False):
        a = _device_array(a)
        axes = _normalize_axes(axis, a.ndim, single=True)
        return _run(reduction, a, axes, keepdims, out, name)

    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = (f"NumPy's {name}(a, axis=None, out=None, *, keepdims=False): int64 "
                      "indices (into the flattened array for axis=None).")
    return reduce


argmax = _arg(_core.REDUCE_ARGMAX, "argmax")
argmin = _arg(_core.REDUCE_ARGMIN, "argmin")


def _cumulative(reduction, name):
    def accumulate(a, axis=None, dtype=None, out=None):
        a = _device_array(a)
        if axis is None:
            a = a.reshape(-1)
        axes = _normalize_axes(0 if axis is None else axis, a.ndim, single=True)
        return _run(reduction, _cast(a, _accumulation_dtype(a, dtype)), axes, False, out,
                    name)

    accumulate.__name__ = accumulate.__qualname__ = name
    accumulate.__doc__ = (f"NumPy's {name}(a, axis=None, dtype=None, out=None); axis=None "
                          "runs over the flattened array.")
    return accumulate


cumsum = _cumulative(_core.REDUCE_CUMSUM, "cumsum")
cumprod = _cumulative(_core.REDUCE_CUMPROD, "cumprod")


def _array_api_cumulative(accumulate, identity, name):
    def cumulative(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        x = _device_array(x)
        if axis is None:
            if x.ndim > 1:
                raise ValueError(f"{name}: axis must be given for arrays of more than one "
                                 f"dimension (this one has shape {x.shape})")
            axis = 0
        if x.ndim == 0:
            raise ValueError(f"{name}: the array must have at least one dimension")
        axis = _normalize_axes(axis, x.ndim, single=True)[0]
        result = accumulate(x, axis=axis, dtype=dtype, out=None if include_initial else out)
        if not include_initial:
            return result
        shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
        initial = _CoreArray.__new__(type(result), shape, result._dtype_code, "C",
                                     result._op_stream)
        _elementwise(_core.OP_COPY, identity, out=initial)
        from ._manipulation import concatenate

        return concatenate([initial, result], axis=axis, out=out)

    cumulative.__name__ = cumulative.__qualname__ = name
    cumulative.__doc__ = (f"The array API's {name}(x, /, *, axis=None, dtype=None, "
                          "include_initial=False): axis may be omitted for 1-D x; "
                          "include_initial prepends the identity along axis.")
    return cumulative


cumulative_sum = _array_api_cumulative(cumsum, 0, "cumulative_sum")
cumulative_prod = _array_api_cumulative(cumprod, 1, "cumulative_prod")


def _mean_dtype(a, dtype):
    if dtype is not None:
        return _dtypes.normalize(dtype, a._device)
    return numpy.dtype(numpy.float64) if a.dtype.kind in "biu" else a.dtype


def _count(shape, axes):
    return math.prod(shape[d] for d in axes)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """NumPy's mean: sum / n in float64 for integer input, else in the input's dtype."""
    if where is not True:  # composed in _math
        return _math.masked_mean(a, axis, dtype, out, keepdims, where)
    a = _device_array(a)
    axes = _normalize_axes(axis, a.ndim)
    dt = _mean_dtype(a, dtype)
    n = _count(a.shape, axes)
    if n == 0:
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
    total = _run(_core.REDUCE_SUM, _cast(a, dt), axes, keepdims, None, "mean")
    return _divide_into(total, n, dt, out, "mean")


def _divide_into(total, count, dt, out, name):
    """total / count in the computation dtype dt, as NumPy's mean and var divide in place
    (an integer or bool dtype= truncates the quotient), into out with NumPy's unsafe cast."""
    quotient = _math.divide(total, count)
    if quotient.dtype != dt:
        quotient = _cast(quotient, dt)
    return _math._into_out(name, quotient, out, "unsafe")


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """NumPy's var: sum(|x - mean|**2) / (n - ddof); float64 for integer input, the real
    dtype for complex input, the dtype= given otherwise (an integer one truncates)."""
    a = _device_array(a)
    if correction is not None:
        ddof = correction
    axes = _normalize_axes(axis, a.ndim)
    dt = _mean_dtype(a, dtype)
    n = _count(a.shape, axes)
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
    total = _run(_core.REDUCE_SUM, _cast(squares, sum_dtype), axes, keepdims, None, "var")
    return _divide_into(total, divisor, sum_dtype, out, "var")


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """NumPy's std: sqrt(var). NumPy takes the root in place, in the dtype= given, so an
    integer or bool dtype= is refused there (TypeError), as here."""
    if dtype is not None and numpy.dtype(dtype).kind not in "fc":
        raise TypeError(f"std: Cannot cast ufunc 'sqrt' output to {numpy.dtype(dtype)!r} with "
                        f"casting rule 'same_kind' (dtype= must be a floating dtype)")
    return _math.sqrt(var(a, axis, dtype, None, ddof, keepdims, correction=correction), out=out)


#: ufunc.reduce of the ufuncs that have one.
UFUNC_REDUCTIONS = {"add": sum, "multiply": prod, "maximum": max, "minimum": min,
                    "logical_and": all, "logical_or": any}


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """all(isclose(a, b)) as a 0-d bool device array (CuPy's choice: no synchronisation;
    bool() of it reads the answer, as `if allclose(a, b):` does)."""
    return all(_math.isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    """NumPy's array_equal as a 0-d bool device array: same shape and equal elements (NaN
    equal to NaN with equal_nan)."""
    like = a1 if isinstance(a1, _CoreArray) else a2
    x, y = _device_array(a1), _device_array(a2)
    if x.shape != y.shape:
        result = _CoreArray.__new__(type(like), (), _dtypes.CODES[numpy.dtype(bool)], "C",
                                    like._op_stream)
        return _elementwise(_core.OP_COPY, False, out=result)
    same = _math.equal(x, y)
    if equal_nan and x.dtype.kind in "fc" and y.dtype.kind in "fc":
        same = _math.logical_or(same, _math.logical_and(_math.isnan(x), _math.isnan(y)))
    return all(same)
