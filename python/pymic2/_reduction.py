"""The reductions of the C core with NumPy's names and arguments: sum, prod, max, min, all,
any, count_nonzero, argmax, argmin, cumsum, cumprod (pymic2_ops.h), with initial= and where=
composed of device ops (masked_reduce). ufunc.reduce and ufunc.accumulate (in _math) find
theirs here through the core's one mapping (_core.UFUNC_REDUCE, _core.UFUNC_ACCUMULATE).

Results are device arrays (0-d for a full reduction): nothing here waits for the device.
NumPy's accumulation dtypes are followed (sum of bool or a signed integer is int64, of an
unsigned integer uint64).
"""

import builtins
import math
import operator

import numpy

from . import _core, _creation, _dtypes, _operands

_CoreArray = _core.ndarray
_elementwise = _core.elementwise
_INT64 = numpy.dtype(numpy.int64)
_UINT64 = numpy.dtype(numpy.uint64)
_CUMULATIVE = (_core.REDUCE_CUMSUM, _core.REDUCE_CUMPROD)


def device_array(a):
    """a as a device array (host data is uploaded to the default device)."""
    if isinstance(a, _CoreArray):
        return a
    return _creation.asarray(numpy.asarray(a))


def normalize_axes(axis, ndim, single=False):
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


def result_shape(shape, axes, keepdims):
    return tuple(1 if d in axes else n for d, n in enumerate(shape)
                 if keepdims or d not in axes)


def run(reduction, a, axes, keepdims, out, name):
    """Launches a reduction of a (already in its computation dtype) into out or a new
    array, casting into an out of another dtype like NumPy's reductions ('unsafe'; argmax
    and argmin take only an integer out, as NumPy's)."""
    out = _operands.single_out(out)
    if out is None:
        return _core.reduce(reduction, a, _mask(axes), keepdims)
    expected = a.shape if reduction in _CUMULATIVE else result_shape(a.shape, axes, keepdims)
    if out.shape != expected:
        raise ValueError(f"{name}: out has shape {out.shape}, the result has shape {expected}")
    result = _core.reduce(reduction, a, _mask(axes), keepdims,
                          out if out.dtype == _REDUCE_DTYPE[reduction](a.dtype) else None)
    if result is out:
        return out
    if reduction in (_core.REDUCE_ARGMAX, _core.REDUCE_ARGMIN) and out.dtype.kind not in "iu":
        raise TypeError(f"Cannot cast array data from {out.dtype!r} to dtype('int64') "
                        f"according to the rule 'safe'")
    return _operands.write_out(name, result, out, "unsafe")


_REDUCE_DTYPE = {
    **{r: (lambda dt: dt) for r in (_core.REDUCE_SUM, _core.REDUCE_PROD, _core.REDUCE_MAX,
                                    _core.REDUCE_MIN, _core.REDUCE_CUMSUM,
                                    _core.REDUCE_CUMPROD)},
    **{r: (lambda dt: numpy.dtype(bool)) for r in (_core.REDUCE_ALL, _core.REDUCE_ANY)},
    **{r: (lambda dt: _INT64) for r in (_core.REDUCE_COUNT_NONZERO, _core.REDUCE_ARGMAX,
                                        _core.REDUCE_ARGMIN)},
}


def _accumulation_dtype(a, dtype):
    """NumPy's dtype for sum/prod/cumsum: dtype= if given, else bool and the signed
    integers accumulate in int64, the unsigned ones in uint64."""
    if dtype is not None:
        return _dtypes.normalize(dtype, a._device)
    return _UINT64 if a.dtype.kind == "u" else _INT64 if a.dtype.kind in "bi" else a.dtype


def cast(a, dt):
    return a if a.dtype == dt else _elementwise(_core.OP_COPY, a, dtype=_dtypes.CODES[dt])


