"""OffloadDevice, the device list, the current device and memory pool access."""

import threading

from . import _core
from ._library import OffloadLibrary
from ._stream import OffloadStream, wrap


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


#: Every device, by global index (fixed when pymic2 is imported).
devices = tuple(OffloadDevice(d) for d in _core.devices)


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
