"""pymic2.numpy: the array namespace of device arrays (what ndarray.__array_namespace__()
returns; the pymic2 package forwards the same names, so `xp = pymic2` works too).

Functions come from pymic2's modules by name (see _protocols.NAMESPACE_MODULES), so the
namespace holds exactly what is implemented. It targets the array API standard 2024.12
and covers a subset of it: `dir(pymic2.numpy)` lists what is there; a missing function is an
AttributeError, never a call into NumPy on the host.
"""

import numpy as _numpy

from . import _core, _dtypes, _protocols
from ._array import ndarray

__array_api_version__ = "2024.12"
SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12")

bool = _numpy.dtype("bool")  # noqa: A001 - the standard's names
int8 = _numpy.dtype("int8")
uint8 = _numpy.dtype("uint8")
int32 = _numpy.dtype("int32")
int64 = _numpy.dtype("int64")
float32 = _numpy.dtype("float32")
float64 = _numpy.dtype("float64")
complex128 = _numpy.dtype("complex128")

e, pi, inf, nan, newaxis = _numpy.e, _numpy.pi, _numpy.inf, _numpy.nan, None

from_dlpack = _protocols.from_dlpack

# Dtype metadata is host-side bookkeeping, not data: NumPy's answers for the device dtypes.
finfo, iinfo = _numpy.finfo, _numpy.iinfo


def isdtype(dtype, kind):
    return _numpy.isdtype(_numpy.dtype(dtype), kind)


def result_type(*arrays_and_dtypes):
    """NumPy 2's promotion restricted to device dtypes (TypeError for others)."""
    return _dtypes.result_type(*(_numpy.dtype(v) if isinstance(v, (str, type, _numpy.dtype))
                                 else v for v in arrays_and_dtypes))


def can_cast(from_, to, /):
    source = from_.dtype if isinstance(from_, _core.ndarray) else from_
    return _numpy.can_cast(source, _dtypes.normalize(to))


_KINDS = {
    "bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
    "real floating": "f", "complex floating": "c", "numeric": "iufc",
}


class _Info:
    """__array_namespace_info__(): the devices, dtypes and capabilities of this namespace."""

    def capabilities(self):
        return {
            "boolean indexing": _supports_boolean_indexing(),
            "data-dependent shapes": _protocols.lookup("nonzero") is not None,
            "max dimensions": _core.MAX_DIMS,
        }

    def default_device(self):
        from . import _device

        return _device.default_device()

    def devices(self):
        from . import _device

        return list(_device.devices)

    def default_dtypes(self, *, device=None):
        return {"real floating": float64, "complex floating": complex128,
                "integral": int64, "indexing": int64}

    def dtypes(self, *, device=None, kind=None):
        kinds = [kind] if isinstance(kind, str) else list(kind or ())
        letters = "".join(_KINDS[k] if k in _KINDS else _unknown_kind(k) for k in kinds)
        return {dt.name: dt for dt in _dtypes.CODES
                if kind is None or dt.kind in letters}


def _unknown_kind(kind):
    raise ValueError(f"unknown dtype kind {kind!r} (known: {', '.join(_KINDS)})")


def _supports_boolean_indexing():
    """Whether x[mask] works: asked of the indexing code once, by trying it."""
    global _BOOLEAN_INDEXING
    if _BOOLEAN_INDEXING is None:
        from . import _creation

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
    function = _protocols.lookup(name)
    if function is None:
        raise AttributeError(f"pymic2.numpy has no {name!r}: not implemented on the device")
    return function


def __dir__():
    return sorted(set(globals()) | _protocols.namespace_names())


__all__ = ["ndarray", "from_dlpack", "finfo", "iinfo", "isdtype", "result_type", "can_cast",
           "e", "pi", "inf", "nan", "newaxis", "bool", "int8", "uint8", "int32", "int64",
           "float32", "float64", "complex128"]
