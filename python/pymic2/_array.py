"""pymic2.ndarray (device array) and OffloadArray (pyMIC's array with a host mirror).

The data, shape, strides and the element operations live in C (_core.ndarray and
_core.elementwise). This module is the top of the package's layers: it imports the function
modules and assembles the class from their method mixins (operators from _math, reductions
from _statistics, products from _linalg, subscripts from _indexing, views and transfers from
_manipulation, copies that rearrange from _rearranging, diagonals from _building, NumPy's
protocols from _protocols), none of which imports this module. It then
hands the classes to _device.array_classes, for the code below that makes arrays from
nothing.
"""

import numpy

from . import _core, _creation, _device, _dtypes
from ._building import _BuildingMethods
from ._indexing import _IndexingMethods
from ._linalg import _LinalgMethods
from ._manipulation import _ManipulationMethods
from ._math import _MathMethods
from ._protocols import _ProtocolMethods
from ._rearranging import _RearrangingMethods
from ._sorting import _SortingMethods
from ._statistics import _ReductionMethods

_elementwise = _core.elementwise
_CoreArray = _core.ndarray


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


class ndarray(_MathMethods, _ReductionMethods, _LinalgMethods, _IndexingMethods,
              _ManipulationMethods, _RearrangingMethods, _BuildingMethods, _SortingMethods,
              _ProtocolMethods,
              _CoreArray):
    """An array in a device's memory; element operations run on the device.

    ndarray(shape, dtype=float64, order='C', stream=None) allocates an uninitialised array
    on the stream's device (default: the current stream of the default device).
    """

    __hash__ = None

    def __new__(cls, shape, dtype=numpy.float64, order="C", stream=None):
        core = _device.core_stream_of(stream)
        return _CoreArray.__new__(cls, _creation.normalize_shape(shape),
                                  _dtypes.code_of(dtype, core.device), order, core)

    # ------------------------------------------------------------ attributes

    @property
    def stream(self):
        return _device.wrap(self._stream)

    @stream.setter
    def stream(self, stream):
        self._stream = _device.core_stream_of(stream)

    @property
    def device(self):
        return _device.device_of(self._device)

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

    # ------------------------------------------------------------ printing

    def __repr__(self):
        """NumPy's repr with the device added: array([1., 2.], device='host:0'), what
        pymic2.array(...) takes back."""
        text = repr(self.get())
        return f"array{text[text.index('('):-1]}, device='{self._device.name}')"

    def __str__(self):
        return str(self.get())


class OffloadArray(ndarray):
    """pyMIC's array: a device array plus a NumPy host mirror (`array`) that update_host()
    and update_device() transfer asynchronously on the stream of ops on the array (its own
    stream unless a `with stream:` block of its device is active)."""

    def __new__(cls, shape, dtype=numpy.float64, order="C", *, device=None, stream=None):
        if stream is None and device is not None:
            stream = _device.get_current_stream(device)
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
        self[...] = host
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


_device.array_classes.ndarray = ndarray
_device.array_classes.OffloadArray = OffloadArray
