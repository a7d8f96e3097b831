"""pymic2.ndarray (device array) and OffloadArray (pyMIC's array with a host mirror).

The data, shape, strides and the element operations live in C (_core.ndarray and
_core.elementwise); this module only normalises arguments: type promotion by NumPy's rules,
casts (COPY), host uploads, basic indexing and the Python protocols. The operators and math
methods come from _math._MathMethods.
"""

import numbers
import operator

import numpy

from . import _core, _dtypes, _indexing, _math
from ._manipulation import _ManipulationMethods
from ._protocols import _ProtocolMethods

_elementwise = _core.elementwise
_CoreArray = _core.ndarray


# _stream and _device import this module, so they are reached lazily from here.
def _stream_module():
    from . import _stream

    return _stream


def _device_module():
    from . import _device

    return _device


def _core_stream_of(stream):
    """The core Stream for an OffloadStream, a core Stream or None (the thread's current
    stream of the default device)."""
    if stream is None:
        return _stream_module().get_current_stream()._stream
    if isinstance(stream, _core.Stream):
        return stream
    if isinstance(stream, _stream_module().OffloadStream):
        return stream._stream
    raise TypeError(f"stream must be an OffloadStream, not {type(stream).__name__}")


def _normalize_shape(shape):
    if isinstance(shape, numbers.Integral):
        return (operator.index(shape),)
    return tuple(operator.index(n) for n in shape)


def _host_scalar(value):
    """Python scalars pass as they are, NumPy scalars become Python ones; None otherwise."""
    if isinstance(value, (bool, int, float, complex)):
        return value
    if isinstance(value, numpy.generic) and value.dtype.kind in "biufc":
        return value.item()
    return None


class _Flags:
    """The subset of numpy's flags that describes a device array: its layout, and WRITEABLE
    (False for broadcast views; settable like NumPy's, except that an array whose elements
    share memory cannot be made writeable)."""

    __slots__ = ("_array", "c_contiguous", "f_contiguous")

    def __init__(self, array):
        self._array = array
        self.c_contiguous = array.c_contiguous
        self.f_contiguous = array.f_contiguous

    @property
    def writeable(self):
        return not self._array._readonly

    @writeable.setter
    def writeable(self, value):
        self._array._readonly = not value

    def __getitem__(self, key):
        return {"C_CONTIGUOUS": self.c_contiguous, "C": self.c_contiguous,
                "F_CONTIGUOUS": self.f_contiguous, "F": self.f_contiguous,
                "WRITEABLE": self.writeable, "W": self.writeable}[key]

    def __setitem__(self, key, value):
        if key not in ("WRITEABLE", "W"):
            raise KeyError(f"flag {key!r} cannot be set on a device array")
        self.writeable = value

    def __repr__(self):
        return (f"  C_CONTIGUOUS : {self.c_contiguous}\n  F_CONTIGUOUS : {self.f_contiguous}"
                f"\n  WRITEABLE : {self.writeable}")


class ndarray(_math._MathMethods, _ManipulationMethods, _ProtocolMethods, _CoreArray):
    """An array in a device's memory; element operations run on the device.

    ndarray(shape, dtype=float64, order='C', stream=None) allocates an uninitialised array
    on the stream's device (default: the current stream of the default device).
    """

    __hash__ = None

    def __new__(cls, shape, dtype=numpy.float64, order="C", stream=None):
        core = _core_stream_of(stream)
        return _CoreArray.__new__(cls, _normalize_shape(shape),
                                  _dtypes.code_of(dtype, core.device), order, core)

    # ------------------------------------------------------------ attributes

    @property
    def stream(self):
        return _stream_module().wrap(self._stream)

    @stream.setter
    def stream(self, stream):
        self._stream = _core_stream_of(stream)

    @property
    def device(self):
        return _device_module().device_of(self._device)

    @property
    def flags(self):
        return _Flags(self)

    @property
    def order(self):
        return "F" if self.f_contiguous and not self.c_contiguous else "C"

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __getitem__(self, key):
        if _indexing.is_advanced(key):  # integer or boolean arrays: a gather
            return _indexing.getitem(self, key)
        return _index_view(self, key)

    def __setitem__(self, key, value):
        if _indexing.is_advanced(key):  # a scatter (a[idx] op= v: gather, op, scatter)
            _indexing.setitem(self, key, value)
            return
        _assign(_index_view(self, key), value)

    def take(self, indices, axis=None, out=None, mode="raise"):
        return _indexing.take(self, indices, axis, out, mode)

    def put(self, indices, values, mode="raise"):
        _indexing.put(self, indices, values, mode)

    def compress(self, condition, axis=None, out=None):
        return _indexing.compress(condition, self, axis, out)

    def nonzero(self):
        """The indices of the nonzero elements, one int64 device array per dimension
        (computed on the device; only their count is read back)."""
        return _indexing.nonzero(self)

    # ------------------------------------------------------------ printing

    def __repr__(self):
        """NumPy's repr with the device added: array([1., 2.], device='host:0'), what
        pymic2.array(...) takes back."""
        text = repr(self.get())
        return f"array{text[text.index('('):-1]}, device='{self._device.name}')"

    def __str__(self):
        return str(self.get())


