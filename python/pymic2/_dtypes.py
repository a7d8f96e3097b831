"""Data types: NumPy dtypes <-> the core's dtype codes, and NumPy 2 type promotion."""

import numpy

from . import _core

#: numpy.dtype -> pymic2_dtype code, for every dtype the device supports.
CODES = {numpy.dtype(name): code for name, code in _core.dtype_codes.items()}
_NAMES = ", ".join(sorted(_core.dtype_codes))

# Results the device computes one size up: NumPy's promotion gives them for device inputs
# (exp of int8 is float16, uint8 + int8 int16, float32 * 1j complex64), and the wider dtype
# holds every value. Arrays, host data and dtype= arguments of these dtypes are refused
# (normalize): an array never has one of them.
_COMPUTED_WIDER = {numpy.dtype(narrow): numpy.dtype(wide) for narrow, wide in [
    (numpy.float16, numpy.float32), (numpy.int16, numpy.int32), (numpy.uint16, numpy.int32),
    (numpy.uint32, numpy.int64), (numpy.complex64, numpy.complex128)]}


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
    """The device dtype that computes a NumPy result dtype: itself or one size up
    (_COMPUTED_WIDER); TypeError for dtypes with no device counterpart (uint64, ...)."""
    dt = numpy.dtype(dtype)
    return normalize(_COMPUTED_WIDER.get(dt, dt))


def result_type(*operands):
    """NumPy 2's result dtype (Python scalars are weak, NEP 50) as the device computes it:
    one size up where NumPy's has no device counterpart (int8 with uint8: int16 -> int32),
    as the element-wise ops do (device_dtype).

    operands are device arrays (anything with .dtype) or Python scalars.
    """
    return device_dtype(numpy.result_type(*[getattr(o, "dtype", o) for o in operands]))


def host_scalar(value):
    """Python scalars pass as they are, NumPy scalars become Python ones; None otherwise."""
    if isinstance(value, (bool, int, float, complex)):
        return value
    if isinstance(value, numpy.generic) and value.dtype.kind in "biufc":
        return value.item()
    return None
