"""The pyMIC runtime objects: devices (OffloadDevice, its MemoryPool), streams
(OffloadStream, Event), kernel libraries (OffloadLibrary), and the thread's current device and
stream. They refer to each other (a device makes streams and loads libraries, a stream and a
library belong to a device), so they live in one module, below every array module."""

import numbers
import os
import threading
import types
import weakref

import numpy

from . import _core, _dtypes, _library
from ._core import OffloadError

#: The array classes, which _array defines above every module that works on arrays (their
#: methods come from those modules). Code here and in _creation that makes an array from
#: nothing (OffloadStream.bind, asarray of host data) reads them at call time; _array sets
#: them when it defines them, before pymic2's import completes. The one upward reference.
array_classes = types.SimpleNamespace(ndarray=None, OffloadArray=None)

class MemoryPool:
    """The caching memory pool of one device (CuPy-like accessors)."""

    def __init__(self, core_device):
        self._device = core_device

    def stats(self):
        """used_bytes, cached_bytes, peak_bytes, limit_bytes, n_free_blocks, n_allocations."""
        return self._device.pool_stats()

    def used_bytes(self):
        return self.stats()["used_bytes"]

    def free_bytes(self):
        """Bytes held in cached free blocks."""
        return self.stats()["cached_bytes"]

    def total_bytes(self):
        stats = self.stats()
        return stats["used_bytes"] + stats["cached_bytes"]

    def n_free_blocks(self):
        return self.stats()["n_free_blocks"]

    def free_all_blocks(self):
        """Returns every cached free block to the device."""
        self._device.pool_free_all_blocks()

    def set_limit(self, size=0):
        """Caps used plus cached bytes; 0 (or None) removes the cap."""
        self._device.pool_set_limit(size or 0)

    def get_limit(self):
        return self.stats()["limit_bytes"]

    def __repr__(self):
        return f"MemoryPool({self._device}: {self.stats()})"


class OffloadDevice:
    """One device (pyMIC's OffloadDevice): its default stream, new streams, libraries and
    memory pool. Obtain devices from pymic2.devices or pymic2.get_device()."""

    def __init__(self, core_device):
        self._device = core_device
        self.device_id = core_device.index
        self.memory_pool = MemoryPool(core_device)
        self._default_stream = wrap(core_device.default_stream)

    name = property(lambda self: self._device.name, doc="The selector: 'host:0'.")
    backend = property(lambda self: self._device.backend)
    description = property(lambda self: self._device.description)
    num_threads = property(lambda self: self._device.num_threads)
    memory_bytes = property(lambda self: self._device.memory_bytes)
    supports_fp64 = property(lambda self: self._device.supports_fp64)

    def get_default_stream(self):
        return self._default_stream

    def __enter__(self):
        """`with device:` makes it the current thread's default device for the block (as
        CuPy's `with cupy.cuda.Device(n):`): arrays made without device= go there."""
        _current_stack().append(self)
        return self

    def __exit__(self, *exception):
        _current_stack().pop()

    default_stream = property(get_default_stream)

    def create_stream(self):
        """A new stream on this device (runs concurrently with the others)."""
        return OffloadStream(self)

    def load_library(self, *names):
        """Loads kernel libraries on this device: one OffloadLibrary for one name, else a
        list (found by absolute path, PYMIC2_LIBRARY_PATH, PYMIC_LIBRARY_PATH, the current
        directory, or beside the package)."""
        while len(names) == 1 and isinstance(names[0], (tuple, list)):
            names = tuple(names[0])
        if not names:
            raise ValueError("load_library needs at least one library name")
        libraries = [OffloadLibrary(name, device=self) for name in names]
        return libraries[0] if len(libraries) == 1 else libraries

    def __eq__(self, other):
        return isinstance(other, OffloadDevice) and other._device is self._device

    def __hash__(self):
        return hash(self.device_id)

    def __repr__(self):
        return f"OffloadDevice({self.name}: {self.description})"

    def __str__(self):
        return self.name




def number_of_devices():
    return len(devices)


