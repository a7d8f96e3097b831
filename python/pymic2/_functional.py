"""Functional programming (NumPy's reference manual): apply_along_axis, apply_over_axes and
piecewise over device arrays.

apply_along_axis calls the function once per 1-D slice from Python, as NumPy does: each
call runs device ops on a view, so it is as slow as that many small ops (documented, not
hidden); prefer whole-array functions where they exist.
"""

import numpy

from . import _core, _creation, _indexing
from ._manipulation import expand_dims, moveaxis, normalize_axis
from ._reduction import device_array

__all__ = ["apply_along_axis", "apply_over_axes", "piecewise"]


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d applied to every 1-D slice of arr along axis; the results (device arrays or
    scalars of one shape) take that axis's place, as in NumPy."""
    arr = device_array(arr)
    axis = normalize_axis(axis, arr.ndim)
    moved = moveaxis(arr, axis, -1)
    outer = moved.shape[:-1]
    if any(n == 0 for n in outer):
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    results = [_creation.asarray(func1d(moved[index], *args, **kwargs),
                                 stream=arr._op_stream)
               for index in numpy.ndindex(*outer)]
    stacked = _creation.stack(results).reshape(outer + results[0].shape)
    # the result's own axes go where axis was
    result_ndim = results[0].ndim
    return moveaxis(stacked, tuple(range(len(outer), len(outer) + result_ndim)),
                    tuple(range(axis, axis + result_ndim)))


def apply_over_axes(func, a, axes):
    """func(a, axis) applied for each axis in turn, keeping the dimensions (NumPy's)."""
    result = device_array(a)
    for axis in numpy.atleast_1d(axes).tolist():
        axis = normalize_axis(axis, result.ndim)
        reduced = func(result, axis)
        if reduced.ndim == result.ndim:
            result = reduced
        elif reduced.ndim == result.ndim - 1:
            result = expand_dims(reduced, axis)
        else:
            raise ValueError("function is not returning an array of the correct shape")
    return result


def piecewise(x, condlist, funclist, *args, **kw):
    """funclist[k] (a function or a constant) where condlist[k] holds; a last extra function
    for where none does; later conditions win, as in NumPy."""
    x = device_array(x)
    if isinstance(condlist, _core.ndarray) or not isinstance(condlist, (list, tuple)):
        condlist = [condlist]
    conditions = [c if isinstance(c, _core.ndarray) else
                  _creation.asarray(c, stream=x._op_stream) for c in condlist]
    n = len(conditions)
    if len(funclist) not in (n, n + 1):
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are "
                         f"expected")
    if len(funclist) == n + 1:
        otherwise = conditions[0]
        for c in conditions[1:]:
            otherwise = _core.elementwise(_core.OP_LOGICAL_OR, otherwise, c)
        conditions.append(_core.elementwise(_core.OP_LOGICAL_NOT, otherwise))
    result = _creation.zeros(x.shape, x.dtype, stream=x._op_stream)
    for condition, function in zip(conditions, funclist):
        values = function(x, *args, **kw) if callable(function) else function
        result = _indexing.where(condition, values, result).astype(x.dtype, copy=False)
    return result