# ---------------------------------------------------------------- helpers

def _upload(host, like):
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


def _assign(target, value):
    """target[...] = value by COPY (numpy's casting for assignment)."""
    if isinstance(value, _CoreArray):
        _elementwise(_core.OP_COPY, value, out=target)
        return
    scalar = _host_scalar(value)
    if scalar is not None:
        _elementwise(_core.OP_COPY, target.dtype.type(scalar).item(), out=target)
        return
    _elementwise(_core.OP_COPY, _upload(value, target), out=target)


def _is_bool(key):
    return isinstance(key, (bool, numpy.bool_))


def _index_view(array, key):
    """The view numpy's basic indexing gives (ints, slices, None, Ellipsis, and the scalar
    booleans, which NumPy reads as 0-d masks)."""
    if not isinstance(key, tuple):
        key = (key,)
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis and not _is_bool(k))
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_real > array.ndim:
        raise IndexError(f"too many indices for array: array is {array.ndim}-dimensional, "
                         f"but {n_real} were indexed")
    expanded = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([slice(None)] * (array.ndim - n_real))
        else:
            expanded.append(k)
    if Ellipsis not in key:
        expanded.extend([slice(None)] * (array.ndim - n_real))
    offset, shape, strides, axis = array.offset, [], [], 0
    old_shape, old_strides = array.shape, array.strides
    for k in expanded:
        if k is None:
            shape.append(1)
            strides.append(0)
        elif _is_bool(k):  # a 0-d mask: a new axis holding everything (True) or nothing
            shape.append(1 if k else 0)
            strides.append(0)
        elif isinstance(k, slice):
            start, stop, step = k.indices(old_shape[axis])
            n = len(range(start, stop, step))
            if n > 0:
                offset += start * old_strides[axis]
            shape.append(n)
            strides.append(old_strides[axis] * step)
            axis += 1
        elif isinstance(k, (numbers.Integral, numpy.integer)) and not isinstance(k, bool):
            i, n = operator.index(k), old_shape[axis]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            offset += (i % n) * old_strides[axis]
            axis += 1
        else:
            raise IndexError(f"only basic indexing is supported on the device (ints, slices, "
                             f"None, ...), not {type(k).__name__}")
    return array._view(offset, tuple(shape), tuple(strides))


class OffloadArray(ndarray):
    """pyMIC's array: a device array plus a NumPy host mirror (`array`) that update_host()
    and update_device() transfer asynchronously on the stream of ops on the array (its own
    stream unless a `with stream:` block of its device is active)."""

    def __new__(cls, shape, dtype=numpy.float64, order="C", *, device=None, stream=None):
        if stream is None and device is not None:
            stream = _stream_module().get_current_stream(device)
        return ndarray.__new__(cls, shape, dtype, order, stream)

    @property
    def array(self):
        """The host mirror (allocated on first use; its content is whatever was last
        transferred with update_host() or given to bind())."""
        mirror = self.__dict__.get("_mirror")
        if mirror is None:
            mirror = self.__dict__["_mirror"] = numpy.empty(self.shape, self.dtype,
                                                            order=self.order)
        return mirror

    @array.setter
    def array(self, host):
        if not isinstance(host, numpy.ndarray) or host.shape != self.shape \
                or host.dtype != self.dtype:
            raise ValueError(f"the host mirror must be a numpy.ndarray of shape {self.shape} "
                             f"and dtype {self.dtype}")
        self.__dict__["_mirror"] = host

    def update_device(self):
        """Enqueues host mirror -> device; returns self."""
        return self.set(self.array)

    def update_host(self):
        """Enqueues device -> host mirror; returns self (sync the stream before reading)."""
        mirror = self.array
        if (mirror.flags.c_contiguous and self.c_contiguous) or \
                (mirror.flags.f_contiguous and self.f_contiguous):
            self._to_host(mirror)
        else:
            mirror[...] = self.get()
        return self

    def fillfrom(self, host):
        """Copies a host array of the same shape into the device array; returns self."""
        host = numpy.asarray(host)
        if host.shape != self.shape:
            raise ValueError(f"fillfrom: shape {host.shape} does not match {self.shape}")
        _assign(self, host)
        return self

    def zero(self):
        return self.fill(0)

    def one(self):
        return self.fill(1)

    def reverse(self):
        """A new array with the elements in reverse order (every axis reversed)."""
        offset = self.offset + sum((n - 1) * s for n, s in zip(self.shape, self.strides)
                                   if n > 0)
        if self.size == 0:
            return self.copy()
        view = self._view(offset, self.shape, tuple(-s for s in self.strides))
        return _elementwise(_core.OP_COPY, view)

    def __repr__(self):
        """NumPy's repr under this class's name, as before (pyMIC code prints these)."""
        text = repr(self.get())
        return type(self).__name__ + text[text.index("("):]

    def reshape(self, *shape, order="C"):
        view = ndarray.reshape(self, *shape, order=order)
        mirror = self.__dict__.get("_mirror")
        if mirror is not None and view.buffer is self.buffer:
            view.__dict__["_mirror"] = mirror.reshape(view.shape, order=order)
        return view
