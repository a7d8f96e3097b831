"""Data types: NumPy dtypes <-> the core's dtype codes, and NumPy 2 type promotion."""

import numpy

from . import _core

#: numpy.dtype -> pymic2_dtype code, for every dtype the device supports.
CODES = {numpy.dtype(name): code for name, code in _core.dtype_codes.items()}
_NAMES = ", ".join(sorted(_core.dtype_codes))

_DTYPES = {code: dt for dt, code in CODES.items()}
_PYTHON_SCALARS = (bool, int, float, complex)


#: Codes of the dtypes a Python float (int) scalar does not promote, by NEP 50.
FLOAT_SAFE = frozenset(code for dt, code in CODES.items() if dt.kind in "fc")
INT_SAFE = frozenset(code for dt, code in CODES.items() if dt.kind in "iufc")


def _device_name(device):
    """The name of a device (core Device, OffloadDevice or selector) for messages."""
    if device is None:
        return "pyMIC2 devices"
    return getattr(device, "name", device)


def normalize(dtype, device=None, what="dtype", hint=""):
    """The supported numpy.dtype for anything numpy.dtype() accepts; TypeError naming the
    dtype and the device (core Device, OffloadDevice or name; None: every device) otherwise.
    `what` says whose dtype it is, `hint` ends the message."""
    dt = numpy.dtype(dtype)
    if dt not in CODES:
        raise TypeError(f"{what} {dt} is not supported on {_device_name(device)} "
                        f"(supported: {_NAMES}){hint}")
    return dt


def code_of(dtype, device=None):
    """The core's dtype code for a dtype-like; TypeError if the device does not support it."""
    return CODES[normalize(dtype, device)]


def device_dtype(dtype):
    """The device dtype that computes a NumPy result dtype: the dtype itself (the C core's
    pymic2_dtype_for_type); TypeError for dtypes with no device counterpart (float128, ...)."""
    dt = numpy.dtype(dtype)
    if dt in CODES:
        return dt
    if dt.isnative and dt.kind in "biufc":
        try:
            return _DTYPES[_core.result_type(dt)]
        except TypeError:
            pass
    return normalize(dt)  # raises, naming the dtype


def _promotion_operand(operand):
    """What _core.result_type takes for an operand: a device array's dtype code, a Python
    scalar's type (weak, NEP 50) or a numpy.dtype (dtypes, host arrays, NumPy scalars)."""
    code = getattr(operand, "_dtype_code", None)
    if code is not None:
        return code
    if type(operand) in _PYTHON_SCALARS:
        return type(operand)
    return numpy.dtype(getattr(operand, "dtype", operand))


def result_type(*operands):
    """NumPy 2's result dtype (Python scalars are weak, NEP 50) as the device computes it:
    one size up where NumPy's has no device counterpart (float32 with 1j: complex64 ->
    complex128),
    as the element-wise ops do (device_dtype). The rule is the C core's (_core.result_type).

    operands are device arrays, Python scalars, NumPy scalars, host arrays or dtypes.
    """
    return _DTYPES[_core.result_type(*map(_promotion_operand, operands))]


def host_scalar(value):
    """Python scalars pass as they are, NumPy scalars become Python ones; None otherwise."""
    if isinstance(value, (bool, int, float, complex)):
        return value
    if isinstance(value, numpy.generic) and value.dtype.kind in "biufc":
        return value.item()
    return None