def device_of(core_device):
    return devices[core_device.index]


# Per thread: the devices of the `with device:` blocks it is in, innermost last.
_current = threading.local()


def _current_stack():
    stack = getattr(_current, "devices", None)
    if stack is None:
        stack = _current.devices = []
    return stack


def get_device(selector=None):
    """The device for a selector ('host:0', 'opencl:1', a global index) or an OffloadDevice;
    None gives the default device: the innermost `with device:` of this thread, else
    PYMIC2_DEVICE, else host:0."""
    if isinstance(selector, OffloadDevice):
        return selector
    if selector is None:
        stack = _current_stack()
        if stack:
            return stack[-1]
        selector = ""
    return device_of(_core.find_device(str(selector)))


def default_device():
    return get_device(None)


def using_device(device):
    """A context manager making `device` (a selector or an OffloadDevice) the current thread's
    default device: `with pymic2.using_device("opencl:0"): x = pymic2.zeros(3)`."""
    return get_device(device)


# core Stream -> its OffloadStream; default streams stay alive through their device
_wrappers = weakref.WeakValueDictionary()


def wrap(core_stream):
    """The OffloadStream of a core Stream (created on first use)."""
    stream = _wrappers.get(core_stream)
    if stream is None:
        stream = OffloadStream._wrap(core_stream)
    return stream


def _current_core_stream(core_device):
    """The thread's current core Stream of a core Device (its default stream if none)."""
    current = _core.current_stream(core_device)
    return core_device.default_stream if current is None else current


def get_current_stream(device=None):
    """The calling thread's current stream of device (default: the current device), as
    CuPy's cupy.cuda.get_current_stream: the stream of the innermost `with stream:` block of
    that device, or the one given to stream.use(), else the device's default stream."""
    return wrap(_current_core_stream(get_device(device)._device))


def using_stream(stream):
    """A context manager making stream current: `with pymic2.using_stream(s):` is `with s:`."""
    if not isinstance(stream, OffloadStream):
        raise TypeError(f"using_stream needs an OffloadStream, not {type(stream).__name__}")
    return stream


# Per thread: the `with stream:` blocks it is in, innermost last, each as (stream, the
# current stream its device had before, None for none). The current streams themselves are
# kept by _core, where every op reads them.
_blocks = threading.local()


def _block_stack():
    stack = getattr(_blocks, "stack", None)
    if stack is None:
        stack = _blocks.stack = []
    return stack


def _byte_count(name, value):
    """A byte count or offset as an int >= 0. Integral floats count too: pyMIC's Python 2
    code passes `nbytes / 2`, a float under Python 3. ValueError otherwise."""
    if isinstance(value, numbers.Integral):
        count = int(value)
    elif isinstance(value, numbers.Real) and float(value).is_integer():
        count = int(value)
    else:
        count = -1
    if count < 0:
        raise ValueError(f"{name} must be an integer >= 0, not {value!r}")
    return count


