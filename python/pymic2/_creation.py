"""Array creation and movement: asarray, empty/zeros/ones/full(_like), arange, linspace, eye,
to_device, asnumpy, from_dlpack, and joining (concatenate, stack, ..., which make new arrays).

Every function takes device= (an OffloadDevice, a selector such as 'host:1', a global index)
or stream= (an OffloadStream); the default is the thread's current stream of the default
device (pymic2.get_current_stream(): a `with stream:` block's, else the default stream).
Data made on the host (Python lists, NumPy arrays) is copied into device memory: the host
device has a memory space of its own, so nothing here aliases host memory.
"""

import math
import numbers
import operator

import numpy

from . import _core, _device, _dtypes
from ._manipulation import broadcast_to, expand_dims, normalize_axis, ravel, reshape

__all__ = [
    "arange", "array", "asarray", "asnumpy", "astype", "atleast_1d", "atleast_2d", "atleast_3d",
    "broadcast_arrays", "concat", "concatenate", "copy", "empty", "empty_like", "eye",
    "from_dlpack", "frombuffer", "full", "full_like", "hstack", "identity", "linspace", "ones", "ones_like",
    "stack", "to_device", "vstack", "zeros", "zeros_like",
]

_elementwise = _core.elementwise
_CoreArray = _core.ndarray


def stream_for(device=None, stream=None, like=None):
    """The core stream new arrays are enqueued on: stream's, else the thread's current
    stream of device, else the stream of ops on like (an array), else the current stream of
    the default device."""
    if stream is not None:
        core = _device.core_stream_of(stream)
        if device is not None and _device_of(device)._device is not core.device:
            raise ValueError(f"stream of {core.device.name} given with device "
                             f"{_device_of(device).name}")
        return core
    if device is not None:
        return _device.get_current_stream(_device_of(device))._stream
    if like is not None:
        return like._op_stream
    return _device.core_stream_of(None)


def _device_of(device):
    if isinstance(device, _core.Device):
        return _device.device_of(device)
    return _device.get_device(device)


def normalize_shape(shape):
    if isinstance(shape, numbers.Integral):
        return (operator.index(shape),)
    return tuple(operator.index(n) for n in shape)


def _new(shape, dtype, order="C", core_stream=None):
    core_stream = core_stream or _device.core_stream_of(None)
    return _CoreArray.__new__(_device.array_classes.ndarray, normalize_shape(shape),
                                     _dtypes.code_of(dtype, core_stream.device), order,
                                     core_stream)


def empty(shape, dtype="float64", order="C", *, device=None, stream=None):
    """An uninitialised device array."""
    return _new(shape, dtype, order, stream_for(device, stream))


def zeros(shape, dtype="float64", order="C", *, device=None, stream=None):
    return empty(shape, dtype, order, device=device, stream=stream).fill(0)


def ones(shape, dtype="float64", order="C", *, device=None, stream=None):
    return empty(shape, dtype, order, device=device, stream=stream).fill(1)


def full(shape, fill_value, dtype=None, order="C", *, device=None, stream=None):
    """An array of fill_value (broadcast); a device-array fill_value also chooses the
    device when neither device nor stream is given."""
    if device is None and stream is None and isinstance(fill_value, _CoreArray):
        stream = fill_value._op_stream
    if dtype is None:
        if isinstance(fill_value, _CoreArray):
            dtype = fill_value.dtype
        else:
            dtype = numpy.asarray(fill_value).dtype
    out = empty(shape, dtype, order, device=device, stream=stream)
    out[...] = fill_value
    return out


def _like(prototype, dtype, order, shape, device, stream):
    dtype = prototype.dtype if dtype is None else dtype
    shape = prototype.shape if shape is None else shape
    if order in ("K", "A", None):
        order = "F" if prototype.f_contiguous and not prototype.c_contiguous else "C"
    return _new(shape, dtype, order, stream_for(device, stream, like=prototype))


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None,
               stream=None):
    return _like(_as_device(prototype), dtype, order, shape, device, stream)


def zeros_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None,
               stream=None):
    return empty_like(prototype, dtype, order, subok, shape, device=device,
                      stream=stream).fill(0)


def ones_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None,
              stream=None):
    return empty_like(prototype, dtype, order, subok, shape, device=device,
                      stream=stream).fill(1)


def full_like(prototype, fill_value, dtype=None, order="K", subok=True, shape=None, *,
              device=None, stream=None):
    out = empty_like(prototype, dtype, order, subok, shape, device=device, stream=stream)
    out[...] = fill_value
    return out


def _as_device(value):
    return value if isinstance(value, _CoreArray) else asarray(value)


def device_operand(value, like=None):
    """value as a device array: itself, or host data copied next to like (a device array;
    None: the default device)."""
    if isinstance(value, _CoreArray):
        return value
    return asarray(value, stream=None if like is None else like._op_stream)


