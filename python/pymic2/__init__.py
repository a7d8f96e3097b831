"""pyMIC2: offload arrays, kernels and streams to devices, compatible with pyMIC 0.7.

    import pymic2 as pymic
    device = pymic.devices[0]
    stream = device.get_default_stream()
    library = device.load_library("libdouble_it.so")
    a = stream.bind(numpy.arange(8.0))
    stream.invoke(library.doubleit, a, a.size)
    a.update_host(); stream.sync()
"""

import builtins as _builtins
import importlib.resources as _resources
import os as _os
import sys as _sys

import numpy as _numpy

from . import _core
from ._array import OffloadArray, ndarray
from ._core import OffloadError
from ._device import (Event, MemoryPool, OffloadDevice, OffloadLibrary, OffloadStream,
                      default_device, devices, get_current_stream, get_device,
                      get_elapsed_time, number_of_devices, using_device, using_stream)
from . import (_building, _correlating, _creation, _differences, _einsum, _floating_point,
               _functional, _histograms, _indexing, _io, _linalg, _manipulation, _math,
               _nanfunctions, _rearranging, _reduction, _sets, _sorting, _special, _statistics)
from ._building import *  # noqa: F401,F403 - ranges, diagonals, triangles, vander
from ._correlating import *  # noqa: F401,F403 - average, cov, corrcoef
from ._creation import *  # noqa: F401,F403 - creation and joining (its __all__)
from ._differences import *  # noqa: F401,F403 - diff, gradient, convolve, interp, ...
from ._einsum import *  # noqa: F401,F403 - einsum, kron
from ._floating_point import *  # noqa: F401,F403 - errstate, seterr (NumPy's)
from ._functional import *  # noqa: F401,F403 - apply_along_axis, piecewise
from ._histograms import *  # noqa: F401,F403 - bincount, histogram, digitize, ...
from ._indexing import *  # noqa: F401,F403 - take, put, nonzero, where, add_at, ...
from ._io import *  # noqa: F401,F403 - save, load, savez, print options
from ._linalg import *  # noqa: F401,F403 - matmul, dot, tensordot, ...
from ._manipulation import *  # noqa: F401,F403 - views and dtype queries
from ._math import *  # noqa: F401,F403 - the ufuncs, clip, isclose
from ._sorting import *  # noqa: F401,F403 - sort, argsort, searchsorted, median, ...
from ._sets import *  # noqa: F401,F403 - unique, isin, intersect1d, union1d, ...
from ._special import *  # noqa: F401,F403 - frexp, modf, sinc, i0, unwrap
from ._nanfunctions import *  # noqa: F401,F403 - nansum, nanmax, nanmean, ...
from ._rearranging import *  # noqa: F401,F403 - tile, repeat, split, pad, roll, insert, ...
from ._reduction import *  # noqa: F401,F403 - sum, max, argmax, cumsum, ...
from ._statistics import *  # noqa: F401,F403 - mean, var, std, allclose, ...
# The namespaces: pymic2.numpy (the array namespace; importing it binds the package's name
# `numpy`, so this file must not use the NumPy module under that name), pymic2.linalg,
# pymic2.fft and pymic2.random (device random numbers).
from . import fft, lib, linalg, numpy, random

__version__ = "0.1.0"

_PACKAGE_DIR = _os.path.dirname(_os.path.abspath(__file__))

__all__ = (_creation.__all__ + _indexing.__all__ + _linalg.__all__ + _manipulation.__all__ +
           _math.__all__ + _reduction.__all__ + _statistics.__all__) + [
    "Event", "MemoryPool", "OffloadArray", "OffloadDevice", "OffloadError", "OffloadLibrary",
    "OffloadStream", "default_device", "devices", "fft", "get_array_module",
    "get_current_stream", "get_device", "get_elapsed_time", "get_include", "get_lib", "linalg",
    "ndarray", "number_of_devices", "random", "using_device", "using_stream",
]


def get_array_module(*args):
    """pymic2 if any argument is a device array, else NumPy (CuPy's get_array_module)."""
    if _builtins.any(isinstance(arg, _core.ndarray) for arg in args):  # `any` is NumPy's here
        return _sys.modules[__name__]
    return _numpy


def _resource_dir(name, marker):
    """The directory of an installed resource holding `marker`. Editable installs keep the
    files in the source and build trees, which importlib.resources resolves."""
    path = _os.path.join(_PACKAGE_DIR, name)
    if _os.path.isfile(_os.path.join(path, marker)):
        return path
    for item in (_resources.files(__name__) / name).iterdir():
        if item.name == marker:
            return _os.path.dirname(_os.fspath(item))
    raise FileNotFoundError(f"{marker} is not installed with pymic2")


def get_include():
    """The directory with pymic2.h and pymic_kernel.h, for building kernel libraries."""
    return _resource_dir("include", "pymic2.h")


def get_lib():
    """The directory with libpymic2.so, for C programs using the runtime directly."""
    return _resource_dir("lib", "libpymic2.so")


def __getattr__(name):
    """The rest of the array namespace (pymic2.numpy: dtypes, constants), so that
    `xp = pymic2` works."""
    try:
        return getattr(numpy, name)
    except AttributeError:
        raise AttributeError(f"module 'pymic2' has no attribute {name!r}") from None