class OffloadStream:
    """An in-order queue of asynchronous commands on one device (pyMIC's OffloadStream).

    OffloadStream(device=None) creates a new stream on device (default: the default device).
    `with stream:` makes it the thread's current stream, as CuPy's `with cupy.cuda.Stream():`:
    new arrays and every op on arrays of its device run on it, and its device is the default
    device, until the block ends (it does not synchronise: call sync()).
    """

    def __init__(self, device=None):
        self._setup(_core.Stream(get_device(device)._device))

    @classmethod
    def _wrap(cls, core_stream):
        self = cls.__new__(cls)
        self._setup(core_stream)
        return self

    def _setup(self, core_stream):
        self._stream = core_stream
        self._sticky = set()  # allocations made with sticky=True, freed only explicitly
        _wrappers[core_stream] = self

    # ------------------------------------------------------------ basics

    @property
    def device(self):
        return device_of(self._stream.device)

    def get_device(self):
        return self.device

    def sync(self):
        """Waits for every enqueued command; raises the first asynchronous error."""
        self._stream.sync()

    synchronize = sync

    def query(self):
        """True if every enqueued command has completed."""
        return self._stream.query()

    def record(self, event=None):
        """Records event (a new Event if None) at this point of the stream; returns it."""
        if event is None:
            event = Event(self.device)
        return event.record(self)

    def wait_event(self, event):
        """Commands enqueued after this call wait until event has completed."""
        if not isinstance(event, Event):
            raise TypeError(f"wait_event needs an Event, not {type(event).__name__}")
        self._stream.wait_event(event._event)

    def __enter__(self):
        core_device = self._stream.device
        previous = _core.current_stream(core_device)
        _core.set_current_stream(core_device, self._stream)
        _block_stack().append((self, previous))
        self.device.__enter__()
        return self

    def __exit__(self, *exc_info):
        stream, previous = _block_stack().pop()
        stream.device.__exit__(*exc_info)
        _core.set_current_stream(stream._stream.device, previous)

    def use(self):
        """Makes this stream the thread's current stream of its device until another use()
        or the end of the enclosing `with stream:` block of that device (CuPy's
        Stream.use()); returns self. Unlike `with`, it does not change the current device."""
        _core.set_current_stream(self._stream.device, self._stream)
        return self

    def __eq__(self, other):
        return isinstance(other, OffloadStream) and other._stream is self._stream

    def __hash__(self):
        return id(self._stream)

    def __repr__(self):
        kind = "default stream" if self._stream.is_default else "stream"
        return f"OffloadStream({kind} of {self._stream.device})"

    # ------------------------------------------------------------ raw device memory

    def allocate_device_memory(self, nbytes, alignment=64, sticky=False):
        """Allocates nbytes of device memory from the pool; returns a Buffer.

        The memory returns to the pool when the Buffer is garbage collected, or at
        deallocate_device_memory(); sticky=True keeps it until the latter.
        """
        try:
            count = _byte_count("nbytes", nbytes)
        except ValueError:
            count = 0
        if count == 0:
            raise ValueError(f"cannot allocate {nbytes!r} bytes: need a positive integer")
        buffer = self._stream.device.alloc(count, alignment)
        if sticky:
            self._sticky.add(buffer)
        return buffer

    def deallocate_device_memory(self, device_ptr):
        if not isinstance(device_ptr, _core.Buffer):
            raise ValueError(f"deallocate_device_memory needs a device pointer (Buffer) from "
                             f"allocate_device_memory, not {type(device_ptr).__name__}")
        self._sticky.discard(device_ptr)
        device_ptr.free()

    def transfer_host2device(self, host_ptr, device_ptr, nbytes, offset_host=0,
                             offset_device=0):
        """Enqueues a copy of nbytes from host memory (an array or a raw address) to a
        Buffer; the host memory is kept alive (arrays) until the copy ran."""
        self._stream.memcpy_h2d(device_ptr, _byte_count("offset_device", offset_device),
                                host_ptr, _byte_count("offset_host", offset_host),
                                _byte_count("nbytes", nbytes))

    def transfer_device2host(self, device_ptr, host_ptr, nbytes, offset_device=0,
                             offset_host=0):
        """Enqueues a copy of nbytes from a Buffer to host memory (a writable array or a
        raw address)."""
        self._stream.memcpy_d2h(host_ptr, _byte_count("offset_host", offset_host),
                                device_ptr, _byte_count("offset_device", offset_device),
                                _byte_count("nbytes", nbytes))

    def transfer_device2device(self, device_ptr_src, device_ptr_dst, nbytes,
                               offset_device_src=0, offset_device_dst=0):
        dst = _byte_count("offset_device_dst", offset_device_dst)
        src = _byte_count("offset_device_src", offset_device_src)
        self._stream.memcpy_d2d(device_ptr_dst, dst, device_ptr_src, src,
                                _byte_count("nbytes", nbytes))

    def translate_device_pointer(self, device_ptr):
        """The address a kernel sees for a Buffer or array (0 for None); synchronises."""
        if device_ptr is None:
            return 0
        if isinstance(device_ptr, _core.ndarray):
            owner = device_ptr._device
        elif isinstance(device_ptr, _core.Buffer):
            owner = device_ptr.device
        else:
            raise TypeError(f"translate_device_pointer needs a Buffer or a device array, not "
                            f"{type(device_ptr).__name__}")
        if owner is not self._stream.device:
            raise OffloadError(f"device pointer of {owner} does not belong to "
                               f"{self._stream.device}")
        self.sync()
        if isinstance(device_ptr, _core.Buffer):
            device_ptr.sync()
            return device_ptr.address
        device_ptr.buffer.sync()
        return device_ptr.data_ptr

    # ------------------------------------------------------------ kernels

    def invoke(self, kernel, *args, global_size=None, local_size=None):
        """Enqueues kernel(*args) by pyMIC's convention: device arrays and Buffers pass their
        device address, Python ints/floats/complex pass pointers to int64/double/double
        complex, None passes NULL; a numpy.ndarray is copied to the device before the call
        and back after it, and the call then synchronises.

        OpenCL kernels (from a .cl library) take the same arguments as OpenCL C parameters:
        arrays and Buffers as `__global T *` (at the array's offset), ints as `long`, floats
        as `double`, complex as `double2`, None as a NULL pointer; global_size (an int or a
        tuple of up to 3 ints) is required there, local_size is optional."""
        if len(args) == 1 and type(args[0]) is tuple:
            args = args[0]  # pyMIC's wrappers pass the arguments as one tuple
        if len(args) > _core.MAX_KERNEL_ARGS:
            raise ValueError(f"invoke of kernel '{kernel.name}': {len(args)} arguments given, "
                             f"at most {_core.MAX_KERNEL_ARGS} allowed")
        if not isinstance(kernel, _core.Kernel):
            raise TypeError(f"invoke needs a kernel (library.name), not {type(kernel).__name__}")
        if kernel.device is not self._stream.device:
            raise OffloadError(f"kernel '{kernel.name}' of library '{kernel.library.path}' is "
                               f"loaded on {kernel.device}, not on {self._stream.device}; load "
                               f"the library on {self._stream.device} to invoke it there")
        converted, copy_back = [], []
        for arg in args:
            if isinstance(arg, numpy.ndarray):
                converted.append(self._copy_in(arg, copy_back))
            else:
                scalar = _dtypes.host_scalar(arg)
                converted.append(arg if scalar is None else scalar)
        self._stream.invoke(kernel, tuple(converted), global_size=global_size,
                            local_size=local_size)
        if copy_back:
            for host, contiguous, buffer in copy_back:
                if host.flags.writeable:
                    self._stream.memcpy_d2h(contiguous, 0, buffer, 0, contiguous.nbytes)
            self.sync()
            for host, contiguous, buffer in copy_back:
                if contiguous is not host and host.flags.writeable:
                    host[...] = contiguous

    def _copy_in(self, host, copy_back):
        contiguous = numpy.ascontiguousarray(host)
        buffer = self._stream.device.alloc(max(contiguous.nbytes, 1))
        self._stream.memcpy_h2d(buffer, 0, contiguous, 0, contiguous.nbytes)
        copy_back.append((host, contiguous, buffer))
        return buffer

    # ------------------------------------------------------------ arrays

    def bind(self, array, update_device=True):
        """An OffloadArray whose host mirror is `array` (C- or F-contiguous)."""
        if not isinstance(array, numpy.ndarray):
            raise ValueError(f"only a numpy.ndarray can be bound, not {type(array).__name__}")
        if array.flags.c_contiguous:
            order = "C"
        elif array.flags.f_contiguous:
            order = "F"
        else:
            raise ValueError("cannot bind a non-contiguous numpy.ndarray (storage order unknown)")
        dtype = _dtypes.normalize(array.dtype, self._stream.device)
        bound = array_classes.OffloadArray(array.shape, dtype, order, stream=self)
        bound.array = array
        if update_device:
            bound.update_device()
        return bound

    def copy(self, array, update_device=True):
        """An OffloadArray bound to a copy of `array`."""
        return self.bind(numpy.array(array, order="K"), update_device)

    def empty(self, shape, dtype=numpy.float64, order="C", update_host=True):
        array = array_classes.OffloadArray(shape, dtype, order, stream=self)
        return array.update_host() if update_host else array

    def zeros(self, shape, dtype=numpy.float64, order="C", update_host=True):
        return self.bcast(0, shape, dtype, order, update_host)

    def ones(self, shape, dtype=numpy.float64, order="C", update_host=True):
        return self.bcast(1, shape, dtype, order, update_host)

    def bcast(self, value, shape, dtype=numpy.float64, order="C", update_host=True):
        """An OffloadArray of the shape with every element set to value."""
        array = array_classes.OffloadArray(shape, dtype, order, stream=self).fill(value)
        return array.update_host() if update_host else array

    @staticmethod
    def _template(other):
        if not isinstance(other, (numpy.ndarray, _core.ndarray)):
            raise ValueError(f"a numpy.ndarray or device array is needed as template, not "
                             f"{type(other).__name__}")
        order = "F" if other.flags["F_CONTIGUOUS"] and not other.flags["C_CONTIGUOUS"] else "C"
        return other.shape, other.dtype, order

    def empty_like(self, other, update_host=True):
        return self.empty(*self._template(other), update_host=update_host)

    def zeros_like(self, other, update_host=True):
        return self.zeros(*self._template(other), update_host=update_host)

    def ones_like(self, other, update_host=True):
        return self.ones(*self._template(other), update_host=update_host)

    def bcast_like(self, value, other, update_host=True):
        return self.bcast(value, *self._template(other), update_host=update_host)