def frombuffer(buffer, dtype=float, count=-1, offset=0, *, device=None, stream=None):
    """NumPy's frombuffer with the result on the device: the host bytes of buffer read as a
    1-D array of dtype (NumPy's checks and errors), uploaded in one transfer."""
    host = numpy.frombuffer(buffer, dtype=dtype, count=count, offset=offset)
    return asarray(host, device=device, stream=stream)


def asarray(obj, dtype=None, device=None, copy=None, *, order="K", stream=None):
    """A device array for obj: a device array of the requested dtype and device is returned
    as is (copy=True copies it); host data (NumPy arrays, nested lists, scalars) is copied to
    the device, so copy=False fails for it (ValueError, as the array API asks)."""
    if isinstance(obj, _CoreArray):
        core = stream_for(device, stream, like=obj)
        if core.device is not obj._device:
            if copy is False:
                raise ValueError(f"asarray(copy=False): the array is on {obj._device.name}, "
                                 f"moving it to {core.device.name} needs a copy")
            obj = to_device(obj, core)
            copy = False  # already a new array
        target = obj.dtype if dtype is None else _dtypes.normalize(dtype, core.device)
        if target != obj.dtype or copy:
            if copy is False:
                raise ValueError(f"asarray(copy=False): converting {obj.dtype} to {target} "
                                 "needs a copy")
            return _elementwise(_core.OP_COPY, obj, dtype=_dtypes.CODES[target])
        return obj
    if copy is False:
        raise ValueError("asarray(copy=False): host data is always copied into device memory "
                         "(the device has its own memory space)")
    if isinstance(obj, (list, tuple)) and _holds_device_arrays(obj):
        return stack([asarray(item, dtype, device, stream=stream)
                                    for item in obj])
    core = stream_for(device, stream)
    host = numpy.asarray(obj, dtype=dtype)
    if dtype is None and host.dtype not in _dtypes.CODES:
        _dtypes.normalize(host.dtype, core.device, "host data of dtype",
                          "; pass dtype= to convert it")
    out = _new(host.shape, _dtypes.normalize(host.dtype, core.device),
               "F" if order == "F" or (order in ("K", "A") and host.flags.f_contiguous
                                       and not host.flags.c_contiguous) else "C", core)
    return out.set(host)


def _holds_device_arrays(sequence):
    return any(isinstance(item, _CoreArray) or
               (isinstance(item, (list, tuple)) and _holds_device_arrays(item))
               for item in sequence)


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, device=None,
          stream=None):
    """Like numpy.array: a copy unless copy is False or None and none is needed (host
    data always needs one, so copy=False raises ValueError for it, as in asarray)."""
    out = asarray(obj, dtype, device, copy=copy, order=order, stream=stream)
    if out.ndim < ndmin:
        out = out.reshape((1,) * (ndmin - out.ndim) + out.shape)
    return out


def to_device(x, device, stream=None):
    """x on another device (a copy through host memory) or, for its own device, x itself.
    device may be an OffloadDevice, a selector, an index, or an OffloadStream/core Stream."""
    if isinstance(device, (_core.Stream, _device.OffloadStream)):
        core = _device.core_stream_of(device)
    else:
        core = stream_for(device, stream)
    if core.device is x._device:
        if core is not x._stream:
            x = x._view(x.offset, x.shape, x.strides)
            x._stream = core
        return x
    out = _new(x.shape, x.dtype, x.order, core)
    return out.set(x.get())


def asnumpy(a, stream=None, order="C"):
    """A NumPy copy of a device array (numpy.asarray for anything else), like cupy.asnumpy."""
    if isinstance(a, _CoreArray):
        return numpy.asarray(a.get(), order=order)
    return numpy.asarray(a, order=order)


def from_dlpack(x, /, *, device=None, copy=None):
    """A device array from a DLPack producer. A pymic2 array is returned as is (or copied
    with copy=True); anything else (a NumPy array, ...) must live in CPU memory and is
    copied into device memory, because device memory is a separate space even on the host
    backend: copy=False therefore raises ValueError for it."""
    if isinstance(x, _CoreArray):
        return asarray(x, device=device, copy=copy)
    if copy is False:
        raise ValueError("from_dlpack(copy=False): data from another library is always copied "
                         "into device memory (the device has its own memory space)")
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: {type(x).__name__} does not implement __dlpack__")
    host = numpy.from_dlpack(x)  # a zero-copy NumPy view of the producer's CPU memory
    return asarray(host, device=device)


def _scalar(value, name):
    scalar = _dtypes.host_scalar(value)
    if scalar is None and isinstance(value, _CoreArray) and value.size == 1:
        scalar = value.item()  # a synchronising read, as for float(x)
    if scalar is None:
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}")
    return scalar


