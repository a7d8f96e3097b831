"""Operands and outputs of device operations, shared by the function modules: host data
uploaded next to a device array, scalars as 0-d arrays, where= masks, and out= arguments
checked and written with NumPy's casting rules. Arrays made here take the class of the array
they go with (`like`), so this module needs no array class of its own.
"""

import numpy

from . import _core, _dtypes

_elementwise = _core.elementwise
_CoreArray = _core.ndarray
_BOOL = _dtypes.CODES[numpy.dtype(bool)]


def upload(host, like):
    """A device copy of a host array, on the stream of ops on like (a temporary for one
    operation)."""
    host = numpy.asarray(host)
    if host.dtype.kind not in "biufc":
        raise TypeError(f"cannot use a host array of dtype {host.dtype} in a device operation")
    dtype = _dtypes.normalize(host.dtype, like._device, "a host operand of dtype",
                              "; convert it with astype first")
    device_array = _CoreArray.__new__(type(like), host.shape, _dtypes.CODES[dtype], "C",
                                      like._op_stream)
    # the core keeps the contiguous host copy alive until the transfer completed
    device_array._from_host(numpy.ascontiguousarray(host, dtype=dtype))
    return device_array


def zero_dim(value, code, like):
    """A 0-d device array holding a scalar, on the stream of ops on like."""
    array = _CoreArray.__new__(type(like), (), code, "C", like._op_stream)
    return _elementwise(_core.OP_COPY, value, out=array)


def write_out(op_name, result, out, casting):
    """Copies a result into out with NumPy's output casting check; returns out."""
    if not numpy.can_cast(result.dtype, out.dtype, casting=casting):
        raise TypeError(f"Cannot cast ufunc '{op_name}' output from {result.dtype!r} to "
                        f"{out.dtype!r} with casting rule '{casting}'")
    return _elementwise(_core.OP_COPY, result, out=out)


def into_out(op_name, result, out, casting):
    """result when out is None, else result written into out (one array, or a 1-tuple) of
    the same shape under NumPy's casting rule; returns out."""
    out = single_out(out)
    if out is None:
        return result
    if out.shape != result.shape:
        raise ValueError(f"{op_name}: out has shape {out.shape}, the result has shape "
                         f"{result.shape}")
    return write_out(op_name, result, out, casting)


def single_out(out):
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError(f"out must be a single array, not a tuple of {len(out)}")
        out = out[0]
    if out is not None and not isinstance(out, _CoreArray):
        raise TypeError(f"out must be a pymic2 array, not {type(out).__name__}")
    return out


def output_pair(name, outs, out):
    """The two outputs of a two-output function (divmod, frexp, modf), given positionally
    or as out=(out1, out2); either may be None."""
    if outs and out is not None:
        raise TypeError(f"{name}: cannot specify 'out' as both a positional and keyword "
                        "argument")
    outs = outs or ((None, None) if out is None else tuple(out) if isinstance(out, tuple)
                    else (out,))
    if len(outs) != 2:
        raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
    return outs


def where_mask(where, like):
    """A where= argument as a bool device array for ops on like. NumPy casts it to bool
    with the 'safe' rule, so only bool masks are taken."""
    if isinstance(where, (bool, numpy.bool_)):
        return zero_dim(bool(where), _BOOL, like)
    if isinstance(where, _CoreArray):
        mask_dtype = where.dtype
    else:
        where = numpy.asarray(where)
        mask_dtype = where.dtype
    if mask_dtype != numpy.bool_:
        raise TypeError(f"Cannot cast array data from {mask_dtype!r} to dtype('bool') "
                        f"according to the rule 'safe'")
    return where if isinstance(where, _CoreArray) else upload(where, like)


def filled_bool(like, value):
    """A bool array of like's shape, on its stream, with every element value."""
    result = _CoreArray.__new__(type(like), like.shape, _BOOL, "C", like._stream)
    _elementwise(_core.OP_COPY, value, out=result)
    return result
