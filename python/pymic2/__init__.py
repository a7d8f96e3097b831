"""pyMIC2: offload arrays, kernels and streams to devices, compatible with pyMIC 0.7.

    import pymic2 as pymic
    device = pymic.devices[0]
    stream = device.get_default_stream()
    library = device.load_library("libdouble_it.so")
    a = stream.bind(numpy.arange(8.0))
    stream.invoke(library.doubleit, a, a.size)
    a.update_host(); stream.sync()
"""

import importlib.resources
import os

import numpy

from . import _core
from ._array import OffloadArray, ndarray
from ._core import OffloadError
from ._device import (MemoryPool, OffloadDevice, default_device, devices, get_device,
                      number_of_devices)
from ._library import OffloadLibrary
from ._stream import Event, OffloadStream, get_elapsed_time

__version__ = "0.1.0"

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

__all__ = [
    "Event", "MemoryPool", "OffloadArray", "OffloadDevice", "OffloadError", "OffloadLibrary",
    "OffloadStream", "asarray", "default_device", "devices", "empty", "get_device",
    "get_elapsed_time", "get_include", "get_lib", "ndarray", "number_of_devices", "ones",
    "zeros",
]


def _resource_dir(name, marker):
    """The directory of an installed resource holding `marker`. Editable installs keep the
    files in the source and build trees, which importlib.resources resolves."""
    path = os.path.join(_PACKAGE_DIR, name)
    if os.path.isfile(os.path.join(path, marker)):
        return path
    for item in (importlib.resources.files(__name__) / name).iterdir():
        if item.name == marker:
            return os.path.dirname(os.fspath(item))
    raise FileNotFoundError(f"{marker} is not installed with pymic2")


def get_include():
    """The directory with pymic2.h and pymic_kernel.h, for building kernel libraries."""
    return _resource_dir("include", "pymic2.h")


def get_lib():
    """The directory with libpymic2.so, for C programs using the runtime directly."""
    return _resource_dir("lib", "libpymic2.so")


def empty(shape, dtype="float64", order="C", stream=None):
    """An uninitialised device array (on the default device's default stream by default)."""
    return ndarray(shape, dtype, order, stream)


def zeros(shape, dtype="float64", order="C", stream=None):
    return ndarray(shape, dtype, order, stream).fill(0)


def ones(shape, dtype="float64", order="C", stream=None):
    return ndarray(shape, dtype, order, stream).fill(1)


def asarray(host, dtype=None, stream=None):
    """A device copy of a host array (a device array of the same dtype is returned as is)."""
    if isinstance(host, ndarray) and (dtype is None or host.dtype == dtype):
        return host
    host = numpy.asarray(host, dtype=dtype)
    array = ndarray(host.shape, host.dtype, "C", stream)
    return array.set(host)