def arange(start, stop=None, step=None, dtype=None, *, device=None, stream=None):
    """Evenly spaced values in [start, stop): out[i] = start + i*step, with NumPy's length
    ceil((stop - start) / step) and dtype (int64 for integers, float64 if any is a float)."""
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    start, stop, step = (_scalar(v, n) for v, n in ((start, "start"), (stop, "stop"),
                                                    (step, "step")))
    if step == 0:
        raise ZeroDivisionError("arange: step must not be zero")
    if any(isinstance(v, complex) for v in (start, stop, step)):
        raise TypeError("arange of complex values is not supported on the device")
    if all(isinstance(v, int) for v in (start, stop, step)):
        length = max(-((start - stop) // step), 0)
    else:
        length = max(math.ceil((stop - start) / step), 0)
    dtype = _dtypes.normalize(numpy.result_type(start, stop, step) if dtype is None else dtype,
                              stream_for(device, stream).device)
    if dtype.kind == "c" or dtype.kind == "b":
        raise TypeError(f"arange: dtype {dtype} is not supported (ARANGE fills real numbers)")
    out = empty(length, dtype, device=device, stream=stream)
    if length == 0:
        return out
    if dtype.kind in "iu":
        # NumPy computes the first two values in the output dtype; the step is their difference
        first, second = int(start), int(start + step)
        return _elementwise(_core.OP_ARANGE, first, second - first, out=out)
    if dtype == numpy.float16:
        # NumPy's float16 arange (HALF_fill): its first two values in float16, the rest
        # start + i * (second - start) in float32, each rounded to float16
        first = numpy.float32(numpy.float16(start))
        delta = numpy.float32(numpy.float16(start + step)) - first
        values = _elementwise(_core.OP_ARANGE, float(first), float(delta),
                              out=empty(length, numpy.float32, device=device, stream=stream))
        return _elementwise(_core.OP_COPY, values, out=out)
    return _elementwise(_core.OP_ARANGE, float(start), float(step), out=out)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None, stream=None):
    """num evenly spaced samples over [start, stop] (NumPy's arithmetic: arange(num) * step +
    start, the last sample set to stop when endpoint; integer dtypes take the floor)."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    if axis not in (0, -1):
        raise numpy.exceptions.AxisError(axis, 1)
    start, stop = _scalar(start, "start"), _scalar(stop, "stop")
    compute = _dtypes.normalize(numpy.result_type(start, stop, 1.0))
    dtype = compute if dtype is None else _dtypes.normalize(dtype,
                                                            stream_for(device, stream).device)
    div = num - 1 if endpoint else num
    delta = stop - start
    samples = arange(0, num, dtype="float64", device=device, stream=stream)
    if compute.kind == "c":
        samples = samples.astype(compute)
    step = delta / div if div > 0 else math.nan
    if div > 0 and step != 0:
        samples = _elementwise(_core.OP_MULTIPLY, samples, step)
    elif div > 0:
        samples = _elementwise(_core.OP_MULTIPLY,
                               _elementwise(_core.OP_DIVIDE, samples, float(div)), delta)
    else:
        samples = _elementwise(_core.OP_MULTIPLY, samples, delta)
    samples = _elementwise(_core.OP_ADD, samples, start)
    if endpoint and num > 1:
        samples[-1] = stop
    if dtype.kind in "iu":
        samples = _elementwise(_core.OP_FLOOR_DIVIDE, samples, 1.0)
    result = samples if samples.dtype == dtype else samples.astype(dtype)
    return (result, step) if retstep else result


def eye(N, M=None, k=0, dtype="float64", order="C", *, device=None, stream=None):
    """Ones on the k-th diagonal, written through a strided view of the diagonal."""
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(k)
    out = zeros((N, M), dtype, order, device=device, stream=stream)
    length = max(0, min(N + min(k, 0), M - max(k, 0)))
    if length > 0:
        row, column = out.strides
        offset = out.offset + (max(k, 0) * column) + (max(-k, 0) * row)
        out._view(offset, (length,), (row + column,)).fill(1)
    return out


def identity(n, dtype="float64", *, device=None, stream=None):
    return eye(n, dtype=dtype, device=device, stream=stream)


def _check_same_device(*values):
    """ValueError naming both devices if device arrays among values live on two devices."""
    first = None
    for value in values:
        if isinstance(value, _CoreArray):
            if first is None:
                first = value
            elif value._device is not first._device:
                raise ValueError(f"arrays on two devices, {first._device.name} and "
                                 f"{value._device.name}: move one with to_device() first")


# ---------------------------------------------------------------- joining

def broadcast_arrays(*args, subok=False):
    """The arrays broadcast to one shape: read-only views (broadcast_to) where a shape
    changes, the array itself where it does not, as NumPy. (NumPy 2 still lets one write
    into the broadcast views with a FutureWarning; here they are read-only already.)"""
    arrays = _device_arrays(args)
    shape = numpy.broadcast_shapes(*(a.shape for a in arrays))
    return tuple(a if a.shape == shape else broadcast_to(a, shape) for a in arrays)


def _device_arrays(values):
    """Device arrays for values (host data is uploaded next to the first device array);
    ValueError naming both devices if they live on two."""
    like = next((v for v in values if isinstance(v, _CoreArray)), None)
    _check_same_device(*values)
    return [v if isinstance(v, _CoreArray) else
            asarray(v, stream=None if like is None else like._op_stream)
            for v in values]


def concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """Joins arrays along an existing axis (axis=None: flattened), one COPY per input into a
    view of the output."""
    arrays = _device_arrays(list(arrays))
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    first = arrays[0]
    if first.ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    axis = normalize_axis(axis, first.ndim)
    for k, a in enumerate(arrays[1:], 1):
        if a.ndim != first.ndim:
            raise ValueError(f"all the input array dimensions except for the concatenation axis "
                             f"must match exactly, but array 0 has {first.ndim} dimension(s) and "
                             f"array {k} has {a.ndim}")
        for i in range(first.ndim):
            if i != axis and a.shape[i] != first.shape[i]:
                raise ValueError(f"all the input array dimensions except for the concatenation "
                                 f"axis must match exactly, but along dimension {i}, the array "
                                 f"at index 0 has size {first.shape[i]} and the array at index "
                                 f"{k} has size {a.shape[i]}")
    shape = list(first.shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    result = _dtypes.result_type(*arrays) if dtype is None else _dtypes.normalize(dtype,
                                                                                first._device)
    if out is None:
        out = _CoreArray.__new__(type(first), tuple(shape), _dtypes.CODES[result], "C",
                                        first._op_stream)
    elif out.shape != tuple(shape):
        raise ValueError(f"concatenate: out has shape {out.shape}, the result {tuple(shape)}")
    for a in arrays:
        if not numpy.can_cast(a.dtype, out.dtype, casting=casting):
            raise TypeError(f"Cannot cast array data from {a.dtype} to {out.dtype} according "
                            f"to the rule {casting!r}")
    position = 0
    for a in arrays:
        n = a.shape[axis]
        if n:
            part = out._view(out.offset + position * out.strides[axis],
                             out.shape[:axis] + (n,) + out.shape[axis + 1:], out.strides)
            _elementwise(_core.OP_COPY, a, out=part)
        position += n
    return out


def concat(arrays, /, *, axis=0):
    return concatenate(arrays, axis=axis)


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    arrays = _device_arrays(list(arrays))
    if not arrays:
        raise ValueError("need at least one array to stack")
    if len({a.shape for a in arrays}) != 1:
        raise ValueError("all input arrays must have the same shape")
    axis = normalize_axis(axis, arrays[0].ndim + 1)
    return concatenate([expand_dims(a, axis) for a in arrays], axis, out, dtype, casting)


def atleast_1d(*arys):
    results = [a if a.ndim >= 1 else reshape(a, (1,)) for a in _device_arrays(arys)]
    return results[0] if len(results) == 1 else tuple(results)


def atleast_2d(*arys):
    results = [a if a.ndim >= 2 else reshape(a, (1,) * (2 - a.ndim) + a.shape)
               for a in _device_arrays(arys)]
    return results[0] if len(results) == 1 else tuple(results)


def atleast_3d(*arys):
    def lift(a):
        if a.ndim == 0:
            return reshape(a, (1, 1, 1))
        if a.ndim == 1:
            return reshape(a, (1, a.shape[0], 1))
        return a if a.ndim >= 3 else expand_dims(a, 2)

    results = [lift(a) for a in _device_arrays(arys)]
    return results[0] if len(results) == 1 else tuple(results)


def vstack(tup, *, dtype=None, casting="same_kind"):
    arrays = atleast_2d(*tup)
    arrays = [arrays] if not isinstance(arrays, tuple) else list(arrays)
    return concatenate(arrays, 0, dtype=dtype, casting=casting)


def hstack(tup, *, dtype=None, casting="same_kind"):
    arrays = atleast_1d(*tup)
    arrays = [arrays] if not isinstance(arrays, tuple) else list(arrays)
    return concatenate(arrays, 0 if arrays[0].ndim == 1 else 1, dtype=dtype, casting=casting)


def copy(a, order="K", subok=False):
    a = _device_arrays([a])[0]
    return a.copy(order="F" if order in ("F", "f") or (order in ("K", "A") and a.f_contiguous
                                                       and not a.c_contiguous) else "C")


def astype(x, dtype, /, *, copy=True, device=None):
    if device is not None:
        x = to_device(x, device)
    return x.astype(dtype, copy=copy)
