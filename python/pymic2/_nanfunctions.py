"""NumPy's NaN-ignoring reductions (nansum, nanprod, nanmax, nanmin, nanargmax, nanargmin,
nanmean, nanvar, nanstd, nancumsum, nancumprod) and order statistics (nanmedian,
nanquantile, nanpercentile) on the device.

Each replaces the NaNs of a float or complex input by the reduction's neutral value on the
device (one where op) and runs the plain reduction; integer and bool inputs have no NaN and
go straight through, as in NumPy. All-NaN slices give NaN (nanmax, nanmin, nanmean, nanvar)
as in NumPy, without its RuntimeWarning, which would need the data on the host; nanargmax
and nanargmin raise NumPy's ValueError for them, which does read one flag from the device.
"""

import numpy

from . import _core, _math, _operands, _reduction, _sorting, _statistics
from ._reduction import device_array, masked_reduce, normalize_axes

__all__ = [
    "nan_to_num", "nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean",
    "nanmedian", "nanmin", "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum",
    "nanvar",
]

_elementwise = _core.elementwise


def _has_nan(a):
    return a.dtype.kind in "fc"


def _replace_nan(a, value):
    """a with its NaNs replaced by value (a itself when its dtype has no NaN)."""
    if not _has_nan(a):
        return a
    return _elementwise(_core.OP_WHERE, _math.isnan(a), a.dtype.type(value).item(), a)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """x with NaN replaced by nan and infinities by posinf/neginf (the dtype's largest and
    smallest finite values by default); complex numbers part by part. copy=False writes
    into x."""
    x = device_array(x)
    if not _has_nan(x):
        return x.copy() if copy else x
    result = x.copy() if copy else x
    parts = result.view(numpy.float64 if x.dtype == numpy.complex128 else
                        numpy.float32) if x.dtype.kind == "c" else result
    info = numpy.finfo(parts.dtype)
    replacements = ((_math.isnan(parts), nan),
                    (_math.equal(parts, numpy.inf), info.max if posinf is None else posinf),
                    (_math.equal(parts, -numpy.inf), info.min if neginf is None else neginf))
    for mask, value in replacements:
        _elementwise(_core.OP_WHERE, mask, parts.dtype.type(value).item(), parts, out=parts)
    return result


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
           where=True):
    a = device_array(a)
    return masked_reduce(_reduction.sum, _replace_nan(a, 0), axis, dtype, out,
                                     keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
            where=True):
    a = device_array(a)
    return masked_reduce(_reduction.prod, _replace_nan(a, 1), axis, dtype, out,
                                     keepdims, initial, where)


def _nan_extremum(function, fill, a, axis, out, keepdims, initial, where):
    a = device_array(a)
    if not _has_nan(a):
        return masked_reduce(function, a, axis, None, out, keepdims, initial, where)
    result = masked_reduce(function, _replace_nan(a, fill), axis, None, None,
                                       keepdims, initial, where)
    if initial is numpy._NoValue:  # a slice of NaNs only stays NaN (NumPy's nanmax)
        all_nan = _reduction.all(_math.isnan(a), axis=axis, keepdims=keepdims)
        result = _elementwise(_core.OP_WHERE, all_nan, a.dtype.type("nan").item(), result)
    return _operands.into_out("nanmax" if fill < 0 else "nanmin", result, out, "same_kind")