def _reduction(function, code, name, identity, doc):
    """Names a reduction function and records its core code and identity (None: it has
    none), which masked_reduce and ufunc.reduce use."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.reduction, function.identity = code, identity
    return function


def _accumulating(reduction, name, identity):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
               where=True):
        if initial is not numpy._NoValue or where is not True:
            return masked_reduce(reduce, a, axis, dtype, out, keepdims, initial, where)
        a = device_array(a)
        axes = normalize_axes(axis, a.ndim)
        return run(reduction, cast(a, _accumulation_dtype(a, dtype)), axes, keepdims, out,
                    name)

    return _reduction(reduce, reduction, name, identity,
                      f"NumPy's {name}(a, axis=None, dtype=None, out=None, keepdims=False).")


sum = _accumulating(_core.REDUCE_SUM, "sum", 0)  # noqa: A001 - NumPy's names
prod = _accumulating(_core.REDUCE_PROD, "prod", 1)


def _plain(reduction, name, identity=None):
    def reduce(a, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
        if initial is not numpy._NoValue or where is not True:
            return masked_reduce(reduce, a, axis, None, out, keepdims, initial, where)
        a = device_array(a)
        return run(reduction, a, normalize_axes(axis, a.ndim), keepdims, out, name)

    return _reduction(reduce, reduction, name, identity,
                      f"NumPy's {name}(a, axis=None, out=None, keepdims=False).")


max = _plain(_core.REDUCE_MAX, "max")  # noqa: A001
min = _plain(_core.REDUCE_MIN, "min")  # noqa: A001
amax, amin = max, min
all = _plain(_core.REDUCE_ALL, "all", True)  # noqa: A001
any = _plain(_core.REDUCE_ANY, "any", False)  # noqa: A001


def count_nonzero(a, axis=None, *, keepdims=False):
    a = device_array(a)
    return run(_core.REDUCE_COUNT_NONZERO, a, normalize_axes(axis, a.ndim), keepdims, None,
                "count_nonzero")


def _arg(reduction, name):
    def reduce(a, axis=None, out=None, *, keepdims=False):
        a = device_array(a)
        axes = normalize_axes(axis, a.ndim, single=True)
        return run(reduction, a, axes, keepdims, out, name)

    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = (f"NumPy's {name}(a, axis=None, out=None, *, keepdims=False): int64 "
                      "indices (into the flattened array for axis=None).")
    return reduce


argmax = _arg(_core.REDUCE_ARGMAX, "argmax")
argmin = _arg(_core.REDUCE_ARGMIN, "argmin")


def _cumulative(reduction, name):
    def accumulate(a, axis=None, dtype=None, out=None):
        a = device_array(a)
        if axis is None:
            a = a.reshape(-1)
        axes = normalize_axes(0 if axis is None else axis, a.ndim, single=True)
        return run(reduction, cast(a, _accumulation_dtype(a, dtype)), axes, False, out,
                    name)

    return _reduction(accumulate, reduction, name, None,
                      f"NumPy's {name}(a, axis=None, dtype=None, out=None); axis=None runs "
                      "over the flattened array.")


cumsum = _cumulative(_core.REDUCE_CUMSUM, "cumsum")
cumprod = _cumulative(_core.REDUCE_CUMPROD, "cumprod")


def count(shape, axes):
    return math.prod(shape[d] for d in axes)




# ---------------------------------------------------------------- initial= and where=

#: NumPy's name of each elementwise op code ("maximum"), for messages.
_OP_NAMES = {getattr(_core, name): name[3:].lower() for name in dir(_core)
             if name.startswith("OP_")}


def masked_reduce(function, a, axis=None, dtype=None, out=None, keepdims=False,
                  initial=numpy._NoValue, where=True):
    """A reduction (sum, prod, max, min, all, any) with NumPy's initial= and where=,
    composed of device ops: elements outside the mask are replaced by the identity (by
    initial for max and min, which have none and so need it, as NumPy says), then the plain
    reduction runs and initial is combined into its result by the reduction's own op."""
    name = function.__name__
    options = {"dtype": dtype} if function in (sum, prod) else {}
    if where is True and initial is numpy._NoValue:
        return function(a, axis=axis, out=out, keepdims=keepdims, **options)
    a = device_array(a)
    combine, identity = _core.REDUCE_COMBINE[function.reduction], function.identity
    if where is not True:
        fill = identity if identity is not None else initial
        if fill is numpy._NoValue:
            raise ValueError(f"reduction operation '{_OP_NAMES[combine]}' does not have an "
                             f"identity, so to use a where mask one has to specify 'initial'")
        mask = _operands.where_mask(where, a)
        if len(mask.shape) > a.ndim or numpy.broadcast_shapes(mask.shape, a.shape) != a.shape:
            raise ValueError(f"{name}: a where mask of shape {mask.shape} does not broadcast "
                             f"to the array's shape {a.shape}")
        a = _elementwise(_core.OP_WHERE, mask, a, a.dtype.type(fill).item())
    axes = normalize_axes(axis, a.ndim)
    if identity is None and count(a.shape, axes) == 0 and \
            initial is not numpy._NoValue:  # max/min of nothing: initial itself
        shape = result_shape(a.shape, axes, keepdims)
        result = _CoreArray.__new__(type(a), shape, a._dtype_code, "C", a._op_stream)
        _elementwise(_core.OP_COPY, a.dtype.type(initial).item(), out=result)
    else:
        result = function(a, axis=axis, keepdims=keepdims, **options)
    if initial is not numpy._NoValue:
        if function in (sum, prod) and dtype is None and a.dtype.kind == "u":
            numpy.uint64(initial)  # NumPy's unsigned sums are uint64 and refuse -2 so
        # the scalar has the result's dtype: the op computes in it, as the ufunc would
        result = _elementwise(combine, result, result.dtype.type(initial).item())
    return _operands.into_out(name, result, out, "same_kind")


# ---------------------------------------------------------------- ufunc.reduce, accumulate

#: Reduction code -> its function; ufunc.reduce and ufunc.accumulate of op are
#: BY_CODE[_core.UFUNC_REDUCE[op]] and BY_CODE[_core.UFUNC_ACCUMULATE[op]].
BY_CODE = {f.reduction: f for f in (sum, prod, max, min, all, any, cumsum, cumprod)}

__all__ = ["all", "amax", "amin", "any", "argmax", "argmin", "count_nonzero", "cumprod",
           "cumsum", "max", "min", "prod", "sum"]
