"""Importing Chainer 7.8.1 under NumPy 2.

Chainer 7.8.1 (2020) predates NumPy 2 and fails to import there. It touches two names that
NumPy 2 removed, and nothing else at import or in the functions pymic2 uses:

1. `numpy.distutils.system_info` (chainer/_environment_check.py imports it at module level;
   it only calls `get_info('blas_opt')` on macOS to warn about Accelerate). While Chainer is
   imported, a stand-in module with `get_info` returning {} (no BLAS information, hence no
   warning) sits in sys.modules; it is removed afterwards, so nobody else sees a fake
   `numpy.distutils`.
2. `numpy.sctypes` (chainer/functions/array/as_strided.py reads it at import, and again in
   the backward of as_strided). NumPy 1's lists are set on numpy while Chainer is imported
   and deleted afterwards; from then on as_strided.py alone sees, instead of the numpy
   module, a proxy that forwards every name to numpy and adds `sctypes`.

Under NumPy 1 nothing is patched. `import_chainer()` is idempotent and returns the module.
"""

import importlib
import sys
import types

import numpy

_SCTYPES = {
    "int": [numpy.int8, numpy.int16, numpy.int32, numpy.int64],
    "uint": [numpy.uint8, numpy.uint16, numpy.uint32, numpy.uint64],
    "float": [numpy.float16, numpy.float32, numpy.float64, numpy.longdouble],
    "complex": [numpy.complex64, numpy.complex128, numpy.clongdouble],
    "others": [bool, object, bytes, str, numpy.void],
}

_DISTUTILS = ("numpy.distutils", "numpy.distutils.system_info")


class _NumpyWithSctypes(types.ModuleType):
    """numpy plus NumPy 1's `sctypes`, for the one Chainer module that reads it."""

    sctypes = _SCTYPES

    def __getattr__(self, name):
        return getattr(numpy, name)


def needs_shim():
    """True when the installed NumPy lacks what Chainer 7.8.1 reads (NumPy >= 2)."""
    try:
        numpy.sctypes  # noqa: B018 - NumPy 2 raises AttributeError for removed names
    except AttributeError:
        return True
    return False


def _distutils_stand_in():
    package = types.ModuleType("numpy.distutils")
    system_info = types.ModuleType("numpy.distutils.system_info")
    system_info.get_info = lambda name, notfound_action=0: {}
    package.system_info = system_info
    return package, system_info


def import_chainer():
    """Imports chainer (with the stand-ins above under NumPy 2) and returns it."""
    if "chainer" in sys.modules:
        chainer = sys.modules["chainer"]
    elif not needs_shim():
        chainer = importlib.import_module("chainer")
    else:
        saved = {name: sys.modules.get(name) for name in _DISTUTILS}
        had_attribute = "distutils" in vars(numpy)
        sys.modules.update(zip(_DISTUTILS, _distutils_stand_in()))
        numpy.sctypes = _SCTYPES  # read by as_strided.py at import; removed below
        try:
            chainer = importlib.import_module("chainer")
            # The backward of as_strided reads np.sctypes again: give that module the proxy.
            as_strided = sys.modules["chainer.functions.array.as_strided"]
            as_strided.np = _NumpyWithSctypes("numpy")
        finally:
            for name, module in saved.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module
            if not had_attribute:
                vars(numpy).pop("distutils", None)
            vars(numpy).pop("sctypes", None)
    return chainer