def nanmax(a, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
    return _nan_extremum(_reduction.max, -numpy.inf, a, axis, out, keepdims, initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
    return _nan_extremum(_reduction.min, numpy.inf, a, axis, out, keepdims, initial, where)


def _nan_arg(function, fill, a, axis, out, keepdims):
    a = device_array(a)
    if not _has_nan(a):
        return function(a, axis, out, keepdims=keepdims)
    if bool(_reduction.any(_reduction.all(_math.isnan(a), axis=axis))):
        raise ValueError("All-NaN slice encountered")
    return function(_replace_nan(a, fill), axis, out, keepdims=keepdims)


def nanargmax(a, axis=None, out=None, *, keepdims=False):
    return _nan_arg(_reduction.argmax, -numpy.inf, a, axis, out, keepdims)


def nanargmin(a, axis=None, out=None, *, keepdims=False):
    return _nan_arg(_reduction.argmin, numpy.inf, a, axis, out, keepdims)


def nancumsum(a, axis=None, dtype=None, out=None):
    return _reduction.cumsum(_replace_nan(device_array(a), 0), axis, dtype, out)


def nancumprod(a, axis=None, dtype=None, out=None):
    return _reduction.cumprod(_replace_nan(device_array(a), 1), axis, dtype, out)


def _counts(a, axis, keepdims, dtype):
    """The number of non-NaN elements per slice, in dtype."""
    present = _math.logical_not(_math.isnan(a))
    return _reduction.count_nonzero(present, axis=axis, keepdims=keepdims).astype(dtype)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """The mean of the non-NaN elements (NaN for a slice without any)."""
    a = device_array(a)
    if not _has_nan(a):
        return _statistics.mean(a, axis, dtype, out, keepdims, where=where)
    if where is not True:
        raise TypeError("nanmean: where= is not implemented on the device")
    dt = _statistics.mean_dtype(a, dtype)
    total = _reduction.sum(_replace_nan(a, 0), axis=axis, dtype=dt, keepdims=keepdims)
    count = _counts(a, normalize_axes(axis, a.ndim), keepdims, total.dtype)
    return _operands.into_out("nanmean", _math.divide(total, count), out, "unsafe")


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=numpy._NoValue, correction=numpy._NoValue):
    """The variance of the non-NaN elements, divided by (count - ddof); NaN where that is not
    positive (NumPy warns there)."""
    a = device_array(a)
    if correction is not numpy._NoValue:
        ddof = correction
    if where is not True or mean is not numpy._NoValue:
        raise TypeError("nanvar: where= and mean= are not implemented on the device")
    if not _has_nan(a):
        return _statistics.var(a, axis, dtype, out, ddof, keepdims)
    axes = normalize_axes(axis, a.ndim)
    nan = _math.isnan(a)
    average = nanmean(a, axis=axes, dtype=dtype, keepdims=True)
    deviation = _math.subtract(_replace_nan(a, 0), average)
    if deviation.dtype.kind == "c":
        deviation = _math.absolute(deviation)
    squares = _elementwise(_core.OP_WHERE, nan, 0, _math.multiply(deviation, deviation))
    total = _reduction.sum(squares, axis=axes, keepdims=keepdims)
    divisor = _math.subtract(_counts(a, axes, keepdims, total.dtype), ddof)
    positive = _math.greater(divisor, 0)
    result = _elementwise(_core.OP_WHERE, positive, _math.divide(total, divisor),
                          total.dtype.type("nan").item())
    return _operands.into_out("nanvar", result, out, "unsafe")


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=numpy._NoValue, correction=numpy._NoValue):
    return _math.sqrt(nanvar(a, axis, dtype, None, ddof, keepdims, where=where, mean=mean,
                             correction=correction), out=out)


def _sorted_counted(a, axis):
    """a's rows along axis sorted (NaN last, see _sorting.sorted_rows) and the number of
    non-NaN elements of each."""
    work = _sorting.sorted_rows(a, axis)
    count = _reduction.sum(_math.logical_not(_math.isnan(work)), axis=-1, dtype=numpy.int64)
    return work, count


def _nan_where_empty(result, count):
    """result with NaN for the rows without data (all NaN), as NumPy's (without its
    RuntimeWarning, which would need the data on the host)."""
    return _elementwise(_core.OP_WHERE, _math.equal(count, 0), result.dtype.type("nan").item(),
                        result)


def _nanquantile(a, q, promotes, axis, out, method, keepdims, weights, interpolation):
    a = device_array(a)
    if not _has_nan(a):
        return _sorting.quantile_of(a, q, promotes, axis, out, method, keepdims, weights,
                                    interpolation)
    weights = _sorting.check_quantile_args(method, out, weights, interpolation, a, axis)
    dtype = _sorting.quantile_dtype(a, promotes, method)
    if weights is not None:
        work, pick = _sorting.weighted_quantile_rows(a, weights, q, axis, dtype, True)
        count = _reduction.sum(_math.logical_not(_math.isnan(work)), axis=-1,
                               dtype=numpy.int64)
    else:
        work, count = _sorted_counted(a, axis)
        pick = _sorting.quantile_rows(work, q, count, method, dtype)
    pick = _nan_where_empty(pick, count)
    return _sorting.keep_dims(pick, a, axis, q.shape, keepdims)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    """quantile of the non-NaN elements (NaN for a slice of NaNs only)."""
    return _nanquantile(a, *_sorting.host_quantiles(q), axis, out, method, keepdims, weights,
                        interpolation)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None, interpolation=None):
    """percentile of the non-NaN elements (NaN for a slice of NaNs only)."""
    return _nanquantile(a, *_sorting.host_quantiles(q, 100), axis, out, method, keepdims,
                        weights, interpolation)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """median of the non-NaN elements (NaN for a slice of NaNs only)."""
    a = device_array(a)
    if not _has_nan(a):
        return _sorting.median(a, axis, out, overwrite_input, keepdims)
    _sorting.check_out(out)
    work, count = _sorted_counted(a, axis)
    result = _sorting.median_rows(work, count, _sorting.median_dtype(a))
    return _sorting.keep_dims(_nan_where_empty(result, count), a, axis, (), keepdims)
