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

from . import _core
from ._array import OffloadArray, ndarray
from ._core import OffloadError
from ._device import (MemoryPool, OffloadDevice, default_device, devices, get_device,
                      number_of_devices, using_device)
from ._library import OffloadLibrary
from ._linalg import dot, matmul, outer, tensordot
from ._math import (absolute, abs, add, bitwise_and, bitwise_not, bitwise_or, bitwise_xor,
                    clip, copysign, divide, divmod, equal, exp, expm1, floor_divide, greater,
                    greater_equal, invert, isfinite, isinf, isnan, less, less_equal, log,
                    log1p, logical_and, logical_not, logical_or, logical_xor, maximum, minimum,
                    mod, multiply, negative, not_equal, positive, power, remainder, sign, sqrt,
                    square, subtract, tanh, true_divide, ufunc)
from ._statistics import (all, amax, amin, any, argmax, argmin, count_nonzero, cumprod,
                          cumsum, max, mean, min, prod, std, sum, var)
from ._stream import Event, OffloadStream, get_current_stream, get_elapsed_time, using_stream
from ._creation import *  # noqa: F401,F403 - the creation functions (its __all__)
from ._manipulation import *  # noqa: F401,F403 - views, joining, conversions (its __all__)
from ._protocols import from_dlpack
# The array namespace module (pymic2.numpy): importing it binds the package's name `numpy`,
# so this file must not use the NumPy module under that name.
from . import _creation, _manipulation, numpy
from ._indexing import add_at
from . import random  # pymic2.random: device random numbers

__version__ = "0.1.0"

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# NumPy's math functions (_math, _statistics, _linalg); they shadow builtins here on purpose.
_MATH_NAMES = [
    "absolute", "abs", "add", "all", "amax", "amin", "any", "argmax", "argmin", "bitwise_and",
    "bitwise_not", "bitwise_or", "bitwise_xor", "clip", "copysign", "count_nonzero", "cumprod", "cumsum",
    "divide", "divmod", "dot", "equal", "exp", "expm1", "floor_divide", "greater",
    "greater_equal", "invert", "isfinite", "isinf", "isnan", "less", "less_equal", "log", "log1p",
    "logical_and", "logical_not", "logical_or", "logical_xor", "matmul", "max", "maximum",
    "mean", "min", "minimum", "mod", "multiply", "negative", "not_equal", "outer", "positive",
    "power", "prod", "remainder", "sign", "sqrt", "square", "std", "subtract", "sum", "tanh",
    "tensordot", "true_divide", "ufunc", "var",
]

__all__ = _MATH_NAMES + _creation.__all__ + _manipulation.__all__ + ["from_dlpack"] + [
    "Event", "MemoryPool", "OffloadArray", "OffloadDevice", "OffloadError", "OffloadLibrary",
    "OffloadStream", "default_device", "devices", "get_current_stream", "get_device",
    "get_elapsed_time", "get_include", "get_lib", "ndarray", "number_of_devices", "add_at",
    "random", "using_device", "using_stream",
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


def __getattr__(name):
    """The rest of the array namespace (pymic2.numpy), so that `xp = pymic2` works."""
    try:
        return getattr(numpy, name)
    except AttributeError:
        raise AttributeError(f"module 'pymic2' has no attribute {name!r}") from None
