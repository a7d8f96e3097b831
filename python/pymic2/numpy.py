"""pymic2.numpy: the array namespace of device arrays (what ndarray.__array_namespace__()
returns; the pymic2 package forwards the same names, so `xp = pymic2` works too).

Functions come from pymic2's modules by name (see _namespace), so the namespace holds
exactly what is implemented; linalg and fft are its submodules (pymic2.linalg, pymic2.fft).
It targets the array API standard 2024.12 and covers a subset of it: `dir(pymic2.numpy)` lists what is there; a missing function is an
AttributeError, never a call into NumPy on the host.
"""

import numpy as _numpy

from . import _core, _creation, _device, _dtypes, _namespace, fft, linalg
from ._manipulation import can_cast, result_type

__array_api_version__ = "2024.12"
SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12")

# The device dtypes as NumPy's scalar types (as NumPy's and CuPy's namespaces give them): they
# compare equal to the dtypes (x.dtype == xp.float32) and, unlike dtype objects, also convert
# host scalars (xp.float32(0.5)), which array-agnostic code does.
bool = _numpy.bool  # noqa: A001 - the standard's names
int8, int16, int32, int64 = _numpy.int8, _numpy.int16, _numpy.int32, _numpy.int64
uint8, uint16, uint32, uint64 = _numpy.uint8, _numpy.uint16, _numpy.uint32, _numpy.uint64
float16, float32, float64 = _numpy.float16, _numpy.float32, _numpy.float64
complex64, complex128 = _numpy.complex64, _numpy.complex128

# NumPy's dtype vocabulary, host-side metadata that array-agnostic NumPy/CuPy code reaches
# through its module (xp.dtype(...), xp.issubdtype(x.dtype, xp.floating), ...).
bool_ = _numpy.bool_
dtype, issubdtype, isscalar = _numpy.dtype, _numpy.issubdtype, _numpy.isscalar
generic, number, integer, signedinteger, unsignedinteger = _numpy.generic, _numpy.number, \
    _numpy.integer, _numpy.signedinteger, _numpy.unsignedinteger
inexact, floating, complexfloating = _numpy.inexact, _numpy.floating, _numpy.complexfloating

e, pi, inf, nan, newaxis = _numpy.e, _numpy.pi, _numpy.inf, _numpy.nan, None

# Dtype metadata is host-side bookkeeping, not data: NumPy's answers for the device dtypes.
finfo, iinfo = _numpy.finfo, _numpy.iinfo


def isdtype(dtype, kind):
    return _numpy.isdtype(_numpy.dtype(dtype), kind)


_STANDARD_DTYPES = frozenset(_numpy.__array_namespace_info__().dtypes().values())
_KINDS = {
    "bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
    "real floating": "f", "complex floating": "c", "numeric": "iufc",
}


class _Info:
    """__array_namespace_info__(): the devices, dtypes and capabilities of this namespace."""

    def capabilities(self):
        return {
            "boolean indexing": _supports_boolean_indexing(),
            "data-dependent shapes": _namespace.lookup("nonzero") is not None,
            "max dimensions": _core.MAX_DIMS,
        }

    def default_device(self):
        return _device.default_device()

    def devices(self):
        return list(_device.devices)

    def default_dtypes(self, *, device=None):
        return {"real floating": float64, "complex floating": complex128,
                "integral": int64, "indexing": int64}

    def dtypes(self, *, device=None, kind=None):
        """The device's dtypes among the array API's (as NumPy's: no float16)."""
        kinds = [kind] if isinstance(kind, str) else list(kind or ())
        letters = "".join(_KINDS[k] if k in _KINDS else _unknown_kind(k) for k in kinds)
        return {dt.name: dt for dt in _dtypes.CODES
                if dt in _STANDARD_DTYPES and (kind is None or dt.kind in letters)}


def _unknown_kind(kind):
    raise ValueError(f"unknown dtype kind {kind!r} (known: {', '.join(_KINDS)})")


def _supports_boolean_indexing():
    """Whether x[mask] works: asked of the indexing code once, by trying it."""
    global _BOOLEAN_INDEXING
    if _BOOLEAN_INDEXING is None:
        try:
            values = _creation.zeros(2)
            _BOOLEAN_INDEXING = values[_creation.asarray([True, False])].shape == (1,)
        except (IndexError, TypeError, ValueError):
            _BOOLEAN_INDEXING = False
    return _BOOLEAN_INDEXING


_BOOLEAN_INDEXING = None


def __array_namespace_info__():
    return _Info()


def __getattr__(name):
    if name == "ndarray":  # defined above this module: see _device.array_classes
        return _device.array_classes.ndarray
    function = _namespace.lookup(name)
    if function is None:
        raise AttributeError(f"pymic2.numpy has no {name!r}: not implemented on the device")
    return function


def __dir__():
    return sorted(set(globals()) | _namespace.namespace_names() | {"ndarray"})


__all__ = ["ndarray", "finfo", "iinfo", "isdtype", "result_type", "can_cast", "e", "pi",
           "inf", "nan", "newaxis", "bool", "int8", "int16", "int32", "int64", "uint8",
           "uint16", "uint32", "uint64", "float16", "float32", "float64", "complex64",
           "complex128", "bool_",
           "dtype", "issubdtype", "isscalar", "generic", "number", "integer", "signedinteger",
           "unsignedinteger", "inexact", "floating", "complexfloating", "linalg", "fft"]
