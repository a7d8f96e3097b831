"""pymic2.ndarray (device array) and OffloadArray (pyMIC's array with a host mirror).

The data, shape, strides and the element operations live in C (_core.ndarray and
_core.elementwise); this module only normalises arguments: type promotion by NumPy's rules,
casts (COPY), host uploads, basic indexing and the Python protocols.
"""

import math
import numbers
import operator

import numpy

from . import _core, _dtypes

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
    """The core Stream for an OffloadStream, a core Stream or None (the default device's)."""
    if stream is None:
        return _device_module().default_device().get_default_stream()._stream
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
    """The subset of numpy's flags that describes a device array's layout."""

    __slots__ = ("c_contiguous", "f_contiguous")

    def __init__(self, array):
        self.c_contiguous = array.c_contiguous
        self.f_contiguous = array.f_contiguous

    def __getitem__(self, key):
        return {"C_CONTIGUOUS": self.c_contiguous, "C": self.c_contiguous,
                "F_CONTIGUOUS": self.f_contiguous, "F": self.f_contiguous}[key]

    def __repr__(self):
        return f"  C_CONTIGUOUS : {self.c_contiguous}\n  F_CONTIGUOUS : {self.f_contiguous}"


class ndarray(_CoreArray):
    """An array in a device's memory; element operations run on the device.

    ndarray(shape, dtype=float64, order='C', stream=None) allocates an uninitialised array
    on the stream's device (default: the default device's default stream).
    """

    __array_ufunc__ = None  # numpy_array + device_array defers to our reflected operators
    __hash__ = None

    def __new__(cls, shape, dtype=numpy.float64, order="C", stream=None):
        return _CoreArray.__new__(cls, _normalize_shape(shape), _dtypes.code_of(dtype),
                                  order, _core_stream_of(stream))

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

    @property
    def T(self):
        return self.transpose()

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __bool__(self):
        if self.size != 1:
            raise ValueError("the truth value of an array with more than one element is "
                             "ambiguous")
        return bool(self.get())

    # ------------------------------------------------------------ host transfers

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"{type(self).__name__} lives in device memory and is not converted "
                        "implicitly; call .get() (or OffloadArray.update_host()) for a NumPy copy")

    def get(self):
        """A NumPy copy of the data (waits for the array's stream)."""
        source = self if (self.c_contiguous or self.f_contiguous) else self.copy()
        host = numpy.empty(self.shape, self.dtype, order=source.order)
        source._to_host(host)
        self._stream.sync()
        return host

    def item(self):
        """The only element as a Python scalar (waits for the stream)."""
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self.get().item()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def tolist(self):
        return self.get().tolist()

    def set(self, host):
        """Copies a NumPy array (or anything numpy.asarray takes) of the same shape into this
        array, asynchronously on its stream."""
        host = numpy.asarray(host)
        if host.shape != self.shape:
            raise ValueError(f"set: host array of shape {host.shape} does not match the device "
                             f"array's shape {self.shape}")
        if self.c_contiguous or self.f_contiguous:
            self._from_host(numpy.asarray(host, dtype=self.dtype, order=self.order))
        else:
            _elementwise(_core.OP_COPY, _upload(host, self), out=self)
        return self

    # ------------------------------------------------------------ copies and views

    def copy(self, order="C"):
        out = _CoreArray.__new__(type(self), self.shape, self._dtype_code, order, self._stream)
        return _elementwise(_core.OP_COPY, self, out=out)

    def astype(self, dtype, copy=True):
        code = _dtypes.code_of(dtype)
        if code == self._dtype_code and not copy:
            return self
        return _elementwise(_core.OP_COPY, self, dtype=code)

    def fill(self, value):
        """Sets every element to value (cast to the array's dtype like numpy's fill)."""
        _elementwise(_core.OP_COPY, self.dtype.type(value).item(), out=self)
        return self

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = shape[0]
        shape = _normalize_shape(shape)
        unknown = [i for i, n in enumerate(shape) if n == -1]
        if len(unknown) > 1:
            raise ValueError("can only specify one unknown dimension")
        known = math.prod(n for n in shape if n != -1)
        if unknown and known > 0 and self.size % known == 0:
            shape = shape[:unknown[0]] + (self.size // known,) + shape[unknown[0] + 1:]
        if math.prod(shape) != self.size or min(shape, default=0) < 0:
            raise ValueError(f"cannot reshape array of size {self.size} into shape {shape}")
        fortran = order in ("F", "f")
        source = self
        if not (self.f_contiguous if fortran else self.c_contiguous):
            source = self.copy(order="F" if fortran else "C")
        strides, step = [0] * len(shape), self.itemsize
        for i in (range(len(shape)) if fortran else reversed(range(len(shape)))):
            strides[i] = step
            step *= max(shape[i], 1)
        return source._view(source.offset, shape, tuple(strides))

    def ravel(self, order="C"):
        return self.reshape(-1, order=order)

    def flatten(self, order="C"):
        """A flat copy (ravel gives a view when it can)."""
        return self.ravel(order).copy()

    def transpose(self, *axes):
        if not axes or axes == (None,):
            axes = tuple(reversed(range(self.ndim)))
        elif len(axes) == 1 and not isinstance(axes[0], numbers.Integral):
            axes = tuple(axes[0])
        axes = [operator.index(a) + (self.ndim if operator.index(a) < 0 else 0) for a in axes]
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError(f"axes {tuple(axes)} are not a permutation of the array's "
                             f"{self.ndim} dimensions")
        shape, strides = self.shape, self.strides
        return self._view(self.offset, tuple(shape[a] for a in axes),
                          tuple(strides[a] for a in axes))

    def __getitem__(self, key):
        return _index_view(self, key)

    def __setitem__(self, key, value):
        _assign(_index_view(self, key), value)

    # ------------------------------------------------------------ arithmetic

    def __add__(self, other):
        return _binary(_core.OP_ADD, self, other)

    def __radd__(self, other):
        return _binary(_core.OP_ADD, other, self)

    def __iadd__(self, other):
        return _binary(_core.OP_ADD, self, other, out=self)

    def __sub__(self, other):
        return _binary(_core.OP_SUBTRACT, self, other)

    def __rsub__(self, other):
        return _binary(_core.OP_SUBTRACT, other, self)

    def __isub__(self, other):
        return _binary(_core.OP_SUBTRACT, self, other, out=self)

    def __mul__(self, other):
        return _binary(_core.OP_MULTIPLY, self, other)

    def __rmul__(self, other):
        return _binary(_core.OP_MULTIPLY, other, self)

    def __imul__(self, other):
        return _binary(_core.OP_MULTIPLY, self, other, out=self)

    def __pow__(self, other):
        return _binary(_core.OP_POWER, self, other)

    def __rpow__(self, other):
        return _binary(_core.OP_POWER, other, self)

    def __ipow__(self, other):
        return _binary(_core.OP_POWER, self, other, out=self)

    def __neg__(self):
        return _elementwise(_core.OP_NEGATIVE, self)

    def __pos__(self):
        return self.copy()

    def __abs__(self):
        return _elementwise(_core.OP_ABSOLUTE, self)

    def abs(self):
        return self.__abs__()

    # ------------------------------------------------------------ printing

    def __repr__(self):
        text = repr(self.get())
        return type(self).__name__ + text[text.index("("):]

    def __str__(self):
        return str(self.get())


# ---------------------------------------------------------------- helpers

def _upload(host, like):
    """A device copy of a host array, on like's stream (a temporary for one operation)."""
    host = numpy.asarray(host)
    if host.dtype.kind not in "biufc":
        raise TypeError(f"cannot use a host array of dtype {host.dtype} in a device operation")
    dtype = _dtypes.normalize(_dtypes._WIDENED.get(host.dtype, host.dtype))
    device_array = _CoreArray.__new__(type(like), host.shape, _dtypes.CODES[dtype], "C",
                                      like._stream)
    # the core keeps the contiguous host copy alive until the transfer completed
    device_array._from_host(numpy.ascontiguousarray(host, dtype=dtype))
    return device_array


def _operand(value, like):
    """A device array or a Python scalar for one operand; None if the type is not usable."""
    if isinstance(value, _CoreArray):
        return value
    if _host_scalar(value) is not None:
        return value  # NumPy scalars keep their (strong) dtype for promotion
    if isinstance(value, (numpy.ndarray, list, tuple)):
        return _upload(value, like)
    return None


def _binary(op, x, y, out=None):
    # the common cases (two arrays of one dtype, an array and a Python scalar that does not
    # promote it) go straight to C
    if isinstance(x, _CoreArray) and (out is None or out._dtype_code == x._dtype_code):
        code, kind = x._dtype_code, type(y)
        if (kind is type(x) and y._dtype_code == code) or \
                (kind is float and code in _dtypes.FLOAT_SAFE) or \
                (kind is int and code in _dtypes.INT_SAFE):
            return _elementwise(op, x, y, out=out)
    like = x if isinstance(x, _CoreArray) else y
    a, b = _operand(x, like), _operand(y, like)
    if a is None or b is None:
        return NotImplemented
    dtype = _dtypes.result_type(a, b)
    a, b = _cast(a, dtype), _cast(b, dtype)
    if out is None or out.dtype == dtype:
        return _elementwise(op, a, b, out=out)
    if not numpy.can_cast(dtype, out.dtype, casting="same_kind"):
        raise TypeError(f"cannot cast the result of dtype {dtype} to the output's dtype "
                        f"{out.dtype} with casting rule 'same_kind'")
    return _elementwise(_core.OP_COPY, _elementwise(op, a, b), out=out)


def _cast(value, dtype):
    """An array operand converted to dtype by COPY; a scalar as a Python number (which C
    converts to dtype)."""
    if isinstance(value, _CoreArray):
        if value.dtype != dtype:
            return _elementwise(_core.OP_COPY, value, dtype=_dtypes.CODES[dtype])
        return value
    return _host_scalar(value)


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


def _index_view(array, key):
    """The view numpy's basic indexing gives (ints, slices, None, Ellipsis)."""
    if not isinstance(key, tuple):
        key = (key,)
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
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
    and update_device() transfer asynchronously on the array's stream."""

    def __new__(cls, shape, dtype=numpy.float64, order="C", *, device=None, stream=None):
        if stream is None and device is not None:
            stream = _device_module().get_device(device).get_default_stream()
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

    def reshape(self, *shape, order="C"):
        view = ndarray.reshape(self, *shape, order=order)
        mirror = self.__dict__.get("_mirror")
        if mirror is not None and view.buffer is self.buffer:
            view.__dict__["_mirror"] = mirror.reshape(view.shape, order=order)
        return view
