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

3. `pkg_resources` (chainer/_environment_check.py imports it to check the versions of CuPy
   and iDeep), which setuptools 81 removed. When it cannot be imported, a stand-in with the
   two functions and two exceptions that module uses, over importlib.metadata, sits in
   sys.modules while Chainer is imported, and is removed afterwards.

Under NumPy 1 with pkg_resources nothing is patched. `import_chainer()` is idempotent and
returns the module.
"""

import importlib
import importlib.metadata
import re
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


class _DistributionNotFound(Exception):
    pass


class _VersionConflict(Exception):
    pass


def _satisfies(version, specifier):
    """Whether version meets a PEP 440 specifier (True if `packaging` is absent: the check
    only decides whether Chainer warns)."""
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:
        return True
    return SpecifierSet(specifier).contains(version, prereleases=True)


def _require(requirement):
    """pkg_resources.require for one 'name<specifier>' string, as Chainer calls it."""
    name, specifier = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", requirement).groups()
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        raise _DistributionNotFound(requirement) from None
    if specifier and not _satisfies(version, specifier):
        raise _VersionConflict(f"{name} {version} does not satisfy {requirement}")
    return []


def _pkg_resources_stand_in():
    module = types.ModuleType("pkg_resources")
    module.DistributionNotFound = _DistributionNotFound
    module.VersionConflict = _VersionConflict
    module.require = _require
    module.get_distribution = lambda name: types.SimpleNamespace(
        project_name=name, version=importlib.metadata.version(name))
    return module


def _has_pkg_resources():
    try:
        import pkg_resources  # noqa: F401 - setuptools < 81 has it
    except ImportError:
        return False
    return True


_ABSENT = object()


def import_chainer():
    """Imports chainer (with the stand-ins above where needed) and returns it."""
    if "chainer" in sys.modules:
        return sys.modules["chainer"]
    numpy2 = needs_shim()
    stand_ins = {}
    if numpy2:
        stand_ins.update(zip(_DISTUTILS, _distutils_stand_in()))
    if not _has_pkg_resources():
        stand_ins["pkg_resources"] = _pkg_resources_stand_in()
    if not stand_ins:
        return importlib.import_module("chainer")
    saved = {name: sys.modules.get(name, _ABSENT) for name in stand_ins}
    had_attribute = "distutils" in vars(numpy)
    sys.modules.update(stand_ins)
    if numpy2:
        numpy.sctypes = _SCTYPES  # read by as_strided.py at import; removed below
    try:
        chainer = importlib.import_module("chainer")
        if numpy2:
            # The backward of as_strided reads np.sctypes again: give that module the proxy.
            as_strided = sys.modules["chainer.functions.array.as_strided"]
            as_strided.np = _NumpyWithSctypes("numpy")
        if "pkg_resources" in stand_ins:
            # chainer.gradient_check imports chainer.testing, which imports pkg_resources at
            # import time: load it while the stand-in is there (users call check_backward).
            importlib.import_module("chainer.testing")
    finally:
        for name, module in saved.items():
            if module is _ABSENT:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module  # None too: an import blocked on purpose
        if numpy2:
            if not had_attribute:
                vars(numpy).pop("distutils", None)
            vars(numpy).pop("sctypes", None)
    return chainer