class Event:
    """A point in a stream: record() it, then synchronize(), query() or time it.

    Event(device=None) belongs to device (default: the default device).
    """

    def __init__(self, device=None):
        self._event = _core.Event(get_device(device)._device)

    def record(self, stream=None):
        """Marks the point after everything enqueued on stream so far (default: the
        thread's current stream of the event's device, as CuPy's); returns self."""
        if stream is not None and not isinstance(stream, OffloadStream):
            raise TypeError(f"Event.record needs an OffloadStream, not {type(stream).__name__}")
        self._event.record(_current_core_stream(self._event.device) if stream is None
                           else stream._stream)
        return self

    def synchronize(self):
        self._event.synchronize()

    def query(self):
        """True once the recorded point was reached (or if never recorded)."""
        return self._event.query()

    def elapsed_time(self, end):
        """Milliseconds from this event to end; both must have completed."""
        return self._event.elapsed_time(end._event)

    def __repr__(self):
        return f"Event(on {self._event.device})"


def get_elapsed_time(start, end):
    """Milliseconds between two completed events (CuPy's spelling)."""
    return start.elapsed_time(end)


class OffloadLibrary:
    """Kernels of a library loaded on a device: library.kernel_name is a kernel for
    OffloadStream.invoke. Unknown kernels raise OffloadError."""

    def __init__(self, library, device=None):
        device = get_device(device)
        self._name = os.fspath(library)
        self._device = device
        self.path = _library.find_library(self._name)
        self._library = _core.Library(device._device, self.path)
        self._kernels = {}

    @property
    def device(self):
        return self._device

    def get_kernel(self, name):
        kernel = self._kernels.get(name)
        if kernel is None:
            kernel = self._kernels[name] = self._library.find(name)
        return kernel

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_library", "_kernels", "_name", "_device"):
            raise AttributeError(name)
        return self.get_kernel(name)

    def __repr__(self):
        return f"OffloadLibrary('{self.path}' on {self._device.name})"


def core_stream_of(stream):
    """The core Stream for an OffloadStream, a core Stream or None (the thread's current
    stream of the default device)."""
    if stream is None:
        return get_current_stream()._stream
    if isinstance(stream, _core.Stream):
        return stream
    if isinstance(stream, OffloadStream):
        return stream._stream
    raise TypeError(f"stream must be an OffloadStream, not {type(stream).__name__}")


#: Every device, by global index (fixed when pymic2 is imported).
devices = tuple(OffloadDevice(d) for d in _core.devices)
